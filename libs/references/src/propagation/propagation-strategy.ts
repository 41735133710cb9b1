import type { EntityManager } from 'typeorm';
import type { ChangedReferrers, TargetState } from './propagator.js';

/**
 * Where propagation runs, as the record lifecycle sees it. `sync` does the work in the writer's
 * transaction; `queue` records it in the outbox, in the same transaction, for the workers.
 */
export interface PropagationStrategy {
  /** `collect` false: the caller does not need the changed ids (the subscriber's case). */
  contentChanged(manager: EntityManager, target: TargetState, collect?: boolean): Promise<ChangedReferrers>;
  referenceChanged(manager: EntityManager, oldUrl: string, newUrl: string, collect?: boolean): Promise<ChangedReferrers>;
  targetDeleted(manager: EntityManager, reference: string, collect?: boolean): Promise<ChangedReferrers>;
}
