import type { Provider } from '@nestjs/common';
import { Dereferencer } from './inline/dereferencer.service.js';
import { InlineCopies } from './inline/inline-copies.service.js';
import { IndexSynchronizer } from './maintenance/index-synchronizer.service.js';
import { IndexVerifier } from './maintenance/index-verifier.service.js';
import { Rebaser } from './maintenance/rebaser.service.js';
import { ReferencesMaintenance } from './maintenance/references-maintenance.service.js';
import { Repairer } from './maintenance/repairer.service.js';
import { measuredSyncPropagation } from './metrics/measured-propagation.strategy.js';
import { ReferencesMetrics } from './metrics/references-metrics.service.js';
import { FailedPropagations } from './outbox/failed-propagations.service.js';
import { ReferenceOutbox } from './outbox/reference-outbox.service.js';
import { Propagator } from './propagation/propagator.service.js';
import { ReferrersNotifier } from './propagation/referrers-notifier.service.js';
import { SyncPropagation } from './propagation/sync.strategy.js';
import { OutboxDispatcher } from './queue/outbox-dispatcher.service.js';
import { OutboxProcessor } from './queue/outbox.processor.js';
import { OutboxStrategy } from './queue/outbox.strategy.js';
import { OutboxWorker } from './queue/outbox.worker.js';
import { RecordLoader } from './records/record-loader.service.js';
import { PROPAGATION_STRATEGY } from './references.constants.js';
import { ReferrerJobs } from './referrer-jobs/referrer-jobs.service.js';
import { ReferenceTypesRegistry, referenceTypesProvider } from './registry/reference-types.registry.js';
import { ReferencePlaces } from './reverse-index/reference-places.service.js';
import { ReferenceIndex } from './reverse-index/reference-index.service.js';
import { BaseUrlCheck, baseUrlProvider } from './settings/base-url.provider.js';
import { databaseIdProvider } from './settings/database-id.provider.js';
import { sqlDialectProvider } from './sql/sql-dialect.provider.js';
import { TransactionHooks } from './transaction/transaction-hooks.service.js';
import { WriteTransactions } from './transaction/write-transactions.service.js';
import { ReferenceUrls } from './urls/reference-urls.service.js';

/** The parts of the library that every mode uses, one provider each (a test replaces any with `overrideProvider`). */
export const REFERENCES_PARTS: Provider[] = [
  baseUrlProvider,
  BaseUrlCheck,
  databaseIdProvider,
  ReferenceUrls,
  ReferenceTypesRegistry,
  referenceTypesProvider,
  sqlDialectProvider,
  ReferencePlaces,
  ReferenceIndex,
  RecordLoader,
  InlineCopies,
  Dereferencer,
  TransactionHooks,
  WriteTransactions,
  ReferrersNotifier,
  Propagator,
  ReferenceOutbox,
  FailedPropagations,
  ReferrerJobs,
  IndexSynchronizer,
  IndexVerifier,
  Rebaser,
  Repairer,
  ReferencesMaintenance,
  ReferencesMetrics,
];

/** Sync mode: propagation runs in the writer's transaction. */
export const SYNC_PARTS: Provider[] = [
  SyncPropagation,
  { provide: PROPAGATION_STRATEGY, useFactory: measuredSyncPropagation, inject: [SyncPropagation, ReferencesMetrics] },
];

/**
 * Queue mode: the outbox as the strategy, its dispatch to the queue and the workers. None of these imports a
 * queue library: they reach the queue through its `QueueDriver`, which `ReferencesQueueModule` binds (Bull or
 * BullMQ, per `queue.driver`), loaded in queue mode only.
 */
export const QUEUE_PARTS: Provider[] = [
  OutboxDispatcher,
  OutboxStrategy,
  { provide: PROPAGATION_STRATEGY, useExisting: OutboxStrategy },
  OutboxProcessor,
  OutboxWorker,
];
