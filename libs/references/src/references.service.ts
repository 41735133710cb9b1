import { Inject, Injectable } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import {
  InvalidReferenceUrlError,
  PropagationTimeoutError,
  ReferencesConfigurationError,
  UnknownReferenceError,
} from './errors/references.errors.js';
import { extractReferences } from './extraction/reference-extractor.js';
import { invalidReferenceUrlReason } from './urls/reference-url.js';
import type { ReferencesModuleOptions } from './interfaces/references-module-options.interface.js';
import { IDLE_STATUS, ReferenceOutbox } from './outbox/reference-outbox.js';
import { FailedPropagations } from './outbox/failed-propagations.js';
import type { PropagationStrategy } from './propagation/propagation-strategy.js';
import { ReferrersNotifier } from './propagation/referrers-notifier.js';
import { RecordLoader } from './records/record-loader.js';
import { PROPAGATION_STRATEGY, REFERENCES_BASE_URL, REFERENCES_DATA_SOURCE, REFERENCES_MODULE_OPTIONS } from './references.constants.js';
import { ReferenceTypesRegistry } from './registry/reference-types.registry.js';
import { ReferenceIndex } from './reverse-index/reference-index.js';
import { WriteTransactions, type WriteTransactionOptions } from './transaction/write-transactions.js';
import type {
  CountReferrersOptions,
  FoundReference,
  ResolvedReference,
  GetReferrersOptions,
  GetReferrersPageOptions,
  ReferenceRow,
  ReferrersPage,
} from './interfaces/reference-row.interface.js';
import type {
  FailedPropagationsOptions,
  FailedPropagationsPage,
  VerifyOptions,
  RepairResult,
  RebaseOptions,
  RebaseResult,
  ReferencesStatus,
  ReferrerKey,
  SynchronizeOptions,
  SynchronizeResult,
  VerifyReport,
} from './interfaces/references-reports.interface.js';
import { IndexSynchronizer } from './maintenance/index-synchronizer.js';
import { IndexVerifier } from './maintenance/index-verifier.js';
import { Rebaser } from './maintenance/rebaser.js';
import { Repairer } from './maintenance/repairer.js';
import type { ResolvedBaseUrl } from './settings/base-url.js';
import { NonCanonicalReferenceError, ReferenceContentMismatchError } from './errors/references.errors.js';
import { ReferenceUrls } from './urls/reference-urls.js';
import type { ChangedReferrers } from './propagation/propagator.js';
import type { ReferenceType } from './registry/reference-type.js';
import type { Queue } from 'bull';
import type {
  ReferrerJob,
  ReferrerJobBatch,
  ReferrerJobBatchStatus,
  RunOnReferrersOptions,
} from './interfaces/referrer-jobs.interface.js';
import { ReferrerJobs } from './referrer-jobs/referrer-jobs.js';

/** Rows kept per list of a `verify()` report by default. */
const DEFAULT_VERIFY_LIMIT = 10_000;

/** Options of the service's writing methods. */
export interface TransactionOptions {
  /** Run inside this transaction instead of a new one. */
  manager?: EntityManager;
}

/**
 * The public API of the library (the seed's `current_references`). Everything that happens on `save()`
 * and `remove()` happens by itself; these methods are for queries, for targets outside the database
 * (external URLs), and for maintenance. A facade: each method hands its work to the part that owns it.
 */
