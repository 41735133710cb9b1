import type { ReferenceRow } from './reference-row.interface.js';

/** A record that references another, by type and id. */
export interface ReferrerKey {
  referrerType: string;
  referrerId: string;
}

/** Options of `ReferencesService.synchronize()`. */
export interface SynchronizeOptions {
  /**
   * Empty the index first (the seed's `references synchronize --clear`). The whole rebuild is then one
   * transaction: everyone else sees the old index until it commits (a `restrict` delete is refused, a
   * propagation reaches every referrer), and a run that stops or fails leaves the index as it was. Writers
   * of referrers wait for it (or answer `WriteConflictError` after `lockTimeoutMs`).
   * @default false
   */
  clear?: boolean;
  /** Records read per batch. @default the module's batchSize */
  batchSize?: number;
  /** Called after each batch with the records done so far and the total; a promise it returns is awaited. */
  onProgress?: (done: number, total: number) => unknown;
  /**
   * Checked between batches; when it is aborted, the run stops after the current batch (with `clear`, the
   * whole run is rolled back: the index stays as it was).
   */
  signal?: AbortSignal;
}

/** What `synchronize()` did. */
export interface SynchronizeResult {
  records: number;
  references: number;
  /** Records whose metadata the library cannot read as references (indexed without rows), with why. */
  invalid: Array<ReferrerKey & { reason: string }>;
}

/** What `verify()` found; it changes nothing. */
export interface VerifyReport {
  /** References present in a record and absent from the index. */
  missing: ReferenceRow[];
  /** Index rows that no record holds (or whose record is gone). */
  extra: ReferenceRow[];
  /** Inline copies that differ from what the target's current representation would give. */
  stale: ReferenceRow[];
  /** References to local records that do not exist. */
  dangling: ReferenceRow[];
  /**
   * Local references stored in another spelling than their canonical URL (written before the library
   * canonicalised them, or behind its back); `repair()` rewrites those it can.
   */
  nonCanonical: ReferenceRow[];
  /** Records whose metadata the library cannot read as references (a copy without its link, say), with why. */
  invalid: Array<ReferrerKey & { reason: string }>;
  /** Records checked. */
  records: number;
  /**
   * How many of each were found; each list above holds at most `limit` of them (`VerifyOptions`), so a
   * report on a database with millions of drifted rows stays small.
   */
  totals: Record<VerifyKind, number>;
  /** `true` when nothing was found. */
  ok: boolean;
}

/** The lists of a `VerifyReport`. */
export type VerifyKind = 'missing' | 'extra' | 'stale' | 'dangling' | 'nonCanonical' | 'invalid';

/** Options of `ReferencesService.verify()`. */
export interface VerifyOptions {
  /**
   * Rows kept per list of the report (the totals count them all).
   * @default 10000
   */
  limit?: number;
}

/** The queue's state (all zero in sync mode). */
export interface ReferencesStatus {
  pending: number;
  running: number;
  failed: number;
  /**
   * Changes whose run met transient errors (a server down, a lock held) for longer than
   * `queue.maxTransientRetryMs`; the sweep takes them up again.
   */
  blocked: number;
  /** Running changes whose worker is gone: no batch committed within the lease (`queue.leaseMs`); the sweep enqueues them again. */
  stalled: number;
  /** Age in milliseconds of the oldest pending, running or blocked change, or `null` when none is. */
  oldestPendingMs: number | null;
  /** The target (reference URL) of that oldest change, or `null`. */
  oldestPendingReference: string | null;
  /** The target of the oldest failed change (`references failed` lists them all), or `null`. */
  failedReference: string | null;
  /**
   * Batches of changed referrers the `ReferrerIndexer` failed on too many times (25): no longer retried, kept in
   * `reference_reindex` with the error (both modes). Fix the indexer, then `reindexReferrers()` the targets.
   */
  reindexFailed: number;
}

/** One propagation that failed for good, as `failedPropagations()` lists it. */
export interface FailedPropagation {
  /** The outbox row's id: what `retryFailed()` and `references retry` take. */
  id: number;
  /** The target whose change did not reach this referrer. */
  reference: string;
  /** The referrer that refused its update; `null` when the whole change failed (not one referrer). */
  referrerType: string | null;
  referrerId: string | null;
  /** The JSON path of the copy in that referrer. */
  path: string | null;
  /** The error the database gave. */
  reason: string | null;
  /** Runs that ended without finishing it. */
  attempts: number;
  /** When the change was written. */
  since: Date;
}

/** Options of `failedPropagations()`. */
export interface FailedPropagationsOptions {
  /** Rows per page. @default 100 */
  limit?: number;
  /** The `nextCursor` of the previous page. */
  cursor?: string;
}

/** A page of `failedPropagations()`. */
export interface FailedPropagationsPage {
  items: FailedPropagation[];
  /** The cursor of the next page, `null` on the last one. */
  nextCursor: string | null;
}

/** Options of `ReferencesService.rebase()`. */
export interface RebaseOptions {
  /** Records per committed batch. @default the module's `batchSize` */
  batchSize?: number;
  /** Called after each batch of records with how many are done and how many there are. */
  onProgress?: (done: number, total: number) => void;
  /** Stops after the current batch; running `rebase` again finishes the work. */
  signal?: AbortSignal;
}

/** What `ReferencesService.rebase()` did. */
export interface RebaseResult {
  from: string;
  to: string;
  /** Documents rewritten. */
  records: number;
  /** Index rows moved. */
  references: number;
  /** `false` when stopped by the signal: the stored base URL is still `from` until a run completes. */
  done: boolean;
}

/** What `ReferencesService.repair()` did. */
export interface RepairResult {
  /** Records saved again, their references canonical and their copies taken from the targets. */
  repaired: ReferrerKey[];
  /** Records that could not be saved again, with why (a spelling that names no record, say). */
  failed: Array<ReferrerKey & { reason: string }>;
}
