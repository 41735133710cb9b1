import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

/** Largest page a list endpoint returns. */
export const MAX_PAGE_SIZE = 1000;
/** Page size when a client gives none. */
export const DEFAULT_PAGE_SIZE = 100;
/**
 * Largest offset accepted: the largest integer a JavaScript number holds exactly. Beyond it `offset=1e20`
 * would reach the database and overflow its integer type (a 500); no page starts that far anyway.
 */
export const MAX_OFFSET = Number.MAX_SAFE_INTEGER;

/** `?limit=&offset=` of a list endpoint. */
export class PageQuery {
  @ApiPropertyOptional({ type: 'integer', default: DEFAULT_PAGE_SIZE, minimum: 1, maximum: MAX_PAGE_SIZE })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit: number = DEFAULT_PAGE_SIZE;

  @ApiPropertyOptional({ type: 'integer', default: 0, minimum: 0, maximum: MAX_OFFSET })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(MAX_OFFSET)
  offset: number = 0;
}
