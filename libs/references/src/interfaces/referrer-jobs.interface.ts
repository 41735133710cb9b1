import type { JobOptions, Queue } from 'bull';
import type { ReferenceMatch } from './reference-row.interface.js';

/** The application's own job, run once per referrer. */
export interface ReferrerJob {
  /** The app's Bull queue. */
  queue: Queue;
  /** The job name its processor handles. */
  name: string;
  /** Data merged into each job, beside `{ reference, batchId, referrerType, referrerId }`. */
  data?: Record<string, unknown>;
  /** Bull job options (attempts, backoff, …). @default { attempts: 1 } */
  options?: JobOptions;
}

/** A follow-up job on the same queue. */
export interface FollowUpJob {
  name: string;
  data?: Record<string, unknown>;
}

/** Options of `ReferencesService.runOnReferrers()`. */
export interface RunOnReferrersOptions {
  /** How the reference is matched. @default 'exact' */
  match?: ReferenceMatch;
  /** Enqueued once when every referrer's job has ended, with `{ reference, batchId, referrerIds, failedIds }`. */
  onSuccess?: FollowUpJob;
  /** Enqueued for each referrer whose job failed for good, with `{ reference, batchId, referrerType, referrerId, error }`. */
  onError?: FollowUpJob;
  /** Jobs added per `addBulk` call. @default 1000 */
  chunkSize?: number;
}

/** What `runOnReferrers()` started. */
export interface ReferrerJobBatch {
  batchId: string;
  /** Referrers a job was enqueued for (each referrer once, however many times it references the target). */
  total: number;
}

/** Progress of a batch started by `runOnReferrers()`. */
export interface ReferrerJobBatchStatus {
  total: number;
  succeeded: number;
  failed: number;
  /** `true` once every job has ended and `onSuccess` was enqueued. */
  finished: boolean;
}
