import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Bull from 'bull';
import { execFileSync, spawn } from 'node:child_process';
import { DataSource } from 'typeorm';
import { REFERENCES_QUEUE } from 'nestjs-references';
import { POSTGRES_URL } from '../support/databases.js';
import { startPrivateRedis, type PrivateServer } from '../support/servers.js';
import { BASE_URL, bootCatalogue, client, linkTo, termUrl } from './catalogue-app.js';

const ROOT = new URL('../../', import.meta.url).pathname;

/** Runs the built catalogue CLI (`node apps/catalogue/dist/cli.js …`) with `env` only. */
function cli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['apps/catalogue/dist/cli.js', ...args], {
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

// The operator runs the CLI with the app's environment, REDIS_URL included, as the README says: the CLI
// must then neither run the waiting propagation jobs (a worker) nor enqueue unfinished outbox rows (the sweep).
describe('the catalogue CLI with REDIS_URL set (PostgreSQL, a private redis-server)', () => {
  let redis: PrivateServer;
  let db: DataSource;
  let queue: Bull.Queue;
  let termId: string;
  let artworkId: string;

  beforeAll(async () => {
    execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-b', 'apps/catalogue/tsconfig.app.json'], { cwd: ROOT, stdio: 'inherit' });
    redis = await startPrivateRedis();
    // The records, written in sync mode; then the term changes behind the library's back.
    const app = await bootCatalogue('postgres');
    const term = await client(app).create('terms', { slug: 'baroque', title: 'Baroque' });
    artworkId = (await client(app).create('artworks', { title: 'Las Meninas', stylePeriod: linkTo(termUrl(term.id)) })).id;
    termId = term.id;
    await app.close();
    db = await new DataSource({ type: 'postgres', url: POSTGRES_URL }).initialize();
    await db.query(`UPDATE term SET metadata = jsonb_set(metadata, '{title}', '"Barock"') WHERE id = $1`, [termId]);
    queue = new Bull(REFERENCES_QUEUE, redis.url);
  }, 120_000);
  afterAll(async () => {
    await queue?.close();
    await db?.destroy();
    await redis?.destroy();
  });

  it('verify reports the waiting change and changes nothing: no job run, no outbox row enqueued', async () => {
    const outbox = async (reference: string) =>
      (await db.query(`INSERT INTO reference_outbox (kind, reference) VALUES ('content', $1) RETURNING id`, [reference]))[0].id as number;
    // A change enqueued (a worker would run it) and one never enqueued (a sweep would enqueue it).
    const waiting = await outbox(termUrl(termId));
    const unswept = await outbox('http://elsewhere.test/terms/1');
    await queue.add('propagate', { outboxId: waiting }, { jobId: `outbox-${waiting}` });

    const result = await cli(['references', 'verify'], { DATABASE_URL: POSTGRES_URL, REDIS_URL: redis.url, BASE_URL });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/stale\s+1/);

    const artwork = await db.query(`SELECT metadata FROM artwork WHERE id = $1`, [artworkId]);
    expect(artwork[0].metadata.stylePeriod.title).toBe('Baroque');
    const rows = await db.query(`SELECT id, status FROM reference_outbox ORDER BY id`);
    expect(rows).toEqual([
      { id: waiting, status: 'pending' },
      { id: unswept, status: 'pending' },
    ]);
    expect(await (await queue.getJob(`outbox-${waiting}`))?.getState()).toBe('waiting');
    expect(await queue.getJob(`outbox-${unswept}`)).toBeNull();
  });

  it('an unknown command exits 1 with one line', async () => {
    const result = await cli(['references', 'frobnicate'], { DATABASE_URL: POSTGRES_URL, REDIS_URL: redis.url, BASE_URL });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'catalogue: unknown command "references frobnicate" (the commands are synchronize, verify, referrers, rename, refresh, rebase, repair, failed, retry)\n',
    );
  });
});

