import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { EntityManager } from 'typeorm';
import type { ReferrerIndexer } from '../interfaces/referrer-indexer.interface.js';
import type { ReferrersUpdatedEvent } from '../interfaces/reference-row.interface.js';
import { REFERRERS_UPDATED_EVENT, REFERRER_INDEXER } from '../references.constants.js';
import { TransactionHooks } from '../transaction/transaction-hooks.js';

/** What the notifier needs of `@nestjs/event-emitter`'s `EventEmitter2`. */
interface EventEmitter {
  emit(event: string, payload: unknown): unknown;
}

/**
 * Tells the application which referrers propagation updated: the `references.referrers-updated` event and
 * the `ReferrerIndexer`. Held back until the transaction commits (and dropped on rollback), so that a
 * listener never reads, or indexes, a change that did not happen.
 */
@Injectable()
export class ReferrersNotifier implements OnModuleInit {
  private readonly logger = new Logger('ReferencesNotifier');
  private events?: EventEmitter;
  private indexer?: ReferrerIndexer;

  constructor(
    private readonly hooks: TransactionHooks,
    private readonly moduleRef: ModuleRef,
  ) {}

  /**
   * Finds the application's event emitter and indexer once every module is up. Looked up rather than
   * injected: they belong to the app's own modules, and `@nestjs/event-emitter` is an optional peer.
   */
  async onModuleInit(): Promise<void> {
    const eventEmitter = await import('@nestjs/event-emitter').then(
      (module) => module.EventEmitter2,
      () => undefined,
    );
    this.events = eventEmitter && this.optional<EventEmitter>(eventEmitter);
    this.indexer = this.optional<ReferrerIndexer>(REFERRER_INDEXER);
  }

  /** Reports updated referrers once the transaction of `manager` commits. */
  async record(manager: EntityManager, event: ReferrersUpdatedEvent): Promise<void> {
    if (event.referrerIds.length) await this.hooks.afterCommit(manager, this.deliver, event);
  }

  /** Reports updated referrers now. */
  readonly deliver = async (events: ReferrersUpdatedEvent[]): Promise<void> => {
    for (const event of events) {
      this.events?.emit(REFERRERS_UPDATED_EVENT, event);
      try {
        await this.indexer?.reindex(event.referrerType, event.referrerIds);
      } catch (error) {
        // NOTE: the data is committed; an indexer failure must not turn a successful write into an error.
        this.logger.error(`ReferrerIndexer failed for ${event.referrerType}: ${(error as Error).message}`);
      }
    }
  };

  private optional<T>(token: string | Function): T | undefined {
    try {
      return this.moduleRef.get<T>(token, { strict: false });
    } catch {
      return undefined;
    }
  }
}
