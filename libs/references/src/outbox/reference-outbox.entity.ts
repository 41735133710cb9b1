import { BaseEntity, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, type DataSource } from 'typeorm';

/** What a queued propagation does. */
export type OutboxKind = 'content' | 'rename' | 'detach';

/** Where a queued propagation stands. */
export type OutboxStatus = 'pending' | 'running' | 'done' | 'failed';

/**
 * One propagation to run (queue mode), written in the transaction of the change that causes it, so that a
 * crash between commit and enqueue loses nothing: the dispatcher's sweep enqueues what was never enqueued.
 */
@Entity('reference_outbox')
@Index('IDX_reference_outbox_status', ['status', 'id'])
export class ReferenceOutboxEntry extends BaseEntity {
  /**
   * Gives `created_at` a time zone on PostgreSQL only (SQLite has no `timestamptz`), so that
   * `synchronize: true` creates the column the migrations create. A column option cannot depend on the
   * database; TypeORM calls this for a BaseEntity once per data source, before migrations and
   * `synchronize` run (as `ReferenceEntry` does for its collation). Never used as an active record.
   */
  static override useDataSource(dataSource: DataSource | null): void {
    super.useDataSource(dataSource);
    if (dataSource?.driver.options.type !== 'postgres') return;
    dataSource.getMetadata(ReferenceOutboxEntry).findColumnWithPropertyName('createdAt')!.type = 'timestamp with time zone';
  }

  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 8 })
  kind: OutboxKind;

  @Column({ type: 'varchar', length: 2048 })
  reference: string;

  /** The new URL of a rename. */
  @Column({ name: 'new_reference', type: 'varchar', length: 2048, nullable: true })
  newReference: string | null;

  /** The content of an external target (local targets are read at run time, so a late job never writes old content). */
  @Column({ type: 'text', nullable: true })
  payload: string | null;

  /**
   * The referrer fields a content change refreshes (a JSON array of `ReferencePlaces` keys, sorted): those whose
   * copy the change altered. `[]`: none, the run only reports the link referrers. `null`: every field.
   */
  @Column({ type: 'text', nullable: true })
  fields: string | null;

  @Column({ type: 'varchar', length: 8, default: 'pending' })
  status: OutboxStatus;

  /** The last index row handled: a re-run resumes after it. */
  @Column({ type: 'integer', default: 0 })
  cursor: number;

  /** A slice of a large fan-out ends at this index row id (its start is the initial cursor). */
  @Column({ name: 'until_id', type: 'integer', nullable: true })
  untilId: number | null;

  /**
   * The target version a slice syncs to: the id of the change's own row. Set on slices only, so that
   * `version IS NULL` tells a change from a slice of one.
   */
  @Column({ type: 'integer', nullable: true })
  version: number | null;

  /** Propagation hops from the original change (transitive rows), bounded like sync mode. */
  @Column({ type: 'integer', default: 0 })
  hops: number;

  @Column({ type: 'text', nullable: true })
  error: string | null;

  /**
   * While `running`: until when (milliseconds since the epoch, the worker's clock) its worker holds it.
   * Renewed by every committed batch; once it has passed, the worker is taken for gone and the sweep
   * enqueues the row again.
   */
  @Column({ name: 'lease_until', type: 'bigint', nullable: true, transformer: { to: (v: unknown) => v, from: (v: unknown) => (v == null ? null : Number(v)) } })
  leaseUntil: number | null;

  /**
   * When the change was written, by the database's clock: `timestamp with time zone` on PostgreSQL (from
   * the migration `OutboxCreatedAtWithTimeZone1764000000300`), UTC `datetime` text on SQLite, so that it reads
   * as the same instant whatever the time zones of the app and the database.
   *
   * NOTE: no `type` here: SQLite has no `timestamptz`; `useDataSource` above sets it on PostgreSQL.
   */
  @CreateDateColumn({ name: 'created_at' })
  createdAt: Date;
}
