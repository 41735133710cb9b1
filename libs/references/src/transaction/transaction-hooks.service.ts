import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager, QueryRunner } from 'typeorm';

/** Work done with every item deferred to it by one transaction, once that transaction has committed. */
export type AfterCommit<T> = (items: T[]) => Promise<void> | void;

/**
 * Work that must see only committed data: held per transaction (keyed by its query runner) until the
 * transaction commits, dropped if it rolls back, and run at once outside a transaction. Each `flush` runs
 * once per transaction with every item deferred to it, in the order the items came.
 * The subscriber forwards TypeORM's transaction events here; the notifier and the outbox dispatch use it.
 */
@Injectable()
export class TransactionHooks {
  private readonly logger = new Logger('ReferencesTransactionHooks');
  private readonly pending = new WeakMap<QueryRunner, Map<AfterCommit<any>, any[]>>();

  /** Defers `item` to `flush` until the transaction of `manager` commits (at once when there is none). */
  async afterCommit<T>(manager: EntityManager, flush: AfterCommit<T>, item: T): Promise<void> {
    const runner = manager.queryRunner;
    if (!runner?.isTransactionActive) {
      await flush([item]);
      return;
    }
    const work = this.pending.get(runner) ?? new Map<AfterCommit<any>, any[]>();
    this.pending.set(runner, work);
    const items = work.get(flush) ?? [];
    work.set(flush, items);
    items.push(item);
  }

  /** The items held for `flush` in the transaction of `manager` so far (none outside a transaction). */
  held<T>(manager: EntityManager, flush: AfterCommit<T>): readonly T[] {
    const runner = manager.queryRunner;
    return (runner?.isTransactionActive && this.pending.get(runner)?.get(flush)) || [];
  }

  /** Runs the work held for this transaction. A failure is logged: the data is committed whatever happens here. */
  async committed(runner: QueryRunner | undefined): Promise<void> {
    const work = runner && this.pending.get(runner);
    if (!work) return;
    this.pending.delete(runner);
    for (const [flush, items] of work) {
      try {
        await flush(items);
      } catch (error) {
        this.logger.error(`After-commit work failed: ${(error as Error).message}`);
      }
    }
  }

  /** Drops the work held for this transaction. */
  rolledBack(runner: QueryRunner | undefined): void {
    if (runner) this.pending.delete(runner);
  }
}
