/**
 * The bench's helper processes: a task started in a process of its own that prints `READY` once booted and,
 * when stopped with SIGTERM, one line `REPORT {json}` before it exits (queue workers, B7's write load).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import Bull from 'bull';
import { REFERENCES_QUEUE } from 'nestjs-references';
import { boot, REDIS_URL, type Kind } from './boot.js';

const TASKS = fileURLToPath(new URL('./tasks.js', import.meta.url));

export interface Child<R = any> {
  child: ChildProcess;
  /** What the process reported when it was stopped (undefined if it died without a report). */
  report: Promise<R | undefined>;
}

/** Starts `node tasks.js <task> <args>` and resolves once it printed READY. */
export function startChild<R = any>(task: string, args: object): Promise<Child<R>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [TASKS, task, JSON.stringify(args)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    const report = new Promise<R | undefined>((done) =>
      child.on('exit', () => {
        const line = out.split('\n').find((l) => l.startsWith('REPORT '));
        done(line ? JSON.parse(line.slice(7)) : undefined);
      }),
    );
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('READY')) resolve({ child, report });
    });
    child.on('exit', (code) => reject(new Error(`${task} exited with ${code}`)));
  });
}

/**
 * Empties the library's Bull queue before a queue-mode run. Job ids are derived from outbox row ids, which
 * start again at 1 in the freshly created tables: a job left in Redis by an earlier run (a worker stopped
 * mid-job leaves it active) would make Bull drop the new row's job as a duplicate until its lock expires
 * and the stalled check re-runs it, about 30 s later.
 */
export async function emptyQueue(): Promise<void> {
  const queue = new Bull(REFERENCES_QUEUE, REDIS_URL);
  try {
    await queue.obliterate({ force: true });
    await queue.resume(); // obliterate pauses the queue first
  } finally {
    await queue.close();
  }
}

/** Sends SIGTERM and waits for the report. */
export async function stopChild<R>(child: Child<R>): Promise<R | undefined> {
  child.child.kill('SIGTERM');
  return child.report;
}

/** In a helper process: print READY, and on SIGTERM run `finish`, print its report and exit. */
export function serveUntilStopped(finish: () => Promise<unknown> | unknown): Promise<never> {
  process.on('SIGTERM', async () => {
    const report = await finish();
    process.stdout.write(`REPORT ${JSON.stringify(report)}\n`, () => process.exit(0));
  });
  process.stdout.write('READY\n');
  return new Promise(() => undefined);
}

/** The `queue-worker` task: a process that only runs the library's Bull processors; reports its memory. */
export async function queueWorker(args: { kind: Kind; sqliteFile?: string; batchSize?: number }) {
  await boot(args.kind, {
    fresh: false,
    sqliteFile: args.sqliteFile,
    references: { propagation: 'queue', queue: { worker: true, sweep: false }, ...(args.batchSize ? { batchSize: args.batchSize } : {}) },
  });
  const readyRss = process.memoryUsage().rss;
  return serveUntilStopped(() => ({ readyRss, peakRss: process.resourceUsage().maxRSS * 1024 }));
}
