import { Logger } from '@nestjs/common';
import { QueueEvents, UnrecoverableError, Worker, type ConnectionOptions, type Job, type Queue, type WorkerOptions } from 'bullmq';
import {
  PROPAGATE_JOB,
  QueueDriver,
  propagationJobs,
  type JobEndedListener,
  type PropagationHandlers,
  type PropagationJob,
  type PropagationJobOptions,
  type PropagationJobSpec,
} from './queue.driver.js';

/**
 * BullMQ's worker settings, the equivalent of `DEFAULT_BULL_SETTINGS`: a killed worker's job runs again at
 * most `lockDuration + stalledInterval` = 7.5 s after the kill; a job is failed only after it stalled
 * `maxStalledCount` times (BullMQ's default is once); a worker whose connection failed tries again after
 * `runRetryDelay` (BullMQ's default is 15 s). The app's `queue.bullmq.worker` take precedence.
 */
export const DEFAULT_BULLMQ_WORKER_OPTIONS: Partial<WorkerOptions> = {
  lockDuration: 5000,
  lockRenewTime: 1500,
  stalledInterval: 2500,
  maxStalledCount: 10,
  runRetryDelay: 1000,
};

/** Pause before a worker whose loop ended on an error (Redis unreachable at start) runs again. */
const RESTART_PAUSE_MS = 2000;

/** How long `close()` waits for the jobs in hand before it lets go of them (they are recovered as stalled). */
const CLOSE_WAIT_MS = 3000;

/** How long `close()` waits for the queue's Redis client, to learn whether it is connected. */
const STATUS_WAIT_MS = 100;

/** `promise`'s value, or `undefined` once `ms` have passed. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** The processor's view of a BullMQ job (BullMQ reports progress with `updateProgress`). */
function propagationJob(job: Job<{ outboxId: number }>): PropagationJob {
  return {
    data: job.data,
    get attemptsMade() {
      return job.attemptsMade;
    },
    opts: job.opts,
    progress: (value) => job.updateProgress(value),
  };
}

/** Whether `connection` is a client instance rather than connection options. */
const isClient = (connection: ConnectionOptions) => typeof (connection as { connect?: unknown }).connect === 'function';

/**
 * Queue mode on BullMQ: the queue `@nestjs/bullmq` registered, and a `Worker` of our own on `process()`, on
 * a connection of its own that waits for Redis rather than failing commands (`maxRetriesPerRequest: null`,
 * which BullMQ requires of a worker's connection).
 */
export class BullMqQueueDriver extends QueueDriver {
  readonly name = 'bullmq' as const;
  private readonly logger = new Logger('ReferencesOutboxWorker');
  private worker?: Worker;
  private stopping = false;
  private restartTimer?: NodeJS.Timeout;

  constructor(
    private readonly queue: Queue,
    private readonly connection: ConnectionOptions,
    private readonly workerOptions: Partial<WorkerOptions> = {},
  ) {
    super();
    // NOTE: without a listener BullMQ prints every connection error; a failed add is reported by the dispatcher.
    queue.on('error', () => undefined);
  }

  async addBulk(jobs: PropagationJobSpec[], options: PropagationJobOptions): Promise<void> {
    await this.queue.addBulk(propagationJobs(jobs, options));
  }

  process(concurrency: number, handlers: PropagationHandlers): void {
    const worker = new Worker<{ outboxId: number }>(this.queue.name, (job) => this.run(job, handlers), {
      ...DEFAULT_BULLMQ_WORKER_OPTIONS,
      ...this.workerOptions,
      connection: isClient(this.connection) ? this.connection : { ...this.connection, maxRetriesPerRequest: null },
      prefix: this.queue.opts.prefix,
      concurrency,
      autorun: false,
    });
    worker.on('failed', (job, error) => {
      if (job?.name === PROPAGATE_JOB) handlers.failed(propagationJob(job), error);
    });
    // NOTE: the worker resumes on its own once Redis is back; the outage is reported by the jobs that wait for it.
    worker.on('error', () => undefined);
    this.worker = worker;
    this.start(worker);
  }

  /**
   * A BullMQ worker takes every job of its queue, whatever its name (Bull's processors take theirs by name):
   * a job of another name fails at once, its attempts spent, rather than running as a propagation.
   */
  private run(job: Job<{ outboxId: number }>, handlers: PropagationHandlers): Promise<void> {
    if (job.name !== PROPAGATE_JOB) {
      return Promise.reject(
        new UnrecoverableError(`"${job.name}" is no propagation job: on BullMQ the references queue runs propagation jobs only; give other jobs a queue of their own`),
      );
    }
    return handlers.process(propagationJob(job));
  }

  /**
   * BullMQ's `QueueEvents`: the queue's event stream in Redis, read on a connection of its own (a blocking
   * read, which no other command may share; a client instance given as `connection` is duplicated for it).
   */
  onJobEnded(listener: JobEndedListener): () => Promise<void> {
    const connection = isClient(this.connection)
      ? (this.connection as unknown as { duplicate(): ConnectionOptions }).duplicate()
      : { ...this.connection, maxRetriesPerRequest: null };
    const events = new QueueEvents(this.queue.name, { connection, prefix: this.queue.opts.prefix });
    // NOTE: without a listener BullMQ prints every connection error; the events resume once Redis is back.
    events.on('error', () => undefined);
    events.on('completed', ({ jobId }) => listener(jobId));
    events.on('failed', ({ jobId, failedReason }) => listener(jobId, failedReason ?? ''));
    return async () => {
      // NOTE: a graceful close waits for Redis, which may be down: then the connection is dropped.
      if (!(await within(events.close().then(() => true), CLOSE_WAIT_MS))) await within(events.disconnect().catch(() => undefined), STATUS_WAIT_MS);
    };
  }

  async removeFailed(jobIds: string[]): Promise<void> {
    for (const id of jobIds) {
      const job = await this.queue.getJob(id);
      if (job && (await job.isFailed())) await job.remove();
    }
  }

  counts(): Promise<Record<string, number>> {
    return this.queue.getJobCounts();
  }

  /**
   * Closes the worker once its jobs in hand have ended (the processor has woken those that wait for a
   * server). With Redis down, a close would wait for Redis (BullMQ's connections retry for ever): the worker
   * and the queue then let go of their connections at once, and the jobs in hand are recovered as stalled.
   */
  async close(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    const backend = this.queue.getBackend() as unknown as { client: Promise<{ status: string }>; close(force: boolean): Promise<void> };
    const client = await within(backend.client, STATUS_WAIT_MS);
    const connected = client?.status === 'ready';
    // NOTE: a disconnect waits for its connection to end, which one that is reconnecting may never do.
    if (this.worker && !(connected && (await within(this.worker.close().then(() => true), CLOSE_WAIT_MS)))) {
      await within(this.worker.disconnect().catch(() => undefined), STATUS_WAIT_MS);
    }
    // NOTE: the queue itself is closed next, by @nestjs/bullmq, whose graceful close (QUIT) would wait for
    // Redis: closed by force now, that close has nothing left to do.
    if (!connected) await within(backend.close(true).catch(() => undefined), STATUS_WAIT_MS);
  }

  /** Runs the worker's loop, and again after a pause if it ends on an error while the process goes on. */
  private start(worker: Worker): void {
    worker.run().catch((error: Error) => {
      if (this.stopping) return;
      this.logger.warn(`Propagation worker could not start, retrying: ${error.message}`);
      this.restartTimer = setTimeout(() => this.start(worker), RESTART_PAUSE_MS);
    });
  }
}
