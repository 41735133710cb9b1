import { Logger } from '@nestjs/common';
import type { Queue } from 'bull';
import {
  PROPAGATE_JOB,
  QueueDriver,
  propagationJobs,
  type JobEndedListener,
  type PropagationHandlers,
  type PropagationJobOptions,
  type PropagationJobSpec,
} from './queue.driver.js';

/** Pause before a worker whose queue could not start (Redis unreachable at start) tries again. */
const RESTART_PAUSE_MS = 2000;

/** Queue mode on Bull: the queue `@nestjs/bull` registered, its processing loop started on `process()`. */
export class BullQueueDriver extends QueueDriver {
  readonly name = 'bull' as const;
  private readonly logger = new Logger('ReferencesOutboxWorker');
  private stopping = false;
  private restartTimer?: NodeJS.Timeout;

  constructor(private readonly queue: Queue) {
    super();
  }

  async addBulk(jobs: PropagationJobSpec[], options: PropagationJobOptions): Promise<void> {
    await this.queue.addBulk(propagationJobs(jobs, options));
  }

  process(concurrency: number, handlers: PropagationHandlers): void {
    this.started(this.queue.process(PROPAGATE_JOB, concurrency, (job) => handlers.process(job)), concurrency);
    this.queue.on('failed', (job, error) => handlers.failed(job, error));
  }

  /** Bull's global events: Redis pub/sub on the queue's own connections, published by every worker. */
  onJobEnded(listener: JobEndedListener): () => Promise<void> {
    const completed = (jobId: string) => listener(String(jobId));
    const failed = (jobId: string, error: string) => listener(String(jobId), String(error ?? ''));
    this.queue.on('global:completed', completed);
    this.queue.on('global:failed', failed);
    return async () => {
      this.queue.removeListener('global:completed', completed);
      this.queue.removeListener('global:failed', failed);
    };
  }

  async removeFailed(jobIds: string[]): Promise<void> {
    for (const id of jobIds) {
      const job = await this.queue.getJob(id);
      if (job && (await job.isFailed())) await job.remove();
    }
  }

  counts(): Promise<Record<string, number>> {
    return this.queue.getJobCounts() as unknown as Promise<Record<string, number>>;
  }

  async close(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
  }

  /**
   * Bull's processing loop retries on its own once it runs, but its start rejects when Redis stays
   * unreachable for a while (ioredis gives up on the first commands): the worker then starts it again,
   * rather than leaving the rejection unhandled (which ends the process) or the worker idle for good.
   */
  private started(running: Promise<void>, concurrency: number): void {
    running.catch((error: Error) => {
      if (this.stopping) return;
      this.logger.warn(`Propagation worker could not start, retrying: ${error.message}`);
      this.restartTimer = setTimeout(() => {
        // NOTE: Bull's `run` is what `process` calls once the handler is set; a handler is set only once.
        const queue = this.queue as unknown as { run(concurrency: number, name: string): Promise<void> };
        this.started(queue.run(concurrency, PROPAGATE_JOB), concurrency);
      }, RESTART_PAUSE_MS);
    });
  }
}
