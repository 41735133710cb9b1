import { Inject, Injectable, Logger, Optional, type OnApplicationBootstrap, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, ModuleRef } from '@nestjs/core';
import type { DataSource, EntityManager } from 'typeorm';
import { LessThanOrEqual } from 'typeorm';
import type { ReferrerIndexer } from '../interfaces/referrer-indexer.interface.js';
import type { ReferenceMatch, ReferrersUpdatedEvent } from '../interfaces/reference-row.interface.js';
import { ReferencesConfigurationError } from '../errors/references.errors.js';
import type { ReferencesModuleOptions } from '../interfaces/references-module-options.interface.js';
import { ReferencesMetrics } from '../metrics/references-metrics.service.js';
import {
  MAX_REINDEX_ATTEMPTS,
  REFERENCES_CLI_PROCESS,
  REFERENCES_DATA_SOURCE,
  REFERENCES_MODULE_OPTIONS,
  REFERRERS_UPDATED_EVENT,
  REFERRER_INDEXER,
  REFERRER_INDEXER_METADATA,
} from '../references.constants.js';
import { ReferenceIndex } from '../reverse-index/reference-index.service.js';
import { TransactionHooks } from '../transaction/transaction-hooks.service.js';
import { ReferenceReindexEntry } from './reference-reindex.entity.js';

/** What the notifier needs of `@nestjs/event-emitter`'s `EventEmitter2`. */
interface EventEmitter {
  emit(event: string, payload: unknown): unknown;
}

/**
 * An event, and the row that records its referrers until the indexer took them (when there is an indexer).
 * `spilled`: the ids were not kept in memory (`referrerIds` is empty); they are read back from the row.
 */
type Delivery = ReferrersUpdatedEvent & { workId?: number; spilled?: boolean };

/**
 * Referrer ids one transaction keeps in memory for after its commit. Past this, a batch's ids wait in
 * `reference_reindex` only and are read back a row at a time after the commit, so a fan-out to millions
 * holds at most this many ids however many it changes.
 */
export const MAX_HELD_IDS = 10_000;
/** `due_at` of a row that only carries ids past `MAX_HELD_IDS` for the event (no indexer): never retried. */
const NEVER = Number.MAX_SAFE_INTEGER;

/** How long the committing process has to hand its referrers to the indexer before any process's retry may. */
const FIRST_DELIVERY_MS = 5000;
/** How often each process looks for referrers the indexer has not taken, and how many rows a look takes. */
const RETRY_INTERVAL_MS = 1000;
const RETRY_ROWS = 100;
/** Backoff of a failing indexer: doubling from the first, capped. */
const FIRST_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 30_000;

/**
 * Tells the application which referrers propagation updated: the `references.referrers-updated` event and
 * the `ReferrerIndexer`. Held back until the transaction commits (and dropped on rollback), so that a
 * listener never reads, or indexes, a change that did not happen.
 *
 * The indexer gets every changed referrer at least once: the ids are recorded (`reference_reindex`) in the
 * transaction that changed them and the row is deleted once the indexer took them. A row left by a crash
 * after the commit, or by a failing indexer, is handed to the indexer again, with a backoff, by any process
 * of the app that has the indexer, until the indexer succeeds. (The event is emitted once, after the commit.)
 */
