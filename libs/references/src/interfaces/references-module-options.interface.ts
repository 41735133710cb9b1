import type { ModuleMetadata, Type } from '@nestjs/common';
import type { QueueOptions } from 'bull';
import type { ReferencesMetricsOptions } from '../metrics/references-metrics-options.interface.js';
import type { QueueOptions as BullMqQueueOptions, WorkerOptions as BullMqWorkerOptions } from 'bullmq';
import type { QueueDriverName } from '../queue/queue.driver.js';

/**
 * Where propagation runs.
 * - `sync`: inside the writer's transaction; when `save()` returns, every referrer is updated.
 * - `queue`: an outbox row in the writer's transaction, then Bull or BullMQ jobs on Redis, in any number of workers.
 */
export type PropagationMode = 'sync' | 'queue';

/** Options of the queue mode. */
export interface ReferencesQueueOptions {
  /**
   * The queue library: `bull` (`bull` and `@nestjs/bull` installed) or `bullmq` (`bullmq` and
   * `@nestjs/bullmq` installed). Only the chosen one is loaded. Every process of one database must use the
   * same driver: they share the queue in Redis, and the two libraries store it differently.
   * @default 'bull'
   */
  driver?: QueueDriverName;
  /**
   * Bull queue options (at least `redis`), with `driver: 'bull'`.
   * @default { redis: 'redis://127.0.0.1:6379' }
   */
  bull?: QueueOptions;
  /**
   * BullMQ queue options (at least `connection`, e.g. `{ url: 'redis://host:6379' }`), with
   * `driver: 'bullmq'`; `worker` adds the worker's own (its lock and stalled-job settings override the
   * library's, the same values as on Bull: a killed worker's job runs again within 7.5 s). The worker
   * connects with `maxRetriesPerRequest: null`, as BullMQ requires; a client instance given as
   * `connection` must have it already.
   * @default { connection: { host: '127.0.0.1', port: 6379 } }
   */
  bullmq?: Partial<BullMqQueueOptions> & { worker?: Partial<BullMqWorkerOptions> };
  /**
   * Whether this process runs the propagation jobs (a worker). An API-only process sets `false`.
   * @default true
   */
  worker?: boolean;
  /**
   * Whether this process sweeps the outbox periodically for rows that were never enqueued (a crash
   * between commit and enqueue, Redis down). Rows a process writes are always enqueued after their commit;
   * one sweeping process is enough, more are harmless.
   * @default true
   */
  sweep?: boolean;
  /**
   * Milliseconds between two sweeps of the outbox for rows that were never enqueued.
   * @default 5000
   */
  sweepIntervalMs?: number;
  /**
   * Attempts of a failing job before it is recorded as failed.
   * @default 5
   */
  attempts?: number;
  /**
   * Jobs one worker process runs at once.
   * @default 1
   */
  concurrency?: number;
  /**
   * Milliseconds a running change stays its worker's without a committed batch. Once they have passed, the
   * change is reported as `stalled` by `status()` and the sweep enqueues it again. Make it longer than the
   * longest batch; the clocks of the workers must agree to within a fraction of it.
   * @default 30000
   */
  leaseMs?: number;
  /**
   * Milliseconds done outbox rows are kept (for inspection) before the sweep deletes them.
   * @default 86400000 (a day)
   */
  retainDoneMs?: number;
  /**
   * Milliseconds a run waits out transient errors of the whole job (the database or Redis down) before its
   * row is recorded `blocked`: shown by `status()` and `/health`, and taken up again by the next sweep.
   * @default 300000 (5 minutes)
   */
  maxTransientRetryMs?: number;
}

/** Options of `ReferencesModule.forRoot()`. */
export interface ReferencesModuleOptions {
  /**
   * The base of every canonical URL, e.g. `https://catalogue.example.org`. It is stored with the references
   * at the first start; a later start with another one is refused (`BaseUrlMismatchError`) until
   * `references rebase` has moved the data. Leave it out to use the stored one.
   */
  baseUrl?: string;
  /** The base URL of a database that has none stored yet, when `baseUrl` is left out (e.g. `http://localhost:3000`). */
  defaultBaseUrl?: string;
  /**
   * Other base URLs that name the same records (`http://127.0.0.1:3000` beside `http://localhost:3000`):
   * references under them are stored under the base URL.
   */
  aliases?: string[];
  /**
   * Where propagation runs.
   * @default 'sync'
   */
  propagation?: PropagationMode;
  /**
   * Reject a local reference whose target does not exist (`UnknownReferenceError`).
   * @default false
   */
  strict?: boolean;
  /**
   * The name of the TypeORM data source, when the app has several.
   * @default the default data source
   */
  dataSource?: string;
  /**
   * Index rows handled per batch: per committed transaction in queue mode (short transactions, so that
   * writers of the referrers never wait long), per statement in sync mode (one transaction anyway, so
   * fewer, larger statements).
   * @default 1000 in queue mode, 10000 in sync mode
   */
  batchSize?: number;
  /**
   * What to do with a write on a reference-enabled entity that bypasses its subscriber (`update()`,
   * `delete()`, `softDelete()`, query builders): `'refuse'` throws `UntrackedWriteError` before anything is
   * written; `'allow'` lets it through, and `verify()` / `refresh()` are then the repair.
   * @default 'refuse'
   */
  rawWrites?: 'refuse' | 'allow';
  /**
   * Milliseconds a statement of a propagation, or of a write through `ReferencesService.transaction()`, waits
   * for a row lock before it fails (PostgreSQL `lock_timeout`, MariaDB / MySQL `innodb_lock_wait_timeout`,
   * whole seconds, SQLite's busy timeout). In sync mode the write then answers `WriteConflictError` (503);
   * in queue mode the referrer is set aside and retried while the others go on.
   * @default 5000
   */
  lockTimeoutMs?: number;
  /**
   * Milliseconds one statement of a queue-mode propagation batch may run (PostgreSQL `statement_timeout`,
   * MariaDB `max_statement_time`).
   * @default 60000
   */
  statementTimeoutMs?: number;
  /** Queue mode settings. */
  queue?: ReferencesQueueOptions;
  /**
   * Prometheus metrics of this data source (`ReferencesMetrics`): `true`, or where and how to register them.
   * Needs prom-client installed (an optional peer, loaded only then).
   * @default false
   */
  metrics?: boolean | ReferencesMetricsOptions;
}

/** A class that builds the module options, for `forRootAsync({ useClass })`. */
export interface ReferencesOptionsFactory {
  createReferencesOptions(): Promise<ReferencesModuleOptions> | ReferencesModuleOptions;
}

/** Options of `ReferencesModule.forRootAsync()`. */
export interface ReferencesModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  useFactory?: (...args: any[]) => Promise<ReferencesModuleOptions> | ReferencesModuleOptions;
  inject?: any[];
  useClass?: Type<ReferencesOptionsFactory>;
  useExisting?: Type<ReferencesOptionsFactory>;
  /** The name of the TypeORM data source (needed before the factory runs). @default the default data source */
  dataSource?: string;
  /** The propagation mode (needed before the factory runs, to register the queue). @default 'sync' */
  propagation?: PropagationMode;
  /** The queue library in queue mode, `queue.driver` (needed before the factory runs, to load it). @default 'bull' */
  queueDriver?: QueueDriverName;
}
