import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ReferenceIndexRow } from './reference-index-row.dto.js';

/**
 * What every error of the catalogue answers: `{ statusCode, error, message }`, `error` naming its class
 * (`InvalidFieldsError`, `UnknownReferenceError`, …) so that a client can tell errors apart, and the
 * library's errors adding where the input went wrong.
 */
export class ErrorBody {
  @ApiProperty({ type: 'integer', example: 400 })
  statusCode: number;

  @ApiProperty({ example: 'InvalidFieldsError', description: 'The class of the error, or the HTTP status text' })
  error: string;

  @ApiProperty({
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
    example: ['limit must not be greater than 1000'],
    description: 'What went wrong, naming the field: one line, or one line per broken rule',
  })
  message: string | string[];

  @ApiPropertyOptional({ example: 'styles[0]', description: 'Where in the body or query the bad value stands' })
  path?: string;

  @ApiPropertyOptional({ description: 'The reference that names no record, or not in its canonical form' })
  reference?: string;

  @ApiPropertyOptional({
    type: () => ReferenceIndexRow,
    isArray: true,
    description: 'On 409: the index rows of the referrers that restrict the delete',
  })
  referrers?: ReferenceIndexRow[];
}
