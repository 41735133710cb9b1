import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ReferencesExceptionFilter, ReferencesModule, StorableInputPipe } from 'nestjs-references';
import { ReferencesExplorerModule } from 'nestjs-references/explorer';
import { EXPLORER_ROUTE, explorerAuthorize } from './admin/explorer.auth.js';
import { QueueDashboardModule } from './admin/queue-dashboard.module.js';
import { AgentsModule } from './agents/agents.module.js';
import { ArtworksModule } from './artworks/artworks.module.js';
import { CatalogueValidationPipe } from './common/catalogue-validation.pipe.js';
import { MAX_COUNTED } from './common/page-query.dto.js';
import { DatabaseUnavailableFilter } from './common/database-unavailable.filter.js';
import { KnownKeysPipe } from './common/known-keys.pipe.js';
import { CatalogueConfigModule } from './config/catalogue-config.module.js';
import type { CatalogueConfig } from './config/catalogue.config.js';
import { catalogueMigrations } from './database/catalogue-migrations.js';
import { HealthModule } from './health/health.module.js';
import { HomeController } from './home/home.controller.js';
import { RedisConnectionLogger } from './queue/redis-connection.logger.js';
import { CatalogueReferencesModule } from './references/catalogue-references.module.js';
import { SearchModule } from './search/search.module.js';
import { TermsModule } from './terms/terms.module.js';

/**
 * The catalogue, built from a `CatalogueConfig` (so that tests boot it on the database they choose).
 *
 * @example
 * NestFactory.create(CatalogueModule.forRoot(loadCatalogueConfig()))
 */
@Module({})
export class CatalogueModule {
  static forRoot(config: CatalogueConfig): DynamicModule {
    return {
      module: CatalogueModule,
      imports: [
        CatalogueConfigModule.forRoot(config),
        EventEmitterModule.forRoot(),
        TypeOrmModule.forRoot({
          ...config.database,
          autoLoadEntities: true,
          migrations: catalogueMigrations,
          migrationsRun: true,
          retryAttempts: 2,
          retryDelay: 1000,
          logging: false,
          // NOTE: several processes may share the SQLite file (the app, its CLI, a second app): readers never
          // block the writer in WAL mode, and a writer waits up to 10 s for another's write lock.
          ...(config.database.type === 'better-sqlite3' ? { enableWAL: true, timeout: 10_000 } : {}),
        }),
        ReferencesModule.forRoot({
          // NOTE: without BASE_URL, the base URL stored with the references (http://localhost:$PORT on a new database).
          baseUrl: config.baseUrl,
          defaultBaseUrl: config.defaultBaseUrl,
          aliases: config.baseUrlAliases,
          strict: true,
          // NOTE: served at /metrics (prom-client's global registry).
          metrics: true,
          ...(config.redisUrl
            ? {
                propagation: 'queue' as const,
                queue: {
                  bull: { redis: config.redisUrl, ...(config.queuePrefix && { prefix: config.queuePrefix }) },
                  // An API-only process writes and enqueues; the workers run the jobs.
                  worker: config.role !== 'api',
                },
              }
            : { propagation: 'sync' as const }),
        }),
        // NOTE: autoLoadEntities picks up the entities that the feature modules register.
        TermsModule,
        AgentsModule,
        ArtworksModule,
        CatalogueReferencesModule,
        SearchModule,
        HealthModule,
        ...(config.redisUrl && config.role !== 'worker' ? [QueueDashboardModule.forRoot(config.token)] : []),
        ...(config.role !== 'worker'
          ? [ReferencesExplorerModule.forRoot({ path: EXPLORER_ROUTE, authorize: explorerAuthorize(config.token), maxCounted: MAX_COUNTED })]
          : []),
      ],
      controllers: [HomeController],
      providers: [
        // NOTE: Nest tries global filters last registered first: the catch-all for an unreachable database goes first.
        { provide: APP_FILTER, useClass: DatabaseUnavailableFilter },
        { provide: APP_FILTER, useClass: ReferencesExceptionFilter },
        // NOTE: in this order. The ValidationPipe walks the input recursively (a deep document overflows its
        // stack), drops __proto__ and constructor without a word, and lets keys like hasOwnProperty through.
        { provide: APP_PIPE, useClass: StorableInputPipe },
        { provide: APP_PIPE, useClass: KnownKeysPipe },
        { provide: APP_PIPE, useClass: CatalogueValidationPipe },
        ...(config.redisUrl ? [RedisConnectionLogger] : []),
      ],
      // NOTE: what the CLI's commands and the demo data use.
      exports: [TermsModule, AgentsModule, ArtworksModule, SearchModule],
    };
  }
}
