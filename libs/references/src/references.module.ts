import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ReferenceEntry } from './reverse-index/reference-entry.entity.js';
import { ReferencesQueueModule } from './queue/references-queue.module.js';
import { ReferenceOutboxEntry } from './outbox/reference-outbox.entity.js';
import type { ReferencesModuleAsyncOptions, ReferencesModuleOptions } from './interfaces/references-module-options.interface.js';
import { ReferencesCoreModule } from './references-core.module.js';

const ENTITIES = [ReferenceEntry, ReferenceOutboxEntry];

/**
 * Tracks the references between reference-enabled records and keeps them consistent.
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
    return {
      module: ReferencesModule,
      imports: [
        core,
        TypeOrmModule.forFeature(ENTITIES, options.dataSource),
        ...(options.propagation === 'queue' ? [ReferencesQueueModule.register()] : []),
      ],
    };
  }
}
