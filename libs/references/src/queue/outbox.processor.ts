import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { ReferencesMetrics } from '../metrics/references-metrics.service.js';
import { LINKS_ONLY, ReferenceOutbox } from '../outbox/reference-outbox.service.js';
import type { ReferenceOutboxEntry } from '../outbox/reference-outbox.entity.js';
import { mergeChanged, type BatchResult, type ChangedReferrers, type InlineProbe, type TargetState } from '../propagation/propagation-strategy.interface.js';
import { Propagator } from '../propagation/propagator.service.js';
import { RecordLoader } from '../records/record-loader.service.js';
import type { ReferencesModuleOptions } from '../interfaces/references-module-options.interface.js';
import {
  DEFAULT_LOCK_TIMEOUT_MS,
  DEFAULT_MAX_TRANSIENT_RETRY_MS,
  DEFAULT_STATEMENT_TIMEOUT_MS,
  MAX_PROPAGATION_HOPS,
  REFERENCES_DATA_SOURCE,
  REFERENCES_MODULE_OPTIONS,
} from '../references.constants.js';
import { ReferenceTypesRegistry } from '../registry/reference-types.registry.js';
import { ReferenceIndex } from '../reverse-index/reference-index.service.js';
import { SqlDialect, type WaitBounds } from '../sql/sql.dialect.js';
import { isTransientError } from '../sql/transient-errors.util.js';
import { OutboxStrategy } from './outbox.strategy.js';
import type { PropagationJob } from './queue.driver.js';
import { slicesOf } from './slices.util.js';

/** A fan-out over more than this many batches is split into slices that several workers take in parallel. */
const BATCHES_PER_SLICE = 10;

/**
 * Pauses between two runs of a job that met a transient error (a server down, a deadlock): doubling from
 * the first, capped, so that a worker resumes within `MAX_RETRY_PAUSE_MS` of the server's return.
 */
const FIRST_RETRY_PAUSE_MS = 100;
const MAX_RETRY_PAUSE_MS = 2000;

/**
 * Tries of a batch that met a row lock held past the lock timeout (or a deadlock) before it goes referrer by
 * referrer: the referrers that can be locked get their copy, the held one is set aside.
 */
const BATCH_CONFLICT_TRIES = 2;
/** Tries of one referrer that deadlocks before it is set aside (a lock timeout is set aside at once: it waited). */
const REFERRER_CONFLICT_TRIES = 3;
/**
 * When a set-aside referrer runs again: a second after it was set aside, doubling, at most 30 s later (the
 * sweep, every `queue.sweepIntervalMs`, enqueues it once that time has come).
 */
const SET_ASIDE_FIRST_MS = 1000;
const SET_ASIDE_MAX_MS = 30_000;
/**
 * When the sweep takes up a row recorded blocked (transient errors for longer than `queue.maxTransientRetryMs`):
 * this long after, or after `maxTransientRetryMs` when shorter.
 */
const BLOCKED_RETRY_MS = 30_000;

/** The pause before the next run of a set-aside row that has run `attempts` times. */
export const setAsidePause = (attempts: number) => Math.min(SET_ASIDE_MAX_MS, SET_ASIDE_FIRST_MS * 2 ** attempts);

/** A run that met transient errors for longer than `queue.maxTransientRetryMs`: its row is recorded blocked. */
export class TransientTooLongError extends Error {
  constructor(cause: unknown) {
    super(`Transient errors for too long, the last: ${(cause as Error)?.message}`, { cause });
  }
}

/** Thrown into a job that waits for a server when the process stops: the job is left to another worker. */
export class WorkerStoppingError extends Error {
  constructor(cause: unknown) {
    super(`The worker stopped while waiting for the database or Redis: ${(cause as Error)?.message}`, { cause });
  }
}

/**
 * Runs one outbox row: a batch at a time, each batch in its own transaction together with the row's cursor,
 * so that a worker killed at any point resumes where the last commit left off. Local targets are read
 * at each batch (under a share lock on PostgreSQL), so a late or repeated job never writes older content.
 * A change that has reached every inline copy is recorded once for its target (`reference_synced`), not
 * per copy: a re-run of it, or a run of an older change, is skipped at its start and at each batch.
 */
@Injectable()
export class OutboxProcessor implements OnModuleDestroy {
  private readonly logger = new Logger('ReferencesOutboxProcessor');
  private stopping = false;
  /** Wakes the jobs that pause between retries when the process stops. */
  private readonly stopped = new AbortController();

  private readonly bounds: WaitBounds;
  private readonly maxTransientRetryMs: number;

