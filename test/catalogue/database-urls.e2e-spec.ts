import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { connectionOptions, MARIADB_URL, POSTGRES_URL, type DatabaseKind } from '../support/databases.js';
import { freePort } from '../support/servers.js';
import { appPort, buildCatalogue, CatalogueProcess } from './catalogue-process.js';

const TOKEN = 'database-urls-token-0123';

/** A URL of the same server and database with another scheme (`mysql://…` → `mariadb://…`). */
const withScheme = (url: string, scheme: string) => url.replace(/^[a-z]+:/, `${scheme}:`);

/** Empties the database a run uses, so that each scheme starts the catalogue on a fresh one (its migrations run). */
async function emptyDatabase(kind: DatabaseKind): Promise<void> {
  if (kind === 'sqlite') return;
  await (await new DataSource(connectionOptions(kind)).initialize()).destroy();
}

// `DATABASE_URL=… npm start` as the README says, for each scheme the configuration takes: the built app and
// its CLI each check the database with the URL's own driver, start, and write through it.
const SCHEMES: Array<[label: string, kind: DatabaseKind, url: string | undefined]> = [
  ['postgres://', 'postgres', withScheme(POSTGRES_URL, 'postgres')],
  ['postgresql://', 'postgres', withScheme(POSTGRES_URL, 'postgresql')],
  ['mysql://', 'mariadb', withScheme(MARIADB_URL, 'mysql')],
  ['mariadb://', 'mariadb', withScheme(MARIADB_URL, 'mariadb')],
  ['unset (SQLite file)', 'sqlite', undefined],
];

describe.each(SCHEMES)('the built catalogue and its CLI with DATABASE_URL %s', (_label, kind, url) => {
  let cwd: string;
  let app: CatalogueProcess | undefined;
  const env = (): Record<string, string> => ({ ...(url ? { DATABASE_URL: url } : {}), CATALOGUE_TOKEN: TOKEN });

  beforeAll(async () => {
    buildCatalogue();
    await emptyDatabase(kind);
    // NOTE: the default SQLite file is relative to the working directory: a directory of the test's own.
    cwd = mkdtempSync(join(tmpdir(), 'catalogue-urls-'));
  }, 120_000);
  afterEach(() => app?.kill());
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));

  let termUrl: string;
  let artworkId: string;

  it('starts, names its database, takes writes and propagates them; stops with exit code 0', async () => {
    const port = await appPort();
    app = new CatalogueProcess({ ...env(), PORT: String(port) }, ['--no-demo'], { cwd });
    await app.waitFor(/Catalogue listening on /);
    expect(app.stdout).toContain(kind === 'sqlite' ? '(SQLite file data/catalogue.sqlite' : kind === 'postgres' ? '(PostgreSQL' : '(MariaDB / MySQL');

    const base = `http://127.0.0.1:${port}`;
    const send = async (method: string, path: string, body: object) => {
      const response = await fetch(`${base}${path}`, {
        method,
        headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect([method, path, response.status]).toEqual([method, path, method === 'POST' ? 201 : 200]);
      return (await response.json()) as Record<string, any>;
    };
    const term = await send('POST', '/terms', { slug: 'baroque', title: 'Baroque' });
    termUrl = term.links.self;
    artworkId = (await send('POST', '/artworks', { title: 'Las Meninas', stylePeriod: { links: { self: termUrl } } })).id;
    await send('PUT', `/terms/${term.id}`, { slug: 'baroque', title: 'Barock' });

    expect(((await (await fetch(`${base}/terms/${term.id}`)).json()) as Record<string, any>).title).toBe('Barock');
    // Sync mode: the artwork's copy of the term holds the change once the PUT has answered.
    expect(((await (await fetch(`${base}/artworks/${artworkId}`)).json()) as Record<string, any>).stylePeriod).toMatchObject({ title: 'Barock' });
    expect(await app.stop('SIGTERM')).toBe(0);
  }, 120_000);

  it('runs the library CLI on the same database: synchronize rewrites the index, referrers reads it back', async () => {
    const synchronize = new CatalogueProcess(env(), ['references', 'synchronize', '--clear'], { script: 'cli', cwd });
    expect(await synchronize.exit()).toBe(0);
    // Its progress goes to stderr; an error would be a `catalogue: …` line there.
    expect(synchronize.stderr).not.toContain('catalogue:');

    const referrers = new CatalogueProcess(env(), ['references', 'referrers', termUrl], { script: 'cli', cwd });
    expect([await referrers.exit(), referrers.stderr]).toEqual([0, '1 reference(s)\n']);
    expect(referrers.stdout).toContain(artworkId);
  }, 60_000);
});

describe('the start-up check of each driver, when it cannot connect', () => {
  beforeAll(() => buildCatalogue(), 120_000);

  const mariadb = new URL(MARIADB_URL);
  const missing = 'catalogue_missing_urls';
  it.each([
    [
      `mysql://${mariadb.username || 'root'}@${mariadb.host}/${missing}`,
      `cannot connect to MariaDB / MySQL at mysql://${mariadb.username || 'root'}@${mariadb.host}/${missing}: database "${missing}" does not exist; ` +
        `create it (mysql -h ${mariadb.hostname} -P ${mariadb.port || 3306} -u ${mariadb.username || 'root'} -e 'CREATE DATABASE \`${missing}\`') or fix DATABASE_URL`,
    ],
    [
      `mariadb://root:secret@127.0.0.1:{port}/catalogue`,
      `cannot connect to MariaDB / MySQL at mariadb://root:***@127.0.0.1:{port}/catalogue: ` +
        `connection refused; is MariaDB / MySQL running and listening on 127.0.0.1:{port}?`,
    ],
  ])('%s: the app and the CLI say one line and exit 1', async (urlPattern, messagePattern) => {
    // NOTE: "{port}" is a port nothing listens on, asked of the OS when the test runs.
    const port = String(await freePort());
    const url = urlPattern.replace('{port}', port);
    const message = messagePattern.replaceAll('{port}', port);
    for (const script of ['main', 'cli'] as const) {
      const run = new CatalogueProcess({ DATABASE_URL: url }, script === 'cli' ? ['references', 'verify'] : ['--no-demo'], { script });
      expect(await run.exit()).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr.trimEnd().split('\n')).toEqual([`catalogue: ${message}`]);
    }
  });

  it('a MariaDB URL that points at PostgreSQL names the scheme, host and port to check', async () => {
    const postgres = new URL(POSTGRES_URL);
    const run = new CatalogueProcess({ DATABASE_URL: `mysql://root@${postgres.hostname}:${postgres.port || 5432}/catalogue` }, ['--no-demo']);
    expect(await run.exit()).toBe(1);
    expect(run.stderr.trimEnd().split('\n')).toEqual([
      expect.stringMatching(/^catalogue: cannot connect to MariaDB \/ MySQL at mysql:.*check the scheme, host and port in DATABASE_URL/),
    ]);
  });
});
