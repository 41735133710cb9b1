import { Inject, Injectable } from '@nestjs/common';
import { PropagationTimeoutError, ReferencesConfigurationError } from '../errors/references.errors.js';
import type { GetReferrersOptions } from '../interfaces/reference-row.interface.js';
import type { ReferencesModuleOptions } from '../interfaces/references-module-options.interface.js';
import type {
  FailedPropagationsOptions,
  FailedPropagationsPage,
  RebaseOptions,
  RebaseResult,
  ReferencesStatus,
  RefreshStaleOptions,
  RefreshStaleResult,
  ReferrerKey,
  RepairResult,
  SynchronizeOptions,
  SynchronizeResult,
  TransactionOptions,
  VerifyOptions,
  VerifyReport,
} from '../interfaces/references-reports.interface.js';
import { FailedPropagations } from '../outbox/failed-propagations.service.js';
import { ReferenceOutbox } from '../outbox/reference-outbox.service.js';
import { ReferrersNotifier } from '../propagation/referrers-notifier.service.js';
import { REFERENCES_MODULE_OPTIONS } from '../references.constants.js';
import { IndexSynchronizer } from './index-synchronizer.service.js';
import { IndexVerifier } from './index-verifier.service.js';
import { Rebaser } from './rebaser.service.js';
import { Repairer } from './repairer.service.js';

/** Rows kept per list of a `verify()` report by default. */
const DEFAULT_VERIFY_LIMIT = 10_000;

/**
 * What an operator, a script or a test calls on the data of one data source, rather than an app serving a
 * request: rebuild and check the index, repair, refresh and rebase what it finds, wait for the queue.
 * The `references …` commands use it. Injected as `ReferencesMaintenance` for the default data source,
 * `@InjectReferencesMaintenance(name)` for another.
 */
@Injectable()
export class ReferencesMaintenance {
  constructor(
    @Inject(REFERENCES_MODULE_OPTIONS) private readonly options: ReferencesModuleOptions,
    private readonly synchronizer: IndexSynchronizer,
    private readonly verifier: IndexVerifier,
    private readonly repairer: Repairer,
    private readonly rebaser: Rebaser,
    private readonly outbox: ReferenceOutbox,
    private readonly notifier: ReferrersNotifier,
    private readonly failed: FailedPropagations,
  ) {}

  /** Rebuilds the index from all reference-enabled records (`references synchronize [--clear]`). */
  synchronize(options: SynchronizeOptions = {}): Promise<SynchronizeResult> {
    return this.synchronizer.synchronize({ ...options, batchSize: options.batchSize ?? this.options.batchSize! });
  }

  /**
   * Reports missing and extra index rows, stale inline copies, withheld keys and dangling references; changes
   * nothing. Each list holds at most `limit` rows (default 10,000); `totals` counts them all.
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
   * Propagates the current content of the local record at `reference` again to every inline copy of it:
   * what `verify()` reports stale, this repairs. Returns the referrers updated (none yet in queue mode).
   */
  refresh(url: string, options: TransactionOptions = {}): Promise<ReferrerKey[]> {
    return this.repairer.refresh(url, options.manager);
  }

  /**
   * Propagates again every target that `verify()` finds with a stale copy (of one type with `type`), a target
   * at a time, each one set-based (one statement per referrer type and path, only where the copy differs):
   * how a change of a representation, its `groups` or a referrer's `fields` is rolled out
   * (`references refresh --stale [--type <route>]`). Stopped (`signal`) or interrupted, a new run asks
   * `verify()` again and does what is left. In queue mode the workers do the writing; `waitForIdle()` waits for them.
   */
  async refreshStale(options: RefreshStaleOptions = {}): Promise<RefreshStaleResult> {
    this.repairer.checkType(options.type);
    // NOTE: every stale target: the run refreshes them all.
    const report = await this.verify({ limit: Number.MAX_SAFE_INTEGER });
    const targets = this.repairer.targetsOfType(report.stale, options.type);
    let refreshed = 0;
    for (const target of targets) {
      if (options.signal?.aborted) break;
      await this.repairer.refresh(target);
      options.onProgress?.(++refreshed, targets.length);
    }
    return { targets: targets.length, refreshed, done: refreshed === targets.length };
  }

  /**
   * Takes every inline copy of a local record in `record` again from its target, and saves the record if
   * that changed it; copies of remote targets stay as they are (use `referenceContentChanged()` for those).
   * The record is read afresh in the transaction and saved as any `save()` would, so its own referrers hear
   * of the change. Returns the stored record.
   */
  refreshReferences<T extends object>(record: T, options: TransactionOptions = {}): Promise<T> {
    return this.repairer.refreshReferences(record, options.manager);
  }

  /**
   * Hands every referrer of `reference` to the `ReferrerIndexer` and the `references.referrers-updated`
   * event, a batch at a time. Returns how many referrers it reported.
   */
  reindexReferrers(reference: string, options: Pick<GetReferrersOptions, 'match'> = {}): Promise<number> {
    return this.notifier.reindexReferrers(reference, options.match, this.options.batchSize!);
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
   * Resolves when no propagation is pending or running (at once in sync mode); rejects with a
   * `PropagationTimeoutError` after `timeoutMs`. Tests and scripts wait with it instead of sleeping.
   */
  async waitForIdle(timeoutMs = 30_000, pollMs = 50): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const status: ReferencesStatus = await this.outbox.status();
      if (status.pending === 0 && status.running === 0 && status.blocked === 0) return;
      if (Date.now() > deadline) throw new PropagationTimeoutError(timeoutMs, status);
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }

  /**
   * The propagations that failed for good (queue mode; none in sync mode, where a failure fails the write), a
   * page at a time, oldest first: the target, the referrer and the path of its copy, the database's reason
   * (`references failed`).
   */
  failedPropagations(options: FailedPropagationsOptions = {}): Promise<FailedPropagationsPage> {
    return this.failed.list(options);
  }

  /**
   * Runs these failed propagations (ids from `failedPropagations()`), or all of them, again: each is pending
   * once more and the next sweep enqueues it (`references retry <id…> | --all`). Returns the ids reopened.
   */
  retryFailed(ids: number[] | 'all'): Promise<number[]> {
    return this.failed.retry(ids);
  }
}