@Injectable()
export class ReferrersNotifier implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('ReferencesNotifier');
  private events?: EventEmitter;
  private indexer?: ReferrerIndexer;
  private timer?: NodeJS.Timeout;
  private retrying?: Promise<void>;
  private readonly listeners = new Set<(event: ReferrersUpdatedEvent) => void>();

  constructor(
    private readonly hooks: TransactionHooks,
    private readonly index: ReferenceIndex,
    private readonly moduleRef: ModuleRef,
    private readonly discovery: DiscoveryService,
    @Inject(REFERENCES_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(REFERENCES_MODULE_OPTIONS) private readonly options: ReferencesModuleOptions,
    private readonly metrics: ReferencesMetrics,
    // NOTE: a process running the `references …` commands changes nothing it is not asked to.
    @Optional() @Inject(REFERENCES_CLI_PROCESS) private readonly cliProcess?: boolean,
  ) {}

  /**
   * Finds the application's event emitter and this data source's indexer once every module is up. Looked up
   * rather than injected: they belong to the app's own modules, and `@nestjs/event-emitter` is an optional peer.
   */
  async onModuleInit(): Promise<void> {
    const eventEmitter = await import('@nestjs/event-emitter').then(
      (module) => module.EventEmitter2,
      () => undefined,
    );
    this.events = eventEmitter && this.optional<EventEmitter>(eventEmitter);
    this.indexer = this.ownIndexer() ?? this.optional<ReferrerIndexer>(REFERRER_INDEXER);
  }

  /** The provider marked `@ReferrerIndexerFor()` with this module's data source, if any. */
  private ownIndexer(): ReferrerIndexer | undefined {
    const dataSource = this.options.dataSource ?? 'default';
    const found = this.discovery
      .getProviders()
      .filter((wrapper) => wrapper.metatype && wrapper.instance && Reflect.getMetadata(REFERRER_INDEXER_METADATA, wrapper.metatype) === dataSource);
    const instances = [...new Set(found.map((wrapper) => wrapper.instance as ReferrerIndexer))];
    if (instances.length > 1) {
      throw new ReferencesConfigurationError(`More than one @ReferrerIndexerFor('${dataSource}') provider: ${found.map((w) => w.name).join(', ')}`);
    }
    return instances[0];
  }

  /** Hands the referrers the indexer has not taken to it again, in every process that has an indexer. */
  onApplicationBootstrap(): void {
    if (!this.indexer || this.cliProcess) return;
    this.timer = setInterval(() => void this.retryDue(), RETRY_INTERVAL_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.retrying;
  }

  /**
   * Reports updated referrers once the transaction of `manager` commits; with an indexer, records them
   * in that transaction first, so that they reach the indexer even if this process dies after the commit.
   */
  async record(manager: EntityManager, event: ReferrersUpdatedEvent): Promise<void> {
    if (!event.referrerIds.length) return;
    this.metrics.recorded(manager, event.referrerIds.length);
    // NOTE: nobody listens and no indexer: no id is kept, however large the fan-out (the metrics keep a count).
    if (!this.indexer && !this.hasListeners()) return this.metrics.referrersUpdatedAtCommit(manager, event.referrerIds.length);
    const held = this.hooks.held<Delivery>(manager, this.deliver).reduce((n, delivery) => n + delivery.referrerIds.length, 0);
    const spilled = held + event.referrerIds.length > MAX_HELD_IDS;
    let workId: number | undefined;
    if (this.indexer || spilled) {
      const dueAt = this.indexer ? Date.now() + FIRST_DELIVERY_MS : NEVER;
      const work = { referrerType: event.referrerType, referrerIds: JSON.stringify(event.referrerIds), dueAt };
      workId = Number((await manager.getRepository(ReferenceReindexEntry).insert(work)).identifiers[0].id);
    }
    await this.hooks.afterCommit<Delivery>(manager, this.deliver, spilled ? { ...event, referrerIds: [], workId, spilled } : { ...event, workId });
  }

  /**
   * Calls `listener` with every event this process delivers, with or without `@nestjs/event-emitter` (the
   * explorer's live activity). Returns the function that stops it. A throwing listener is ignored.
   */
  listen(listener: (event: ReferrersUpdatedEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Reports updated referrers now. */
  readonly deliver = async (deliveries: Delivery[]): Promise<void> => {
    for (const { workId, spilled, ...held } of deliveries) {
      const event = spilled ? await this.readBack(workId!, held) : held;
      if (!event) continue;
      this.events?.emit(REFERRERS_UPDATED_EVENT, event);
      this.metrics.referrersUpdated(event.referrerIds.length);
      for (const listener of this.listeners) {
        try {
          listener(event);
        } catch {
          // NOTE: an observer must never fail the delivery of committed work.
        }
      }
      if (spilled && !this.indexer) {
        await this.dataSource.getRepository(ReferenceReindexEntry).delete({ id: workId! }).catch(() => undefined);
        continue;
      }
      if (!this.indexer) continue;
      // NOTE: the data is committed; an indexer failure must not turn a successful write into an error.
      if (workId === undefined) await this.reindex(event.referrerType, event.referrerIds).catch(() => undefined);
      else await this.handOver(workId, event.referrerType, event.referrerIds, 0);
    }
  };

  /**
   * Hands every referrer of `reference` to the `ReferrerIndexer` and the `references.referrers-updated`
   * event, `size` index rows at a time. Returns how many index rows it reported.
   */
  async reindexReferrers(reference: string, match: ReferenceMatch | undefined, size: number): Promise<number> {
    let count = 0;
    for await (const rows of this.index.referrerPages(this.dataSource.manager, reference, { match, size })) {
      const byType = new Map<string, Set<string>>();
      for (const row of rows) (byType.get(row.referrerType) ?? byType.set(row.referrerType, new Set()).get(row.referrerType)!).add(row.referrerId);
      await this.deliver([...byType].map(([referrerType, ids]) => ({ reference, referrerType, referrerIds: [...ids] })));
      count += rows.length;
    }
    return count;
  }

  /** The ids of a delivery that were not kept in memory, read back from its row (gone: the indexer took them). */
  private async readBack(workId: number, event: ReferrersUpdatedEvent): Promise<ReferrersUpdatedEvent | undefined> {
    const work = await this.dataSource.getRepository(ReferenceReindexEntry).findOneBy({ id: workId }).catch((error: Error) => {
      this.logger.warn(`Referrers of ${event.reference} not read back for the event: ${error.message}`);
      return null;
    });
    return work ? { ...event, referrerIds: JSON.parse(work.referrerIds) } : undefined;
  }

  /** Whether any listener of the `references.referrers-updated` event is registered now. */
  private hasListeners(): boolean {
    // NOTE: the explorer's live activity is a listener too.
    if (this.listeners.size) return true;
    const events = this.events as (EventEmitter & { hasListeners?: (event: string) => boolean; listenerCount?: (event: string) => number }) | undefined;
    if (!events) return false;
    if (typeof events.hasListeners === 'function') return events.hasListeners(REFERRERS_UPDATED_EVENT);
    return typeof events.listenerCount === 'function' ? events.listenerCount(REFERRERS_UPDATED_EVENT) > 0 : true;
  }

  /** One look for recorded referrers whose first delivery did not happen or failed; concurrent calls share it. */
  retryDue(): Promise<void> {
    this.retrying ??= this.takeDue()
      .catch((error) => this.logger.warn(`Reindex retry failed, the next one will retry: ${(error as Error).message}`))
      .finally(() => (this.retrying = undefined));
    return this.retrying;
  }

  private async takeDue(): Promise<void> {
    if (!this.dataSource.isInitialized) return;
    const rows = this.dataSource.getRepository(ReferenceReindexEntry);
    const due = await rows.find({ where: { dueAt: LessThanOrEqual(Date.now()) }, order: { id: 'ASC' }, take: RETRY_ROWS });
    for (const work of due) {
      // NOTE: taken by moving its due time on, only if no other process moved it first.
      const taken = await rows.update({ id: work.id, dueAt: work.dueAt }, { dueAt: Date.now() + FIRST_DELIVERY_MS });
      if (taken.affected === 0) continue;
      await this.handOver(work.id, work.referrerType, JSON.parse(work.referrerIds), work.attempts);
    }
  }

  /** Hands recorded referrers to the indexer: the record is deleted once it took them, put back with a backoff if it failed. */
  private async handOver(workId: number, referrerType: string, referrerIds: string[], attempts: number): Promise<void> {
    const rows = this.dataSource.getRepository(ReferenceReindexEntry);
    try {
      await this.reindex(referrerType, referrerIds);
    } catch (error) {
      const backoff = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** attempts);
      const parked = attempts + 1 >= MAX_REINDEX_ATTEMPTS;
      if (parked) this.logger.error(`ReferrerIndexer failed ${attempts + 1} times for ${referrerType} ${referrerIds.length} referrer(s); no more tries (status().reindexFailed)`);
      const failure = { attempts: attempts + 1, dueAt: parked ? NEVER : Date.now() + backoff, error: String((error as Error).message).slice(0, 2000) };
      await rows.update({ id: workId }, failure).catch(() => undefined);
      return;
    }
    // NOTE: a delete that fails (the database down) only means the indexer gets these referrers once more.
    await rows.delete({ id: workId }).catch(() => undefined);
  }

  private async reindex(referrerType: string, referrerIds: string[]): Promise<void> {
    try {
      await this.indexer!.reindex(referrerType, referrerIds);
    } catch (error) {
      this.logger.error(`ReferrerIndexer failed for ${referrerType}, it will be retried: ${(error as Error).message}`);
      throw error;
    }
  }

  private optional<T>(token: string | Function): T | undefined {
    try {
      return this.moduleRef.get<T>(token, { strict: false });
    } catch {
      return undefined;
    }
  }
}
