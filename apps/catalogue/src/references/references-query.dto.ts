import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import type { ReferenceMatch } from 'nestjs-references';
import { ReferrersQuery } from './referrers-query.dto.js';

/** `GET /references?target=&match=&limit=&offset=&cursor=`: a page of the referrers of `target`. */
export class ReferencesQuery extends ReferrersQuery {
  @ApiProperty({ description: 'The URL (or, with match=prefix, the start of the URLs) whose referrers to list' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(2048)
  target: string;

  @ApiPropertyOptional({ enum: ['exact', 'prefix'], default: 'exact' })
  @IsOptional()
  @IsIn(['exact', 'prefix'])
  match: ReferenceMatch = 'exact';
}
