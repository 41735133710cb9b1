import { Type } from 'class-transformer';
import { IsOptional, IsString, ValidateNested } from 'class-validator';
import { Column, Entity, PrimaryGeneratedColumn, VersionColumn, type MigrationInterface, type QueryRunner } from 'typeorm';
import { InlineReference, ReferenceByLink, ReferenceEnabled } from 'nestjs-references';

export const BASE_URL = 'http://bench.local';

export class TermMetadata {
  @IsString() title: string;
  @IsOptional() @IsString() scheme?: string;
  @InlineReference() @IsOptional() parent?: Record<string, any>;
  // B6's hierarchy (period → style → sub-style) also sets slug, level and startYear.
  [key: string]: unknown;
}

/** A vocabulary term: the target that artworks copy inline. */
@Entity('term')
@ReferenceEnabled({ route: 'terms', schema: TermMetadata })
export class Term {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'jsonb' }) metadata: TermMetadata;
  @VersionColumn() version: number;
}

/** One creator of an artwork: B1's nested row copies the term three levels deep, at `creators[0].agent`. */
export class Credit {
  @IsString() role: string;
  @InlineReference({ depth: 3 }) agent: Record<string, any>;
}

export class ArtworkMetadata {
  @IsString() title: string;
  // depth 3: B6 reads a sub-style, its style and its period from the copy (B1 and B2 terms have no parent).
  @InlineReference({ depth: 3 }) @IsOptional() stylePeriod?: Record<string, any>;
  @InlineReference({ depth: 3 }) @IsOptional() subjects?: Array<Record<string, any>>;
  @ReferenceByLink() @IsOptional() related?: string[];
  /** B9: a copy of the term's title only. */
  @InlineReference({ fields: ['title'] }) @IsOptional() category?: Record<string, any>;
  @ValidateNested({ each: true }) @Type(() => Credit) @IsOptional() creators?: Credit[];
  [key: string]: unknown;
}

/** The referrer: about 1 KB of JSON metadata. */
@Entity('artwork')
@ReferenceEnabled({ route: 'artworks', schema: ArtworkMetadata })
export class Artwork {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'jsonb' }) metadata: ArtworkMetadata;
}

/**
 * B6's copy of the artworks in a `json` column (text kept as written) on PostgreSQL: the same documents,
 * read the same way, to measure what the column type costs a page.
 */
@Entity('artwork_json')
export class ArtworkJson {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'json' }) metadata: ArtworkMetadata;
}

export class CreateBenchTables1764000000100 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    const pg = queryRunner.connection.driver.options.type === 'postgres';
    const id = pg ? 'uuid PRIMARY KEY DEFAULT gen_random_uuid()' : 'varchar PRIMARY KEY NOT NULL';
    const json = pg ? 'jsonb' : 'text';
    await queryRunner.query(`CREATE TABLE "term" ("id" ${id}, "metadata" ${json} NOT NULL, "version" integer NOT NULL)`);
    await queryRunner.query(`CREATE TABLE "artwork" ("id" ${id}, "metadata" ${json} NOT NULL)`);
  }
  async down(): Promise<void> {}
}

/** About 800 characters of filler, so that an artwork's metadata is about 1 KB. */
export const DESCRIPTION = 'Oil on canvas, signed lower right; provenance from a private collection, acquired at auction. '.repeat(8);

/** The metadata of artwork number i, apart from its references. */
export function artworkBody(i: number): Record<string, unknown> {
  return {
    title: `Artwork ${i}`,
    inventoryNumber: `INV-${i}`,
    description: DESCRIPTION,
    dimensions: { height: i % 300, width: i % 200, unit: 'cm' },
    tags: ['oil', 'canvas', 'portrait'],
  };
}
