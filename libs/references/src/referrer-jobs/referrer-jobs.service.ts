import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { REFERENCES_DATA_SOURCE } from '../references.constants.js';
import { ReferenceIndex } from '../reverse-index/reference-index.service.js';
import type {
  ReferrerJob,
  ReferrerJobBatch,
  ReferrerJobBatchStatus,
  RunOnReferrersOptions,
} from '../interfaces/referrer-jobs.interface.js';
import { referrerQueueOf, type AppJob, type AppQueue, type ReferrerQueue } from './referrer-queue.adapter.js';

const JOB_PREFIX = 'referrers';
const PAGE = 1000;

/**
 * Seconds a batch's keys live in Redis after their last change: a finished batch's status stays readable
 * for a week, then its keys go (an unfinished one's too, once nothing happened to it for a week).
 */
export const REFERRER_BATCH_TTL_SECONDS = 7 * 24 * 60 * 60;

/**
 * `referrers-<batch>-<type:id in base64url>`: the job id names its batch and its referrer, so events need no
 * lookup. NOTE: no ':' in it, which BullMQ refuses in a job id (a referrer's id may hold any character).
 */
const jobIdOf = (batchId: string, member: string) => `${JOB_PREFIX}-${batchId}-${Buffer.from(member).toString('base64url')}`;

const JOB_ID = new RegExp(`^${JOB_PREFIX}-([0-9a-f-]{36})-([A-Za-z0-9_-]+)$`);

function parseJobId(jobId: string): { batchId: string; member: string } | undefined {
  const match = JOB_ID.exec(jobId);
  return match ? { batchId: match[1], member: Buffer.from(match[2], 'base64url').toString() } : undefined;
}

/** `type:id` → its type and id. */
function splitMember(member: string): { referrerType: string; referrerId: string } {
  const separator = member.indexOf(':');
  return { referrerType: member.slice(0, separator), referrerId: member.slice(separator + 1) };
}

/**
 * `runOnReferrers`: the app's own job once per referrer, all at once (a group) or one after the other (a
 * chain, stopping at the first failure), a batch tracked in Redis, and follow-up jobs when it ends
 * (`onSuccess` only if every job succeeded, `onError` per failure, `onComplete` always). Tracking is
 * idempotent (Redis sets), so any number of processes may listen. Injected as `ReferrerJobs`, or
 * `@InjectReferrerJobs(name)` for a named data source.
 * The queue is Bull's or BullMQ's (`referrerQueueOf`). BullMQ's FlowProducer does not serve here: a flow's
 * parent runs when its children ended, but it knows no `onError` per failed child, no "only if all
 * succeeded" beside "in any case", and a flow is added whole, where a batch enqueues its referrers a
 * chunk at a time; a chain as a flow nests one level per referrer, and a failure fails the jobs after it
 * rather than leaving them unenqueued. The same tracking in Redis serves both libraries.
 * NOTE: the process that starts a batch listens to the queue's events; keep one running (or call
 * `track(queue)` in another) until the batch ends.
 */
@Injectable()
export class ReferrerJobs implements OnApplicationShutdown {
  private readonly logger = new Logger('ReferencesReferrerJobs');
  private readonly tracked = new Map<AppQueue, Promise<ReferrerQueue>>();

  constructor(
    private readonly index: ReferenceIndex,
    @Inject(REFERENCES_DATA_SOURCE) private readonly dataSource: DataSource,
  ) {}

