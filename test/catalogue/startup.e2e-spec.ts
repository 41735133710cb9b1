import { beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync, spawn } from 'node:child_process';

const ROOT = new URL('../../', import.meta.url).pathname;

/** Starts the built catalogue with `env` and waits for it to exit (a bad setting must stop it at once). */
function start(env: Record<string, string>, args: string[] = []): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['apps/catalogue/dist/main.js', ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('catalogue start-up with a bad setting', () => {
  beforeAll(() => {
    execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-b', 'apps/catalogue/tsconfig.app.json'], { cwd: ROOT, stdio: 'inherit' });
  });

  it.each([
    [{ PORT: 'eighty' }, [], 'catalogue: PORT must be a whole number from 1 to 65535, got "eighty"'],
    [{ DATABASE_URL: 'mongodb://root:secret@db/catalogue' }, [], 'got "mongodb://root:***@db/catalogue"'],
    [{ REDIS_URL: 'http://cache' }, [], 'catalogue: REDIS_URL must be a URL like redis://host:6379, got "http://cache"'],
    [{}, ['--role', 'worker'], 'catalogue: --role worker splits queue mode into API and worker processes: set REDIS_URL'],
  ])('%j %j: one line, exit code 1', async (env, args, message) => {
    const result = await start(env, args);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trimEnd().split('\n')).toEqual([expect.stringContaining(message)]);
  });
});
