import type { Provider } from '@nestjs/common';
import { Dereferencer } from './inline/dereferencer.js';
import { InlineCopies } from './inline/inline-copies.js';
import { IndexSynchronizer } from './maintenance/index-synchronizer.js';
import { IndexVerifier } from './maintenance/index-verifier.js';
import { Rebaser } from './maintenance/rebaser.js';
import { Repairer } from './maintenance/repairer.js';
import { FailedPropagations } from './outbox/failed-propagations.js';
import { ReferenceOutbox } from './outbox/reference-outbox.js';
import { Propagator } from './propagation/propagator.js';
import { ReferrersNotifier } from './propagation/referrers-notifier.js';
import { OutboxDispatcher } from './queue/outbox-dispatcher.js';
import { OutboxProcessor } from './queue/outbox.processor.js';
import { OutboxStrategy } from './queue/outbox.strategy.js';
import { OutboxWorker } from './queue/outbox.worker.js';
import { RecordLoader } from './records/record-loader.js';
import { PROPAGATION_STRATEGY } from './references.constants.js';
import { ReferrerJobs } from './referrer-jobs/referrer-jobs.js';
import { ReferenceTypesRegistry } from './registry/reference-types.registry.js';
import { ReferenceIndex } from './reverse-index/reference-index.js';
import { BaseUrlCheck, baseUrlProvider } from './settings/base-url.js';
import { databaseIdProvider } from './settings/database-id.js';
import { sqlDialectProvider } from './sql/dialect.factory.js';
import { TransactionHooks } from './transaction/transaction-hooks.js';
import { WriteTransactions } from './transaction/write-transactions.js';
import { ReferenceUrls } from './urls/reference-urls.js';

/** The parts of the library that every mode uses, one provider each (a test replaces any with `overrideProvider`). */
export const REFERENCES_PARTS: Provider[] = [
  baseUrlProvider,
  BaseUrlCheck,
  databaseIdProvider,
  ReferenceUrls,
  ReferenceTypesRegistry,
  sqlDialectProvider,
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
];

/** Sync mode: propagation runs in the writer's transaction. */
export const SYNC_PARTS: Provider[] = [{ provide: PROPAGATION_STRATEGY, useExisting: Propagator }];

/**
 * Queue mode: the outbox as the strategy, its dispatch to Bull and the workers. None of these imports Bull
 * at run time (only its types); the queue itself comes from `ReferencesQueueModule`, loaded in queue mode only.
 */
export const QUEUE_PARTS: Provider[] = [
  OutboxDispatcher,
  OutboxStrategy,
  { provide: PROPAGATION_STRATEGY, useExisting: OutboxStrategy },
  OutboxProcessor,
  OutboxWorker,
];
