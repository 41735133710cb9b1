import { ApiProperty } from '@nestjs/swagger';
import type { ReferenceRow } from 'nestjs-references';

/** The OpenAPI schema of a row of the reverse index (the library's `ReferenceRow`): one reference of one referrer. */
export class ReferenceIndexRow implements ReferenceRow {
  @ApiProperty({ example: 'artworks', description: 'The route of the referencing record\'s type' })
  referrerType: string;

  @ApiProperty({ format: 'uuid', description: 'The id of the referencing record' })
  referrerId: string;

  @ApiProperty({ example: 'https://example.org/terms/00000000-0000-4000-8000-000000000000', description: 'The canonical URL referenced' })
  reference: string;

  @ApiProperty({ type: 'string', format: 'uuid', nullable: true, description: 'The id of the referenced record when the reference carries one (inline copies do)' })
  referenceUuid: string | null;

  @ApiProperty({ description: 'true for an inline copy, false for a link' })
  inline: boolean;

  @ApiProperty({ example: 'styles[2]', description: 'Where in the referrer\'s metadata the reference stands' })
  path: string;
}
