import type { Queue as BullQueue } from 'bull';
import type { Queue as BullMqQueue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';

/** The app's queue `runOnReferrers()` enqueues on: a Bull or a BullMQ `Queue`. */
export type AppQueue = BullQueue | BullMqQueue;

/** A job of the app's queue, as `runOnReferrers()` adds it. */
export interface AppJob {
  name: string;
  data: Record<string, unknown>;
  opts?: Record<string, unknown>;
}

/**
 * What `ReferrerJobs` needs of the app's queue, over Bull or BullMQ: its Redis (where a batch is tracked,
 * under the queue's key prefix), adds, and the end of each job, from any worker.
 */
export interface ReferrerQueue {
  /** The queue's own Redis connection. */
  redis(): Promise<Redis>;
  /** A key under the queue's prefix. */
  key(name: string): string;
  add(job: AppJob): Promise<void>;
  addBulk(jobs: AppJob[]): Promise<void>;
  /** Whether the job has attempts left after a failure (it is not over then). */
  retries(jobId: string): Promise<boolean>;
  /** Calls `ended` when any worker completes a job (`error` undefined) or fails an attempt of it. */
  listen(ended: (jobId: string, error: string | undefined) => void): Promise<void>;
  close(): Promise<void>;
}

/** Whether `queue` is BullMQ's (Bull's has no `waitUntilReady`). */
export const isBullMqQueue = (queue: AppQueue): queue is BullMqQueue => typeof (queue as BullMqQueue).waitUntilReady === 'function';

/** The `ReferrerQueue` of an app's queue. */
export function referrerQueueOf(queue: AppQueue): ReferrerQueue {
  return isBullMqQueue(queue) ? new BullMqReferrerQueue(queue) : new BullReferrerQueue(queue);
}

/** What Bull's and BullMQ's queues both offer of what the adapters use, in the same shape. */
interface CommonQueue {
  toKey(name: string): string;
  add(name: string, data: unknown, opts?: unknown): Promise<unknown>;
  addBulk(jobs: AppJob[]): Promise<unknown>;
  getJob(id: string): Promise<{ attemptsMade: number; opts: { attempts?: number } } | null | undefined>;
}

/** The adds and the attempts, alike on both libraries; the Redis connection and the job ends are each library's own. */
abstract class CommonReferrerQueue implements ReferrerQueue {
  private readonly common: CommonQueue;

  constructor(queue: AppQueue) {
    this.common = queue as unknown as CommonQueue;
  }

  abstract redis(): Promise<Redis>;
  abstract listen(ended: (jobId: string, error: string | undefined) => void): Promise<void>;
  abstract close(): Promise<void>;

  key(name: string): string {
    return this.common.toKey(name);
  }

  async add({ name, data, opts }: AppJob): Promise<void> {
    await this.common.add(name, data, opts);
  }

  async addBulk(jobs: AppJob[]): Promise<void> {
    await this.common.addBulk(jobs);
  }

  async retries(jobId: string): Promise<boolean> {
    const job = await this.common.getJob(jobId);
    return !!job && job.attemptsMade < (job.opts.attempts ?? 1);
  }
}

class BullReferrerQueue extends CommonReferrerQueue {
  constructor(private readonly queue: BullQueue) {
    super(queue);
  }

  async redis(): Promise<Redis> {
    return this.queue.client as unknown as Redis;
  }

  async listen(ended: (jobId: string, error: string | undefined) => void): Promise<void> {
    this.queue.on('global:completed', (jobId: string) => ended(String(jobId), undefined));
    this.queue.on('global:failed', (jobId: string, error: string) => ended(String(jobId), error));
  }

  async close(): Promise<void> {}
}

/**
 * BullMQ: the ends of jobs come from a `QueueEvents` of our own (a connection of its own that blocks on the
 * queue's event stream), read from the moment `listen()` is called, by the Redis clock.
 */
class BullMqReferrerQueue extends CommonReferrerQueue {
  private events?: QueueEvents;

  constructor(private readonly queue: BullMqQueue) {
    super(queue);
  }

  async redis(): Promise<Redis> {
    // NOTE: the queue's backend wraps an ioredis client (BullMQ keeps it out of its public interface); its
    // transactions take `hset` with an object only.
    return (await (this.queue.getBackend() as unknown as { client: Promise<unknown> }).client) as Redis;
  }

  async listen(ended: (jobId: string, error: string | undefined) => void): Promise<void> {
    const { QueueEvents } = await import('bullmq');
    const [seconds, micros] = await (await this.redis()).time();
    const connection = this.queue.opts.connection as Record<string, unknown>;
    const isClient = typeof connection.connect === 'function';
    const events = new QueueEvents(this.queue.name, {
      // NOTE: the events from now on: a job enqueued after `listen()` returns cannot end unheard.
      lastEventId: `${Number(seconds) * 1000 + Math.floor(Number(micros) / 1000)}-0`,
      connection: isClient ? connection : { ...connection, maxRetriesPerRequest: null },
      prefix: this.queue.opts.prefix,
    });
    events.on('error', () => undefined);
    events.on('completed', ({ jobId }) => ended(jobId, undefined));
    events.on('failed', ({ jobId, failedReason }) => ended(jobId, failedReason));
    this.events = events;
    await events.waitUntilReady();
  }

  async close(): Promise<void> {
    await this.events?.close();
  }
}