  /**
   * Runs the app's own Bull or BullMQ job once per referrer of `reference`: all at once, or with `sequential` one
   * after the other in index order, stopping at the first failure (Celery's chain). Tracks the batch;
   * enqueues `onSuccess` only when every job succeeded, `onError` for each that failed for good, and
   * `onComplete` (succeeded and failed ids) when the batch has ended.
   */
  async run(reference: string, job: ReferrerJob, options: RunOnReferrersOptions = {}): Promise<ReferrerJobBatch> {
    // NOTE: listening before the first job is enqueued, so that no job ends unheard.
    const queue = await this.track(job.queue);
    const redis = await queue.redis();
    const batchId = randomUUID();
    const key = this.key(queue, batchId);
    const sequential = options.sequential === true;
    await redis
      .multi()
      .hset(key, {
        reference,
        total: -1,
        sequential: sequential ? 1 : 0,
        job: JSON.stringify({ name: job.name, data: job.data ?? {}, options: job.options ?? {} }),
        onSuccess: JSON.stringify(options.onSuccess ?? null),
        onError: JSON.stringify(options.onError ?? null),
        onComplete: JSON.stringify(options.onComplete ?? null),
      })
      .expire(key, REFERRER_BATCH_TTL_SECONDS)
      .exec();
    const seen = new Set<string>();
    let pending: string[] = [];
    const chunkSize = options.chunkSize ?? 1000;
    // A group enqueues every job now; a chain lists the referrers in index order and enqueues the first.
    const flush = async () => {
      if (sequential) await redis.multi().rpush(`${key}:chain`, ...pending).expire(`${key}:chain`, REFERRER_BATCH_TTL_SECONDS).exec();
      else await queue.addBulk(pending.map((member) => this.jobOf(reference, batchId, job, member)));
      pending = [];
    };
    for await (const rows of this.index.referrerPages(this.dataSource.manager, reference, { match: options.match, size: PAGE })) {
      for (const row of rows) {
        const member = `${row.referrerType}:${row.referrerId}`;
        if (seen.has(member)) continue;
        seen.add(member);
        pending.push(member);
        if (pending.length >= chunkSize) await flush();
      }
    }
    if (pending.length) await flush();
    await redis.multi().hset(key, { total: seen.size }).expire(key, REFERRER_BATCH_TTL_SECONDS).exec();
    if (sequential) await this.enqueueNext(queue, batchId, 0);
    await this.finishIfDone(queue, batchId);
    return { batchId, total: seen.size };
  }

  /** Progress of a batch started by `run()` on `appQueue` (a Bull or a BullMQ queue). */
  async status(appQueue: AppQueue, batchId: string): Promise<ReferrerJobBatchStatus> {
    const queue = referrerQueueOf(appQueue);
    return this.statusOf(await queue.redis(), this.key(queue, batchId));
  }

  /** Listens to a queue's events to follow the batches started on it (once per queue). */
  track(appQueue: AppQueue): Promise<ReferrerQueue> {
    let tracked = this.tracked.get(appQueue);
    if (!tracked) {
      const queue = referrerQueueOf(appQueue);
      tracked = queue
        .listen((jobId, error) => void this.ended(queue, jobId, error).catch((e) => this.warn(e)))
        .then(() => queue)
        .catch((error) => {
          this.tracked.delete(appQueue);
          throw error;
        });
      this.tracked.set(appQueue, tracked);
    }
    return tracked;
  }

  /** Closes the connections opened to listen to the queues' events. */
  async onApplicationShutdown(): Promise<void> {
    const queues = await Promise.allSettled(this.tracked.values());
    this.tracked.clear();
    await Promise.all(queues.map((queue) => (queue.status === 'fulfilled' ? queue.value.close() : undefined)));
  }

  private async statusOf(redis: Redis, key: string): Promise<ReferrerJobBatchStatus> {
    const [total, succeeded, failed, finished] = await Promise.all([
      redis.hget(key, 'total'),
      redis.scard(`${key}:succeeded`),
      redis.scard(`${key}:failed`),
      redis.exists(`${key}:finished`),
    ]);
    return { total: Math.max(0, Number(total ?? 0)), succeeded, failed, finished: finished === 1 };
  }

