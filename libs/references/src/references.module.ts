import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ReferenceSetting } from './settings/reference-setting.entity.js';
import { ReferenceSynced } from './outbox/reference-synced.entity.js';
import { RecordLifecycle } from './lifecycle/record-lifecycle.js';
import type { ReferencesModuleAsyncOptions, ReferencesModuleOptions } from './interfaces/references-module-options.interface.js';
import { ReferenceOutboxEntry } from './outbox/reference-outbox.entity.js';
import { Propagator } from './propagation/propagator.js';
import { ReferencesCoreModule } from './references-core.module.js';
import { PROPAGATION_STRATEGY } from './references.constants.js';
import { ReferencesService } from './references.service.js';
import { ReferenceEntry } from './reverse-index/reference-entry.entity.js';
import { ReferencesSubscriber } from './subscriber/references.subscriber.js';

const ENTITIES = [ReferenceEntry, ReferenceOutboxEntry, ReferenceSynced, ReferenceSetting];

/**
 * Tracks the references between reference-enabled records and keeps them consistent.
 * Global: `ReferencesService` is injectable anywhere once the root module imports it.
 *
 * @example
 * TypeOrmModule.forRoot({ ..., autoLoadEntities: true }),
 * ReferencesModule.forRoot({ baseUrl: 'https://catalogue.example.org', strict: true }),
 */
@Module({})
export class ReferencesModule {
  static forRoot(options: ReferencesModuleOptions): DynamicModule {
    return this.build(ReferencesCoreModule.forRoot(options), options);
  }

  static forRootAsync(options: ReferencesModuleAsyncOptions): DynamicModule {
    return this.build(ReferencesCoreModule.forRootAsync(options), options);
  }

  private static build(core: DynamicModule, options: Pick<ReferencesModuleOptions, 'dataSource' | 'propagation'>): DynamicModule {
    const queue = options.propagation === 'queue';
    // NOTE: in sync mode the Propagator runs in the writer's transaction; the queue module binds the outbox instead.
    const strategy: Provider[] = queue ? [] : [{ provide: PROPAGATION_STRATEGY, useExisting: Propagator }];
    return {
      module: ReferencesModule,
      global: true,
      imports: [
        core,
        TypeOrmModule.forFeature(ENTITIES, options.dataSource),
        // NOTE: loaded only in queue mode, so that an app in sync mode needs neither Bull nor @nestjs/bull.
        ...(queue ? [import('./queue/references-queue.module.js').then((m) => m.ReferencesQueueModule.register())] : []),
      ],
      providers: [...strategy, RecordLifecycle, ReferencesSubscriber, ReferencesService],
      exports: [ReferencesService],
    };
  }
}
