import { BullModule } from '@nestjs/bull';
import { Module, type DynamicModule } from '@nestjs/common';
import type { ReferencesModuleOptions } from '../interfaces/references-module-options.interface.js';
import { REFERENCES_MODULE_OPTIONS, REFERENCES_QUEUE } from '../references.constants.js';
import { ReferencesQueueService } from './references-queue.service.js';

/** The Bull queue of queue mode, configured from the module options (so it works with `forRootAsync` too). */
@Module({})
export class ReferencesQueueModule {
  static register(): DynamicModule {
    return {
      module: ReferencesQueueModule,
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
      providers: [ReferencesQueueService],
      exports: [ReferencesQueueService],
    };
  }
}
