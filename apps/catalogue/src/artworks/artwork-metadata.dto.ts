import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsArray, IsOptional, ValidateNested } from 'class-validator';
import { InlineReference, ReferenceByLink } from 'nestjs-references';
import { RequiredText } from '../common/required-text.decorator.js';

/** Who made an artwork, and how: one entry of `creators`. */
export class ArtworkCredit {
  @RequiredText(100, 'painter')
  role: string;

  /** The agent (artist or workshop), inlined: send `{ links: { self: url } }`; an agent credited here cannot be deleted. */
  @InlineReference({ onDelete: 'restrict' })
  agent: Record<string, any>;

  /** The artwork on whose authority the credit rests (a signed work, a documented commission), by link; dropped when it goes. */
  @ReferenceByLink({ onDelete: 'detach' })
  @IsOptional()
  attributedBy?: string;
}

/** The metadata of an artwork: what a client sends to `POST /artworks` and `PUT /artworks/:id`. */
export class ArtworkMetadata {
  @RequiredText(500, 'The Ecstasy of Saint Teresa')
  title: string;

  /** The style period, inlined; a term that an artwork names here cannot be deleted. */
  @InlineReference({ onDelete: 'restrict' })
  @IsOptional()
  stylePeriod?: Record<string, any>;

  /** Further styles, inlined. */
  @InlineReference()
  @IsOptional()
  @IsArray()
  styles?: Record<string, any>[];

  /** Related artworks, by link; a deleted artwork drops out of this list. */
  @ReferenceByLink({ onDelete: 'detach' })
  @IsOptional()
  @IsArray()
  related?: string[];

  /** Who made it: a role, an inline agent, and optionally the artwork the attribution rests on. */
  @ApiPropertyOptional({
    type: () => ArtworkCredit,
    isArray: true,
    example: [{ role: 'painter', agent: { links: { self: 'https://example.org/agents/00000000-0000-0000-0000-000000000000' } } }],
  })
  @ValidateNested({ each: true })
  @Type(() => ArtworkCredit)
  @IsOptional()
  @IsArray()
  creators?: ArtworkCredit[];
}
