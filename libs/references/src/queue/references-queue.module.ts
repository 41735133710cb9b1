import { BullModule, getQueueToken } from '@nestjs/bull';
import { Module, type DynamicModule } from '@nestjs/common';
import type { ReferencesModuleOptions } from '../interfaces/references-module-options.interface.js';
import { PROPAGATION_STRATEGY, REFERENCES_MODULE_OPTIONS, REFERENCES_QUEUE, REFERENCES_QUEUE_TOKEN } from '../references.constants.js';
import { OutboxDispatcher } from './outbox-dispatcher.js';
import { OutboxProcessor } from './outbox.processor.js';
import { OutboxStrategy } from './outbox.strategy.js';
import { OutboxWorker } from './outbox.worker.js';

/**
 * Bull's settings that decide how soon a killed worker's job runs again, and how soon a worker resumes
 * after Redis comes back. A worker renews its job's lock every `lockRenewTime`; a job whose lock expired
 * (its worker died) is moved back to the waiting jobs by the next stalled-job check of any worker: at most
 * `lockDuration + stalledInterval` = 7.5 s after the kill. A job that stalls is not failed before it
 * stalled `maxStalledCount` times (and even then its outbox row is enqueued again by the sweep).
 * The cost: a worker whose event loop is blocked longer than `lockDuration` loses its job to another,
 * which then runs the same change at once; that is harmless (a run skips what is synced and reads the
 * target under a share lock), only wasteful. The app's `queue.bull.settings` take precedence.
 */
export const DEFAULT_BULL_SETTINGS = {
  lockDuration: 5000,
  lockRenewTime: 1500,
  stalledInterval: 2500,
  maxStalledCount: 10,
  // NOTE: Bull's default (5 s) is how long a worker waits after a Redis error before it fetches again.
  retryProcessDelay: 1000,
};

/**
 * Queue mode: the Bull queue (configured from the module options, so it works with `forRootAsync` too), the
 * outbox as the `PROPAGATION_STRATEGY`, its dispatch to Bull and the workers. Imported by `ReferencesModule`
 * only in queue mode, so that sync mode never loads Bull.
 */
@Module({})
export class ReferencesQueueModule {
  static register(): DynamicModule {
    return {
      module: ReferencesQueueModule,
      // NOTE: global so that `ReferencesModule` finds the strategy, and the app the queue (`@InjectReferencesQueue()`).
      global: true,
      imports: [
        BullModule.registerQueueAsync({
          name: REFERENCES_QUEUE,
          useFactory: (options: ReferencesModuleOptions) => ({
            redis: 'redis://127.0.0.1:6379',
            ...options.queue?.bull,
            settings: { ...DEFAULT_BULL_SETTINGS, ...options.queue?.bull?.settings },
          }),
          inject: [REFERENCES_MODULE_OPTIONS],
        }),
      ],
      providers: [
        { provide: REFERENCES_QUEUE_TOKEN, useExisting: getQueueToken(REFERENCES_QUEUE) },
        OutboxDispatcher,
        OutboxStrategy,
        { provide: PROPAGATION_STRATEGY, useExisting: OutboxStrategy },
        OutboxProcessor,
        OutboxWorker,
      ],
      exports: [PROPAGATION_STRATEGY, REFERENCES_QUEUE_TOKEN],
    };
  }
}
