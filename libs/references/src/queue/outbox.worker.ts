import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { Queue } from 'bull';
import type { ReferencesModuleOptions } from '../interfaces/references-module-options.interface.js';
import { REFERENCES_MODULE_OPTIONS, REFERENCES_QUEUE_TOKEN } from '../references.constants.js';
import { OutboxDispatcher, PROPAGATE_JOB } from './outbox-dispatcher.js';
import { OutboxProcessor } from './outbox.processor.js';

/**
 * The roles a process plays in queue mode, started once the application is up: a worker runs the
 * propagation jobs (`queue.worker`), a sweeper enqueues outbox rows that were never enqueued (`queue.sweep`).
 * Every process enqueues the rows it wrote itself, right after their commit, whatever its roles.
 */
@Injectable()
export class OutboxWorker implements OnApplicationBootstrap {
  constructor(
    @Inject(REFERENCES_MODULE_OPTIONS) private readonly options: ReferencesModuleOptions,
    @Inject(REFERENCES_QUEUE_TOKEN) private readonly queue: Queue,
    private readonly processor: OutboxProcessor,
    private readonly dispatcher: OutboxDispatcher,
  ) {}

  onApplicationBootstrap(): void {
    const queue = this.options.queue ?? {};
    if (queue.worker !== false) {
      // NOTE: Bull's process() settles when the queue closes, and rejects (with undefined) when it closes
      // before the processor started: an application closed right after it booted. Nothing to report then.
      this.queue.process(PROPAGATE_JOB, queue.concurrency ?? 1, (job) => this.processor.process(job)).catch(() => undefined);
      this.queue.on('failed', (job, error) => void this.processor.failed(job, error));
    }
    if (queue.sweep !== false) this.dispatcher.startSweeping(queue.sweepIntervalMs ?? 5000);
  }
}
