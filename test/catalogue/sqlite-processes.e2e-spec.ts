import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kill, until } from '../support/processes.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const TOKEN = 'sqlite-processes-token';
const BASE_URL = 'http://catalogue.test';

/** A port nobody listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.once('error', reject);
  });
}

// Two catalogue processes and the CLI on one SQLite file, as a user runs them: every write of either
// process is accepted (no 500 `database is locked`), and the CLI finds the data consistent afterwards.
describe('two catalogue processes and the CLI on one SQLite file', () => {
  let dir: string;
  const apps: Array<{ child: ChildProcess; url: string }> = [];
  const env = () => ({ PATH: process.env.PATH ?? '', CATALOGUE_TOKEN: TOKEN, BASE_URL });

  async function startApp(): Promise<{ child: ChildProcess; url: string }> {
    const port = await freePort();
    const child = spawn(process.execPath, [join(ROOT, 'apps/catalogue/dist/main.js'), '--no-demo'], {
      cwd: dir,
      env: { ...env(), PORT: String(port) },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const url = `http://127.0.0.1:${port}`;
    await until(async () => (await fetch(`${url}/health`).catch(() => undefined))?.status === 200, 60_000, 'the catalogue to answer');
    return { child, url };
  }

  const send = (url: string, method: string, path: string, body?: object) =>
    fetch(`${url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
      body: body && JSON.stringify(body),
    });

  function cli(args: string[]): Promise<{ code: number | null; stdout: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [join(ROOT, 'apps/catalogue/dist/cli.js'), ...args], { cwd: dir, env: env(), stdio: ['ignore', 'pipe', 'inherit'] });
      let stdout = '';
      child.stdout!.on('data', (chunk) => (stdout += chunk));
      child.once('error', reject);
      child.once('close', (code) => resolve({ code, stdout }));
    });
  }

  beforeAll(async () => {
    execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-b', 'apps/catalogue/tsconfig.app.json'], { cwd: ROOT, stdio: 'inherit' });
    dir = mkdtempSync(join(tmpdir(), 'catalogue-sqlite-'));
    // NOTE: one after the other: the first runs the migrations, the second finds them done.
    apps.push(await startApp());
    apps.push(await startApp());
  });
  afterAll(async () => {
    await Promise.all(apps.map(({ child }) => kill(child, 'SIGTERM')));
    rmSync(dir, { recursive: true, force: true });
  });

  it('accepts every write of both processes while the CLI reads, and ends consistent', async () => {
    const [a, b] = apps;
    const term: any = await (await send(a.url, 'POST', '/terms', { slug: 'baroque', title: 'Baroque 0' })).json();
    const link = { links: { self: term.links.self } };
    const artworks: any[] = await Promise.all(
      Array.from({ length: 10 }, async (_, i) => (await send(i % 2 ? a.url : b.url, 'POST', '/artworks', { title: `A${i}`, stylePeriod: link })).json()),
    );
    const statuses: number[] = [];
    for (let round = 1; round <= 8; round++) {
      const responses = await Promise.all([
        send(a.url, 'PUT', `/terms/${term.id}`, { slug: 'baroque', title: `Baroque ${round}` }),
        ...artworks.map((artwork, i) =>
          send(i % 2 ? b.url : a.url, 'PUT', `/artworks/${artwork.id}`, { title: `A${i} round ${round}`, stylePeriod: link }),
        ),
        ...Array.from({ length: 4 }, (_, i) => send(i % 2 ? a.url : b.url, 'POST', '/artworks', { title: `New ${round}.${i}`, stylePeriod: link })),
        cli(['references', 'verify', '--json']).then(({ code }) => ({ status: code === null ? 599 : 200 })),
      ]);
      statuses.push(...responses.map((response) => response.status));
    }
    expect(statuses.filter((status) => status >= 500)).toEqual([]);
    expect(statuses).toHaveLength(8 * 16);

    const verify = await cli(['references', 'verify']);
    expect(verify.stdout).toContain('consistent');
    expect(verify.code).toBe(0);
    const list: any = await (await fetch(`${b.url}/artworks?limit=100`)).json();
    expect(list.items).toHaveLength(10 + 8 * 4);
    expect(new Set(list.items.map((artwork: any) => artwork.stylePeriod.title))).toEqual(new Set(['Baroque 8']));
  });
});
