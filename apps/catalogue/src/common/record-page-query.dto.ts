import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';
import { CURSOR_DESCRIPTION, PageQuery, WithoutOffset } from './page-query.dto.js';

/** `?limit=&offset=&cursor=` of a list of records, in the order of their ids. */
export class RecordPageQuery extends PageQuery {
  @ApiPropertyOptional({ format: 'uuid', description: CURSOR_DESCRIPTION })
  @IsOptional()
  @IsUUID('all')
  @WithoutOffset()
  cursor?: string;
}
