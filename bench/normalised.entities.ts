import {
  Column,
  Entity,
  JoinColumn,
  ManyToOne,
  OneToMany,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  VersionColumn,
  type MigrationInterface,
  type QueryRunner,
} from 'typeorm';

/*
 * B6's other designs: the same terms and artworks as `entities.ts`, normalised the way a TypeORM user
 * would model them without the library: a column per field, foreign keys for references, a join entity
 * for the ordered list of subjects. Nothing here is reference-enabled: the library never sees these tables.
 */

/** A term of a three-level hierarchy (period → style → sub-style), its parent by foreign key. */
@Entity('norm_term')
export class NormTerm {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column() title: string;
  @Column() slug: string;
  @Column() scheme: string;
  @Column() level: number;
  @Column({ name: 'start_year', type: 'integer', nullable: true }) startYear: number | null;
  @Column({ name: 'parent_id', type: 'varchar', nullable: true }) parentId: string | null;
  @ManyToOne(() => NormTerm, { nullable: true }) @JoinColumn({ name: 'parent_id' }) parent?: NormTerm | null;
  @VersionColumn() version: number;
}

/** An artwork: the same body as the inline design's metadata, in columns. */
@Entity('norm_artwork')
export class NormArtwork {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column() title: string;
  @Column({ name: 'inventory_number' }) inventoryNumber: string;
  @Column({ type: 'text' }) description: string;
  @Column() height: number;
  @Column() width: number;
  @Column() unit: string;
  @Column({ type: 'simple-array' }) tags: string[];
  @Column({ name: 'style_period_id', type: 'varchar', nullable: true }) stylePeriodId: string | null;
  @ManyToOne(() => NormTerm, { nullable: true }) @JoinColumn({ name: 'style_period_id' }) stylePeriod?: NormTerm | null;
  @OneToMany(() => NormArtworkSubject, (subject) => subject.artwork) subjects?: NormArtworkSubject[];
}

/** One subject of an artwork, at its position in the list (a plain many-to-many would lose the order). */
@Entity('norm_artwork_subject')
export class NormArtworkSubject {
  @PrimaryColumn({ name: 'artwork_id', type: 'varchar' }) artworkId: string;
  @PrimaryColumn() position: number;
  @Column({ name: 'term_id', type: 'varchar' }) termId: string;
  @ManyToOne(() => NormArtwork) @JoinColumn({ name: 'artwork_id' }) artwork?: NormArtwork;
  @ManyToOne(() => NormTerm) @JoinColumn({ name: 'term_id' }) term?: NormTerm;
}

/** The normalised tables, with an index behind every foreign key (what a careful schema has). */
export class CreateNormalisedTables1764000000200 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    const pg = queryRunner.connection.driver.options.type === 'postgres';
    const id = pg ? 'uuid PRIMARY KEY DEFAULT gen_random_uuid()' : 'varchar PRIMARY KEY NOT NULL';
    const ref = pg ? 'uuid' : 'varchar';
    await queryRunner.query(
      `CREATE TABLE "norm_term" ("id" ${id}, "title" varchar NOT NULL, "slug" varchar NOT NULL, "scheme" varchar NOT NULL,
        "level" integer NOT NULL, "start_year" integer, "parent_id" ${ref} REFERENCES "norm_term" ("id"), "version" integer NOT NULL)`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_norm_term_parent" ON "norm_term" ("parent_id")`);
    await queryRunner.query(
      `CREATE TABLE "norm_artwork" ("id" ${id}, "title" varchar NOT NULL, "inventory_number" varchar NOT NULL,
        "description" text NOT NULL, "height" integer NOT NULL, "width" integer NOT NULL, "unit" varchar NOT NULL,
        "tags" text NOT NULL, "style_period_id" ${ref} REFERENCES "norm_term" ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_norm_artwork_style_period" ON "norm_artwork" ("style_period_id")`);
    await queryRunner.query(
      `CREATE TABLE "norm_artwork_subject" ("artwork_id" ${ref} NOT NULL REFERENCES "norm_artwork" ("id"),
        "position" integer NOT NULL, "term_id" ${ref} NOT NULL REFERENCES "norm_term" ("id"), PRIMARY KEY ("artwork_id", "position"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_norm_artwork_subject_term" ON "norm_artwork_subject" ("term_id")`);
  }
  async down(): Promise<void> {}
}
