import { Type } from 'class-transformer';
import { IsOptional, IsString, ValidateNested } from 'class-validator';
import { Column, DeleteDateColumn, Entity, PrimaryGeneratedColumn, VersionColumn, type MigrationInterface, type QueryRunner } from 'typeorm';
import { InlineReference, ReferenceByLink, ReferenceEnabled } from 'nestjs-references';
import { JsonDocument } from '../../apps/catalogue/src/database/json-document.js';

export const BASE_URL = 'http://test.local';

/** The seed's `NestedTaxonomySchema`: an inline taxonomy term one level down. */
export class NestedTaxonomy {
  @InlineReference() @IsOptional() taxo2?: Record<string, any>;
}

/** The seed's `URLReferenceSchema`: a link under `$ref`, in a list of nested objects. */
export class UrlReference {
  @IsString() @IsOptional() title?: string;
  @ReferenceByLink() $ref: string;
}

/**
 * The seed's own test record (its `TestSchema`: `taxo1` inline, `sub.taxo2` inline one level down, `$ref` a
 * link, `reflist` a list of nested objects holding links), plus top-level links and inline copies.
 */
export class RecordMetadata {
  @IsString() title: string;
  @ReferenceByLink() @IsOptional() link?: string;
  @ReferenceByLink() @IsOptional() links?: string[];
  @InlineReference() @IsOptional() inlined?: Record<string, any>;
  @InlineReference() @IsOptional() inlinedList?: Array<Record<string, any>>;
  @InlineReference() @IsOptional() taxo1?: Record<string, any>;
  @ValidateNested() @Type(() => NestedTaxonomy) @IsOptional() sub?: NestedTaxonomy;
  @ReferenceByLink() @IsOptional() $ref?: string;
  @ValidateNested({ each: true }) @Type(() => UrlReference) @IsOptional() reflist?: UrlReference[];
}

@Entity('test_record')
@ReferenceEnabled({ route: 'records', schema: RecordMetadata })
export class TestRecord extends JsonDocument {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'json' }) metadata: RecordMetadata;
  @VersionColumn() version: number;
}

/** An inline reference type: every property typed with it holds a copy of a node, detached when the node goes. */
@InlineReference({ onDelete: 'detach' })
export class NodeCopy {
  @IsString() @IsOptional() title?: string;
}

/** A credit of a node, nested in a list: an inline agent that restricts, links that detach (one in a list of lists). */
export class Credit {
  @IsString() role: string;
  @InlineReference({ onDelete: 'restrict' }) @IsOptional() agent?: Record<string, any>;
  @ReferenceByLink({ onDelete: 'detach' }) @IsOptional() attributedBy?: string;
  @ReferenceByLink({ onDelete: 'detach' }) @IsOptional() sources?: string[][];
  @ValidateNested() @Type(() => NodeCopy) @IsOptional() deputy?: NodeCopy & Record<string, any>;
}

/** A node of a hierarchy (transitive propagation, cycles) with one field per delete policy. */
export class NodeMetadata {
  @IsString() title: string;
  @InlineReference() @IsOptional() parent?: Record<string, any>;
  @InlineReference({ depth: 1 }) @IsOptional() shallow?: Record<string, any>;
  @InlineReference({ fields: ['title'] }) @IsOptional() titled?: Record<string, any>;
  @InlineReference({ onDelete: 'restrict' }) @IsOptional() owner?: Record<string, any>;
  @ReferenceByLink({ onDelete: 'detach' }) @IsOptional() seeAlso?: string[];
  @ReferenceByLink({ onDelete: 'detach' }) @IsOptional() primary?: string;
  @ReferenceByLink() @IsOptional() kept?: string;
  /** A link that shows nothing of its target: not reindexed when the target changes. */
  @ReferenceByLink({ reindexOnChange: false }) @IsOptional() source?: string;
  /** Created on the fly when sent without a link; creating one titled "forbidden" is refused. */
  @InlineReference({ create: { target: () => TestNode, authorize: (value) => value.title !== 'forbidden' } })
  @IsOptional()
  tags?: Array<Record<string, any>>;
  @ValidateNested({ each: true }) @Type(() => Credit) @IsOptional() creators?: Credit[];
}

@Entity('test_node')
@ReferenceEnabled({ route: 'nodes', schema: NodeMetadata })
export class TestNode extends JsonDocument {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'json' }) metadata: NodeMetadata;
  /** Soft delete (`softRemove()` / `recover()`). */
  @DeleteDateColumn({ name: 'deleted_at', nullable: true }) deletedAt?: Date | null;
}

/**
 * The seed's `TaxonomySchema` as an inline reference type: a record whose schema it is (the seed's
 * `TaxonomyRecord`) is a mirror, a local copy of the remote term at its `links.self`.
 */
@InlineReference()
export class Taxonomy {
  @IsString() @IsOptional() slug?: string;
  @IsString() @IsOptional() title?: string;
}

@Entity('test_mirror')
@ReferenceEnabled({ route: 'taxonomies', schema: Taxonomy })
export class TestMirror extends JsonDocument {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'json' }) metadata: Taxonomy & { links: { self: string } } & Record<string, any>;
}

/**
 * The column types of a test table on the database a migration runs on (PostgreSQL, MariaDB, MySQL, SQLite),
 * and `query()`, which runs SQL written with double-quoted names there.
 */
export function testTableSql(queryRunner: QueryRunner) {
  const type = queryRunner.connection.driver.options.type;
  const mysql = type === 'mysql' || type === 'mariadb';
  const [id, json, timestamp] =
    type === 'postgres'
      ? ['uuid PRIMARY KEY DEFAULT gen_random_uuid()', 'jsonb', 'timestamp']
      : mysql
        ? // TypeORM's `mariadb` type uses MariaDB's uuid type; its `mysql` type a varchar(36).
          [`${type === 'mariadb' ? 'uuid' : 'varchar(36)'} PRIMARY KEY NOT NULL`, 'json', 'datetime(6)']
        : ['varchar PRIMARY KEY NOT NULL', 'text', 'datetime'];
  return { id, json, timestamp, query: (sql: string) => queryRunner.query(mysql ? sql.replaceAll('"', '`') : sql) };
}

/** The fixture tables, for PostgreSQL, MariaDB and SQLite. */
export class CreateFixtureTables1764000000001 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    const { id, json, timestamp, query } = testTableSql(queryRunner);
    await query(`CREATE TABLE "test_record" ("id" ${id}, "metadata" ${json} NOT NULL, "version" integer NOT NULL)`);
    await query(`CREATE TABLE "test_node" ("id" ${id}, "metadata" ${json} NOT NULL, "deleted_at" ${timestamp} NULL)`);
    await query(`CREATE TABLE "test_mirror" ("id" ${id}, "metadata" ${json} NOT NULL)`);
  }
  async down(): Promise<void> {}
}

/**
 * A migration creating test tables, each with `id`, `metadata` and the extra columns given for it (SQL with
 * double-quoted names, after a comma), named after `timestamp` as TypeORM orders migrations.
 */
export function testTablesMigration(timestamp: number, tables: Record<string, string>): new () => MigrationInterface {
  return class implements MigrationInterface {
    readonly name = `CreateTestTables${timestamp}`;
    async up(queryRunner: QueryRunner): Promise<void> {
      const { id, json, query } = testTableSql(queryRunner);
      for (const [table, extra] of Object.entries(tables)) await query(`CREATE TABLE "${table}" ("id" ${id}, "metadata" ${json} NOT NULL${extra})`);
    }
    async down(): Promise<void> {}
  };
}
