import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { getReferencesQueueToken, ReferenceOutboxEntry } from 'nestjs-references';
import { TestNode } from '../support/fixtures.js';
import { buildProcesses, kill, startWorker, until } from '../support/processes.js';
import { QUEUE_DRIVERS, queueOn } from '../support/queues.js';
import { createNode } from '../support/records.js';
import { countWithTitle, manyReferrers } from '../support/referrers.js';
import { missingPostgresBinaries, missingRedisServer, startPrivatePostgres, startPrivateRedis, type PrivateServer } from '../support/servers.js';
import { bootReferences, type TestContext } from '../support/test-app.js';

const missing = missingPostgresBinaries() ?? missingRedisServer();
if (missing) console.warn(`Skipping the outage tests of queue mode: ${missing}`);

const REFERRERS = 20_000;
/** Longer than the ~13 s after which every worker used to give up (5 attempts, then exit). */
const OUTAGE_MS = 20_000;

/** Keeps a server down for `ms` (the fault itself, not a wait for a result), checking that the workers live on. */
async function outage(ms: number, workers: ChildProcess[]): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    for (const worker of workers) expect({ exitCode: worker.exitCode, signal: worker.signalCode }).toEqual({ exitCode: null, signal: null });
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

// Worker processes on a PostgreSQL cluster and a redis-server of the test's own, stopped under them during
// a fan-out: every database call (or Redis call) of the job handlers fails while they are down.
(missing ? describe.skip : describe).each(QUEUE_DRIVERS)('queue mode during outages (worker processes, private PostgreSQL and Redis), on %s', (driver) => {
  let postgres: PrivateServer | undefined;
  let redis: PrivateServer | undefined;
  let ctx: TestContext | undefined;
  const workers: ChildProcess[] = [];

  beforeAll(() => buildProcesses());
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => kill(w)));
    await ctx?.close();
    ctx = undefined;
    await postgres?.destroy();
    await redis?.destroy();
    postgres = redis = undefined;
  }, 60_000);

  it('rides out a PostgreSQL outage mid fan-out, then finishes it by itself', async () => {
    postgres = await startPrivatePostgres();
    const prefix = `pg-outage-${randomUUID()}`;
    ctx = await bootReferences(
      'postgres',
      { propagation: 'queue', queue: { worker: false, sweepIntervalMs: 250, ...queueOn(driver, prefix) } },
      [],
      { connection: { type: 'postgres', url: postgres.url, dropSchema: true } },
    );
    const target = await createNode(ctx.dataSource, { title: 'before' });
    await manyReferrers(ctx, target, REFERRERS);
    workers.push(
      await startWorker(prefix, { WORKER_DATABASE_URL: postgres.url, WORKER_BATCH_SIZE: '100' }, driver),
      await startWorker(prefix, { WORKER_DATABASE_URL: postgres.url, WORKER_BATCH_SIZE: '100' }, driver),
    );

    target.metadata = { title: 'after' };
    await ctx.dataSource.getRepository(TestNode).save(target);
    await until(async () => (await countWithTitle(ctx!, target, 'after')) > 0, 60_000, 'the first batch');
    expect(await countWithTitle(ctx, target, 'after')).toBeLessThan(REFERRERS);
    await postgres.stop();
    await outage(OUTAGE_MS, workers);
    await postgres.start();

    await ctx.references.waitForIdle(60_000);
    expect(await countWithTitle(ctx, target, 'after')).toBe(REFERRERS);
    expect(await ctx.references.status()).toMatchObject({ pending: 0, running: 0, failed: 0 });
    for (const worker of workers) expect(worker.exitCode).toBeNull();
  }, 180_000);

  it('rides out a Redis outage mid fan-out, then finishes it by itself', async () => {
    redis = await startPrivateRedis();
    const prefix = `redis-outage-${randomUUID()}`;
    ctx = await bootReferences('postgres', { propagation: 'queue', queue: { worker: false, sweepIntervalMs: 250, ...queueOn(driver, prefix, redis.url) } });
    const target = await createNode(ctx.dataSource, { title: 'before' });
    await manyReferrers(ctx, target, REFERRERS);
    workers.push(
      await startWorker(prefix, { WORKER_REDIS_URL: redis.url, WORKER_BATCH_SIZE: '100' }, driver),
      await startWorker(prefix, { WORKER_REDIS_URL: redis.url, WORKER_BATCH_SIZE: '100' }, driver),
    );

    target.metadata = { title: 'after' };
    await ctx.dataSource.getRepository(TestNode).save(target);
    await until(async () => (await countWithTitle(ctx!, target, 'after')) > 0, 60_000, 'the first batch');
    // NOTE: a Redis without persistence comes back empty: every job is gone, only the outbox remains.
    await redis.stop();
    await outage(OUTAGE_MS, workers);
    await redis.start();

    await ctx.references.waitForIdle(90_000);
    expect(await countWithTitle(ctx, target, 'after')).toBe(REFERRERS);
    expect(await ctx.references.status()).toMatchObject({ pending: 0, running: 0, failed: 0 });
    for (const worker of workers) expect(worker.exitCode).toBeNull();
  }, 180_000);
});

