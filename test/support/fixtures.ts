import { IsOptional, IsString } from 'class-validator';
import { Column, DeleteDateColumn, Entity, PrimaryGeneratedColumn, VersionColumn, type MigrationInterface, type QueryRunner } from 'typeorm';
import { InlineReference, ReferenceByLink, ReferenceEnabled } from 'nestjs-references';

export const BASE_URL = 'http://test.local';

/** The seed's own test record: links and inline copies of other records. */
export class RecordMetadata {
  @IsString() title: string;
  @ReferenceByLink() @IsOptional() link?: string;
  @ReferenceByLink() @IsOptional() links?: string[];
  @InlineReference() @IsOptional() inlined?: Record<string, any>;
  @InlineReference() @IsOptional() inlinedList?: Array<Record<string, any>>;
}

@Entity('test_record')
@ReferenceEnabled({ route: 'records', schema: RecordMetadata })
export class TestRecord {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'jsonb' }) metadata: RecordMetadata;
  @VersionColumn() version: number;
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
  /** Created on the fly when sent without a link; creating one titled "forbidden" is refused. */
  @InlineReference({ create: { target: () => TestNode, authorize: (value) => value.title !== 'forbidden' } })
  @IsOptional()
  tags?: Array<Record<string, any>>;
}

@Entity('test_node')
@ReferenceEnabled({ route: 'nodes', schema: NodeMetadata })
export class TestNode {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'jsonb' }) metadata: NodeMetadata;
  /** Soft delete (`softRemove()` / `recover()`). */
  @DeleteDateColumn({ name: 'deleted_at', nullable: true }) deletedAt?: Date | null;
}

/** The fixture tables, for PostgreSQL and SQLite. */
export class CreateFixtureTables1764000000001 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    const pg = queryRunner.connection.driver.options.type === 'postgres';
    const id = pg ? 'uuid PRIMARY KEY DEFAULT gen_random_uuid()' : 'varchar PRIMARY KEY NOT NULL';
    const json = pg ? 'jsonb' : 'text';
    await queryRunner.query(`CREATE TABLE "test_record" ("id" ${id}, "metadata" ${json} NOT NULL, "version" integer NOT NULL)`);
    const timestamp = pg ? 'timestamp' : 'datetime';
    await queryRunner.query(`CREATE TABLE "test_node" ("id" ${id}, "metadata" ${json} NOT NULL, "deleted_at" ${timestamp} NULL)`);
  }
  async down(): Promise<void> {}
}
