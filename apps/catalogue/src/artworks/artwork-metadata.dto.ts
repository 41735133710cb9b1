import { ApiProperty } from '@nestjs/swagger';
import { IsArray, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { InlineReference, ReferenceByLink } from 'nestjs-references';

/** The metadata of an artwork: what a client sends to `POST /artworks` and `PUT /artworks/:id`. */
export class ArtworkMetadata {
  @ApiProperty({ example: 'The Ecstasy of Saint Teresa', minLength: 1, maxLength: 500 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
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
}
