import type { EntityManager } from 'typeorm';
import type { PropagationStrategy } from '../propagation/propagation-strategy.interface.js';
import type { TargetState } from '../propagation/propagation-strategy.interface.js';
import type { ReferencesMetrics } from './references-metrics.service.js';

/** Sync mode's strategy with each change's fan-out timed to its commit (`references_propagation_duration_seconds`). */
export class MeasuredPropagation implements PropagationStrategy {
  constructor(
    private readonly propagation: PropagationStrategy,
    private readonly metrics: ReferencesMetrics,
  ) {}

  contentChanged(manager: EntityManager, target: TargetState, collect?: boolean) {
    return this.metrics.timed(manager, () => this.propagation.contentChanged(manager, target, collect));
  }

  referenceChanged(manager: EntityManager, oldUrl: string, newUrl: string, collect?: boolean) {
    return this.metrics.timed(manager, () => this.propagation.referenceChanged(manager, oldUrl, newUrl, collect));
  }

  targetDeleted(manager: EntityManager, reference: string, collect?: boolean) {
    return this.metrics.timed(manager, () => this.propagation.targetDeleted(manager, reference, collect));
  }
}

/** The sync strategy, measured when metrics are on (as is otherwise: no cost without metrics). */
export function measuredSyncPropagation(propagation: PropagationStrategy, metrics: ReferencesMetrics): PropagationStrategy {
  return metrics.enabled ? new MeasuredPropagation(propagation, metrics) : propagation;
}
