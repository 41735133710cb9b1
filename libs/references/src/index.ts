// The public surface of nestjs-references. Nothing else is exported.
export { VERSION } from './references.version.js';
export { ReferencesModule } from './references.module.js';
export { ReferencesService } from './references.service.js';
export { ReferencesMaintenance } from './maintenance/references-maintenance.service.js';
export { ReferrerJobs } from './referrer-jobs/referrer-jobs.service.js';
export type { WriteTransactionOptions } from './transaction/write-transactions.service.js';
export { ReferenceEnabled } from './decorators/reference-enabled.decorator.js';
export { ReferenceByLink } from './decorators/reference-by-link.decorator.js';
export { InlineReference } from './decorators/inline-reference.decorator.js';
export { ReferrerIndexerFor } from './decorators/referrer-indexer.decorator.js';
export { ReferenceEntry } from './reverse-index/reference-entry.entity.js';
export { ReferencePlace } from './reverse-index/reference-place.entity.js';
export { ReferenceOutboxEntry } from './outbox/reference-outbox.entity.js';
export { ReferenceReindexEntry } from './propagation/reference-reindex.entity.js';
export { ReferenceSynced } from './outbox/reference-synced.entity.js';
export { ReferenceSetting } from './settings/reference-setting.entity.js';
export { referencesMigrations } from './migrations/index.js';
export {
  InjectReferencesService,
  InjectReferencesMaintenance,
  InjectReferrerJobs,
  InjectReferencesQueue,
  getReferencesServiceToken,
  getReferencesMaintenanceToken,
  getReferrerJobsToken,
  getReferencesQueueToken,
  referencesQueueName,
} from './references.tokens.js';
export { ReferencesMetrics } from './metrics/references-metrics.service.js';
export type { ReferencesMetricsOptions, ReferencesMetricsRegistry } from './metrics/references-metrics-options.interface.js';
export { StorableInputPipe } from './pipes/storable-input.pipe.js';
export { ReferencesExceptionFilter } from './filters/references-exception.filter.js';
export {
  ReferencesError,
  InvalidReferenceUrlError,
  MissingReferenceLinkError,
  ForbiddenKeyError,
  UnstorableStringError,
  UnstorableNumberError,
  JsonTooDeepError,
  InvalidReferenceUuidError,
  ReferencePathTooLongError,
  UnknownReferenceError,
  ReferencedRecordError,
  InlineCreateForbiddenError,
  ReferencesConfigurationError,
  PropagationTimeoutError,
  WriteConflictError,
  UntrackedWriteError,
  NonCanonicalReferenceError,
  ReferenceContentMismatchError,
  BaseUrlMismatchError,
  InvalidCursorError,
} from './errors/references.errors.js';
export {
  REFERRERS_UPDATED_EVENT,
  REFERRER_INDEXER,
  REFERENCES_QUEUE,
  MAX_JSON_DEPTH,
  MAX_REFERENCE_URL_BYTES,
  MAX_REFERENCE_UUID_LENGTH,
} from './references.constants.js';
export type * from './interfaces/reference-options.interface.js';
export type * from './interfaces/reference-row.interface.js';
export type * from './interfaces/references-module-options.interface.js';
export type * from './interfaces/references-reports.interface.js';
export type * from './interfaces/referrer-indexer.interface.js';
export type * from './interfaces/referrer-jobs.interface.js';
