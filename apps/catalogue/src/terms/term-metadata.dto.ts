import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Matches, MaxLength, Min } from 'class-validator';
import { InlineReference } from 'nestjs-references';
import { RequiredText } from '../common/required-text.decorator.js';

/** The metadata of a taxonomy term: what a client sends to `POST /terms` and `PUT /terms/:id`. */
export class TermMetadata {
  @ApiProperty({ example: 'baroque', pattern: '^[a-z0-9]+(?:-[a-z0-9]+)*$', maxLength: 100 })
  @IsString()
  @Matches(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, { message: 'slug must be lower-case letters and digits joined by hyphens' })
  @MaxLength(100)
  slug: string;

  @RequiredText(500, 'Baroque')
  title: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, example: 2, description: 'Depth in the hierarchy, 1 for a root term' })
  @IsOptional()
  @IsInt()
  @Min(1)
  level?: number;

  @ApiPropertyOptional({ type: 'integer', example: 1600 })
  @IsOptional()
  @IsInt()
  startYear?: number;

  /** The broader term, inlined: send `{ links: { self: url } }`. */
  @InlineReference()
  @IsOptional()
  parent?: Record<string, any>;
}