  private async ended(queue: ReferrerQueue, jobId: string, error: string | undefined): Promise<void> {
    const parsed = parseJobId(jobId);
    if (!parsed) return;
    // A failed attempt that will be retried is not an end.
    if (error !== undefined && (await queue.retries(jobId))) return;
    const redis = await queue.redis();
    const key = this.key(queue, parsed.batchId);
    const { member } = parsed;
    // NOTE: only the listener that records the end acts on it: several processes may follow one queue.
    const set = `${key}:${error === undefined ? 'succeeded' : 'failed'}`;
    const [[, added]] = (await redis
      .multi()
      .sadd(set, member)
      .expire(set, REFERRER_BATCH_TTL_SECONDS)
      .expire(key, REFERRER_BATCH_TTL_SECONDS)
      .exec())! as Array<[Error | null, number]>;
    if (added && error !== undefined) {
      const onError = JSON.parse((await redis.hget(key, 'onError')) ?? 'null');
      const reference = await redis.hget(key, 'reference');
      if (onError) {
        await queue.add({ name: onError.name, data: { ...onError.data, reference, batchId: parsed.batchId, ...splitMember(member), error } });
      }
    }
    if (added && error === undefined && (await redis.hget(key, 'sequential')) === '1') {
      // A chain moves on by one: the next referrer is the one after every job that succeeded so far.
      await this.enqueueNext(queue, parsed.batchId, await redis.scard(`${key}:succeeded`));
    }
    await this.finishIfDone(queue, parsed.batchId);
  }

  /** A chain's job for the referrer at `position` of its list, if there is one (its job id makes a second add a no-op). */
  private async enqueueNext(queue: ReferrerQueue, batchId: string, position: number): Promise<void> {
    const redis = await queue.redis();
    const key = this.key(queue, batchId);
    const [member, spec, reference] = await Promise.all([redis.lindex(`${key}:chain`, position), redis.hget(key, 'job'), redis.hget(key, 'reference')]);
    if (member === null || !spec || reference === null) return;
    const job = JSON.parse(spec) as Pick<ReferrerJob, 'name' | 'data' | 'options'>;
    await queue.add(this.jobOf(reference, batchId, job, member));
  }

  /** The app's job for one referrer (`type:id`). */
  private jobOf(reference: string, batchId: string, job: Pick<ReferrerJob, 'name' | 'data' | 'options'>, member: string): AppJob {
    return {
      name: job.name,
      data: { ...job.data, reference, batchId, ...splitMember(member) },
      opts: { attempts: 1, ...job.options, jobId: jobIdOf(batchId, member) },
    };
  }

  /**
   * The end of a batch: every job ended, or (a chain) one failed for good. Then `onSuccess` if none failed,
   * and `onComplete` in any case, each once.
   */
  private async finishIfDone(queue: ReferrerQueue, batchId: string): Promise<void> {
    const redis = await queue.redis();
    const key = this.key(queue, batchId);
    const status = await this.statusOf(redis, key);
    const [total, sequential] = await Promise.all([redis.hget(key, 'total'), redis.hget(key, 'sequential')]);
    if (Number(total) < 0) return;
    const stopped = sequential === '1' && status.failed > 0;
    if (!stopped && status.succeeded + status.failed < Number(total)) return;
    // Exactly one listener wins the right to enqueue the follow-ups.
    if ((await redis.set(`${key}:finished`, '1', 'EX', REFERRER_BATCH_TTL_SECONDS, 'NX')) !== 'OK') return;
    const [succeeded, failed, reference, onSuccess, onComplete] = await Promise.all([
      redis.smembers(`${key}:succeeded`),
      redis.smembers(`${key}:failed`),
      redis.hget(key, 'reference'),
      redis.hget(key, 'onSuccess').then((json) => JSON.parse(json ?? 'null')),
      redis.hget(key, 'onComplete').then((json) => JSON.parse(json ?? 'null')),
    ]);
    if (onSuccess && !failed.length) await queue.add({ name: onSuccess.name, data: { ...onSuccess.data, reference, batchId, referrerIds: succeeded } });
    if (onComplete) await queue.add({ name: onComplete.name, data: { ...onComplete.data, reference, batchId, referrerIds: succeeded, failedIds: failed } });
  }

  private key(queue: ReferrerQueue, batchId: string): string {
    // NOTE: under the queue's own key prefix, so that a batch lives and dies with its queue.
    return queue.key(`referrer-batch:${batchId}`);
  }

  private warn(error: unknown) {
    this.logger.warn(`Referrer job tracking: ${(error as Error).message}`);
  }
}
