import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import type { ReferenceMatch } from 'nestjs-references';
import { CURSOR_DESCRIPTION, PageQuery, WithoutOffset } from '../common/page-query.dto.js';

/** `GET /references?target=&match=&limit=&offset=&cursor=`: a page of the referrers of `target`. */
export class ReferencesQuery extends PageQuery {
  @ApiProperty({ description: 'The URL (or, with match=prefix, the start of the URLs) whose referrers to list' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(2048)
  target: string;

  @ApiPropertyOptional({ enum: ['exact', 'prefix'], default: 'exact' })
  @IsOptional()
  @IsIn(['exact', 'prefix'])
  match: ReferenceMatch = 'exact';

  @ApiPropertyOptional({ description: `${CURSOR_DESCRIPTION} Given in the X-Next-Cursor header.`, maxLength: 8192 })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(8192)
  @WithoutOffset()
  cursor?: string;
}
