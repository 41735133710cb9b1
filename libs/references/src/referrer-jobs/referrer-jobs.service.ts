import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Queue } from 'bull';
import type { DataSource } from 'typeorm';
import { REFERENCES_DATA_SOURCE } from '../references.constants.js';
import { ReferenceIndex } from '../reverse-index/reference-index.service.js';
import type {
  ReferrerJob,
  ReferrerJobBatch,
  ReferrerJobBatchStatus,
  RunOnReferrersOptions,
} from '../interfaces/referrer-jobs.interface.js';

const JOB_PREFIX = 'referrers';
const PAGE = 1000;

/**
 * Seconds a batch's keys live in Redis after their last change: a finished batch's status stays readable
 * for a week, then its keys go (an unfinished one's too, once nothing happened to it for a week).
 */
export const REFERRER_BATCH_TTL_SECONDS = 7 * 24 * 60 * 60;

/** `referrers:<batch>:<type>:<id>`: the job id names its batch and its referrer, so events need no lookup. */
const jobIdOf = (batchId: string, referrerType: string, referrerId: string) => `${JOB_PREFIX}:${batchId}:${referrerType}:${referrerId}`;

function parseJobId(jobId: string): { batchId: string; referrerType: string; referrerId: string } | undefined {
  const [prefix, batchId, referrerType, ...rest] = String(jobId).split(':');
  return prefix === JOB_PREFIX && batchId && referrerType && rest.length ? { batchId, referrerType, referrerId: rest.join(':') } : undefined;
}

/**
 * `runOnReferrers`: the app's own job once per referrer, all at once (a group) or one after the other (a
 * chain, stopping at the first failure), a batch tracked in Redis, and follow-up jobs when it ends
 * (`onSuccess` only if every job succeeded, `onError` per failure, `onComplete` always). Tracking is
 * idempotent (Redis sets), so any number of processes may listen. Injected as `ReferrerJobs`, or
 * `@InjectReferrerJobs(name)` for a named data source.
 * NOTE: the process that starts a batch listens to the queue's global events; keep one running (or call
 * `track(queue)` in another) until the batch ends.
 */
@Injectable()
export class ReferrerJobs {
  private readonly logger = new Logger('ReferencesReferrerJobs');
  private readonly tracked = new WeakSet<Queue>();

  constructor(
    private readonly index: ReferenceIndex,
    @Inject(REFERENCES_DATA_SOURCE) private readonly dataSource: DataSource,
  ) {}

  /**
   * Runs the app's own Bull job once per referrer of `reference`: all at once, or with `sequential` one
   * after the other in index order, stopping at the first failure (Celery's chain). Tracks the batch;
   * enqueues `onSuccess` only when every job succeeded, `onError` for each that failed for good, and
   * `onComplete` (succeeded and failed ids) when the batch has ended.
   */
  async run(reference: string, job: ReferrerJob, options: RunOnReferrersOptions = {}): Promise<ReferrerJobBatch> {
    const { queue } = job;
    this.track(queue);
    const batchId = randomUUID();
    const key = this.key(queue, batchId);
    const sequential = options.sequential === true;
    await queue.client
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
      if (sequential) await queue.client.multi().rpush(`${key}:chain`, ...pending).expire(`${key}:chain`, REFERRER_BATCH_TTL_SECONDS).exec();
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
    await queue.client.multi().hset(key, 'total', seen.size).expire(key, REFERRER_BATCH_TTL_SECONDS).exec();
    if (sequential) await this.enqueueNext(queue, batchId, 0);
    await this.finishIfDone(queue, batchId);
    return { batchId, total: seen.size };
  }

  /** Progress of a batch started by `run()` on `queue`. */
  async status(queue: Queue, batchId: string): Promise<ReferrerJobBatchStatus> {
    const key = this.key(queue, batchId);
    const [total, succeeded, failed, finished] = await Promise.all([
      queue.client.hget(key, 'total'),
      queue.client.scard(`${key}:succeeded`),
      queue.client.scard(`${key}:failed`),
      queue.client.exists(`${key}:finished`),
    ]);
    return { total: Math.max(0, Number(total ?? 0)), succeeded, failed, finished: finished === 1 };
  }

  /** Listens to a queue's global events to follow the batches started on it. */
  track(queue: Queue): void {
    if (this.tracked.has(queue)) return;
    this.tracked.add(queue);
    queue.on('global:completed', (jobId: string) => void this.ended(queue, jobId, undefined).catch((e) => this.warn(e)));
    queue.on('global:failed', (jobId: string, error: string) => void this.ended(queue, jobId, error).catch((e) => this.warn(e)));
  }

