import { createBullBoard } from '@bull-board/api';
import { BullAdapter } from '@bull-board/api/bullAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { getQueueToken } from '@nestjs/bull';
import {
  Inject,
  Module,
  type DynamicModule,
  type MiddlewareConsumer,
  type NestModule,
  type OnModuleInit,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { Queue } from 'bull';
import { REFERENCES_QUEUE } from 'nestjs-references';
import { QUEUE_DASHBOARD_ROUTE, queueDashboardAuth } from './queue-dashboard.auth.js';

/** Injection token of the write token the dashboard asks for. */
const QUEUE_DASHBOARD_TOKEN = 'catalogue:queue-dashboard-token';

/**
 * Bull Board at `/admin/queues`, showing the library's propagation queue, behind the write token.
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

  onModuleInit(): void {
    // NOTE: the library registers its queue inside its own module (@nestjs/bull): found by name, not injected.
    const queue = this.moduleRef.get<Queue>(getQueueToken(REFERENCES_QUEUE), { strict: false });
    createBullBoard({ queues: [new BullAdapter(queue)], serverAdapter: this.serverAdapter });
  }
}
