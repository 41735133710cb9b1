import type { EntityManager, QueryRunner } from 'typeorm';
import type { ReferenceIndex } from '../reverse-index/reference-index.js';
import type { PropagationStrategy } from '../propagation/propagation-strategy.js';
import type { ChangedReferrers, TargetState } from '../propagation/propagator.js';
import { ReferenceOutboxEntry, type OutboxKind } from './reference-outbox.entity.js';

/**
 * Queue mode, as the writer sees it: a change that has referrers becomes an outbox row in the writer's own
 * transaction, and the write returns at once. Workers do the fan-out.
 */
export class OutboxStrategy implements PropagationStrategy {
  /** The outbox rows each open transaction wrote, enqueued once it commits. */
  private readonly written = new WeakMap<QueryRunner, number[]>();

  constructor(
    private readonly index: ReferenceIndex,
    /** Enqueues rows; called after commit, or at once outside a transaction. */
    private readonly enqueue: (ids: number[]) => void,
  ) {}

  /** Called after each commit: enqueues the rows that transaction wrote. */
  committed(runner: QueryRunner | undefined): void {
    const ids = runner && this.written.get(runner);
    if (!ids) return;
    this.written.delete(runner);
    this.enqueue(ids);
  }

  /** Called after each rollback: its rows are gone. */
  rolledBack(runner: QueryRunner | undefined): void {
    if (runner) this.written.delete(runner);
  }

  async contentChanged(manager: EntityManager, target: TargetState): Promise<ChangedReferrers> {
    if (await this.hasReferrers(manager, target.reference, { inline: true })) {
      await this.add(manager, 'content', target.reference, {
        payload: target.type ? null : JSON.stringify(target.representation),
      });
    }
    return new Map();
  }

  async referenceChanged(manager: EntityManager, oldUrl: string, newUrl: string): Promise<ChangedReferrers> {
    await this.add(manager, 'rename', oldUrl, { newReference: newUrl });
    return new Map();
  }

  async targetDeleted(manager: EntityManager, reference: string): Promise<ChangedReferrers> {
    if (await this.hasReferrers(manager, reference, { onDelete: 'detach' })) await this.add(manager, 'detach', reference);
    return new Map();
  }

  async add(
    manager: EntityManager,
    kind: OutboxKind,
    reference: string,
    extra: Partial<Pick<ReferenceOutboxEntry, 'newReference' | 'payload' | 'hops' | 'cursor' | 'untilId' | 'version' | 'status' | 'error'>> = {},
  ): Promise<void> {
    const result = await manager.getRepository(ReferenceOutboxEntry).insert({ kind, reference, status: 'pending', ...extra });
    if (extra.status && extra.status !== 'pending') return;
    const id = Number(result.identifiers[0].id);
    const runner = manager.queryRunner;
    if (runner?.isTransactionActive) {
      const ids = this.written.get(runner) ?? [];
      ids.push(id);
      this.written.set(runner, ids);
    } else {
      this.enqueue([id]);
    }
  }

  private async hasReferrers(manager: EntityManager, reference: string, filter: { inline?: boolean; onDelete?: string }) {
    return (await this.index.batchAfter(manager, reference, 0, 1, filter)).length > 0;
  }
}