describe.each(QUEUE_DRIVERS)('queue mode after a worker is killed (worker processes), on %s', (driver) => {
  let ctx: TestContext | undefined;
  const workers: ChildProcess[] = [];

  beforeAll(() => buildProcesses());
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => kill(w)));
    await ctx?.close();
    ctx = undefined;
  });

  const runningRow = async () => {
    const rows = await ctx!.dataSource.getRepository(ReferenceOutboxEntry).findBy({ status: 'running' });
    expect(rows).toHaveLength(1);
    return rows[0];
  };

  it("resumes the killed worker's change within 10 s (the queue's lock and stalled-job check)", async () => {
    const prefix = `sigkill-${randomUUID()}`;
    ctx = await bootReferences('postgres', { propagation: 'queue', queue: { worker: false, ...queueOn(driver, prefix) } });
    const target = await createNode(ctx.dataSource, { title: 'before' });
    await manyReferrers(ctx, target, REFERRERS);
    const first = await startWorker(prefix, { WORKER_BATCH_SIZE: '200' }, driver);
    workers.push(first);
    target.metadata = { title: 'after' };
    await ctx.dataSource.getRepository(TestNode).save(target);
    await until(async () => (await countWithTitle(ctx!, target, 'after')) > 0, 60_000, 'the first batch');
    // The first worker runs one slice at a time; a second one, with room for every slice, takes the others.
    const { id } = await runningRow();
    workers.push(await startWorker(prefix, { WORKER_BATCH_SIZE: '200', WORKER_CONCURRENCY: '20' }, driver));

    await kill(first);
    const outbox = ctx.dataSource.getRepository(ReferenceOutboxEntry);
    const orphan = await outbox.findOneByOrFail({ id });
    await until(
      async () => {
        const row = await outbox.findOneByOrFail({ id });
        return row.status === 'done' || row.cursor > orphan.cursor;
      },
      10_000,
      "the killed worker's change to move on",
    );
    await ctx.references.waitForIdle(120_000);
    expect(await countWithTitle(ctx, target, 'after')).toBe(REFERRERS);
  }, 180_000);

  it('reports a change whose worker died and whose job is gone as stalled, and runs it again', async () => {
    const prefix = `lease-${randomUUID()}`;
    ctx = await bootReferences('postgres', { propagation: 'queue', queue: { worker: false, ...queueOn(driver, prefix) } });
    const target = await createNode(ctx.dataSource, { title: 'before' });
    await manyReferrers(ctx, target, 2_000);
    const first = await startWorker(prefix, { WORKER_BATCH_SIZE: '20', WORKER_LEASE_MS: '1000' }, driver);
    workers.push(first);
    target.metadata = { title: 'after' };
    await ctx.dataSource.getRepository(TestNode).save(target);
    await until(async () => (await countWithTitle(ctx!, target, 'after')) > 0, 60_000, 'the first batch');
    await kill(first);
    // Redis lost its jobs as well (restarted without persistence): only the outbox knows of the change.
    await ctx.app.get<{ obliterate(options: { force: boolean }): Promise<void> }>(getReferencesQueueToken()).obliterate({ force: true });
    await runningRow();

    await until(async () => (await ctx!.references.status()).stalled > 0, 30_000, 'the lease to expire');
    expect((await ctx.references.status()).oldestPendingMs).not.toBeNull();
    workers.push(await startWorker(prefix, { WORKER_BATCH_SIZE: '20' }, driver));
    await ctx.references.waitForIdle(120_000);
    expect(await countWithTitle(ctx, target, 'after')).toBe(2_000);
    expect((await ctx.references.status()).stalled).toBe(0);
  }, 180_000);
});
