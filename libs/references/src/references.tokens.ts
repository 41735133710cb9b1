import { Inject } from '@nestjs/common';
import { REFERENCES_QUEUE } from './references.constants.js';
import { ReferencesMaintenance } from './maintenance/references-maintenance.service.js';
import { ReferrerJobs } from './referrer-jobs/referrer-jobs.service.js';
import { ReferencesService } from './references.service.js';

/** Whether `dataSource` names TypeORM's default data source. */
const isDefault = (dataSource?: string) => dataSource === undefined || dataSource === 'default';

/** The injection token of the `ReferencesService` of a data source: the class itself for the default one. */
export function getReferencesServiceToken(dataSource?: string): string | typeof ReferencesService {
  return isDefault(dataSource) ? ReferencesService : `nestjs-references:service:${dataSource}`;
}

/** The injection token of the `ReferencesMaintenance` of a data source: the class itself for the default one. */
export function getReferencesMaintenanceToken(dataSource?: string): string | typeof ReferencesMaintenance {
  return isDefault(dataSource) ? ReferencesMaintenance : `nestjs-references:maintenance:${dataSource}`;
}

/** The injection token of the `ReferrerJobs` of a data source: the class itself for the default one. */
export function getReferrerJobsToken(dataSource?: string): string | typeof ReferrerJobs {
  return isDefault(dataSource) ? ReferrerJobs : `nestjs-references:referrer-jobs:${dataSource}`;
}

/** The injection token of the Bull queue of a data source in queue mode. */
export function getReferencesQueueToken(dataSource?: string): string {
  return isDefault(dataSource) ? 'nestjs-references:queue' : `nestjs-references:queue:${dataSource}`;
}

/**
 * The injection token of the `ModuleRef` of a data source's `ReferencesModule`: the way a subpath module of the
 * library (the explorer) reaches that module's parts, which stay unexported. Not part of the public surface.
 */
export function getReferencesModuleRefToken(dataSource?: string): string {
  return isDefault(dataSource) ? 'nestjs-references:module-ref' : `nestjs-references:module-ref:${dataSource}`;
}

/** The name of the Bull queue of a data source: `references`, or `references-<data source>`. */
export function referencesQueueName(dataSource?: string): string {
  return isDefault(dataSource) ? REFERENCES_QUEUE : `${REFERENCES_QUEUE}-${dataSource}`;
}

/**
 * Injects the `ReferencesService` of a data source, when the app calls `ReferencesModule.forRoot()` once per
 * data source (the default data source's is also injectable as plain `ReferencesService`).
 *
 * @example
 * constructor(@InjectReferencesService('archive') private readonly archive: ReferencesService) {}
 */
export const InjectReferencesService = (dataSource?: string): ParameterDecorator & PropertyDecorator =>
  Inject(getReferencesServiceToken(dataSource));

/**
 * Injects the `ReferencesMaintenance` of a data source (synchronize, verify, repair, refresh, rebase,
 * waitForIdle); the default data source's is also injectable as plain `ReferencesMaintenance`.
 *
 * @example
 * constructor(@InjectReferencesMaintenance('archive') private readonly maintenance: ReferencesMaintenance) {}
 */
export const InjectReferencesMaintenance = (dataSource?: string): ParameterDecorator & PropertyDecorator =>
  Inject(getReferencesMaintenanceToken(dataSource));

/**
 * Injects the `ReferrerJobs` of a data source (`run()` the app's Bull job once per referrer, `status()`);
 * the default data source's is also injectable as plain `ReferrerJobs`.
 *
 * @example
 * constructor(@InjectReferrerJobs() private readonly referrerJobs: ReferrerJobs) {}
 */
export const InjectReferrerJobs = (dataSource?: string): ParameterDecorator & PropertyDecorator => Inject(getReferrerJobsToken(dataSource));

/**
 * Injects the Bull queue of queue mode (to mount a dashboard or check Redis).
 *
 * @example
 * constructor(@InjectReferencesQueue() private readonly queue: Queue) {}
 */
export const InjectReferencesQueue = (dataSource?: string): ParameterDecorator & PropertyDecorator => Inject(getReferencesQueueToken(dataSource));