@Injectable()
export class ReferencesService {
  constructor(
    @Inject(REFERENCES_MODULE_OPTIONS) private readonly options: ReferencesModuleOptions,
    @Inject(REFERENCES_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(PROPAGATION_STRATEGY) private readonly propagation: PropagationStrategy,
    private readonly registry: ReferenceTypesRegistry,
    private readonly index: ReferenceIndex,
    private readonly loader: RecordLoader,
    private readonly notifier: ReferrersNotifier,
    private readonly outbox: ReferenceOutbox,
    private readonly synchronizer: IndexSynchronizer,
    private readonly verifier: IndexVerifier,
    private readonly referrerJobs: ReferrerJobs,
    private readonly transactions: WriteTransactions,
    private readonly urls: ReferenceUrls,
    private readonly rebaser: Rebaser,
    private readonly repairer: Repairer,
    @Inject(REFERENCES_BASE_URL) private readonly base: ResolvedBaseUrl,
    private readonly failed: FailedPropagations,
  ) {}

  /** The base URL of every canonical URL: the one stored with the references. */
  get baseUrl(): string {
    return this.base.url;
  }

  /**
   * Runs a write transaction that a collision with concurrent writers does not fail: on a deadlock, a
   * serialization failure or a busy SQLite database the attempt is rolled back and `work` runs again (up to
   * `attempts` times, with a jittered backoff), then `WriteConflictError` (503). Use it for every write
   * of reference-enabled records: the library's lock discipline makes a cycle of references deadlock
   * now and then, by design (see README, "Concurrency"). `work` must not act outside the transaction.
   *
   * @example
   * await references.transaction((manager) => manager.save(artwork));
   */
  transaction<T>(work: (manager: EntityManager) => Promise<T>, options?: WriteTransactionOptions): Promise<T> {
    return this.transactions.run(work, options);
  }

  /**
   * The records that reference `reference` (the seed's `get_records(reference, exact)`). Exact by default:
   * `…/terms/1` never matches `…/terms/10`. A prefix is matched literally: `%`, `_` and `\` are not wildcards.
   * Ordered by reference (code point order), then in the order the references were indexed.
   */
  getReferrers(reference: string, options: GetReferrersOptions = {}): Promise<ReferenceRow[]> {
    return this.index.referrers(this.dataSource.manager, this.asQueried(reference, options), options);
  }

  /**
   * A page of `getReferrers()`, by key: `next` is the cursor of the page after it (`null` on the last page).
   * Each page is one range scan of the index, however deep; rows written or deleted between pages never make
   * the walk repeat a row or skip one that was there all along. A cursor that no page answered is refused
   * (`InvalidCursorError`, 400).
   *
   * @example
   * for (let cursor: string | undefined; ; ) {
   *   const { rows, next } = await references.getReferrersPage(url, { limit: 100, cursor });
   *   // …
   *   if (!next) break;
   *   cursor = next;
   * }
   */
  getReferrersPage(reference: string, options: GetReferrersPageOptions): Promise<ReferrersPage> {
    return this.index.referrersPage(this.dataSource.manager, this.asQueried(reference, options), options);
  }

  /**
   * How many index rows `getReferrers()` would return without `limit`. With `limit`, counts at most that
   * many: a count of every row reads every matching index entry, which a page should not pay for.
   */
  countReferrers(reference: string, options: CountReferrersOptions = {}): Promise<number> {
    return this.index.countReferrers(this.dataSource.manager, this.asQueried(reference, options), options);
  }

  /** The outgoing references of a reference-enabled record. */
  getReferences(record: object): Promise<ReferenceRow[]> {
    const type = this.typeOf(record);
    return this.index.references(this.dataSource.manager, type.name, type.idOf(record));
  }

  /** The canonical URL of a reference-enabled record. */
  canonicalUrl(record: object): string {
    return this.typeOf(record).canonicalUrl(record);
  }

  /** `{ ...metadata, id, links: { self } }`: what other records inline of `record`. */
  representationOf(record: object): Record<string, any> {
    return this.typeOf(record).representationOf(record);
  }

  /**
   * The local record `url` names, as `{ type, id }` (`type` is its `route`), or `undefined` when it names
   * none (another site, another path, a malformed id). The seed's `get_reference_uuid`. Whether the record
   * exists is not asked.
   */
  resolveReference(url: string): ResolvedReference | undefined {
    const local = this.registry.resolve(url);
    return local && { type: local.type.name, id: local.id };
  }

  /**
   * The references that `metadata` holds, at any depth, as the index would record them for a record of
   * `entityClass`; nothing is read or written. A reference that is not a URL throws
   * `InvalidReferenceUrlError` naming its path, as `save()` would.
   */
  referencesOf(entityClass: Function, metadata: Record<string, any>): FoundReference[] {
    const type = this.registry.forEntity(entityClass);
    if (!type) throw new ReferencesConfigurationError(`${entityClass.name} is not a @ReferenceEnabled() entity`);
    return extractReferences(type.schema, metadata).map((spec) => ({
      reference: spec.reference,
      referenceUuid: spec.referenceUuid,
      inline: spec.inline,
      path: spec.path,
      onDelete: spec.field.onDelete,
    }));
  }

  /**
   * Takes every inline copy of a local record in `record` again from its target, and saves the record if
   * that changed it (the seed's `update_inlined_ref`); copies of remote targets stay as they are (use
   * `referenceContentChanged()` for those). The record is read afresh in the transaction and saved as any
   * `save()` would, so its own referrers hear of the change. Returns the stored record.
   */
  async refreshReferences<T extends object>(record: T, options: TransactionOptions = {}): Promise<T> {
    const type = this.typeOf(record);
    const work = async (manager: EntityManager): Promise<T> => {
      const where = type.entityMetadata.getEntityIdMap(record);
      const { record: stored } = where ? await this.repairer.rewrite<T>(manager, type, where) : {};
      if (!stored) throw new UnknownReferenceError(type.canonicalUrl(record), 'refreshReferences');
      return stored;
    };
    return options.manager ? work(options.manager) : this.transactions.run(work);
  }

  /**
   * The target at `url` has new content (the seed's `reference_content_changed`): refresh every inline
   * copy of it, and hand its link referrers to the `ReferrerIndexer` and the `references.referrers-updated`
   * event (their documents may show it; `@ReferenceByLink({ reindexOnChange: false })` leaves a field
   * out). For local records this happens on `save()` by itself; call it for targets that live elsewhere.
   * Returns every referrer it touched, copies refreshed and links reported (none yet in queue mode, where
   * workers do both). Without a valid `url`: `InvalidReferenceUrlError`, and nothing happens. The copies'
   * `links.self` is `url` (filled in when the content has none, as a webhook body); content whose
   * `links.self` names another record is refused (`ReferenceContentMismatchError`).
   */
  async referenceContentChanged(content: Record<string, any>, target: { url: string; uuid?: string }, options: TransactionOptions = {}): Promise<ReferrerKey[]> {
    const reason = invalidReferenceUrlReason(target?.url);
    if (reason) throw new InvalidReferenceUrlError('url', reason);
    const url = this.urls.canonical(target.url);
    const self = content?.links?.self;
    if (self !== undefined && this.urls.canonical(String(self)) !== url) throw new ReferenceContentMismatchError(url, String(self));
    const representation = { ...content, ...(target.uuid === undefined ? {} : { id: target.uuid }), links: { ...content?.links, self: url } };
    const type = this.registry.resolve(url)?.type;
    return this.inTransaction(options, (manager) => this.propagation.contentChanged(manager, { reference: url, representation, type }));
  }

  /** The target at `oldUrl` moved to `newUrl`: rewrite links and `links.self` of inline copies (the seed's `reference_changed`). */
  async referenceChanged(oldUrl: string, newUrl: string, options: TransactionOptions = {}): Promise<ReferrerKey[]> {
    const [from, to] = [this.urls.canonical(oldUrl), this.urls.canonical(newUrl)];
    return this.inTransaction(options, (manager) => this.propagation.referenceChanged(manager, from, to));
  }

  /**
   * Propagates the current content of the local record at `reference` again to every inline copy of it:
   * what `verify()` reports stale, this repairs. Returns the referrers updated (none yet in queue mode).
   */
  async refresh(url: string, options: TransactionOptions = {}): Promise<ReferrerKey[]> {
    const reference = this.urls.canonical(url);
    const local = this.registry.resolve(reference);
    if (!local) throw new UnknownReferenceError(reference, 'refresh');
    return this.inTransaction(options, async (manager) => {
      const record = await this.loader.load(manager, local.type, local.id, { by: 'key' });
      if (!record) throw new UnknownReferenceError(reference, 'refresh');
      return this.propagation.contentChanged(manager, {
        reference,
        representation: local.type.representationOf(record),
        type: local.type,
      });
    });
  }

  /** Removes the outgoing index rows of a record (the seed's `delete_references_record`). */
  async deleteReferences(record: object, options: TransactionOptions = {}): Promise<void> {
    const type = this.typeOf(record);
    await this.inTransaction(options, async (manager) => {
      await this.index.removeReferrer(manager, type.name, [type.idOf(record)]);
      return new Map();
    });
  }

  /**
   * Hands every referrer of `reference` to the `ReferrerIndexer` and the `references.referrers-updated`
   * event, a batch at a time. Returns how many referrers it reported.
   */
  async reindexReferrers(reference: string, options: Pick<GetReferrersOptions, 'match'> = {}): Promise<number> {
    let count = 0;
    for await (const rows of this.index.referrerPages(this.dataSource.manager, reference, { match: options.match, size: this.options.batchSize! })) {
      const byType = new Map<string, Set<string>>();
      for (const row of rows) (byType.get(row.referrerType) ?? byType.set(row.referrerType, new Set()).get(row.referrerType)!).add(row.referrerId);
      await this.notifier.deliver([...byType].map(([referrerType, ids]) => ({ reference, referrerType, referrerIds: [...ids] })));
      count += rows.length;
    }
    return count;
  }

  /**
   * Runs the app's own Bull job once per referrer of `reference` (the seed's `run_task_on_referrers`): all
   * at once, or with `sequential` one after the other in index order, stopping at the first failure
   * (Celery's chain). Tracks the batch; enqueues `onSuccess` only when every job succeeded, `onError` for
   * each that failed for good, and `onComplete` (succeeded and failed ids) when the batch has ended.
   */
  runOnReferrers(reference: string, job: ReferrerJob, options: RunOnReferrersOptions = {}): Promise<ReferrerJobBatch> {
    return this.referrerJobs.run(reference, job, options);
  }

  /** Progress of a batch started by `runOnReferrers()`. */
  referrerJobsStatus(queue: Queue, batchId: string): Promise<ReferrerJobBatchStatus> {
    return this.referrerJobs.status(queue, batchId);
  }

  /** Rebuilds the index from all reference-enabled records (the seed's `references synchronize [--clear]`). */
  synchronize(options: SynchronizeOptions = {}): Promise<SynchronizeResult> {
    return this.synchronizer.synchronize({ ...options, batchSize: options.batchSize ?? this.options.batchSize! });
  }

  /**
   * Reports missing and extra index rows, stale inline copies and dangling references; changes nothing. Each
   * list holds at most `limit` rows (default 10,000); `totals` counts them all.
   */
  verify(options: VerifyOptions = {}): Promise<VerifyReport> {
    const limit = options.limit ?? DEFAULT_VERIFY_LIMIT;
    if (!(Number.isInteger(limit) && limit >= 0)) throw new ReferencesConfigurationError(`verify(): limit must be a non-negative integer, got ${limit}`);
    return this.verifier.verify(Math.min(this.options.batchSize!, 1000), limit);
  }

  /**
   * Writes again, through TypeORM, every record that `verify()` reports with a local reference in another
   * spelling than its canonical URL: the reference canonical, the copy from its target, the index and the
   * referrers following. A spelling that names no record cannot be repaired: it is reported as failed.
   */
  async repair(): Promise<RepairResult> {
    // NOTE: every non-canonical row: repair rewrites them all.
    const report = await this.verify({ limit: Number.MAX_SAFE_INTEGER });
    const keys = new Map(report.nonCanonical.map((row) => [`${row.referrerType}/${row.referrerId}`, row]));
    return this.repairer.repair([...keys.values()].map(({ referrerType, referrerId }) => ({ referrerType, referrerId })));
  }

  /**
   * Pending, running, blocked and failed propagations (queue mode; all zero in sync mode, where nothing waits),
   * and the referrers the indexer failed on for good.
   */
  async status(): Promise<ReferencesStatus> {
    const status = this.options.propagation === 'queue' ? await this.outbox.status() : { ...IDLE_STATUS };
    status.reindexFailed = await this.notifier.parked();
    return status;
  }

  /**
   * The propagations that failed for good (queue mode; none in sync mode, where a failure fails the write), a
   * page at a time, oldest first: the target, the referrer and the path of its copy, the database's reason.
   */
  failedPropagations(options: FailedPropagationsOptions = {}): Promise<FailedPropagationsPage> {
    return this.failed.list(options);
  }

  /**
   * Runs these failed propagations (ids from `failedPropagations()`), or all of them, again: each is pending
   * once more and the next sweep enqueues it. Returns the ids reopened.
   */
  retryFailed(ids: number[] | 'all'): Promise<number[]> {
    return this.failed.retry(ids);
  }

  /**
   * Resolves when no propagation is pending or running (at once in sync mode); rejects with a
   * `PropagationTimeoutError` after `timeoutMs`. Tests and scripts wait with it instead of sleeping.
   */
  async waitForIdle(timeoutMs = 30_000, pollMs = 50): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const status = await this.status();
      if (status.pending === 0 && status.running === 0 && status.blocked === 0) return;
      if (Date.now() > deadline) throw new PropagationTimeoutError(timeoutMs, status);
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }

