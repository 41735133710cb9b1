import { BullModule, getQueueToken } from '@nestjs/bullmq';
import { Module, type DynamicModule } from '@nestjs/common';
import type { Queue } from 'bullmq';
import type { ReferencesModuleOptions } from '../interfaces/references-module-options.interface.js';
import { REFERENCES_BULL_QUEUE, REFERENCES_MODULE_OPTIONS } from '../references.constants.js';
import { BullMqQueueDriver } from './bullmq-queue.driver.js';
import { QueueDriver } from './queue.driver.js';

/** Where BullMQ connects when `queue.bullmq.connection` is left out. */
const DEFAULT_CONNECTION = { host: '127.0.0.1', port: 6379 };

/** The queue options and the worker options out of `queue.bullmq`. */
function bullmqOptions(options: ReferencesModuleOptions) {
  const { worker, ...queue } = options.queue?.bullmq ?? {};
  const connection = queue.connection ?? DEFAULT_CONNECTION;
  return { connection, queue: { ...queue, connection }, worker };
}

/**
 * The BullMQ queue of one data source in queue mode (`queue.driver: 'bullmq'`), configured from its module
 * options, and its `QueueDriver`. The only module that loads `@nestjs/bullmq` and `bullmq`.
 */
@Module({})
export class BullMqQueueModule {
  static register(name: string, options: DynamicModule): DynamicModule {
    return {
      module: BullMqQueueModule,
      imports: [
        options,
        BullModule.registerQueueAsync({
          name,
          imports: [options],
          useFactory: (moduleOptions: ReferencesModuleOptions) => bullmqOptions(moduleOptions).queue,
          inject: [REFERENCES_MODULE_OPTIONS],
        }),
      ],
      providers: [
        { provide: REFERENCES_BULL_QUEUE, useExisting: getQueueToken(name) },
        {
          provide: QueueDriver,
          useFactory: (queue: Queue, moduleOptions: ReferencesModuleOptions) => {
            const { connection, worker } = bullmqOptions(moduleOptions);
            return new BullMqQueueDriver(queue, connection, worker);
          },
          inject: [getQueueToken(name), REFERENCES_MODULE_OPTIONS],
        },
      ],
      exports: [REFERENCES_BULL_QUEUE, QueueDriver],
    };
  }
}
