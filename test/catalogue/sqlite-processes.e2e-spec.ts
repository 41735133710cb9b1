import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CatalogueProcess, appPort, buildCatalogue } from './catalogue-process.js';

const TOKEN = 'sqlite-processes-token';
const BASE_URL = 'http://catalogue.test';

// Two catalogue processes and the CLI on one SQLite file, as a user runs them: every write of either
// process is accepted (no 500 `database is locked`), and the CLI finds the data consistent afterwards.
describe('two catalogue processes and the CLI on one SQLite file', () => {
  let dir: string;
  const apps: Array<{ process: CatalogueProcess; url: string }> = [];
  const env = { CATALOGUE_TOKEN: TOKEN, BASE_URL };

  async function startApp(): Promise<{ process: CatalogueProcess; url: string }> {
    const port = await appPort();
    const app = new CatalogueProcess({ ...env, PORT: String(port) }, ['--no-demo'], { cwd: dir });
    // NOTE: the start line, not /health: it proves that this process, not another, listens on the port.
    await app.waitFor(/Catalogue listening on /);
    return { process: app, url: `http://127.0.0.1:${port}` };
  }

  const send = (url: string, method: string, path: string, body?: object) =>
    fetch(`${url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
      body: body && JSON.stringify(body),
    });

  async function cli(args: string[]): Promise<{ code: number | null; stdout: string }> {
    const run = new CatalogueProcess(env, args, { cwd: dir, script: 'cli' });
    const code = await run.exit();
    return { code, stdout: run.stdout };
  }

  beforeAll(async () => {
    buildCatalogue();
    dir = mkdtempSync(join(tmpdir(), 'catalogue-sqlite-'));
    // NOTE: one after the other: the first runs the migrations, the second finds them done.
    apps.push(await startApp());
    apps.push(await startApp());
  });
  afterAll(async () => {
    await Promise.all(apps.map(({ process }) => process.stop()));
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
