import { BullModule, getQueueToken } from '@nestjs/bullmq';
import { Module, type DynamicModule } from '@nestjs/common';
import type { Queue } from 'bullmq';
import type { ReferencesModuleOptions } from '../interfaces/references-module-options.interface.js';
import { BullMqQueueDriver } from './bullmq-queue.driver.js';
import { queueDriverModule, type QueueLibrary } from './driver-module.util.js';

/** Where BullMQ connects when `queue.bullmq.connection` is left out. */
const DEFAULT_CONNECTION = { host: '127.0.0.1', port: 6379 };

/** The queue options and the worker options out of `queue.bullmq`. */
function bullmqOptions(options: ReferencesModuleOptions) {
  const { worker, ...queue } = options.queue?.bullmq ?? {};
  const connection = queue.connection ?? DEFAULT_CONNECTION;
  return { connection, queue: { ...queue, connection }, worker };
}

/** BullMQ (`@nestjs/bullmq`), whose driver runs a `Worker` of its own on the same connection. */
const BULLMQ: QueueLibrary<Queue> = {
  register: (queue) => BullModule.registerQueueAsync(queue),
  token: getQueueToken,
  queueOptions: (moduleOptions) => bullmqOptions(moduleOptions).queue,
  driver: (queue, moduleOptions) => {
    const { connection, worker } = bullmqOptions(moduleOptions);
    return new BullMqQueueDriver(queue, connection, worker);
  },
};

/**
 * The BullMQ queue of one data source in queue mode (`queue.driver: 'bullmq'`), configured from its module
 * options, and its `QueueDriver`. The only module that loads `@nestjs/bullmq` and `bullmq`.
 */
@Module({})
export class BullMqQueueModule {
  static register(name: string, options: DynamicModule): DynamicModule {
    return queueDriverModule(BullMqQueueModule, name, options, BULLMQ);
  }
}
