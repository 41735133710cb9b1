import { Module, type DynamicModule } from '@nestjs/common';
import { DiscoveryModule, ModuleRef } from '@nestjs/core';
import { TypeOrmModule, getDataSourceToken } from '@nestjs/typeorm';
import { ReferenceSynced } from './outbox/reference-synced.entity.js';
import type { ReferencesModuleAsyncOptions, ReferencesModuleOptions } from './interfaces/references-module-options.interface.js';
import { RecordLifecycle } from './lifecycle/record-lifecycle.service.js';
import { ReferenceOutboxEntry } from './outbox/reference-outbox.entity.js';
import { REFERENCES_BULL_QUEUE, REFERENCES_DATA_SOURCE } from './references.constants.js';
import { ReferenceReindexEntry } from './propagation/reference-reindex.entity.js';
import { ReferencesOptionsModule } from './references-options.module.js';
import { ReferencesMaintenance } from './maintenance/references-maintenance.service.js';
import { ReferrerJobs } from './referrer-jobs/referrer-jobs.service.js';
import { QUEUE_PARTS, REFERENCES_PARTS, SYNC_PARTS } from './references.providers.js';
import { ReferencesService } from './references.service.js';
import {
  getReferencesMaintenanceToken,
  getReferencesModuleRefToken,
  getReferencesQueueToken,
  getReferencesServiceToken,
  getReferrerJobsToken,
  referencesQueueName,
} from './references.tokens.js';
import { ReferencePlace } from './reverse-index/reference-place.entity.js';
import { ReferenceEntry } from './reverse-index/reference-entry.entity.js';
import { ReferenceSetting } from './settings/reference-setting.entity.js';
import { ReferencesSubscriber } from './subscriber/references.subscriber.js';

const ENTITIES = [ReferenceEntry, ReferenceOutboxEntry, ReferenceSynced, ReferenceSetting, ReferenceReindexEntry, ReferencePlace];

/**
 * Tracks the references between reference-enabled records and keeps them consistent. One module per data
 * source, each with parts of its own; global, so that its `ReferencesService`, `ReferencesMaintenance` and
 * `ReferrerJobs` (`@InjectReferencesService(name)`, `@InjectReferencesMaintenance(name)`,
 * `@InjectReferrerJobs(name)` for a named data source) are injectable anywhere once the root module imports it.
 *
 * @example
 * TypeOrmModule.forRoot({ ..., autoLoadEntities: true }),
 * ReferencesModule.forRoot({ baseUrl: 'https://catalogue.example.org', strict: true }),
 */
@Module({})
export class ReferencesModule {
  static forRoot(options: ReferencesModuleOptions): DynamicModule {
    return this.build(ReferencesOptionsModule.forRoot(options), options);
  }

  static forRootAsync(options: ReferencesModuleAsyncOptions): DynamicModule {
    return this.build(ReferencesOptionsModule.forRootAsync(options), options);
  }

  private static build(optionsModule: DynamicModule, { dataSource, propagation }: Pick<ReferencesModuleOptions, 'dataSource' | 'propagation'>): DynamicModule {
    const queue = propagation === 'queue';
    // NOTE: the default data source's parts are injectable by class; a named one's by token (an alias).
    const aliases = [
      [getReferencesServiceToken(dataSource), ReferencesService],
      [getReferencesMaintenanceToken(dataSource), ReferencesMaintenance],
      [getReferrerJobsToken(dataSource), ReferrerJobs],
    ] as const;
    const parts = getReferencesModuleRefToken(dataSource);
    return {
      module: ReferencesModule,
      global: true,
      imports: [
        optionsModule,
        DiscoveryModule,
        TypeOrmModule.forFeature(ENTITIES, dataSource),
        // NOTE: loaded only in queue mode, so that an app in sync mode needs neither Bull nor @nestjs/bull.
        ...(queue
          ? [import('./queue/references-queue.module.js').then((m) => m.ReferencesQueueModule.register(referencesQueueName(dataSource), optionsModule))]
          : []),
      ],
      providers: [
        { provide: REFERENCES_DATA_SOURCE, useExisting: getDataSourceToken(dataSource) },
        ...REFERENCES_PARTS,
        ...(queue ? QUEUE_PARTS : SYNC_PARTS),
        RecordLifecycle,
        ReferencesSubscriber,
        ReferencesService,
        ...aliases.filter(([token, part]) => token !== part).map(([token, part]) => ({ provide: token, useExisting: part })),
        ...(queue ? [{ provide: getReferencesQueueToken(dataSource), useExisting: REFERENCES_BULL_QUEUE }] : []),
        // NOTE: this module's own ModuleRef, for the library's subpath modules (the explorer); not for apps.
        { provide: parts, useExisting: ModuleRef },
      ],
      exports: [...aliases.map(([token]) => token), parts, ...(queue ? [getReferencesQueueToken(dataSource)] : [])],
    };
  }
}