  constructor(
    @Inject(REFERENCES_DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly outbox: ReferenceOutbox,
    // NOTE: rows this processor adds go through the strategy, so they are enqueued after their commit like a writer's.
    private readonly strategy: OutboxStrategy,
    private readonly propagator: Propagator,
    private readonly index: ReferenceIndex,
    private readonly registry: ReferenceTypesRegistry,
    private readonly loader: RecordLoader,
    private readonly dialect: SqlDialect,
    private readonly metrics: ReferencesMetrics,
    @Inject(REFERENCES_MODULE_OPTIONS) options: ReferencesModuleOptions,
  ) {
    this.bounds = {
      lockTimeoutMs: options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS,
      statementTimeoutMs: options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS,
    };
    this.maxTransientRetryMs = options.queue?.maxTransientRetryMs ?? DEFAULT_MAX_TRANSIENT_RETRY_MS;
  }

  /**
   * Runs the job's outbox row to its end. A transient error (the database or Redis down, a deadlock) is not
   * a failure: the run starts again, after a capped backoff, from the last committed batch, for at most
   * `queue.maxTransientRetryMs`, and the queue never counts it against the change's attempts; past that the row
   * is recorded `blocked` and the sweep takes it up again later.
   */
  async process(job: PropagationJob): Promise<void> {
    const id = job.data.outboxId;
    try {
      await this.untilNotTransient(`Propagation ${id}`, () => this.run(job), Date.now() + this.maxTransientRetryMs);
    } catch (error) {
      if (!(error instanceof TransientTooLongError)) throw error;
      // NOTE: recorded, not retried in a loop nobody sees: status() and /health show it, the sweep takes it up again.
      this.logger.error(`Propagation ${id} blocked after ${this.maxTransientRetryMs} ms of transient errors: ${error.message}`);
      await this.outbox.block(id, Date.now() + Math.min(BLOCKED_RETRY_MS, this.maxTransientRetryMs), error.message);
    }
  }

  /**
   * The queue's `failed` event: records a row whose job ran out of attempts; the other rows go on. Never rejects
   * (nothing awaits an event handler). A transient error leaves the row running: its lease expires and the
   * sweep enqueues it again.
   */
  async failed(job: PropagationJob, error: Error): Promise<void> {
    try {
      if (error instanceof WorkerStoppingError || isTransientError(error, this.dialect)) return;
      if (job.attemptsMade < (job.opts.attempts ?? 1)) return;
      this.logger.error(`Propagation ${job.data.outboxId} failed after ${job.attemptsMade} attempts: ${error.message}`);
      await this.untilNotTransient(
        `Recording propagation ${job.data.outboxId} as failed`,
        () => this.outbox.fail(job.data.outboxId, error.message, job.attemptsMade),
        Date.now() + this.maxTransientRetryMs,
      );
    } catch (failure) {
      this.logger.warn(`Propagation ${job.data.outboxId} not recorded as failed, its lease will expire: ${(failure as Error).message}`);
    }
  }

  onModuleDestroy(): void {
    this.stopping = true;
    this.stopped.abort();
  }

  /**
   * Runs `work` again after each transient error, with a capped backoff, until it succeeds or fails otherwise,
   * or until `deadline` (then `TransientTooLongError`).
   */
  private async untilNotTransient<T>(what: string, work: () => Promise<T>, deadline: number): Promise<T> {
    for (let failures = 0; ; failures++) {
      try {
        const result = await work();
        if (failures) this.logger.log(`${what} resumed after ${failures} transient errors`);
        return result;
      } catch (error) {
        if (!isTransientError(error, this.dialect)) throw error;
        if (this.stopping) throw new WorkerStoppingError(error);
        if (Date.now() >= deadline) throw new TransientTooLongError(error);
        if (!failures) this.logger.warn(`${what} waits for the database or Redis, retrying: ${(error as Error).message}`);
        const pause = Math.min(MAX_RETRY_PAUSE_MS, FIRST_RETRY_PAUSE_MS * 2 ** failures);
        await this.pause(pause);
      }
    }
  }

  /** Waits `ms`, or less when the process stops. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.stopped.signal.removeEventListener('abort', wake);
        resolve();
      }, ms);
      this.stopped.signal.addEventListener('abort', wake, { once: true });
    });
  }

  private async run(job: PropagationJob): Promise<void> {
    const row = await this.outbox.find(job.data.outboxId);
    // NOTE: a job of a failed row runs only when someone retried it (Bull Board's Retry): that reopens the row.
    if (!row || row.status === 'done') return;
    await this.outbox.start(row);
    if (row.kind === 'content' && (await this.covered(this.dataSource.manager, row))) return this.outbox.finish(row.id);
    if (row.kind === 'content' && row.version === null) {
      // A change itself (not a slice of one, nor a referrer's retry): its link referrers hear of it once.
      // NOTE: before the copies; a retry reports them again, which an indexer takes as it took the first time.
      await this.dataSource.transaction((manager) => this.propagator.reindexLinkReferrers(manager, row.reference));
      if (row.fields === LINKS_ONLY) return this.outbox.finish(row.id);
    }
    const probe: InlineProbe = new Map();
    let handled = 0;
    for (let conflicts = 0, batches = 0; ; ) {
      let result: BatchResult;
      try {
        result = await this.transaction(async (manager) => {
          const result = await this.batch(manager, row);
          await this.continueTransitively(manager, row, result, probe);
          return result;
        });
        conflicts = 0;
      } catch (error) {
        if (row.kind === 'content' && this.dialect.isWriteConflict(error)) {
          // A row held by another client (or a deadlock): the one referrer of a set-aside row waits for its
          // next turn; a batch is tried again, then goes referrer by referrer, setting the held one aside.
          if (row.referrerId !== null) return this.setAsideAgain(row, error as Error);
          if (++conflicts < BATCH_CONFLICT_TRIES) continue;
          conflicts = 0;
          result = await this.isolate(row, probe, job);
        } else {
          // Earlier attempts retry the whole batch (with backoff); the last one goes referrer by referrer,
          // so that one referrer that keeps failing is recorded and does not hold up the others.
          if (isTransientError(error, this.dialect)) throw error;
          if (row.kind !== 'content' || job.attemptsMade + 1 < (job.opts.attempts ?? 1)) throw error;
          result = await this.isolate(row, probe, job);
        }
      }
      if (result.cursor === undefined) break;
      handled += [...result.changed.values()].reduce((n, ids) => n + ids.size, 0);
      row.cursor = result.cursor;
      // NOTE: not awaited: with Redis down it would wait for Redis, and it only informs dashboards.
      job.progress({ cursor: row.cursor, updated: handled }).catch(() => undefined);
      // NOTE: a short batch was the last: no empty batch is read after it. A referrer written since copied the
      // target under a share lock, after this change committed, so it holds this content or newer.
      if (result.last) break;
      // A large fan-out is split after its first full batch: a change with few referrers pays no split check.
      if (++batches === 1 && row.kind === 'content' && row.version === null && (await this.split(row))) return;
    }
    if (row.kind === 'rename') await this.finishRename(row);
    if (row.kind === 'content') {
      if (await this.outbox.finishContent(row)) await this.metrics.propagated(row);
    } else {
      await this.outbox.finish(row.id);
      await this.metrics.propagated(row);
    }
  }

  /** Whether a change of the target as new as this row's, or newer, has already reached every inline copy. */
  private async covered(manager: EntityManager, row: ReferenceOutboxEntry): Promise<boolean> {
    return (await this.outbox.syncedVersion(manager, row.reference)) >= (row.version ?? row.id);
  }

  /**
   * Splits a large content change into slices of index row ids, one row each, so that every worker can take
   * one. The change's row is done once its slices exist (in the same transaction).
   */
  private async split(row: ReferenceOutboxEntry): Promise<boolean> {
    const size = this.propagator.batchSize * BATCHES_PER_SLICE;
    const bounds = await this.index.boundaries(this.dataSource.manager, row.reference, row.cursor, size);
    if (!bounds.length) return false;
    await this.dataSource.transaction(async (manager) => {
      for (const slice of slicesOf(row.cursor, bounds)) {
        await this.strategy.add(manager, 'content', row.reference, { ...slice, version: row.id, hops: row.hops, fields: row.fields });
      }
      await this.outbox.finish(row.id, manager);
    });
    return true;
  }

  private async batch(manager: EntityManager, row: ReferenceOutboxEntry): Promise<BatchResult> {
    let result: BatchResult;
    if (row.kind === 'content') {
      // NOTE: the change's row id orders the changes of one target (a later change commits a later row): once a
      // newer change has reached every copy, what is left of this run has nothing to do.
      if (await this.covered(manager, row)) return { cursor: undefined, changed: new Map() };
      const target = await this.target(manager, row);
      if (!target) return { cursor: undefined, changed: new Map() };
      result = await this.propagator.refreshBatch(manager, target, row.cursor, { until: row.untilId ?? undefined });
    } else if (row.kind === 'rename') {
      result = await this.propagator.renameBatch(manager, row.reference, row.newReference!, row.cursor);
    } else {
      result = await this.propagator.detachBatch(manager, row.reference, row.cursor);
    }
    if (result.cursor !== undefined) await this.outbox.saveCursor(manager, row.id, result.cursor);
    return result;
  }

  /**
   * The next batch, one referrer per transaction. A referrer whose row is held by another client (a lock
   * timeout, or deadlocks again and again) is set aside: a pending row of its own (the referrer, its index
   * row as the range) that the sweep runs again after a pause, reading the target's newest content then.
   * A referrer that fails otherwise is recorded as a failed row of its own (`status: 'failed'`, the reason in
   * `error`), which `retryFailed()` / `references retry` runs again. The cursor moves past the batch.
   */
  private async isolate(row: ReferenceOutboxEntry, probe: InlineProbe, job: PropagationJob): Promise<BatchResult> {
    const rows = await this.index.batchAfter(this.dataSource.manager, row.reference, row.cursor, this.propagator.batchSize, {
      inline: true,
      until: row.untilId ?? undefined,
    });
    const changed: ChangedReferrers = new Map();
    for (const indexRow of rows) {
      for (let tries = 1; ; tries++) {
        try {
          await this.transaction(async (manager) => {
            const target = await this.target(manager, row);
            if (!target) return;
            const result = { cursor: indexRow.id, changed: await this.propagator.refreshRows(manager, target, [indexRow]) };
            await this.continueTransitively(manager, row, result, probe);
            mergeChanged(changed, result.changed);
          });
          break;
        } catch (error) {
          const referrer = { referrerType: indexRow.referrerType, referrerId: indexRow.referrerId, referrerPath: indexRow.path };
          const reason = `${indexRow.referrerType}/${indexRow.referrerId} at ${indexRow.path}: ${(error as Error).message}`;
          const range = { cursor: indexRow.id - 1, untilId: indexRow.id, version: row.version ?? row.id, hops: row.hops, fields: row.fields };
          if (this.dialect.isWriteConflict(error)) {
            if (!this.dialect.isLockTimeout(error) && tries < REFERRER_CONFLICT_TRIES) continue;
            this.logger.warn(`Propagation of ${row.reference} sets aside ${reason}`);
            // NOTE: not enqueued now: the sweep enqueues it once retry_at has come.
            await this.outbox.add(this.dataSource.manager, 'content', row.reference, {
              ...range,
              ...referrer,
              status: 'pending',
              error: `held: ${reason}`.slice(0, 2000),
              attempts: 1,
              retryAt: Date.now() + setAsidePause(0),
            });
            break;
          }
          // NOTE: a server down is no fault of this referrer: the whole run waits for it instead.
          if (isTransientError(error, this.dialect)) throw error;
          this.logger.error(`Propagation of ${row.reference} failed for ${reason}`);
          await this.strategy.add(this.dataSource.manager, 'content', row.reference, {
            ...range,
            ...referrer,
            status: 'failed',
            error: reason.slice(0, 2000),
            attempts: job.attemptsMade + 1,
          });
          break;
        }
      }
    }
    const cursor = rows.at(-1)?.id;
    if (cursor !== undefined) await this.outbox.saveCursor(this.dataSource.manager, row.id, cursor);
    return { cursor, changed };
  }

  /** A set-aside referrer still held: its row waits for its next turn, a little longer each time (capped). */
  private async setAsideAgain(row: ReferenceOutboxEntry, error: Error): Promise<void> {
    const reason = `held: ${row.referrerType}/${row.referrerId} at ${row.referrerPath}: ${error.message}`;
    await this.outbox.postpone(row, 'pending', Date.now() + setAsidePause(row.attempts), reason);
  }

  /** A transaction of a batch: its statements wait for a row lock at most `lockTimeoutMs`, and run at most `statementTimeoutMs`. */
  private transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (manager) => {
      await this.dialect.boundWaits(manager, this.bounds);
      return work(manager);
    });
  }

  /** Transitive: a referrer that changed and is itself copied elsewhere gets its own row, in the batch's transaction. */
  private async continueTransitively(manager: EntityManager, row: ReferenceOutboxEntry, result: BatchResult, probe: InlineProbe) {
    if (row.hops >= MAX_PROPAGATION_HOPS) return;
    const next = await this.propagator.nextTargets(manager, result.changed, probe);
    for (const target of next) await this.strategy.add(manager, 'content', target.reference, { hops: row.hops + 1 });
  }

  /** The target's current state: read now, never taken from the job. */
  private async target(manager: EntityManager, row: ReferenceOutboxEntry): Promise<TargetState | undefined> {
    const local = this.registry.resolve(row.reference);
    const fields = row.fields === null ? undefined : new Set<string>(JSON.parse(row.fields));
    if (!local) {
      return row.payload ? { reference: row.reference, representation: JSON.parse(row.payload), fields } : undefined;
    }
    // NOTE: a writer of the target waits for this batch, so a batch never commits content older than a committed change.
    const record = await this.loader.load(manager, local.type, local.id, { lock: 'share', by: 'key' });
    return record ? { reference: row.reference, representation: local.type.representationOf(record), type: local.type, fields } : undefined;
  }

  private async finishRename(row: ReferenceOutboxEntry): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await this.index.renameReference(manager, row.reference, row.newReference!);
      if (this.registry.resolve(row.newReference!)) await this.strategy.add(manager, 'content', row.newReference!);
    });
  }
}
