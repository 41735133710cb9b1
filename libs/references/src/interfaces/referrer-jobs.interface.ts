import type { JobOptions } from 'bull';
import type { JobsOptions } from 'bullmq';
import type { AppQueue } from '../referrer-jobs/referrer-queue.adapter.js';
import type { ReferenceMatch } from './reference-row.interface.js';

/** The application's own job, run once per referrer. */
export interface ReferrerJob {
  /** The app's queue: a Bull or a BullMQ `Queue`. */
  queue: AppQueue;
  /** The job name its processor handles. */
  name: string;
  /** Data merged into each job, beside `{ reference, batchId, referrerType, referrerId }`. */
  data?: Record<string, unknown>;
  /** Job options of the queue's library (attempts, backoff, …). @default { attempts: 1 } */
  options?: JobOptions | JobsOptions;
}

/** A follow-up job on the same queue. */
export interface FollowUpJob {
  name: string;
  data?: Record<string, unknown>;
}

/** Options of `ReferrerJobs.run()`. */
export interface RunOnReferrersOptions {
  /** How the reference is matched. @default 'exact' */
  match?: ReferenceMatch;
  /** Enqueued once, only when every referrer's job succeeded, with `{ reference, batchId, referrerIds }`. */
  onSuccess?: FollowUpJob;
  /** Enqueued for each referrer whose job failed for good, with `{ reference, batchId, referrerType, referrerId, error }`. */
  onError?: FollowUpJob;
  /**
   * Enqueued once when the batch has ended, whatever the outcome (after `onSuccess` or the `onError`s), with
   * `{ reference, batchId, referrerIds, failedIds }` (ids as `type:id`).
   */
  onComplete?: FollowUpJob;
  /**
   * One job after the other, in index order, stopping at the first that fails for good (Celery's chain);
   * the referrers after it get no job. @default false (all jobs at once, Celery's group)
   */
  sequential?: boolean;
  /** Jobs added per `addBulk` call. @default 1000 */
  chunkSize?: number;
}

/** What `ReferrerJobs.run()` started. */
export interface ReferrerJobBatch {
  batchId: string;
  /** Referrers a job was enqueued for (each referrer once, however many times it references the target). */
  total: number;
}

/** Progress of a batch started by `ReferrerJobs.run()`. */
export interface ReferrerJobBatchStatus {
  total: number;
  succeeded: number;
  failed: number;
  /** `true` once the batch has ended (every job ended, or a sequential batch stopped) and its follow-ups were enqueued. */
  finished: boolean;
}
