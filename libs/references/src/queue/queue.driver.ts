/** The name of the propagation jobs in the references queue. */
export const PROPAGATE_JOB = 'propagate';

/** The queue library queue mode runs on: Bull (`bull`, `@nestjs/bull`) or BullMQ (`bullmq`, `@nestjs/bullmq`). */
export type QueueDriverName = 'bull' | 'bullmq';

/** The propagation job of one outbox row, as the processor sees it whichever library runs it. */
export interface PropagationJob {
  readonly data: { outboxId: number };
  /** Attempts that ended in a failure before this one (in a `failed` handler: including this one). */
  readonly attemptsMade: number;
  readonly opts: { attempts?: number };
  /** Reports progress to dashboards. */
  progress(value: object): Promise<unknown>;
}

/** A propagation job to add: the outbox row and the job id derived from it. */
export interface PropagationJobSpec {
  outboxId: number;
  jobId: string;
}

/** How a propagation job is retried. */
export interface PropagationJobOptions {
  /** Attempts before the job fails for good. */
  attempts: number;
  /** The first pause before a retry, doubling at each. */
  backoffMs: number;
}

/** The propagation jobs to add, as both libraries take them in `addBulk`. */
export function propagationJobs(jobs: PropagationJobSpec[], options: PropagationJobOptions) {
  return jobs.map(({ outboxId, jobId }) => ({
    name: PROPAGATE_JOB,
    data: { outboxId },
    opts: {
      attempts: options.attempts,
      backoff: { type: 'exponential', delay: options.backoffMs },
      removeOnComplete: true,
      // NOTE: a change that failed for good stays a failed job, so that a dashboard shows it and its Retry reopens
      // the outbox row (`OutboxProcessor.run`); the dispatcher removes it when the row is retried otherwise.
      removeOnFail: false,
      jobId,
    },
  }));
}

/** What the worker runs per job, and hears of each failed attempt. */
export interface PropagationHandlers {
  process(job: PropagationJob): Promise<void>;
  failed(job: PropagationJob, error: Error): void;
}

/** Hears of a job that ended: its id, and the error of a failed one. */
export type JobEndedListener = (jobId: string, error?: string) => void;

/**
 * The queue operations the outbox needs, over Bull or BullMQ: the dispatcher adds jobs, the worker runs them.
 * Both libraries recover a killed worker's job through its lock (the stalled-job check), and both drop an
 * add whose job id is in the queue still, which makes enqueueing a row twice harmless.
 * One implementation per library, bound by `ReferencesQueueModule` from `queue.driver`; only the chosen one
 * is loaded.
 */
export abstract class QueueDriver {
  /** Which library this is. */
  abstract readonly name: QueueDriverName;

  /** Adds one job per row, in one round trip; a job id still in the queue gets no second job. */
  abstract addBulk(jobs: PropagationJobSpec[], options: PropagationJobOptions): Promise<void>;

  /**
   * Starts running the jobs, `concurrency` at a time, until `close()`. Rides out Redis being unreachable at
   * start or later: the worker resumes once Redis is back.
   */
  abstract process(concurrency: number, handlers: PropagationHandlers): void;

  /**
   * Calls `listener` whenever a propagation job of this queue ends, completed or failed (with its error),
   * in whichever process it ran: the libraries' own events over Redis, so nothing runs in the workers for it.
   * Returns what stops listening.
   */
  abstract onJobEnded(listener: JobEndedListener): () => Promise<void>;

  /** Jobs per state (waiting, active, delayed, failed, …), for dashboards and tests. */
  abstract counts(): Promise<Record<string, number>>;

  /** Removes the failed jobs among these ids, so that adding a job under the same id again is not dropped. */
  abstract removeFailed(jobIds: string[]): Promise<void>;

  /** Stops running jobs (the queue itself is closed by its Nest module). */
  abstract close(): Promise<void>;
}
