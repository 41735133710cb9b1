import { Inject, Injectable, Logger, Optional, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Queue } from 'bull';
import type { ReferencesModuleOptions } from '../interfaces/references-module-options.interface.js';
import { REFERENCES_BULL_QUEUE, REFERENCES_CLI_PROCESS, REFERENCES_MODULE_OPTIONS } from '../references.constants.js';
import { OutboxDispatcher, PROPAGATE_JOB } from './outbox-dispatcher.service.js';
import { OutboxProcessor } from './outbox.processor.js';

/**
 * The roles a process plays in queue mode, started once the application is up: a worker runs the
 * propagation jobs (`queue.worker`), a sweeper enqueues outbox rows that were never enqueued (`queue.sweep`).
 * Every process enqueues the rows it wrote itself, right after their commit, whatever its roles; a process
 * that runs the `references …` commands (`ReferencesCliModule`) plays neither role.
 */
/** Pause before a worker whose queue could not start (Redis unreachable at start) tries again. */
const RESTART_PAUSE_MS = 2000;

@Injectable()
export class OutboxWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('ReferencesOutboxWorker');
  private stopping = false;
  private restartTimer?: NodeJS.Timeout;

  constructor(
    @Inject(REFERENCES_MODULE_OPTIONS) private readonly options: ReferencesModuleOptions,
    @Inject(REFERENCES_BULL_QUEUE) private readonly queue: Queue,
    private readonly processor: OutboxProcessor,
    private readonly dispatcher: OutboxDispatcher,
    // NOTE: a process running the `references …` commands changes nothing it is not asked to.
    @Optional() @Inject(REFERENCES_CLI_PROCESS) private readonly cliProcess?: boolean,
  ) {}

  onApplicationBootstrap(): void {
    if (this.cliProcess) return;
    const queue = this.options.queue ?? {};
    if (queue.worker !== false) {
      const concurrency = queue.concurrency ?? 1;
      this.started(this.queue.process(PROPAGATE_JOB, concurrency, (job) => this.processor.process(job)), concurrency);
      this.queue.on('failed', (job, error) => void this.processor.failed(job, error));
    }
    if (queue.sweep !== false) this.dispatcher.startSweeping(queue.sweepIntervalMs ?? 5000);
  }

  onModuleDestroy(): void {
    this.stopping = true;
    clearTimeout(this.restartTimer);
  }

  /**
   * Bull's processing loop retries on its own once it runs, but its start rejects when Redis stays
   * unreachable for a while (ioredis gives up on the first commands): the worker then starts it again,
   * rather than leaving the rejection unhandled (which ends the process) or the worker idle for good.
   */
  private started(running: Promise<void>, concurrency: number): void {
    running.catch((error: Error) => {
      if (this.stopping) return;
      this.logger.warn(`Propagation worker could not start, retrying: ${error.message}`);
      this.restartTimer = setTimeout(() => {
        // NOTE: Bull's `run` is what `process` calls once the handler is set; a handler is set only once.
        const queue = this.queue as unknown as { run(concurrency: number, name: string): Promise<void> };
        this.started(queue.run(concurrency, PROPAGATE_JOB), concurrency);
      }, RESTART_PAUSE_MS);
    });
  }
}
