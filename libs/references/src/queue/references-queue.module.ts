import { Module, type DynamicModule } from '@nestjs/common';
import type { QueueDriverName } from './queue.driver.js';

/**
 * The queue of one data source in queue mode and its `QueueDriver`, on the library `queue.driver` names.
 * `ReferencesModule` imports this module in queue mode only, and this module loads only the chosen
 * library's module: an app on BullMQ needs neither Bull nor `@nestjs/bull`, and the other way round.
 */
@Module({})
export class ReferencesQueueModule {
  static async register(name: string, options: DynamicModule, driver: QueueDriverName = 'bull'): Promise<DynamicModule> {
    return driver === 'bullmq'
      ? (await import('./bullmq-queue.module.js')).BullMqQueueModule.register(name, options)
      : (await import('./bull-queue.module.js')).BullQueueModule.register(name, options);
  }
}
