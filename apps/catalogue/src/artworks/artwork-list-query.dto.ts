import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { PageQuery } from '../common/page-query.dto.js';

/** Longest `q` accepted. */
export const MAX_SEARCH_QUERY_LENGTH = 200;

/** `GET /artworks?q=&limit=&offset=`. */
export class ArtworkListQuery extends PageQuery {
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
  q?: string;
}
