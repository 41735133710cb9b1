import { Module, ValidationPipe, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { TerminusModule } from '@nestjs/terminus';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ForbiddenKeysPipe, REFERRER_INDEXER, ReferencesExceptionFilter, ReferencesModule } from 'nestjs-references';
import { QueueDashboardModule } from './admin/queue-dashboard.module.js';
import { Artwork } from './artworks/artwork.entity.js';
import { ArtworksController } from './artworks/artworks.controller.js';
import { ArtworksService } from './artworks/artworks.service.js';
import { WriteTokenGuard } from './auth/write-token.guard.js';
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
        }),
        // NOTE: autoLoadEntities picks up the entities registered here.
        TypeOrmModule.forFeature([Term, Artwork]),
        ReferencesModule.forRoot({
          baseUrl: config.baseUrl,
          strict: true,
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
        TerminusModule.forRoot(),
        ...(config.redisUrl && config.role !== 'worker' ? [QueueDashboardModule.forRoot(config.token)] : []),
      ],
      controllers: [HomeController, TermsController, ArtworksController, ReferencesController, HealthController],
      providers: [
        { provide: CATALOGUE_CONFIG, useValue: config },
        // NOTE: Nest tries global filters last registered first: the catch-all for an unreachable database goes first.
        { provide: APP_FILTER, useClass: DatabaseUnavailableFilter },
        { provide: APP_FILTER, useClass: ReferencesExceptionFilter },
        // NOTE: before the ValidationPipe, which would drop __proto__ and constructor without a word.
        { provide: APP_PIPE, useClass: ForbiddenKeysPipe },
        {
          provide: APP_PIPE,
          useValue: new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }),
        },
        WriteTokenGuard,
        TermsService,
        ArtworksService,
        ReferrersUpdatedListener,
        ArtworkSearchIndexer,
        // NOTE: the library looks this token up across the application (ModuleRef, not strict) after its modules start.
        { provide: REFERRER_INDEXER, useExisting: ArtworkSearchIndexer },
        RedisHealthIndicator,
        OutboxHealthIndicator,
        ...(config.redisUrl ? [RedisConnectionLogger] : []),
      ],
      exports: [TermsService, ArtworksService, ArtworkSearchIndexer],
    };
  }
}
