import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { CURSOR_DESCRIPTION, PageQuery, WithoutOffset } from '../common/page-query.dto.js';

/** `?limit=&offset=&cursor=` of a page of referrers, `cursor` being the library's (`ReferrersPage.next`). */
export class ReferrersQuery extends PageQuery {
  @ApiPropertyOptional({ description: CURSOR_DESCRIPTION, maxLength: 8192 })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(8192)
  @WithoutOffset()
  cursor?: string;
}
