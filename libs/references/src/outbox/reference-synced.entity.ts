import { BaseEntity, Column, Entity, PrimaryColumn, type DataSource } from 'typeorm';
import { asText } from '../sql/sql.dialect.js';

/**
 * Queue mode's record of how far the inline copies of a target are synced: `version` is the newest content
 * change (its outbox row id) whose propagation has reached every inline referrer. One row per target, written
 * when a change's run (or the last of its slices) ends, so that a late or repeated run of that change or an
 * older one is skipped without a per-referrer mark.
 */
@Entity('reference_synced')
export class ReferenceSynced extends BaseEntity {
  /**
   * VARBINARY on MariaDB and MySQL, as the migration makes it: a primary key of 2,048 utf8mb4 characters
   * passes InnoDB's 3,072-byte limit (see `ReferenceEntry`). Never used as an active record.
   */
  static override useDataSource(dataSource: DataSource | null): void {
    super.useDataSource(dataSource);
    const type = dataSource?.driver.options.type;
    if (type !== 'mysql' && type !== 'mariadb') return;
    const reference = dataSource!.getMetadata(ReferenceSynced).findColumnWithPropertyName('reference')!;
    reference.type = 'varbinary';
    reference.transformer = { to: (value: unknown) => value, from: asText };
  }

  @PrimaryColumn({ type: 'varchar', length: 2048 })
  reference: string;

  @Column({ type: 'integer' })
  version: number;
}