  /**
   * Moves every stored reference to a new base URL and records it (`references rebase`): documents, the
   * reverse index and the outbox, in committed batches; stopped (`signal`) or interrupted, a new run
   * finishes it. Stop every other process of the app first, and start them with the new base URL after.
   */
  rebase(newBaseUrl: string, options: RebaseOptions = {}): Promise<RebaseResult> {
    return this.rebaser.rebase(newBaseUrl, { ...options, batchSize: options.batchSize ?? Math.min(this.options.batchSize!, 1000) });
  }

  /**
   * An exact reference is looked up in its canonical spelling; a prefix, or a spelling that cannot be a
   * record's URL (which no stored reference has), as it is.
   */
  private asQueried(reference: string, options: Pick<GetReferrersOptions, 'match'>): string {
    if (options.match === 'prefix') return reference;
    try {
      return this.urls.canonical(reference);
    } catch (error) {
      if (error instanceof NonCanonicalReferenceError) return reference;
      throw error;
    }
  }

  private typeOf(record: object): ReferenceType {
    const type = this.registry.forEntity(record.constructor);
    if (!type) throw new ReferencesConfigurationError(`${record.constructor.name} is not a @ReferenceEnabled() entity`);
    return type;
  }

  private async inTransaction(options: TransactionOptions, work: (manager: EntityManager) => Promise<ChangedReferrers>): Promise<ReferrerKey[]> {
    const changed = options.manager ? await work(options.manager) : await this.transactions.run(work);
    return [...changed].flatMap(([type, ids]) => [...ids].map((referrerId) => ({ referrerType: type.name, referrerId })));
  }
}

/** A value as JSON stores it: undefined properties gone, every object a plain one. */
