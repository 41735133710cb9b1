import type { EntityManager } from 'typeorm';
import type { ReferenceRow } from './reference-row.interface.js';

/** A record that references another, by type and id. */
export interface ReferrerKey {
  referrerType: string;
  referrerId: string;
}

/** Options of `ReferencesMaintenance.synchronize()`. */
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

/** Why a copy is stale. */
export type StaleCause = 'content' | 'representation';

/** An inline copy that differs from its target's current representation. */
export interface StaleCopy extends ReferenceRow {
  cause: StaleCause;
}

/** An inline copy that holds keys its target's representation leaves out. */
export interface WithheldCopy extends ReferenceRow {
  /** The keys, top-level, or `path.key` in a copy nested in it. */
  keys: string[];
}

/** Options of `ReferencesMaintenance.refreshStale()`. */
export interface RefreshStaleOptions {
  /** Only the targets of this type (its `route`). @default every type */
  type?: string;
  /** Called after each target with how many are done and how many there are. */
  onProgress?: (done: number, total: number) => void;
  /** Stops after the current target; running `refreshStale()` again finishes the work (it asks `verify()` again). */
  signal?: AbortSignal;
}

/** What `ReferencesMaintenance.refreshStale()` did. */
export interface RefreshStaleResult {
  /** The targets with a stale copy (of the type asked for). */
  targets: number;
  /** The targets propagated again (in queue mode: handed to the workers, and waited for). */
  refreshed: number;
  /** `false` when stopped by the signal. */
  done: boolean;
}

/** What `verify()` found; it changes nothing. */
export interface VerifyReport {
  /** References present in a record and absent from the index. */
  missing: ReferenceRow[];
  /** Index rows that no record holds (or whose record is gone). */
  extra: ReferenceRow[];
  /**
   * Inline copies that differ from what the target's current representation would give, with the cause:
   * `representation` when the copy differs only in which keys it holds (every key it shares with the
   * expected copy has the expected value: the representation, its `groups` or the field's `fields` changed),
   * `content` when a value differs. `references refresh --stale` rewrites both.
   */
  stale: StaleCopy[];
  /**
   * Stored copies that hold a key the target's current representation leaves out (`@Exclude()`, `groups`,
   * `representation`), with those keys: the leak audit (`references verify --private`). Empty once a change
   * of the representation is rolled out.
   */
  withheld: WithheldCopy[];
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
export type VerifyKind = 'missing' | 'extra' | 'stale' | 'withheld' | 'dangling' | 'nonCanonical' | 'invalid';

/** Options of `ReferencesMaintenance.verify()`. */
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
  /** Only the failed propagations of this target's changes (its canonical URL, as `reference` says). */
  reference?: string;
  /** The `nextCursor` of the previous page. */
  cursor?: string;
}

/** A page of `failedPropagations()`. */
export interface FailedPropagationsPage {
  items: FailedPropagation[];
  /** The cursor of the next page, `null` on the last one. */
  nextCursor: string | null;
}

/** Options of `ReferencesMaintenance.rebase()`. */
export interface RebaseOptions {
  /** Records per committed batch. @default the module's `batchSize` */
  batchSize?: number;
  /** Called after each batch of records with how many are done and how many there are. */
  onProgress?: (done: number, total: number) => void;
  /** Stops after the current batch; running `rebase` again finishes the work. */
  signal?: AbortSignal;
}

/** What `ReferencesMaintenance.rebase()` did. */
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

/** What `ReferencesMaintenance.repair()` did. */
export interface RepairResult {
  /** Records saved again, their references canonical and their copies taken from the targets. */
  repaired: ReferrerKey[];
  /** Records that could not be saved again, with why (a spelling that names no record, say). */
  failed: Array<ReferrerKey & { reason: string }>;
}

/** Options of the writing methods of `ReferencesService` and `ReferencesMaintenance`. */
export interface TransactionOptions {
  /** Run inside this transaction instead of a new one. */
  manager?: EntityManager;
}