  private async ended(queue: Queue, jobId: string, error: string | undefined): Promise<void> {
    const parsed = parseJobId(jobId);
    if (!parsed) return;
    if (error !== undefined) {
      const job = await queue.getJob(jobId);
      // A failed attempt that will be retried is not an end.
      if (job && job.attemptsMade < (job.opts.attempts ?? 1)) return;
    }
    const key = this.key(queue, parsed.batchId);
    const member = `${parsed.referrerType}:${parsed.referrerId}`;
    // NOTE: only the listener that records the end acts on it: several processes may follow one queue.
    const set = `${key}:${error === undefined ? 'succeeded' : 'failed'}`;
    const [[, added]] = (await queue.client
      .multi()
      .sadd(set, member)
      .expire(set, REFERRER_BATCH_TTL_SECONDS)
      .expire(key, REFERRER_BATCH_TTL_SECONDS)
      .exec())! as Array<[Error | null, number]>;
    if (added && error !== undefined) {
      const onError = JSON.parse((await queue.client.hget(key, 'onError')) ?? 'null');
      const reference = await queue.client.hget(key, 'reference');
      if (onError) {
        await queue.add(onError.name, { ...onError.data, reference, batchId: parsed.batchId, referrerType: parsed.referrerType, referrerId: parsed.referrerId, error });
      }
    }
    if (added && error === undefined && (await queue.client.hget(key, 'sequential')) === '1') {
      // A chain moves on by one: the next referrer is the one after every job that succeeded so far.
      await this.enqueueNext(queue, parsed.batchId, await queue.client.scard(`${key}:succeeded`));
    }
    await this.finishIfDone(queue, parsed.batchId);
  }

  /** A chain's job for the referrer at `position` of its list, if there is one (its job id makes a second add a no-op). */
  private async enqueueNext(queue: Queue, batchId: string, position: number): Promise<void> {
    const key = this.key(queue, batchId);
    const [member, spec, reference] = await Promise.all([
      queue.client.lindex(`${key}:chain`, position),
      queue.client.hget(key, 'job'),
      queue.client.hget(key, 'reference'),
    ]);
    if (member === null || !spec || reference === null) return;
    const job = JSON.parse(spec) as Pick<ReferrerJob, 'name' | 'data' | 'options'>;
    const next = this.jobOf(reference, batchId, job, member);
    await queue.add(next.name, next.data, next.opts);
  }

  /** The app's job for one referrer (`type:id`). */
  private jobOf(reference: string, batchId: string, job: Pick<ReferrerJob, 'name' | 'data' | 'options'>, member: string) {
    const separator = member.indexOf(':');
    const referrerType = member.slice(0, separator);
    const referrerId = member.slice(separator + 1);
    return {
      name: job.name,
      data: { ...job.data, reference, batchId, referrerType, referrerId },
      opts: { attempts: 1, ...job.options, jobId: jobIdOf(batchId, referrerType, referrerId) },
    };
  }

  /**
   * The end of a batch: every job ended, or (a chain) one failed for good. Then `onSuccess` if none failed,
   * and `onComplete` in any case, each once.
   */
  private async finishIfDone(queue: Queue, batchId: string): Promise<void> {
    const key = this.key(queue, batchId);
    const status = await this.status(queue, batchId);
    const [total, sequential] = await Promise.all([queue.client.hget(key, 'total'), queue.client.hget(key, 'sequential')]);
    if (Number(total) < 0) return;
    const stopped = sequential === '1' && status.failed > 0;
    if (!stopped && status.succeeded + status.failed < Number(total)) return;
    // Exactly one listener wins the right to enqueue the follow-ups.
    if ((await queue.client.set(`${key}:finished`, '1', 'EX', REFERRER_BATCH_TTL_SECONDS, 'NX')) !== 'OK') return;
    const [succeeded, failed, reference, onSuccess, onComplete] = await Promise.all([
      queue.client.smembers(`${key}:succeeded`),
      queue.client.smembers(`${key}:failed`),
      queue.client.hget(key, 'reference'),
      queue.client.hget(key, 'onSuccess').then((json) => JSON.parse(json ?? 'null')),
      queue.client.hget(key, 'onComplete').then((json) => JSON.parse(json ?? 'null')),
    ]);
    if (onSuccess && !failed.length) await queue.add(onSuccess.name, { ...onSuccess.data, reference, batchId, referrerIds: succeeded });
    if (onComplete) await queue.add(onComplete.name, { ...onComplete.data, reference, batchId, referrerIds: succeeded, failedIds: failed });
  }

  private key(queue: Queue, batchId: string): string {
    // NOTE: under the queue's own key prefix, so that a batch lives and dies with its queue.
    return queue.toKey(`referrer-batch:${batchId}`);
  }

  private warn(error: unknown) {
    this.logger.warn(`Referrer job tracking: ${(error as Error).message}`);
  }
}
