import { BaseEntity, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, type DataSource } from 'typeorm';

/** What a queued propagation does. */
export type OutboxKind = 'content' | 'rename' | 'detach';

/**
 * Where a queued propagation stands. `blocked`: its run met transient errors for longer than
 * `queue.maxTransientRetryMs`; the sweep takes it up again at `retry_at`.
 */
export type OutboxStatus = 'pending' | 'running' | 'done' | 'failed' | 'blocked';

const epochMs = { to: (v: unknown) => v, from: (v: unknown) => (v == null ? null : Number(v)) };

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
  @Column({ name: 'lease_until', type: 'bigint', nullable: true, transformer: epochMs })
  leaseUntil: number | null;

  /** Runs of this row that ended without finishing it (a referrer held, a failure, a transient error too long). */
  @Column({ type: 'integer', default: 0 })
  attempts: number;

  /**
   * When a pending row set aside (a referrer held by another client) or a blocked row may run again
   * (milliseconds since the epoch); the sweep leaves it until then. `null`: at once.
   */
  @Column({ name: 'retry_at', type: 'bigint', nullable: true, transformer: epochMs })
  retryAt: number | null;

  /** The one referrer a set-aside or failed row is about (its index row is the row's range). */
  @Column({ name: 'referrer_type', type: 'varchar', length: 255, nullable: true })
  referrerType: string | null;

  @Column({ name: 'referrer_id', type: 'varchar', length: 255, nullable: true })
  referrerId: string | null;

  /** The JSON path of that referrer's copy, as the index stores it. */
  @Column({ name: 'referrer_path', type: 'text', nullable: true })
  referrerPath: string | null;

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
