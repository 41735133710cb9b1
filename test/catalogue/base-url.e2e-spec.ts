import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kill, until } from '../support/processes.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const TOKEN = 'base-url-token';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.once('error', reject);
  });
}

// The catalogue restarted on another port, a CLI run without PORT: the base URL stored with the
// references is the one used, a different BASE_URL is refused at start, and `references rebase` moves it.
describe('the catalogue keeps the base URL its data uses', () => {
  let dir: string;
  const env = (extra: Record<string, string> = {}) => ({ PATH: process.env.PATH ?? '', CATALOGUE_TOKEN: TOKEN, ...extra });

  function run(script: 'main' | 'cli', args: string[], extra: Record<string, string> = {}) {
    const child = spawn(process.execPath, [join(ROOT, `apps/catalogue/dist/${script}.js`), ...args], {
      cwd: dir,
      env: env(extra),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk) => (stdout += chunk));
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
      child.once('close', (code) => resolve({ code, stdout, stderr })),
    );
    return { child, exited, output: () => stdout + stderr };
  }

  async function startApp(port: number, extra: Record<string, string> = {}): Promise<{ child: ChildProcess; url: string; output: () => string }> {
    const started = run('main', ['--no-demo'], { PORT: String(port), ...extra });
    const url = `http://127.0.0.1:${port}`;
    await until(async () => (await fetch(`${url}/health`).catch(() => undefined))?.status === 200, 60_000, 'the catalogue to answer');
    return { child: started.child, url, output: started.output };
  }

  const send = (url: string, method: string, path: string, body?: object) =>
    fetch(`${url}${path}`, { method, headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' }, body: body && JSON.stringify(body) });

  beforeAll(() => {
    execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-b', 'apps/catalogue/tsconfig.app.json'], { cwd: ROOT, stdio: 'inherit' });
    dir = mkdtempSync(join(tmpdir(), 'catalogue-base-url-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('another port keeps the stored base URL; another BASE_URL is refused; rebase moves the data', async () => {
    const [first, second] = [await freePort(), await freePort()];
    const firstBase = `http://localhost:${first}`;

    // A new database takes http://localhost:$PORT, and the start line says where it listens and the base.
    let app = await startApp(first);
    expect(app.output()).toContain(`base URL ${firstBase}`);
    const term: any = await (await send(app.url, 'POST', '/terms', { slug: 'baroque', title: 'Baroque' })).json();
    expect(term.links.self).toBe(`${firstBase}/terms/${term.id}`);
    // The same record through the alias (127.0.0.1) is stored under the base URL.
    const artwork: any = await (await send(app.url, 'POST', '/artworks', { title: 'A', stylePeriod: { links: { self: `http://127.0.0.1:${first}/terms/${term.id}` } } })).json();
    expect(artwork.stylePeriod).toEqual(term);
    await kill(app.child, 'SIGTERM');

    // Another port, no BASE_URL: the stored base URL, and a rename still reaches the copy.
    app = await startApp(second);
    expect((await (await fetch(`${app.url}/`)).json() as any).links.self).toBe(`${firstBase}/`);
    expect((await send(app.url, 'PUT', `/terms/${term.id}`, { slug: 'baroque', title: 'High Baroque' })).status).toBe(200);
    expect(((await (await fetch(`${app.url}/artworks/${artwork.id}`)).json()) as any).stylePeriod.title).toBe('High Baroque');
    await kill(app.child, 'SIGTERM');

    // The CLI without PORT finds the data consistent.
    const verify = await run('cli', ['references', 'verify']).exited;
    expect(verify.stdout).toContain('consistent');
    expect(verify.code).toBe(0);

    // BASE_URL set to something else: one line naming both, and the way out.
    const secondBase = `http://localhost:${second}`;
    const refused = await run('main', ['--no-demo'], { PORT: String(second), BASE_URL: secondBase }).exited;
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`the stored references use the base URL ${firstBase}, but this process was started with ${secondBase}`);
    expect(refused.stderr).toContain(`references rebase ${secondBase}`);

    // rebase moves everything, and the app starts with the new base URL.
    const rebase = await run('cli', ['references', 'rebase', secondBase]).exited;
    expect(rebase.stdout).toContain(`Rebased ${firstBase} → ${secondBase}: 1 records, 1 references rewritten.`);
    expect(rebase.code).toBe(0);
    app = await startApp(second, { BASE_URL: secondBase });
    const moved: any = await (await fetch(`${app.url}/artworks/${artwork.id}`)).json();
    expect(moved.stylePeriod.links.self).toBe(`${secondBase}/terms/${term.id}`);
    await kill(app.child, 'SIGTERM');
    expect((await run('cli', ['references', 'verify']).exited).code).toBe(0);
  });
});
