import type { EntityManager } from 'typeorm';
import type { ReferrerKey } from '../interfaces/references-reports.interface.js';
import type { ReferenceType } from '../registry/reference-type.model.js';
import type { FieldKey } from '../reverse-index/reference-places.service.js';

/** What changed in one batch: per referrer type, the ids of records whose metadata changed. */
export type ChangedReferrers = Map<ReferenceType, Set<string>>;

/** Per referrer type, whether any record references a record of that type, inline or by link (asked once a run). */
export type InlineProbe = Map<ReferenceType, boolean>;

/** The result of one batch of a propagation: where to continue, and what changed. */
export interface BatchResult {
  /** The last index row id handled; `undefined` when there was nothing left. */
  cursor: number | undefined;
  /** The batch came back short: nothing follows it, and no batch needs to read that. */
  last?: boolean;
  changed: ChangedReferrers;
}

/** A target's current public state, as propagation copies it. */
export interface TargetState {
  reference: string;
  representation: Record<string, any>;
  /** The target's type when it is a local record (its nested copies then follow the depth rule). */
  type?: ReferenceType;
  /**
   * The referrer fields whose copy the change altered (`ReferencePlaces` keys): only their path groups are
   * refreshed, and none when the set is empty. `undefined`: every field (the replaced state is not known).
   */
  fields?: ReadonlySet<FieldKey>;
  /** `false`: no link field that hears of content changes references the target's type (no link walk). */
  linkReferrers?: boolean;
}

/**
 * Where propagation runs, as the record lifecycle sees it, bound to `PROPAGATION_STRATEGY`: `SyncPropagation`
 * does the work in the writer's transaction; `OutboxStrategy` records it in the outbox, in the same
 * transaction, for the workers.
 */
export interface PropagationStrategy {
  /** `collect` false: the caller does not need the changed ids (the subscriber's case). */
  contentChanged(manager: EntityManager, target: TargetState, collect?: boolean): Promise<ChangedReferrers>;
  referenceChanged(manager: EntityManager, oldUrl: string, newUrl: string, collect?: boolean): Promise<ChangedReferrers>;
  targetDeleted(manager: EntityManager, reference: string, collect?: boolean): Promise<ChangedReferrers>;
}

/** Adds `ids` of `type` to `changed`. */
export function addChanged(changed: ChangedReferrers, type: ReferenceType, ids: Iterable<string>): void {
  const set = changed.get(type) ?? changed.set(type, new Set()).get(type)!;
  for (const id of ids) set.add(id);
}

/** Adds everything in `from` to `into`. */
export function mergeChanged(into: ChangedReferrers, from: ChangedReferrers): void {
  for (const [type, ids] of from) addChanged(into, type, ids);
}

/** The changed referrers as the service's methods return them. */
export function referrerKeysOf(changed: ChangedReferrers): ReferrerKey[] {
  return [...changed].flatMap(([type, ids]) => [...ids].map((referrerId) => ({ referrerType: type.name, referrerId })));
}
