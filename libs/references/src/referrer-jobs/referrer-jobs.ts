import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Queue } from 'bull';
import type { DataSource } from 'typeorm';
import { REFERENCES_DATA_SOURCE } from '../references.constants.js';
import { ReferenceIndex } from '../reverse-index/reference-index.js';
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
 * The seed's `run_task_on_referrers`: the app's own job once per referrer, a batch tracked in Redis, and
 * follow-up jobs when it ends. Tracking is idempotent (Redis sets), so any number of processes may listen.
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

  async run(reference: string, job: ReferrerJob, options: RunOnReferrersOptions = {}): Promise<ReferrerJobBatch> {
    const { queue } = job;
    this.track(queue);
    const batchId = randomUUID();
    const key = this.key(queue, batchId);
    await queue.client
      .multi()
      .hset(key, {
        reference,
        total: -1,
        onSuccess: JSON.stringify(options.onSuccess ?? null),
        onError: JSON.stringify(options.onError ?? null),
      })
      .expire(key, REFERRER_BATCH_TTL_SECONDS)
      .exec();
    const seen = new Set<string>();
    let pending: Array<{ referrerType: string; referrerId: string }> = [];
    const chunkSize = options.chunkSize ?? 1000;
    const flush = async () => {
      await queue.addBulk(
        pending.map((r) => ({
          name: job.name,
          data: { ...job.data, reference, batchId, referrerType: r.referrerType, referrerId: r.referrerId },
          opts: { attempts: 1, ...job.options, jobId: jobIdOf(batchId, r.referrerType, r.referrerId) },
        })),
      );
      pending = [];
    };
    for await (const rows of this.index.referrerPages(this.dataSource.manager, reference, { match: options.match, size: PAGE })) {
      for (const row of rows) {
        const id = `${row.referrerType}:${row.referrerId}`;
        if (seen.has(id)) continue;
        seen.add(id);
        pending.push(row);
        if (pending.length >= chunkSize) await flush();
      }
    }
    if (pending.length) await flush();
    await queue.client.multi().hset(key, 'total', seen.size).expire(key, REFERRER_BATCH_TTL_SECONDS).exec();
    await this.finishIfDone(queue, batchId);
    return { batchId, total: seen.size };
  }

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
    await this.finishIfDone(queue, parsed.batchId);
  }

  private async finishIfDone(queue: Queue, batchId: string): Promise<void> {
    const key = this.key(queue, batchId);
    const status = await this.status(queue, batchId);
    const total = Number(await queue.client.hget(key, 'total'));
    if (total < 0 || status.succeeded + status.failed < total) return;
    // Exactly one listener wins the right to enqueue the follow-up.
    if ((await queue.client.set(`${key}:finished`, '1', 'EX', REFERRER_BATCH_TTL_SECONDS, 'NX')) !== 'OK') return;
    const onSuccess = JSON.parse((await queue.client.hget(key, 'onSuccess')) ?? 'null');
    if (!onSuccess) return;
    const [succeeded, failed, reference] = await Promise.all([
      queue.client.smembers(`${key}:succeeded`),
      queue.client.smembers(`${key}:failed`),
      queue.client.hget(key, 'reference'),
    ]);
    await queue.add(onSuccess.name, { ...onSuccess.data, reference, batchId, referrerIds: succeeded, failedIds: failed });
  }

  private key(queue: Queue, batchId: string): string {
    // NOTE: under the queue's own key prefix, so that a batch lives and dies with its queue.
    return queue.toKey(`referrer-batch:${batchId}`);
  }

  private warn(error: unknown) {
    this.logger.warn(`Referrer job tracking: ${(error as Error).message}`);
  }
}
