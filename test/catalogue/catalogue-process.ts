import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { until } from '../support/processes.js';
import { freePort } from '../support/servers.js';

const ROOT = new URL('../../', import.meta.url).pathname;

/** Generous bounds: a test fails past them, it never measures against them. */
export const START_TIMEOUT_MS = 60_000;
export const EXIT_TIMEOUT_MS = 30_000;

/** Compiles the catalogue (and the library) as `npm start` does. */
export function buildCatalogue(): void {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-b', 'apps/catalogue/tsconfig.app.json'], { cwd: ROOT, stdio: 'inherit' });
}

/** A port for a catalogue process: `TEST_APP_PORT` where ports are assigned, else one the system says is free. */
export async function appPort(): Promise<number> {
  return process.env.TEST_APP_PORT ? Number(process.env.TEST_APP_PORT) : freePort();
}

/** Where a catalogue process runs: the app (`main`) or its command line (`cli`), from which directory. */
export interface CatalogueProcessOptions {
  /** @default 'main' */
  script?: 'main' | 'cli';
  /** The working directory (where the default SQLite file goes). @default the repository */
  cwd?: string;
}

/** The built catalogue (`node apps/catalogue/dist/main.js`, or its `cli.js`) in a process of its own, with `env` only. */
export class CatalogueProcess {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  private readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(env: Record<string, string>, args: string[] = [], options: CatalogueProcessOptions = {}) {
    this.child = spawn(process.execPath, [`${ROOT}apps/catalogue/dist/${options.script ?? 'main'}.js`, ...args], {
      cwd: options.cwd ?? ROOT,
      env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.on('data', (chunk) => (this.stdout += chunk));
    this.child.stderr!.on('data', (chunk) => (this.stderr += chunk));
    this.exited = new Promise((resolve, reject) => {
      this.child.once('error', reject);
      this.child.once('close', (code, signal) => resolve({ code, signal }));
    });
  }

  /** Waits until the output shows `pattern`; fails if the process exits first. */
  async waitFor(pattern: RegExp, timeoutMs = START_TIMEOUT_MS): Promise<void> {
    await until(
      async () => {
        if (this.child.exitCode !== null) throw new Error(`the catalogue exited with ${this.child.exitCode}:\n${this.stdout}${this.stderr}`);
        return pattern.test(this.stdout);
      },
      timeoutMs,
      `the catalogue to print ${pattern}`,
    );
  }

  /** The exit code, once the process has ended (failing after `timeoutMs`). */
  async exit(timeoutMs = EXIT_TIMEOUT_MS): Promise<number | null> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the catalogue did not exit within ${timeoutMs} ms:\n${this.stdout}${this.stderr}`)), timeoutMs);
    });
    try {
      return (await Promise.race([this.exited, late])).code;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Sends `signal` and returns the exit code. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = EXIT_TIMEOUT_MS): Promise<number | null> {
    this.child.kill(signal);
    return this.exit(timeoutMs);
  }

  /** Kills what a failed test left running. */
  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}
