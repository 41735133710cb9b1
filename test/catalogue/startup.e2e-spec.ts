import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { POSTGRES_URL } from '../support/databases.js';
import { QUEUE_DRIVERS } from '../support/queues.js';
import { freePort, outage, startPrivatePostgres, startPrivateRedis, type PrivateServer } from '../support/servers.js';
import { appPort, buildCatalogue, CatalogueProcess } from './catalogue-process.js';

const TOKEN = 'startup-token-0123456789';

/** Starts the built catalogue with `env` and waits for it to exit (a bad setting must stop it at once). */
async function start(env: Record<string, string>, args: string[] = []): Promise<{ code: number | null; stderr: string; stdout: string }> {
  const app = new CatalogueProcess(env, args);
  const code = await app.exit();
  return { code, stdout: app.stdout, stderr: app.stderr };
}

const shared = new URL(POSTGRES_URL);
const missingDatabase = `catalogue_missing_${randomUUID().slice(0, 8)}`;
/** Ports nothing listens on: a PostgreSQL and a Redis that are down. */
const [closedPostgresPort, closedRedisPort] = [await freePort(), await freePort()];

describe('catalogue start-up with a bad setting or a server it cannot use', () => {
  beforeAll(() => buildCatalogue());

  it.each([
    [{ PORT: 'eighty' }, [], 'catalogue: PORT must be a whole number from 1 to 65535, got "eighty"'],
    [{ DATABASE_URL: 'mongodb://root:secret@db/catalogue' }, [], 'got "mongodb://root:***@db/catalogue"'],
    [{ REDIS_URL: 'http://cache' }, [], 'catalogue: REDIS_URL must be a URL like redis://host:6379, got "http://cache"'],
    [{}, ['--role', 'worker'], 'catalogue: --role worker splits queue mode into API and worker processes: set REDIS_URL'],
    [{ REDIS_URL: 'redis://127.0.0.1:6379', QUEUE_DRIVER: 'kafka' }, [], 'catalogue: QUEUE_DRIVER must be bull or bullmq, got "kafka"'],
    [
      { DATABASE_URL: `postgres://${shared.username || 'postgres'}:secret@${shared.host}/${missingDatabase}` },
      [],
      `catalogue: cannot connect to PostgreSQL at postgres://${shared.username || 'postgres'}:***@${shared.host}/${missingDatabase}: ` +
        `database "${missingDatabase}" does not exist; create it (createdb -h ${shared.hostname} -p ${shared.port || 5432} ` +
        `-U ${shared.username || 'postgres'} ${missingDatabase}) or fix DATABASE_URL`,
    ],
    [
      { DATABASE_URL: `postgres://postgres:secret@127.0.0.1:${closedPostgresPort}/catalogue` },
      [],
      `catalogue: cannot connect to PostgreSQL at postgres://postgres:***@127.0.0.1:${closedPostgresPort}/catalogue: ` +
        `connection refused; is PostgreSQL running and listening on 127.0.0.1:${closedPostgresPort}?`,
    ],
    [
      { DATABASE_URL: POSTGRES_URL, REDIS_URL: `redis://:secret@127.0.0.1:${closedRedisPort}` },
      [],
      `catalogue: cannot reach Redis at redis://:***@127.0.0.1:${closedRedisPort} (REDIS_URL): connect ECONNREFUSED ` +
        `127.0.0.1:${closedRedisPort}; start Redis, or unset REDIS_URL to run in sync mode`,
    ],
  ])('%j %j: one line, exit code 1', async (env, args, message) => {
    const result = await start(env, args);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trimEnd().split('\n')).toEqual([expect.stringContaining(message)]);
  });
});

describe('catalogue stop on SIGTERM and Ctrl-C', () => {
  let app: CatalogueProcess | undefined;
  let redis: PrivateServer | undefined;
  let postgres: PrivateServer | undefined;
  beforeAll(() => buildCatalogue());
  afterEach(async () => {
    app?.kill();
    await redis?.destroy();
    await postgres?.destroy();
    app = redis = postgres = undefined;
  });

  it('SIGTERM stops a catalogue whose PostgreSQL went down after it started', async () => {
    postgres = await startPrivatePostgres();
    const port = await appPort();
    app = new CatalogueProcess({ DATABASE_URL: postgres.url, PORT: String(port), CATALOGUE_TOKEN: TOKEN }, ['--no-demo']);
    await app.waitFor(/Catalogue listening on /);
    await postgres.stop();
    expect((await fetch(`http://127.0.0.1:${port}/terms`)).status).toBe(503);
    expect(await app.stop('SIGTERM')).toBe(0);
    expect(app.stdout).toMatch(/WARN \[Database\] database unavailable: .*ECONNREFUSED/);
  }, 120_000);

  it.each(QUEUE_DRIVERS)('on %s: says which queue runs, once that Redis is lost, and once that it is back', async (driver) => {
    redis = await startPrivateRedis();
    app = new CatalogueProcess(
      { DATABASE_URL: POSTGRES_URL, REDIS_URL: redis.url, QUEUE_DRIVER: driver, PORT: String(await appPort()), CATALOGUE_TOKEN: TOKEN },
      ['--no-demo'],
    );
    await app.waitFor(new RegExp(`Catalogue listening on .*\\(PostgreSQL, queue mode on ${driver === 'bullmq' ? 'BullMQ' : 'Bull'}\\)`));
    await outage(redis, () => app!.waitFor(/\[Redis\] connection lost/));
    await app.waitFor(/\[Redis\] connection back; the queue goes on/);
    expect(app.stdout.match(/connection lost/g)).toHaveLength(1);
    expect(await app.stop('SIGTERM')).toBe(0);
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('%s stops a started catalogue cleanly: exit code 0', async (signal) => {
    const port = await appPort();
    app = new CatalogueProcess({ DATABASE_URL: POSTGRES_URL, PORT: String(port), CATALOGUE_TOKEN: TOKEN }, ['--no-demo']);
    await app.waitFor(/Catalogue listening on /);
    expect(await app.stop(signal)).toBe(0);
    expect(app.stdout).toContain(`${signal}: stopping`);
  });

  it.each(QUEUE_DRIVERS)('on %s: SIGTERM stops a catalogue in queue mode whose Redis went down after it started, after a write', async (driver) => {
    redis = await startPrivateRedis();
    const port = await appPort();
    app = new CatalogueProcess(
      { DATABASE_URL: POSTGRES_URL, REDIS_URL: redis.url, QUEUE_DRIVER: driver, PORT: String(port), CATALOGUE_TOKEN: TOKEN },
      ['--no-demo'],
    );
    await app.waitFor(/Catalogue listening on /);
    const base = `http://127.0.0.1:${port}`;
    const write = (method: string, path: string, body: object) =>
      fetch(`${base}${path}`, {
        method,
        headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
    const term = (await (await write('POST', '/terms', { slug: 'baroque', title: 'Baroque' })).json()) as { id: string; links: { self: string } };
    const artwork = await write('POST', '/artworks', { title: 'Las Meninas', stylePeriod: { links: { self: term.links.self } } });
    expect(artwork.status).toBe(201);

    await redis.stop();
    await app.waitFor(/WARN \[Redis\] connection lost: .*; changes wait in the outbox until Redis is back/);
    // A change with a referrer: an outbox row whose enqueue waits for Redis.
    expect((await write('PUT', `/terms/${term.id}`, { slug: 'baroque', title: 'Barock' })).status).toBe(200);
    expect(await app.stop('SIGTERM')).toBe(0);
    expect(app.stdout.match(/connection lost/g)).toHaveLength(1);
  });
});
