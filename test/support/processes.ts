import { execFileSync, fork, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import type { ReferencesStatus } from 'nestjs-references';
import { POSTGRES_URL, REDIS_URL } from './databases.js';
import { queueOn, type QueueDriverName } from './queues.js';
import { bootReferences, type TestContext, type TestSetup } from './test-app.js';

const PROCESSES_DIR = new URL('./processes/', import.meta.url);

/** Compiles the worker and CLI entries (and the library they import) once per test file. */
export function buildProcesses(): void {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-b', new URL('tsconfig.json', PROCESSES_DIR).pathname], {
    stdio: 'inherit',
  });
}

/**
 * The API process of queue mode whose workers run in processes of their own (`startWorker(prefix)`): it
 * writes, enqueues on `prefix` with `driver` and sweeps, and runs no worker. `redis` and `setup` point it at
 * private servers.
 */
export function bootApiProcess(
  prefix: string,
  { redis = REDIS_URL, setup, driver = 'bull' }: { redis?: string; setup?: TestSetup; driver?: QueueDriverName } = {},
): Promise<TestContext> {
  return bootReferences('postgres', { propagation: 'queue', queue: { worker: false, ...queueOn(driver, prefix, redis) } }, [], setup);
}

/** Starts a propagation worker in a process of its own, on the queue `queuePrefix` with `driver`, and waits until it is up. */
export async function startWorker(queuePrefix: string, env: Record<string, string> = {}, driver: QueueDriverName = 'bull'): Promise<ChildProcess> {
  const child = fork(new URL('dist/test/support/processes/worker.js', PROCESSES_DIR).pathname, [], {
    env: {
      ...process.env,
      WORKER_DATABASE_URL: POSTGRES_URL,
      WORKER_REDIS_URL: REDIS_URL,
      WORKER_QUEUE_PREFIX: queuePrefix,
      WORKER_QUEUE_DRIVER: driver,
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const [message] = await Promise.race([
    once(child, 'message'),
    once(child, 'exit').then(([code]) => {
      throw new Error(`worker exited with ${code} before it was ready`);
    }),
  ]);
  if (message !== 'ready') throw new Error(`unexpected message from the worker: ${message}`);
  return child;
}

export async function kill(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill(signal);
  await exited;
}

/** Polls `check` until it returns true, failing after `timeoutMs`. */
export async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the library's commands in a process of their own, as `npm run cli -- references …` does in an app. */
export function runCli(args: string[], options: { onStderr?: (chunk: string, child: ChildProcess) => void } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [new URL('dist/test/support/processes/cli.js', PROCESSES_DIR).pathname, ...args], {
      env: { ...process.env, CLI_DATABASE_URL: POSTGRES_URL },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk) => (stdout += chunk));
    child.stderr!.on('data', (chunk) => {
      stderr += chunk;
      options.onStderr?.(String(chunk), child);
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * `ReferencesService.status()` as a process of its own sees it: with the time zone `tz` (TZ), in queue mode
 * (neither worker nor sweep), on the test PostgreSQL database with its session in `database.pgTimeZone`, or
 * on the SQLite file `database.sqliteFile`.
 */
export async function statusFromProcess(tz: string, database: { pgTimeZone: string } | { sqliteFile: string }): Promise<ReferencesStatus> {
  const child = spawn(process.execPath, [new URL('dist/test/support/processes/outbox-status.js', PROCESSES_DIR).pathname], {
    env: {
      ...process.env,
      TZ: tz,
      ...('sqliteFile' in database
        ? { STATUS_SQLITE_FILE: database.sqliteFile }
        : { STATUS_PG_TIMEZONE: database.pgTimeZone, STATUS_DATABASE_URL: POSTGRES_URL }),
      STATUS_REDIS_URL: REDIS_URL,
      STATUS_QUEUE_PREFIX: `status-${randomUUID()}`,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  const [code] = await once(child, 'close');
  if (code !== 0) throw new Error(`the status process exited with ${code}`);
  return JSON.parse(stdout);
}
