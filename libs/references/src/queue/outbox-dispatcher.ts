import { Logger } from '@nestjs/common';
import type { Queue } from 'bull';
import type { DataSource } from 'typeorm';
import { In } from 'typeorm';
import { ReferenceOutboxEntry } from './reference-outbox.entity.js';

/** The Bull job of one outbox row. Its id is derived from the row: Bull silently drops an add whose id is taken. */
export const PROPAGATE_JOB = 'propagate';
export const jobIdOf = (outboxId: number) => `outbox-${outboxId}`;

/** Rows enqueued per sweep. */
const SWEEP_LIMIT = 1000;

/**
 * Moves outbox rows to Bull: right after each commit, and on a periodic sweep that recovers rows whose
 * enqueue never happened (a crash after commit, Redis down). Enqueueing a row twice is harmless: the job
 * id is the row's, and a finished row is skipped by the processor.
 */
export class OutboxDispatcher {
  private readonly logger = new Logger('ReferencesOutboxDispatcher');
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly queue: Queue,
    private readonly jobOptions: { attempts: number },
  ) {}

  start(intervalMs: number): void {
    this.timer = setInterval(() => this.dispatch(), intervalMs);
    this.timer.unref();
    this.dispatch();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Enqueues every unfinished row; concurrent calls are folded into one more pass. */
  dispatch(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.enqueueUnfinished().catch((error) =>
          this.logger.warn(`Outbox not dispatched, the sweep will retry: ${(error as Error).message}`),
        );
      } while (this.again);
    })().finally(() => (this.running = undefined));
    return this.running;
  }

  private async enqueueUnfinished(): Promise<void> {
    if (!this.dataSource.isInitialized) return;
    const rows = await this.dataSource.getRepository(ReferenceOutboxEntry).find({
      select: { id: true },
      where: { status: In(['pending', 'running']) },
      order: { id: 'ASC' },
      take: SWEEP_LIMIT,
    });
    if (!rows.length) return;
    await this.queue.addBulk(
      rows.map((row) => ({
        name: PROPAGATE_JOB,
        data: { outboxId: row.id },
        opts: {
          jobId: jobIdOf(row.id),
          attempts: this.jobOptions.attempts,
          backoff: { type: 'exponential', delay: 500 },
          removeOnComplete: true,
          removeOnFail: true,
        },
      })),
    );
  }
}
