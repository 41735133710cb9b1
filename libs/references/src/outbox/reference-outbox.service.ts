import { Inject, Injectable } from '@nestjs/common';
import type { DataSource, EntityManager, FindOptionsWhere } from 'typeorm';
import { In, IsNull, LessThan, LessThanOrEqual, MoreThanOrEqual, Not } from 'typeorm';
import type { ReferencesModuleOptions } from '../interfaces/references-module-options.interface.js';
import type { ReferencesStatus } from '../interfaces/references-reports.interface.js';
import { DEFAULT_OUTBOX_LEASE_MS, DEFAULT_RETAIN_DONE_MS, MAX_REINDEX_ATTEMPTS, REFERENCES_DATA_SOURCE, REFERENCES_MODULE_OPTIONS } from '../references.constants.js';
import { ReferenceReindexEntry } from '../propagation/reference-reindex.entity.js';
import { ReferenceOutboxEntry, type OutboxKind } from './reference-outbox.entity.js';
import { ReferenceSynced } from './reference-synced.entity.js';

/** The columns a new outbox row may set besides its kind and reference. */
export type OutboxRowValues = Partial<
  Pick<
    ReferenceOutboxEntry,
    | 'newReference'
    | 'payload'
    | 'fields'
    | 'hops'
    | 'cursor'
    | 'untilId'
    | 'version'
    | 'status'
    | 'error'
    | 'attempts'
    | 'retryAt'
    | 'referrerType'
    | 'referrerId'
    | 'referrerPath'
  >
>;

/** `reference_outbox.fields` of a change that altered no copy: its run only reports the link referrers. */
export const LINKS_ONLY = '[]';

/**
 * The pending changes that a run of `row` covers, or `undefined` when it covers none but its own.
 * A change of a target's content (not a slice of one) reads the target's current content at every batch,
 * after every other pending change of that target committed: it covers them all, in the fields it refreshes
 * (every field, or the same fields). A slice, a rename or a detach covers only itself.
 */
export function coalescedBy(
  row: Pick<ReferenceOutboxEntry, 'id' | 'kind' | 'reference' | 'version' | 'fields'>,
): FindOptionsWhere<ReferenceOutboxEntry> | undefined {
  if (row.kind !== 'content' || row.version !== null) return undefined;
  const covered: FindOptionsWhere<ReferenceOutboxEntry> = { kind: 'content', reference: row.reference, status: 'pending', version: IsNull(), id: Not(row.id) };
  return row.fields === null ? covered : { ...covered, fields: row.fields };
}

/** What `status()` says of an empty outbox (and of sync mode). */
export const IDLE_STATUS: Readonly<ReferencesStatus> = {
  pending: 0,
  running: 0,
  failed: 0,
  blocked: 0,
  stalled: 0,
  oldestPendingMs: null,
  oldestPendingReference: null,
  failedReference: null,
  reindexFailed: 0,
};

/** The outbox table: the queue mode's record of every propagation to run, and where each one stands. */
@Injectable()
export class ReferenceOutbox {
  /** How long a running row stays its worker's without a committed batch. */
  private readonly leaseMs: number;
  /** How long done rows are kept. */
  private readonly retainDoneMs: number;
  /** Whether the outbox is in use: nothing waits in sync mode. */
  private readonly queueMode: boolean;

