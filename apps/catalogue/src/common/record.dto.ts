import { type Type } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';

/** `links` of a record's representation. */
export class RecordLinks {
  @ApiProperty({ format: 'uri', example: 'https://example.org/terms/00000000-0000-4000-8000-000000000000', description: 'The canonical URL of the record' })
  self: string;
}

/**
 * The OpenAPI schema of a record as the API answers it, `{ ...metadata, id, links: { self } }`, named `name`
 * (e.g. `Term`): the metadata's schema and the two fields the catalogue adds.
 */
export function recordOf(metadata: Type, name: string): Type {
  class RecordOfMetadata extends metadata {}
  ApiProperty({ type: 'string', format: 'uuid', description: 'The id of the record' })(RecordOfMetadata.prototype, 'id');
  ApiProperty({ type: () => RecordLinks })(RecordOfMetadata.prototype, 'links');
  Object.defineProperty(RecordOfMetadata, 'name', { value: name });
  return RecordOfMetadata;
}
