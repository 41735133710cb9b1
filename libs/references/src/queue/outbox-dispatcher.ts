import { Logger } from '@nestjs/common';
import type { JobOptions, Queue } from 'bull';
import type { DataSource } from 'typeorm';
import { In } from 'typeorm';
import { ReferenceOutboxEntry } from '../outbox/reference-outbox.entity.js';

/** The Bull job of one outbox row. Its id is derived from the row: Bull silently drops an add whose id is taken. */
export const PROPAGATE_JOB = 'propagate';
export const jobIdOf = (outboxId: number) => `outbox-${outboxId}`;

/** How long `stop()` waits for enqueues in flight. */
const STOP_WAIT_MS = 1000;

/** Rows enqueued per sweep. */
const SWEEP_LIMIT = 1000;

/**
 * Moves outbox rows to Bull: the rows a transaction wrote, right after it commits, and every unfinished row
 * on a periodic sweep, which recovers rows whose enqueue never happened (a crash after commit, Redis down).
 * Enqueueing a row twice is harmless: the job id is the row's, and a finished row is skipped by the processor.
 */
export class OutboxDispatcher {
  private readonly logger = new Logger('ReferencesOutboxDispatcher');
  private timer?: NodeJS.Timeout;
  private sweeping?: Promise<void>;
  private readonly enqueueing = new Set<Promise<void>>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly queue: Queue,
    private readonly jobOptions: { attempts: number },
  ) {}

  startSweeping(intervalMs: number): void {
    this.timer = setInterval(() => void this.sweep(), intervalMs);
    this.timer.unref();
    void this.sweep();
  }

  /**
   * Stops the sweep and waits for the enqueues in flight, at most `STOP_WAIT_MS`: with Redis down they would
   * wait for it for ever (and the process with them), and the next sweep, anywhere, redoes what they left.
   */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    let timer: NodeJS.Timeout | undefined;
    const given = new Promise<void>((resolve) => (timer = setTimeout(resolve, STOP_WAIT_MS)));
    await Promise.race([Promise.all([this.sweeping, ...this.enqueueing]), given]);
    clearTimeout(timer);
  }

  /** Enqueues these rows now; a failure is left to the sweep. */
  enqueue(ids: number[]): void {
    if (!ids.length) return;
    const done = this.add(ids)
      .catch((error) => this.logger.warn(`Outbox rows not enqueued, the sweep will retry: ${(error as Error).message}`))
      .finally(() => this.enqueueing.delete(done));
    this.enqueueing.add(done);
  }

  /** Enqueues every unfinished row (at most 1,000 a sweep); concurrent calls share one pass. */
  sweep(): Promise<void> {
    this.sweeping ??= this.unfinished()
      .then((ids) => this.add(ids))
      .catch((error) => this.logger.warn(`Outbox sweep failed, the next one will retry: ${(error as Error).message}`))
      .finally(() => (this.sweeping = undefined));
    return this.sweeping;
  }

  private async unfinished(): Promise<number[]> {
    if (!this.dataSource.isInitialized) return [];
    const rows = await this.dataSource.getRepository(ReferenceOutboxEntry).find({
      select: { id: true },
      where: { status: In(['pending', 'running']) },
      order: { id: 'ASC' },
      take: SWEEP_LIMIT,
    });
    return rows.map((row) => row.id);
  }

  private async add(ids: number[]): Promise<void> {
    if (!ids.length) return;
    const opts: JobOptions = {
      attempts: this.jobOptions.attempts,
      backoff: { type: 'exponential', delay: 500 },
      removeOnComplete: true,
      removeOnFail: true,
    };
    await this.queue.addBulk(ids.map((id) => ({ name: PROPAGATE_JOB, data: { outboxId: id }, opts: { ...opts, jobId: jobIdOf(id) } })));
  }
}
