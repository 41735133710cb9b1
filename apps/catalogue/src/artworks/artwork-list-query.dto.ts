import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength, ValidateBy } from 'class-validator';
import { RecordPageQuery } from '../common/record-page-query.dto.js';

/** Longest `q` accepted. */
export const MAX_SEARCH_QUERY_LENGTH = 200;

/** `GET /artworks?q=&limit=&offset=&cursor=`; a search (`q`) pages by offset only. */
export class ArtworkListQuery extends RecordPageQuery {
  @ApiPropertyOptional({
    description:
      'Words to search for: an artwork matches when its title or the titles of its inline terms (and their parents, ' +
      'as copied) hold every word, whole; case and accents are ignored. Best match first.',
    example: 'baroque portrait',
    maxLength: MAX_SEARCH_QUERY_LENGTH,
  })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_SEARCH_QUERY_LENGTH)
  @Matches(/[\p{L}\p{N}]/u, { message: 'q must contain at least one letter or digit' })
  @ValidateBy({
    name: 'withoutCursor',
    validator: {
      validate: (_value, args) => (args?.object as ArtworkListQuery).cursor === undefined,
      defaultMessage: () => 'q cannot be combined with cursor: search results page by offset (best match first)',
    },
  })
  q?: string;
}
