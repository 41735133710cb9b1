import { createBullBoard } from '@bull-board/api';
import { ExpressAdapter } from '@bull-board/express';
import {
  Inject,
  Module,
  type DynamicModule,
  type MiddlewareConsumer,
  type NestModule,
  type OnModuleInit,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { isBullMqQueue, referencesQueue } from '../queue/references-queue.util.js';
import { QUEUE_DASHBOARD_ROUTE, queueDashboardAuth } from './queue-dashboard.auth.js';

/** Injection token of the write token the dashboard asks for. */
const QUEUE_DASHBOARD_TOKEN = 'catalogue:queue-dashboard-token';

/**
 * Bull Board at `/admin/queues`, showing the library's propagation queue (Bull's or BullMQ's, each through
 * its own adapter, loaded only for its driver), behind the write token.
 * Imported in queue mode only: in sync mode there is no queue to show.
 *
 * NOTE: this is what `@bull-board/nestjs` does, in a few lines of our own: that package is CommonJS and
 * `require()`s `@nestjs/common`, which is ESM-only since Nest 12; Node 20 loads that (require(esm)),
 * but Jest's module runtime does not before Node 24.9, so the catalogue's tests could not boot it.
 */
@Module({})
export class QueueDashboardModule implements NestModule, OnModuleInit {
  private readonly serverAdapter = new ExpressAdapter().setBasePath(QUEUE_DASHBOARD_ROUTE);

  constructor(
    @Inject(QUEUE_DASHBOARD_TOKEN) private readonly token: string,
    private readonly moduleRef: ModuleRef,
  ) {}

  static forRoot(token: string): DynamicModule {
    return { module: QueueDashboardModule, providers: [{ provide: QUEUE_DASHBOARD_TOKEN, useValue: token }] };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(queueDashboardAuth(this.token), this.serverAdapter.getRouter()).forRoutes(QUEUE_DASHBOARD_ROUTE);
  }

  async onModuleInit(): Promise<void> {
    const queue = referencesQueue(this.moduleRef);
    const adapter = isBullMqQueue(queue)
      ? new (await import('@bull-board/api/bullMQAdapter')).BullMQAdapter(queue)
      : new (await import('@bull-board/api/bullAdapter')).BullAdapter(queue);
    createBullBoard({ queues: [adapter], serverAdapter: this.serverAdapter });
  }
}
