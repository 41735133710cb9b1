import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min, ValidateBy, type ValidationOptions } from 'class-validator';

/** Largest page a list endpoint returns. */
export const MAX_PAGE_SIZE = 1000;
/** Page size when a client gives none. */
export const DEFAULT_PAGE_SIZE = 100;
/**
 * Largest offset accepted. Every skipped row is read, so a deep offset costs as much as reading the pages
 * before it; a page further on is reached by `cursor`, which costs the same at any depth.
 */
export const MAX_OFFSET = 10_000;
/** Totals are counted up to this many rows: a count reads every row it counts. */
export const MAX_COUNTED = 10_000;

/** What the OpenAPI document says of `cursor`. */
export const CURSOR_DESCRIPTION =
  'The `next` of the previous page: the page that follows it, as fast at any depth; rows written or deleted meanwhile never ' +
  'make a walk repeat a row or skip one that was there all along. Not with `offset`.';

/** `?limit=&offset=` of a list endpoint. */
export class PageQuery {
  @ApiPropertyOptional({ type: 'integer', default: DEFAULT_PAGE_SIZE, minimum: 1, maximum: MAX_PAGE_SIZE })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit: number = DEFAULT_PAGE_SIZE;

  @ApiPropertyOptional({
    type: 'integer',
    default: 0,
    minimum: 0,
    maximum: MAX_OFFSET,
    description: `Rows to skip, up to ${MAX_OFFSET}; further pages by \`cursor\``,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(MAX_OFFSET, { message: `offset must not be greater than ${MAX_OFFSET}: page further by cursor` })
  offset: number = 0;
}

/** The `cursor` of a page is refused beside an `offset` (or another field the cursor cannot follow). */
export function WithoutOffset(validationOptions?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'withoutOffset',
      validator: {
        validate: (_value, args) => !((args?.object as PageQuery).offset > 0),
        defaultMessage: () => 'cursor cannot be combined with offset: a cursor names where its page starts',
      },
    },
    validationOptions,
  );
}
