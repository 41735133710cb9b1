import { Logger } from '@nestjs/common';
import type { EventEmitter2 } from '@nestjs/event-emitter';
import type { EntityManager, QueryRunner } from 'typeorm';
import type { ReferrerIndexer } from '../interfaces/referrer-indexer.interface.js';
import type { ReferrersUpdatedEvent } from '../interfaces/reference-row.interface.js';
import { REFERRERS_UPDATED_EVENT } from '../references.constants.js';

/**
 * Tells the application which referrers propagation updated: the `references.referrers-updated` event and
 * the `ReferrerIndexer`. Held back until the transaction commits (and dropped on rollback), so that a
 * listener never reads, or indexes, a change that did not happen.
 */
export class ReferrersNotifier {
  private readonly logger = new Logger('ReferencesNotifier');
  private readonly pending = new WeakMap<QueryRunner, ReferrersUpdatedEvent[]>();

  private events?: EventEmitter2;
  private indexer?: ReferrerIndexer;

  /** Connects the application's event emitter and indexer, found once the application's modules are up. */
  connect(events?: EventEmitter2, indexer?: ReferrerIndexer): void {
    this.events = events;
    this.indexer = indexer;
  }

  async record(manager: EntityManager, event: ReferrersUpdatedEvent): Promise<void> {
    if (!event.referrerIds.length) return;
    const runner = manager.queryRunner;
    if (runner?.isTransactionActive) {
      const list = this.pending.get(runner) ?? [];
      list.push(event);
      this.pending.set(runner, list);
    } else {
      await this.deliver([event]);
    }
  }

  async committed(runner: QueryRunner | undefined): Promise<void> {
    if (!runner) return;
    const events = this.pending.get(runner);
    this.pending.delete(runner);
    if (events) await this.deliver(events);
  }

  rolledBack(runner: QueryRunner | undefined): void {
    if (runner) this.pending.delete(runner);
  }

  async deliver(events: ReferrersUpdatedEvent[]): Promise<void> {
    for (const event of events) {
      this.events?.emit(REFERRERS_UPDATED_EVENT, event);
      try {
        await this.indexer?.reindex(event.referrerType, event.referrerIds);
      } catch (error) {
        // NOTE: the data is committed; an indexer failure must not turn a successful write into an error.
        this.logger.error(`ReferrerIndexer failed for ${event.referrerType}: ${(error as Error).message}`);
      }
    }
  }
}
