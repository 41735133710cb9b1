import { BullModule, getQueueToken } from '@nestjs/bull';
import { Module, type DynamicModule } from '@nestjs/common';
import type { ReferencesModuleOptions } from '../interfaces/references-module-options.interface.js';
import { REFERENCES_BULL_QUEUE, REFERENCES_MODULE_OPTIONS } from '../references.constants.js';

/**
 * The Bull queue of one data source in queue mode, configured from its module options (so it works with
 * `forRootAsync` too). The only module that loads `@nestjs/bull` and `bull`: `ReferencesModule` imports it
 * with a dynamic import in queue mode only.
 */
@Module({})
export class ReferencesQueueModule {
  static register(name: string, options: DynamicModule): DynamicModule {
    return {
      module: ReferencesQueueModule,
      imports: [
        BullModule.registerQueueAsync({
          name,
          imports: [options],
          useFactory: (moduleOptions: ReferencesModuleOptions) => ({ redis: 'redis://127.0.0.1:6379', ...moduleOptions.queue?.bull }),
          inject: [REFERENCES_MODULE_OPTIONS],
        }),
      ],
      providers: [{ provide: REFERENCES_BULL_QUEUE, useExisting: getQueueToken(name) }],
      exports: [REFERENCES_BULL_QUEUE],
    };
  }
}
