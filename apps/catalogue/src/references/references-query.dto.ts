import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import type { ReferenceMatch } from 'nestjs-references';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../common/page-query.dto.js';

/** `GET /references?target=&match=&limit=&offset=`. */
export class ReferencesQuery {
  @ApiProperty({ description: 'The URL (or, with match=prefix, the start of the URLs) whose referrers to list' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(2048)
  target: string;

  @ApiPropertyOptional({ enum: ['exact', 'prefix'], default: 'exact' })
  @IsOptional()
  @IsIn(['exact', 'prefix'])
  match: ReferenceMatch = 'exact';

  @ApiPropertyOptional({ default: DEFAULT_PAGE_SIZE, minimum: 1, maximum: MAX_PAGE_SIZE })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit: number = DEFAULT_PAGE_SIZE;

  @ApiPropertyOptional({ default: 0, minimum: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  offset: number = 0;
}
