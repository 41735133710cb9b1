import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { TerminusModule } from '@nestjs/terminus';
import { TypeOrmModule } from '@nestjs/typeorm';
import { REFERRER_INDEXER, ReferencesExceptionFilter, ReferencesModule, StorableInputPipe } from 'nestjs-references';
import { QueueDashboardModule } from './admin/queue-dashboard.module.js';
import { Artwork } from './artworks/artwork.entity.js';
import { ArtworksController } from './artworks/artworks.controller.js';
import { ArtworksService } from './artworks/artworks.service.js';
import { WriteTokenGuard } from './auth/write-token.guard.js';
import { CatalogueValidationPipe } from './common/catalogue-validation.pipe.js';
import { JsonBodyGuard } from './common/json-body.guard.js';
import { KnownKeysPipe } from './common/known-keys.pipe.js';
import { DatabaseUnavailableFilter } from './common/database-unavailable.filter.js';
import { CATALOGUE_CONFIG, type CatalogueConfig } from './config/catalogue.config.js';
import { catalogueMigrations } from './database/catalogue-migrations.js';
import { HealthController } from './health/health.controller.js';
import { OutboxHealthIndicator } from './health/outbox.health.js';
import { RedisHealthIndicator } from './health/redis.health.js';
import { HomeController } from './home/home.controller.js';
import { RedisConnectionLogger } from './queue/redis-connection.logger.js';
import { ReferencesController } from './references/references.controller.js';
import { ReferrersUpdatedListener } from './references/referrers-updated.listener.js';
import { ArtworkSearchIndexer } from './search/artwork-search.indexer.js';
import { Agent } from './agents/agent.entity.js';
import { AgentsController } from './agents/agents.controller.js';
import { AgentsService } from './agents/agents.service.js';
import { Term } from './terms/term.entity.js';
import { TermsController } from './terms/terms.controller.js';
import { TermsService } from './terms/terms.service.js';

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
        // NOTE: autoLoadEntities picks up the entities registered here.
        TypeOrmModule.forFeature([Term, Agent, Artwork]),
        ReferencesModule.forRoot({
          // NOTE: without BASE_URL, the base URL stored with the references (http://localhost:$PORT on a new database).
          baseUrl: config.baseUrl,
          defaultBaseUrl: config.defaultBaseUrl,
          aliases: config.baseUrlAliases,
          strict: true,
          ...(config.redisUrl
            ? {
                propagation: 'queue' as const,
                queue: {
                  ...(config.queueDriver === 'bullmq'
                    ? { driver: 'bullmq' as const, bullmq: { connection: { url: config.redisUrl }, ...(config.queuePrefix && { prefix: config.queuePrefix }) } }
                    : { bull: { redis: config.redisUrl, ...(config.queuePrefix && { prefix: config.queuePrefix }) } }),
                  // An API-only process writes and enqueues; the workers run the jobs.
                  worker: config.role !== 'api',
                },
              }
            : { propagation: 'sync' as const }),
        }),
        TerminusModule.forRoot(),
        ...(config.redisUrl && config.role !== 'worker' ? [QueueDashboardModule.forRoot(config.token)] : []),
      ],
      controllers: [HomeController, TermsController, AgentsController, ArtworksController, ReferencesController, HealthController],
      providers: [
        { provide: CATALOGUE_CONFIG, useValue: config },
        // NOTE: Nest tries global filters last registered first: the catch-all for an unreachable database goes first.
        { provide: APP_FILTER, useClass: DatabaseUnavailableFilter },
        { provide: APP_FILTER, useClass: ReferencesExceptionFilter },
        // NOTE: in this order. The ValidationPipe walks the input recursively (a deep document overflows its
        // stack), drops __proto__ and constructor without a word, and lets keys like hasOwnProperty through.
        { provide: APP_PIPE, useClass: StorableInputPipe },
        { provide: APP_PIPE, useClass: KnownKeysPipe },
        { provide: APP_PIPE, useClass: CatalogueValidationPipe },
        WriteTokenGuard,
        JsonBodyGuard,
        TermsService,
        AgentsService,
        ArtworksService,
        ReferrersUpdatedListener,
        ArtworkSearchIndexer,
        // NOTE: the library looks this token up across the application (ModuleRef, not strict) after its modules start.
        { provide: REFERRER_INDEXER, useExisting: ArtworkSearchIndexer },
        RedisHealthIndicator,
        OutboxHealthIndicator,
        ...(config.redisUrl ? [RedisConnectionLogger] : []),
      ],
      exports: [TermsService, AgentsService, ArtworksService, ArtworkSearchIndexer],
    };
  }
}
