import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule, getDataSourceToken } from '@nestjs/typeorm';
import { ReferenceSynced } from './outbox/reference-synced.entity.js';
import type { ReferencesModuleAsyncOptions, ReferencesModuleOptions } from './interfaces/references-module-options.interface.js';
import type { QueueDriverName } from './queue/queue.driver.js';
import { RecordLifecycle } from './lifecycle/record-lifecycle.js';
import { ReferenceOutboxEntry } from './outbox/reference-outbox.entity.js';
import { REFERENCES_BULL_QUEUE, REFERENCES_DATA_SOURCE } from './references.constants.js';
import { ReferenceReindexEntry } from './propagation/reindex-work.entity.js';
import { ReferencesOptionsModule } from './references-options.module.js';
import { QUEUE_PARTS, REFERENCES_PARTS, SYNC_PARTS } from './references.providers.js';
import { ReferencesService } from './references.service.js';
import { getReferencesQueueToken, getReferencesServiceToken, referencesQueueName } from './references.tokens.js';
import { ReferenceEntry } from './reverse-index/reference-entry.entity.js';
import { ReferenceSetting } from './settings/reference-setting.entity.js';
import { ReferencesSubscriber } from './subscriber/references.subscriber.js';

const ENTITIES = [ReferenceEntry, ReferenceOutboxEntry, ReferenceSynced, ReferenceSetting, ReferenceReindexEntry];

/**
 * Tracks the references between reference-enabled records and keeps them consistent. One module per data
 * source, each with parts of its own; global, so that its `ReferencesService` (`@InjectReferencesService()`
 * for a named data source) is injectable anywhere once the root module imports it.
 *
 * @example
 * TypeOrmModule.forRoot({ ..., autoLoadEntities: true }),
 * ReferencesModule.forRoot({ baseUrl: 'https://catalogue.example.org', strict: true }),
 */
@Module({})
export class ReferencesModule {
  static forRoot(options: ReferencesModuleOptions): DynamicModule {
    return this.build(ReferencesOptionsModule.forRoot(options), { ...options, queueDriver: options.queue?.driver });
  }

  static forRootAsync(options: ReferencesModuleAsyncOptions): DynamicModule {
    return this.build(ReferencesOptionsModule.forRootAsync(options), options);
  }

  private static build(
    optionsModule: DynamicModule,
    { dataSource, propagation, queueDriver }: Pick<ReferencesModuleOptions, 'dataSource' | 'propagation'> & { queueDriver?: QueueDriverName },
  ): DynamicModule {
    const queue = propagation === 'queue';
    const service = getReferencesServiceToken(dataSource);
    return {
      module: ReferencesModule,
      global: true,
      imports: [
        optionsModule,
        TypeOrmModule.forFeature(ENTITIES, dataSource),
        // NOTE: loaded only in queue mode, so that an app in sync mode needs no queue library.
        ...(queue
          ? [
              import('./queue/references-queue.module.js').then((m) =>
                m.ReferencesQueueModule.register(referencesQueueName(dataSource), optionsModule, queueDriver),
              ),
            ]
          : []),
      ],
      providers: [
        { provide: REFERENCES_DATA_SOURCE, useExisting: getDataSourceToken(dataSource) },
        ...REFERENCES_PARTS,
        ...(queue ? QUEUE_PARTS : SYNC_PARTS),
        RecordLifecycle,
        ReferencesSubscriber,
        ReferencesService,
        ...(service === ReferencesService ? [] : [{ provide: service, useExisting: ReferencesService }]),
        ...(queue ? [{ provide: getReferencesQueueToken(dataSource), useExisting: REFERENCES_BULL_QUEUE }] : []),
      ],
      exports: [service, ...(queue ? [getReferencesQueueToken(dataSource)] : [])],
    };
  }
}