  constructor(
    @Inject(REFERENCES_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(REFERENCES_MODULE_OPTIONS) options: ReferencesModuleOptions,
  ) {
    this.leaseMs = options.queue?.leaseMs ?? DEFAULT_OUTBOX_LEASE_MS;
    this.retainDoneMs = options.queue?.retainDoneMs ?? DEFAULT_RETAIN_DONE_MS;
    this.queueMode = options.propagation === 'queue';
  }

  /** Writes a row in the transaction of `manager` and returns its id. */
  async add(manager: EntityManager, kind: OutboxKind, reference: string, values: OutboxRowValues = {}): Promise<number> {
    const result = await manager.getRepository(ReferenceOutboxEntry).insert({ kind, reference, status: 'pending', ...values });
    return Number(result.identifiers[0].id);
  }

  find(id: number): Promise<ReferenceOutboxEntry | null> {
    return this.rows().findOneBy({ id });
  }

  /**
   * Marks a row running, under a lease of this worker; a content change also marks done every pending change
   * its run covers.
   */
  async start(row: ReferenceOutboxEntry): Promise<void> {
    await this.rows().update({ id: row.id }, { status: 'running', leaseUntil: this.lease() });
    const covered = coalescedBy(row);
    if (covered) await this.rows().update(covered, { status: 'done' });
  }

  /** Where a run stands, saved in the transaction of the batch that got there; the batch renews the lease. */
  async saveCursor(manager: EntityManager, id: number, cursor: number): Promise<void> {
    await manager.getRepository(ReferenceOutboxEntry).update({ id }, { cursor, leaseUntil: this.lease() });
  }

  async finish(id: number, manager: EntityManager = this.dataSource.manager): Promise<void> {
    await manager.getRepository(ReferenceOutboxEntry).update({ id }, { status: 'done', error: null, leaseUntil: null });
  }

  /**
   * Marks a content row done and, if it was the last open part of its change (the change's own run, or the
   * last of its slices, with no referrer left failed), records the change as synced for its target; a change
   * of some fields only (`fields`), once no older change of the target is open either.
   * Returns whether it did: every copy then holds the change.
   */
  async finishContent(row: Pick<ReferenceOutboxEntry, 'id' | 'reference' | 'version' | 'fields'>): Promise<boolean> {
    const version = row.version ?? row.id;
    return this.dataSource.transaction(async (manager) => {
      await this.finish(row.id, manager);
      // NOTE: the change's own row, locked, serialises slices that end at once: the last to commit sees the others done.
      if (this.dataSource.options.type === 'postgres') await manager.query('SELECT "id" FROM "reference_outbox" WHERE "id" = $1 FOR UPDATE', [version]);
      const rows = manager.getRepository(ReferenceOutboxEntry);
      const open = await rows.count({ where: { kind: 'content', version, status: Not('done'), id: Not(row.id) } });
      // NOTE: a change of some fields syncs the target only once every older change is done: those may have
      // altered other fields, and a run of theirs found covered would be skipped.
      const older =
        row.fields === null ? 0 : await rows.count({ where: { kind: 'content', reference: row.reference, id: LessThan(version), status: Not('done') } });
      if (open === 0 && older === 0) await this.recordSynced(manager, row.reference, version);
      return open === 0 && older === 0;
    });
  }

  /** The newest change whose propagation has reached every inline copy of `reference` (0 if none has). */
  async syncedVersion(manager: EntityManager, reference: string): Promise<number> {
    const synced = await manager.getRepository(ReferenceSynced).findOneBy({ reference });
    return synced?.version ?? 0;
  }

  private async recordSynced(manager: EntityManager, reference: string, version: number): Promise<void> {
    const type = manager.connection.driver.options.type;
    // NOTE: MariaDB and MySQL have no ON CONFLICT; their upsert is ON DUPLICATE KEY UPDATE.
    const [sql, parameters] = manager.connection.driver.escapeQueryWithParameters(
      type === 'mysql' || type === 'mariadb'
        ? 'INSERT INTO `reference_synced` (`reference`, `version`) VALUES (:reference, :version) ON DUPLICATE KEY UPDATE `version` = GREATEST(`version`, VALUES(`version`))'
        : `INSERT INTO "reference_synced" ("reference", "version") VALUES (:reference, :version)
       ON CONFLICT ("reference") DO UPDATE SET "version" =
         CASE WHEN "reference_synced"."version" > excluded."version" THEN "reference_synced"."version" ELSE excluded."version" END`,
      { reference, version },
    );
    await manager.query(sql, parameters);
  }

  /** Records a row failed for good after `runs` more runs (its Bull job's attempts). */
  async fail(id: number, error: string, runs = 1): Promise<void> {
    await this.rows().update(
      { id },
      { status: 'failed', error: error.slice(0, 2000), leaseUntil: null, attempts: () => `attempts + ${Math.max(0, Math.trunc(runs))}` },
    );
  }

  /** Records a row blocked (transient errors for longer than `queue.maxTransientRetryMs`) until `retryAt`. */
  async block(id: number, retryAt: number, error: string): Promise<void> {
    await this.rows().update({ id }, { status: 'blocked', retryAt, error: error.slice(0, 2000), leaseUntil: null });
  }

  /**
   * Leaves a row for a later run, at `retryAt`: `pending` (a referrer held by another client: set aside) or
   * `blocked` (transient errors for longer than `queue.maxTransientRetryMs`). Counts the attempt.
   */
  async postpone(row: Pick<ReferenceOutboxEntry, 'id' | 'attempts'>, status: 'pending' | 'blocked', retryAt: number, error: string): Promise<void> {
    row.attempts += 1;
    await this.rows().update({ id: row.id }, { status, retryAt, error: error.slice(0, 2000), leaseUntil: null, attempts: row.attempts });
  }

  /**
   * Ids of the rows the sweep enqueues, oldest first: the pending ones (a set-aside one once its `retry_at`
   * has come), the blocked ones whose `retry_at` has come, and the running ones whose lease expired (their
   * worker is gone). A running row under a live lease is left to its worker.
   */
  async unfinished(limit: number): Promise<number[]> {
    if (!this.dataSource.isInitialized) return [];
    const now = Date.now();
    const rows = await this.rows().find({
      select: { id: true },
      where: [
        { status: 'pending', retryAt: IsNull() },
        { status: 'pending', retryAt: LessThanOrEqual(now) },
        { status: 'blocked', retryAt: LessThanOrEqual(now) },
        ...this.stalled(),
      ],
      order: { id: 'ASC' },
      take: limit,
    });
    return rows.map((row) => row.id);
  }

  /** Deletes the done rows older than the retention (`queue.retainDoneMs`); returns how many. */
  async prune(): Promise<number> {
    if (!this.dataSource.isInitialized) return 0;
    const result = await this.rows().delete({ status: 'done', createdAt: LessThan(new Date(Date.now() - this.retainDoneMs)) });
    return result.affected ?? 0;
  }

  /**
   * How many rows are pending, running (and of those, stalled: their lease expired) and failed, and the age
   * of the oldest pending or running one (all zero in sync mode).
   */
  async status(): Promise<ReferencesStatus> {
    const status: ReferencesStatus = { ...IDLE_STATUS };
    // NOTE: the indexer's work is recorded in both modes.
    if (this.dataSource.isInitialized) {
      status.reindexFailed = await this.dataSource.getRepository(ReferenceReindexEntry).count({ where: { attempts: MoreThanOrEqual(MAX_REINDEX_ATTEMPTS) } });
    }
    // NOTE: in sync mode nothing waits, and the outbox is not read.
    if (!this.queueMode) return status;
    const counts: Array<{ status: string; n: string }> = await this.rows()
      .createQueryBuilder('o')
      .select('o.status', 'status')
      .addSelect('COUNT(*)', 'n')
      .where('o.status IN (:...open)', { open: ['pending', 'running', 'failed', 'blocked'] })
      .groupBy('o.status')
      .getRawMany();
    for (const row of counts) status[row.status as 'pending' | 'running' | 'failed' | 'blocked'] = Number(row.n);
    if (status.running) status.stalled = await this.rows().count({ where: this.stalled() });
    const oldest = await this.rows().findOne({ where: { status: In(['pending', 'running', 'blocked']) }, order: { id: 'ASC' } });
    if (oldest) {
      status.oldestPendingMs = Math.max(0, Date.now() - oldest.createdAt.getTime());
      status.oldestPendingReference = oldest.reference;
    }
    if (status.failed) {
      const failed = await this.rows().findOne({ select: { id: true, reference: true }, where: { status: 'failed' }, order: { id: 'ASC' } });
      status.failedReference = failed?.reference ?? null;
    }
    return status;
  }

  private lease(): number {
    return Date.now() + this.leaseMs;
  }

  /** Running rows whose lease expired (or that have none: written before leases). */
  private stalled(): FindOptionsWhere<ReferenceOutboxEntry>[] {
    return [
      { status: 'running', leaseUntil: LessThan(Date.now()) },
      { status: 'running', leaseUntil: IsNull() },
    ];
  }

  private rows() {
    return this.dataSource.getRepository(ReferenceOutboxEntry);
  }
}
