import { BaseEntity, Column, Entity, Index, PrimaryGeneratedColumn, type DataSource } from 'typeorm';
import type { OnDeletePolicy } from '../interfaces/reference-options.interface.js';
import { asText } from '../sql/sql.dialect.js';

/**
 * One row of the reverse index: record `referrerType/referrerId` references `reference` at `path`.
 * Written in the same transaction as the record it describes.
 */
@Entity('reference_index')
@Index('IDX_reference_index_reference', ['reference', 'id'])
@Index('IDX_reference_index_referrer', ['referrerType', 'referrerId'])
export class ReferenceEntry extends BaseEntity {
  /**
   * Gives `reference` a byte order, as the migration does, so that one index serves exact lookups, prefix
   * lookups and their ordering, and `synchronize: true` creates the column the migration creates and
   * leaves a migrated one alone: the "C" collation on PostgreSQL; VARBINARY on MariaDB and MySQL (2,048
   * bytes: a utf8mb4 VARCHAR of 2,048 characters would pass InnoDB's 3,072-byte limit of an index key;
   * read back as text by `asText()` and by the transformer below); SQLite's default BINARY collation
   * already is that order. A column option cannot depend on the database; TypeORM calls this for a
   * BaseEntity once per data source, after building the entity's metadata and before migrations and
   * `synchronize` run. The class is never used as an active record.
   */
  static override useDataSource(dataSource: DataSource | null): void {
    super.useDataSource(dataSource);
    const type = dataSource?.driver.options.type;
    if (type !== 'postgres' && type !== 'mysql' && type !== 'mariadb') return;
    const reference = dataSource!.getMetadata(ReferenceEntry).findColumnWithPropertyName('reference')!;
    if (type === 'postgres') {
      reference.collation = 'C';
    } else {
      reference.type = 'varbinary';
      reference.transformer = { to: (value: unknown) => value, from: asText };
    }
  }

  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'referrer_type', type: 'varchar', length: 64 })
  referrerType: string;

  @Column({ name: 'referrer_id', type: 'varchar', length: 64 })
  referrerId: string;

  @Column({ type: 'varchar', length: 2048 })
  reference: string;

  @Column({ name: 'reference_uuid', type: 'varchar', length: 64, nullable: true })
  referenceUuid: string | null;

  @Column({ type: 'boolean' })
  inline: boolean;

  @Column({ type: 'varchar', length: 512 })
  path: string;

  /** The referrer field's delete policy, so that a delete checks `restrict` with one indexed query. */
  @Column({ name: 'on_delete', type: 'varchar', length: 8, default: 'keep' })
  onDelete: OnDeletePolicy;
}
