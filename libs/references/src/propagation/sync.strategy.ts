import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { RecordLoader } from '../records/record-loader.service.js';
import { MAX_PROPAGATION_HOPS } from '../references.constants.js';
import { ReferenceTypesRegistry } from '../registry/reference-types.registry.js';
import { ReferenceIndex } from '../reverse-index/reference-index.service.js';
import {
  mergeChanged,
  type BatchResult,
  type ChangedReferrers,
  type InlineProbe,
  type PropagationStrategy,
  type TargetState,
} from './propagation-strategy.interface.js';
import { Propagator } from './propagator.service.js';

/**
 * Sync mode, bound to `PROPAGATION_STRATEGY`: every batch of a change runs in the writer's transaction, each
 * followed by the referrers that changed in turn (transitive), so that the write returns with every referrer
 * up to date.
 */
@Injectable()
export class SyncPropagation implements PropagationStrategy {
  private readonly logger = new Logger('ReferencesPropagator');

  constructor(
    private readonly propagator: Propagator,
    private readonly registry: ReferenceTypesRegistry,
    private readonly index: ReferenceIndex,
    private readonly loader: RecordLoader,
  ) {}

  /**
   * Every batch of a content change, then the link referrers of the target (reported, not written). With
   * `collect` false the changed ids are not kept (a fan-out to millions stays small).
   */
  async contentChanged(manager: EntityManager, target: TargetState, collect = true, hops = 0): Promise<ChangedReferrers> {
    if (hops === 0) await this.propagator.boundWaits(manager);
    // NOTE: no copy changed: the inline referrers are not walked; the link referrers still hear of the change (if any).
    const changed =
      target.fields?.size === 0
        ? new Map()
        : await this.untilDone(manager, (after) => this.propagator.refreshBatch(manager, target, after), collect, hops);
    if (target.linkReferrers !== false) await this.propagator.reindexLinkReferrers(manager, target.reference, collect ? changed : undefined);
    return changed;
  }

  /** A whole rename, then the index rows, then the inline referrers that changed in turn. */
  async referenceChanged(manager: EntityManager, oldUrl: string, newUrl: string, collect = true): Promise<ChangedReferrers> {
    await this.propagator.boundWaits(manager);
    const changed = await this.untilDone(manager, (after) => this.propagator.renameBatch(manager, oldUrl, newUrl, after), collect, 0);
    await this.index.renameReference(manager, oldUrl, newUrl);
    const local = this.registry.resolve(newUrl);
    if (local) {
      const record = await this.loader.load(manager, local.type, local.id, { by: 'key' });
      if (record) {
        const target = { reference: newUrl, representation: local.type.representationOf(record), type: local.type };
        mergeChanged(changed, await this.contentChanged(manager, target, collect));
      }
    }
    return changed;
  }

  /** Every `detach` referrer of a deleted record, then the referrers that changed in turn. */
  async targetDeleted(manager: EntityManager, reference: string, collect = true): Promise<ChangedReferrers> {
    await this.propagator.boundWaits(manager);
    return this.untilDone(manager, (after) => this.propagator.detachBatch(manager, reference, after), collect, 0);
  }

  private async untilDone(
    manager: EntityManager,
    batch: (after: number) => Promise<BatchResult>,
    collect: boolean,
    hops: number,
  ): Promise<ChangedReferrers> {
    const changed: ChangedReferrers = new Map();
    const probe: InlineProbe = new Map();
    for (let after = 0; ; ) {
      const result = await batch(after);
      if (collect) mergeChanged(changed, result.changed);
      const next = await this.propagator.nextTargets(manager, result.changed, probe);
      if (next.length && hops >= MAX_PROPAGATION_HOPS) {
        this.logger.warn(`Propagation stopped after ${hops} hops at ${next[0].reference}: check for a cycle without a depth limit`);
      } else {
        for (const target of next) {
          const further = await this.contentChanged(manager, target, collect, hops + 1);
          if (collect) mergeChanged(changed, further);
        }
      }
      // NOTE: a short batch is the last one (the writer's update lock keeps new referrers of the target waiting).
      if (result.cursor === undefined || result.last) return changed;
      after = result.cursor;
    }
  }
}
