import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable, Optional, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Queue } from 'bull';
import { ReferencesEngine } from '../engine/references.engine.js';
import type { ReferencesModuleOptions } from '../interfaces/references-module-options.interface.js';
import { REFERENCES_CLI_PROCESS, REFERENCES_MODULE_OPTIONS, REFERENCES_QUEUE } from '../references.constants.js';
import { OutboxDispatcher, PROPAGATE_JOB } from './outbox-dispatcher.js';
import { OutboxProcessor } from './outbox.processor.js';
import { OutboxStrategy } from '../outbox/outbox.strategy.js';

/**
 * Queue mode: switches the engine to the outbox, dispatches outbox rows to the Bull queue and, in a worker,
 * processes them. A process always enqueues the rows it wrote itself, right after their commit. Which roles a process plays is set by `queue.worker` and `queue.sweep`.
 */
@Injectable()
export class ReferencesQueueService implements OnApplicationBootstrap, OnModuleDestroy {
  readonly dispatcher: OutboxDispatcher;
  private readonly processor: OutboxProcessor;

  constructor(
    @Inject(REFERENCES_MODULE_OPTIONS) private readonly options: ReferencesModuleOptions,
    @InjectQueue(REFERENCES_QUEUE) private readonly queue: Queue,
    engine: ReferencesEngine,
    @Optional() @Inject(REFERENCES_CLI_PROCESS) private readonly cliProcess?: boolean,
  ) {
    this.dispatcher = new OutboxDispatcher(engine.dataSource, queue, { attempts: options.queue?.attempts ?? 5 });
    const strategy = new OutboxStrategy(engine.index, (ids) => this.dispatcher.enqueue(ids));
    engine.strategy = strategy;
    engine.afterCommit = (runner) => strategy.committed(runner);
    engine.afterRollback = (runner) => strategy.rolledBack(runner);
    this.processor = new OutboxProcessor(engine, strategy);
  }

  onApplicationBootstrap(): void {
    // NOTE: a maintenance command run with the app's environment must change nothing it was not asked to.
    if (this.cliProcess) return;
    const queue = this.options.queue ?? {};
    if (queue.worker !== false) {
      this.queue.process(PROPAGATE_JOB, queue.concurrency ?? 1, (job) => this.processor.process(job));
      this.queue.on('failed', (job, error) => void this.processor.failed(job, error));
    }
    if (queue.sweep !== false) this.dispatcher.startSweeping(queue.sweepIntervalMs ?? 5000);
  }

  async onModuleDestroy(): Promise<void> {
    await this.dispatcher.stop();
  }
}
