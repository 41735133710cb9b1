import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ReferencesModuleOptions } from '../interfaces/references-module-options.interface.js';
import { ReferenceOutbox } from '../outbox/reference-outbox.service.js';
import { REFERENCES_DATABASE_ID, REFERENCES_MODULE_OPTIONS } from '../references.constants.js';
import { TransactionHooks } from '../transaction/transaction-hooks.service.js';
import { QueueDriver, type PropagationJobOptions } from './queue.driver.js';

/**
 * The job id of one outbox row, derived from the row and the database: Bull and BullMQ silently drop an add
 * whose id is taken, which makes enqueueing a row twice harmless. NOTE: no ':' in it, which BullMQ refuses.
 */
export const jobIdOf = (databaseId: string, outboxId: number) => `outbox-${databaseId}-${outboxId}`;

/** How long `stop()` waits for enqueues in flight. */
const STOP_WAIT_MS = 1000;

/** Rows enqueued per sweep. */
const SWEEP_LIMIT = 1000;

/** Done rows past their retention are deleted by a sweep at most this often (or once per retention, if shorter). */
const PRUNE_INTERVAL_MS = 60_000;

/**
 * Moves outbox rows to the queue (Bull or BullMQ, through its `QueueDriver`): the rows a transaction wrote,
 * right after it commits, and every unfinished row on a periodic sweep, which recovers rows whose enqueue
 * never happened (a crash after commit, Redis down).
 * Enqueueing a row twice is harmless: the job id is the row's, and a finished row is skipped by the processor.
 */
@Injectable()
export class OutboxDispatcher implements OnModuleDestroy {
  private readonly logger = new Logger('ReferencesOutboxDispatcher');
  private readonly jobOptions: PropagationJobOptions;
  private timer?: NodeJS.Timeout;
  private sweeping?: Promise<void>;
  private readonly enqueueing = new Set<Promise<void>>();
  private prunedAt = 0;
  private readonly pruneIntervalMs: number;

  constructor(
    private readonly queue: QueueDriver,
    private readonly outbox: ReferenceOutbox,
    private readonly hooks: TransactionHooks,
    @Inject(REFERENCES_MODULE_OPTIONS) options: ReferencesModuleOptions,
    @Inject(REFERENCES_DATABASE_ID) private readonly databaseId: string,
  ) {
    this.jobOptions = { attempts: options.queue?.attempts ?? 5, backoffMs: 500 };
    this.pruneIntervalMs = Math.min(PRUNE_INTERVAL_MS, options.queue?.retainDoneMs ?? PRUNE_INTERVAL_MS);
  }

  /** Enqueues the row once the transaction of `manager` commits, with every other row that transaction wrote. */
  enqueueAfterCommit(manager: EntityManager, outboxId: number): Promise<void> {
    return this.hooks.afterCommit(manager, this.enqueue, outboxId);
  }

  /** Enqueues these rows now, in the background; a failure is left to the sweep. */
  readonly enqueue = (ids: number[]): void => {
    if (!ids.length) return;
    const done = this.add(ids)
      .catch((error) => this.logger.warn(`Outbox rows not enqueued, the sweep will retry: ${(error as Error).message}`))
      .finally(() => this.enqueueing.delete(done));
    this.enqueueing.add(done);
  };

  startSweeping(intervalMs: number): void {
    this.timer = setInterval(() => void this.sweep(), intervalMs);
    this.timer.unref();
    void this.sweep();
  }

  /**
   * Enqueues every pending row and every running row whose worker is gone (at most 1,000 a sweep), and
   * deletes the done rows past their retention (at most once a minute); concurrent calls share one pass.
   */
  sweep(): Promise<void> {
    this.sweeping ??= this.outbox
      .unfinished(SWEEP_LIMIT)
      .then((ids) => this.addAgain(ids))
      .then(() => this.prune())
      .catch((error) => this.logger.warn(`Outbox sweep failed, the next one will retry: ${(error as Error).message}`))
      .finally(() => (this.sweeping = undefined));
    return this.sweeping;
  }

  private async prune(): Promise<void> {
    if (Date.now() - this.prunedAt < this.pruneIntervalMs) return;
    this.prunedAt = Date.now();
    await this.outbox.prune();
  }

  /**
   * Stops the sweep and waits for the enqueues in flight, at most `STOP_WAIT_MS`: with Redis down they would
   * wait for it for ever (and the process with them), and the next sweep, anywhere, redoes what they left.
   */
  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    let timer: NodeJS.Timeout | undefined;
    const given = new Promise<void>((resolve) => (timer = setTimeout(resolve, STOP_WAIT_MS)));
    await Promise.race([Promise.all([this.sweeping, ...this.enqueueing]), given]);
    clearTimeout(timer);
  }

  /**
   * Enqueues rows that may have run before: a row retried after it failed (`retryFailed()`) still has its
   * failed job under the same id, which would make the queue drop the add; that job goes first.
   */
  private async addAgain(ids: number[]): Promise<void> {
    if (!ids.length) return;
    await this.queue.removeFailed(ids.map((id) => jobIdOf(this.databaseId, id)));
    await this.add(ids);
  }

  private async add(ids: number[]): Promise<void> {
    if (!ids.length) return;
    await this.queue.addBulk(ids.map((id) => ({ outboxId: id, jobId: jobIdOf(this.databaseId, id) })), this.jobOptions);
  }
}
