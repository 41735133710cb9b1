import { Inject, Injectable, Optional, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { ReferencesModuleOptions } from '../interfaces/references-module-options.interface.js';
import { REFERENCES_CLI_PROCESS, REFERENCES_MODULE_OPTIONS } from '../references.constants.js';
import { OutboxDispatcher } from './outbox-dispatcher.service.js';
import { OutboxProcessor } from './outbox.processor.js';
import { QueueDriver } from './queue.driver.js';

/**
 * The roles a process plays in queue mode, started once the application is up: a worker runs the
 * propagation jobs (`queue.worker`), a sweeper enqueues outbox rows that were never enqueued (`queue.sweep`).
 * Every process enqueues the rows it wrote itself, right after their commit, whatever its roles; a process
 * that runs the `references …` commands (`ReferencesCliModule`) plays neither role.
 */
@Injectable()
export class OutboxWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    @Inject(REFERENCES_MODULE_OPTIONS) private readonly options: ReferencesModuleOptions,
    private readonly queue: QueueDriver,
    private readonly processor: OutboxProcessor,
    private readonly dispatcher: OutboxDispatcher,
    // NOTE: a process running the `references …` commands changes nothing it is not asked to.
    @Optional() @Inject(REFERENCES_CLI_PROCESS) private readonly cliProcess?: boolean,
  ) {}

  onApplicationBootstrap(): void {
    if (this.cliProcess) return;
    const queue = this.options.queue ?? {};
    if (queue.worker !== false) {
      this.queue.process(queue.concurrency ?? 1, {
        process: (job) => this.processor.process(job),
        failed: (job, error) => void this.processor.failed(job, error),
      });
    }
    if (queue.sweep !== false) this.dispatcher.startSweeping(queue.sweepIntervalMs ?? 5000);
  }

  /** After every part's `onModuleDestroy` (the processor's wakes the jobs that wait for a server), before the queue closes. */
  beforeApplicationShutdown(): Promise<void> {
    return this.queue.close();
  }
}
