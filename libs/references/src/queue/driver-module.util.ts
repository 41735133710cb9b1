import type { DynamicModule, InjectionToken, Type } from '@nestjs/common';
import type { ReferencesModuleOptions } from '../interfaces/references-module-options.interface.js';
import { REFERENCES_BULL_QUEUE, REFERENCES_MODULE_OPTIONS } from '../references.constants.js';
import { QueueDriver } from './queue.driver.js';

/** How one queue library's Nest module registers a queue and names it, and what the library adds. */
export interface QueueLibrary<Q> {
  /** The library module's `registerQueueAsync`. */
  register(queue: { name: string; imports: DynamicModule[]; useFactory: (options: ReferencesModuleOptions) => object; inject: InjectionToken[] }): DynamicModule;
  /** The library module's `getQueueToken`. */
  token(name: string): string;
  /** The queue's options, out of the module options. */
  queueOptions(options: ReferencesModuleOptions): object;
  /** The `QueueDriver` over the registered queue. */
  driver(queue: Q, options: ReferencesModuleOptions): QueueDriver;
}

/**
 * What a queue library's module gives, whichever the library: the queue `name` registered from the module
 * `options` (so that `forRootAsync` works too), that queue as `REFERENCES_BULL_QUEUE`, and its `QueueDriver`.
 */
export function queueDriverModule<Q>(module: Type, name: string, options: DynamicModule, library: QueueLibrary<Q>): DynamicModule {
  const token = library.token(name);
  return {
    module,
    imports: [options, library.register({ name, imports: [options], useFactory: (moduleOptions) => library.queueOptions(moduleOptions), inject: [REFERENCES_MODULE_OPTIONS] })],
    providers: [
      { provide: REFERENCES_BULL_QUEUE, useExisting: token },
      { provide: QueueDriver, useFactory: (queue: Q, moduleOptions: ReferencesModuleOptions) => library.driver(queue, moduleOptions), inject: [token, REFERENCES_MODULE_OPTIONS] },
    ],
    exports: [REFERENCES_BULL_QUEUE, QueueDriver],
  };
}
