import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { OutboxKind } from '../outbox/reference-outbox.entity.js';
import { LINKS_ONLY, ReferenceOutbox, type OutboxRowValues } from '../outbox/reference-outbox.service.js';
import type { PropagationStrategy } from '../propagation/propagation-strategy.interface.js';
import type { ChangedReferrers, TargetState } from '../propagation/propagation-strategy.interface.js';
import { ReferenceIndex } from '../reverse-index/reference-index.service.js';
import { OutboxDispatcher } from './outbox-dispatcher.service.js';

/**
 * Queue mode, as the writer sees it: a change that has referrers becomes an outbox row in the writer's own
 * transaction, enqueued once that transaction commits, and the write returns at once. Workers do the fan-out.
 */
@Injectable()
export class OutboxStrategy implements PropagationStrategy {
  constructor(
    private readonly outbox: ReferenceOutbox,
    private readonly index: ReferenceIndex,
    private readonly dispatcher: OutboxDispatcher,
  ) {}

  async contentChanged(manager: EntityManager, target: TargetState): Promise<ChangedReferrers> {
    if (target.fields?.size === 0) {
      // NOTE: no copy changed: a row only when link referrers are there to hear of the change.
      if (target.linkReferrers !== false && (await this.hasReferrers(manager, target.reference, { inline: false }))) {
        await this.add(manager, 'content', target.reference, { fields: LINKS_ONLY });
      }
      return new Map();
    }
    // NOTE: link referrers count too: the worker hands them to the indexer (their documents may show the target).
    if (await this.hasReferrers(manager, target.reference, {})) {
      await this.add(manager, 'content', target.reference, {
        payload: target.type ? null : JSON.stringify(target.representation),
        fields: target.fields ? JSON.stringify([...target.fields].sort()) : null,
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

  /** Writes an outbox row; a pending one is enqueued after the transaction of `manager` commits. */
  async add(manager: EntityManager, kind: OutboxKind, reference: string, values: OutboxRowValues = {}): Promise<void> {
    const id = await this.outbox.add(manager, kind, reference, values);
    if (values.status === undefined || values.status === 'pending') await this.dispatcher.enqueueAfterCommit(manager, id);
  }

  private async hasReferrers(manager: EntityManager, reference: string, filter: { inline?: boolean; onDelete?: string }) {
    return (await this.index.batchAfter(manager, reference, 0, 1, filter)).length > 0;
  }
}
