import { BullModule, getQueueToken } from '@nestjs/bull';
import { Module, type DynamicModule } from '@nestjs/common';
import type { ReferencesModuleOptions } from '../interfaces/references-module-options.interface.js';
import { PROPAGATION_STRATEGY, REFERENCES_MODULE_OPTIONS, REFERENCES_QUEUE, REFERENCES_QUEUE_TOKEN } from '../references.constants.js';
import { OutboxDispatcher } from './outbox-dispatcher.js';
import { OutboxProcessor } from './outbox.processor.js';
import { OutboxStrategy } from './outbox.strategy.js';
import { OutboxWorker } from './outbox.worker.js';

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
