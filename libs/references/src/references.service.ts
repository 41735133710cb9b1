import { Inject, Injectable } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import {
  InvalidReferenceUrlError,
  NonCanonicalReferenceError,
  ReferenceContentMismatchError,
  ReferencesConfigurationError,
} from './errors/references.errors.js';
import { extractReferences } from './extraction/reference-extractor.util.js';
import type {
  CountReferrersOptions,
  FoundReference,
  GetReferrersOptions,
  GetReferrersPageOptions,
  ReferenceRow,
  ReferrersPage,
  ResolvedReference,
} from './interfaces/reference-row.interface.js';
import type { ReferencesStatus, ReferrerKey, TransactionOptions } from './interfaces/references-reports.interface.js';
import { ReferenceOutbox } from './outbox/reference-outbox.service.js';
import { referrerKeysOf, type ChangedReferrers, type PropagationStrategy } from './propagation/propagation-strategy.interface.js';
import { PROPAGATION_STRATEGY, REFERENCES_DATA_SOURCE } from './references.constants.js';
import type { ReferenceType } from './registry/reference-type.model.js';
import { ReferenceTypesRegistry } from './registry/reference-types.registry.js';
import { ReferenceIndex } from './reverse-index/reference-index.service.js';
import { WriteTransactions, type WriteTransactionOptions } from './transaction/write-transactions.service.js';
import { invalidReferenceUrlReason } from './urls/reference-url.util.js';
import { ReferenceUrls } from './urls/reference-urls.service.js';

/**
 * What an app calls while it serves requests: queries over the reverse index, the identity of records and
 * references, write transactions, and the entry points for targets outside the database (external URLs).
 * Everything that happens on `save()` and `remove()` happens by itself. Maintenance (synchronize, verify,
 * repair, refresh, rebase, waiting for the queue) is `ReferencesMaintenance`'s; jobs per referrer are
 * `ReferrerJobs`'. A facade: each method hands its work to the part that owns it.
 */
@Injectable()
export class ReferencesService {
  constructor(
    @Inject(REFERENCES_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(PROPAGATION_STRATEGY) private readonly propagation: PropagationStrategy,
    private readonly registry: ReferenceTypesRegistry,
    private readonly index: ReferenceIndex,
    private readonly transactions: WriteTransactions,
    private readonly urls: ReferenceUrls,
    private readonly outbox: ReferenceOutbox,
  ) {}

  /** The base URL of every canonical URL: the one stored with the references. */
  get baseUrl(): string {
    return this.urls.baseUrl;
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
   * The records that reference `reference`. Exact by default:
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

  /**
   * `{ ...content, id, links: { self } }`: what any copy of `record` may hold (its type's `representation`,
   * the metadata by default, with the DTO's `@Exclude()` / `@Expose({ groups })` applied). Safe to answer on a
   * public route: a key the DTO withholds is never in it.
   */
  representationOf(record: object): Record<string, any> {
    return this.typeOf(record).representationOf(record);
  }

  /**
   * The local record `url` names, as `{ type, id }` (`type` is its `route`), or `undefined` when it names
   * none (another site, another path, a malformed id). Whether the record
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
   * The target at `url` has new content: refresh every inline
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

  /** The target at `oldUrl` moved to `newUrl`: rewrite links and `links.self` of inline copies. */
  async referenceChanged(oldUrl: string, newUrl: string, options: TransactionOptions = {}): Promise<ReferrerKey[]> {
    const [from, to] = [this.urls.canonical(oldUrl), this.urls.canonical(newUrl)];
    return this.inTransaction(options, (manager) => this.propagation.referenceChanged(manager, from, to));
  }

  /** Removes the outgoing index rows of a record. */
  async deleteReferences(record: object, options: TransactionOptions = {}): Promise<void> {
    const type = this.typeOf(record);
    await this.inTransaction(options, async (manager) => {
      await this.index.removeReferrer(manager, type.name, [type.idOf(record)]);
      return new Map();
    });
  }

  /**
   * Pending, running, blocked and failed propagations (queue mode; all zero in sync mode, where nothing waits),
   * and the referrers the indexer failed on for good.
   */
  status(): Promise<ReferencesStatus> {
    return this.outbox.status();
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
    return referrerKeysOf(options.manager ? await work(options.manager) : await this.transactions.run(work));
  }
}