describe("the leak audit and a rollout through the catalogue CLI (PostgreSQL, sync mode)", () => {
  const EMAIL = 'hals@private.example';
  let db: DataSource;
  let agent: Record<string, any>;
  let artworkId: string;
  const env = () => ({ DATABASE_URL: POSTGRES_URL, BASE_URL });

  beforeAll(async () => {
    execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-b', 'apps/catalogue/tsconfig.app.json'], { cwd: ROOT, stdio: 'inherit' });
    const app = await bootCatalogue('postgres');
    agent = await client(app).create('agents', { name: 'Frans Hals', kind: 'person', email: EMAIL });
    artworkId = (await client(app).create('artworks', { title: 'The Laughing Cavalier', creators: [{ role: 'painter', agent: linkTo(agent.links.self) }] })).id;
    await app.close();
    db = await new DataSource({ type: 'postgres', url: POSTGRES_URL }).initialize();
  }, 120_000);
  afterAll(() => db?.destroy());

  it('verify --private lists a copy planted with the private email; refresh --type agents removes it; the audit is then clean', async () => {
    const clean = await cli(['references', 'verify', '--private'], env());
    expect([clean.code, clean.stdout]).toEqual([0, expect.stringContaining('No copy holds a key its target withholds.')]);

    // A copy written behind the library's back (or before the email was excluded) holds it.
    await db.query(`UPDATE artwork SET metadata = jsonb_set(metadata, '{creators,0,agent,email}', $2::jsonb) WHERE id = $1`, [artworkId, JSON.stringify(EMAIL)]);
    const audit = await cli(['references', 'verify', '--private'], env());
    expect(audit.code).toBe(1);
    expect(audit.stdout).toContain(`artworks/${artworkId} creators[0].agent → ${agent.links.self}: email`);
    const json = JSON.parse((await cli(['references', 'verify', '--private', '--json'], env())).stdout);
    expect(json).toMatchObject({ ok: false, withheld: [{ referrerType: 'artworks', referrerId: artworkId, path: 'creators[0].agent', keys: ['email'] }] });
    const report = await cli(['references', 'verify'], env());
    expect(report.stdout).toContain(`artworks/${artworkId} creators[0].agent → ${agent.links.self} (the representation changed)`);

    const refresh = await cli(['references', 'refresh', '--type', 'agents'], env());
    expect([refresh.code, refresh.stderr]).toEqual([0, expect.stringContaining('refresh: 1/1')]);
    expect(refresh.stdout).toContain('Refreshed 1 of 1 target(s).');
    const [stored] = await db.query(`SELECT metadata FROM artwork WHERE id = $1`, [artworkId]);
    expect(stored.metadata.creators[0].agent).toEqual({ name: 'Frans Hals', kind: 'person', id: agent.id, links: { self: agent.links.self } });
    expect((await cli(['references', 'verify', '--private'], env())).code).toBe(0);
    expect((await cli(['references', 'verify'], env())).code).toBe(0);
  });

  it('refresh --type refuses a type the app does not have, naming the ones it has', async () => {
    const result = await cli(['references', 'refresh', '--type', 'paintings'], env());
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/no reference type "paintings" \(the types are .*agents/);
  });
});

describe('the catalogue CLI with a database that does not exist', () => {
  it('exits 1 with one line naming the URL (password redacted) and how to create it', async () => {
    const url = new URL(POSTGRES_URL);
    url.password = 'secret';
    url.pathname = '/catalogue_missing_cli';
    const result = await cli(['references', 'verify'], { DATABASE_URL: url.href });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trimEnd().split('\n')).toEqual([
      expect.stringMatching(/^catalogue: cannot connect to PostgreSQL at postgres:\/\/[^:]*:\*\*\*@.*\/catalogue_missing_cli: database "catalogue_missing_cli" does not exist; create it \(createdb .* catalogue_missing_cli\)/),
    ]);
  });
});
