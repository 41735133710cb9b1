import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CatalogueProcess, appPort, buildCatalogue } from './catalogue-process.js';

const TOKEN = 'base-url-token';

// The catalogue restarted on another port, a CLI run without PORT: the base URL stored with the
// references is the one used, a different BASE_URL is refused at start, and `references rebase` moves it.
describe('the catalogue keeps the base URL its data uses', () => {
  let dir: string;
  const env = (extra: Record<string, string> = {}) => ({ CATALOGUE_TOKEN: TOKEN, ...extra });

  /** The app or the CLI in the test's directory (and its SQLite file), run to its end. */
  async function run(script: 'main' | 'cli', args: string[], extra: Record<string, string> = {}) {
    const started = new CatalogueProcess(env(extra), args, { cwd: dir, script });
    const code = await started.exit();
    return { code, stdout: started.stdout, stderr: started.stderr };
  }

  async function startApp(port: number, extra: Record<string, string> = {}): Promise<{ process: CatalogueProcess; url: string }> {
    const app = new CatalogueProcess(env({ PORT: String(port), ...extra }), ['--no-demo'], { cwd: dir });
    // NOTE: the start line, not /health: it proves that this process, not another, listens on the port.
    await app.waitFor(/Catalogue listening on /);
    return { process: app, url: `http://127.0.0.1:${port}` };
  }

  const send = (url: string, method: string, path: string, body?: object) =>
    fetch(`${url}${path}`, { method, headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' }, body: body && JSON.stringify(body) });

  beforeAll(() => {
    buildCatalogue();
    dir = mkdtempSync(join(tmpdir(), 'catalogue-base-url-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('another port keeps the stored base URL; another BASE_URL is refused; rebase moves the data', async () => {
    const first = await appPort();
    const firstBase = `http://localhost:${first}`;

    // A new database takes http://localhost:$PORT, and the start line says where it listens and the base.
    let app = await startApp(first);
    expect(app.process.stdout).toContain(`base URL ${firstBase}`);
    const term: any = await (await send(app.url, 'POST', '/terms', { slug: 'baroque', title: 'Baroque' })).json();
    expect(term.links.self).toBe(`${firstBase}/terms/${term.id}`);
    // The same record through the alias (127.0.0.1) is stored under the base URL.
    const artwork: any = await (await send(app.url, 'POST', '/artworks', { title: 'A', stylePeriod: { links: { self: `http://127.0.0.1:${first}/terms/${term.id}` } } })).json();
    expect(artwork.stylePeriod).toEqual(term);
    await app.process.stop();

    // Another port, no BASE_URL: the stored base URL, and a rename still reaches the copy.
    const second = await appPort();
    app = await startApp(second);
    expect((await (await fetch(`${app.url}/`)).json() as any).links.self).toBe(`${firstBase}/`);
    expect((await send(app.url, 'PUT', `/terms/${term.id}`, { slug: 'baroque', title: 'High Baroque' })).status).toBe(200);
    expect(((await (await fetch(`${app.url}/artworks/${artwork.id}`)).json()) as any).stylePeriod.title).toBe('High Baroque');
    await app.process.stop();

    // The CLI without PORT finds the data consistent.
    const verify = await run('cli', ['references', 'verify']);
    expect(verify.stdout).toContain('consistent');
    expect(verify.code).toBe(0);

    // BASE_URL set to something else: one line naming both, and the way out.
    const secondBase = `http://localhost:${second}`;
    const refused = await run('main', ['--no-demo'], { PORT: String(second), BASE_URL: secondBase });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`the stored references use the base URL ${firstBase}, but this process was started with ${secondBase}`);
    expect(refused.stderr).toContain(`references rebase ${secondBase}`);

    // rebase moves everything, and the app starts with the new base URL.
    const rebase = await run('cli', ['references', 'rebase', secondBase]);
    expect(rebase.stdout).toContain(`Rebased ${firstBase} → ${secondBase}: 1 records, 1 references rewritten.`);
    expect(rebase.code).toBe(0);
    app = await startApp(second, { BASE_URL: secondBase });
    const moved: any = await (await fetch(`${app.url}/artworks/${artwork.id}`)).json();
    expect(moved.stylePeriod.links.self).toBe(`${secondBase}/terms/${term.id}`);
    await app.process.stop();
    expect((await run('cli', ['references', 'verify'])).code).toBe(0);
  });
});
