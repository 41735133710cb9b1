import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { getReferencesQueueToken, ReferenceOutboxEntry } from 'nestjs-references';
import { bootApiProcess, buildProcesses, kill, startWorker, until } from '../support/processes.js';
import { QUEUE_DRIVERS, type QueueDriverName } from '../support/queues.js';
import { countWithTitle, fanOutUnderWay } from '../support/referrers.js';
import { outage, startPrivatePostgres, startPrivateRedis, type PrivateServer } from '../support/servers.js';
import type { TestContext } from '../support/test-app.js';

const REFERRERS = 20_000;
/** Longer than the ~13 s after which every worker used to give up (5 attempts, then exit). */
const OUTAGE_MS = 20_000;

/** Which server goes down: how to start it, and how the API process and the workers use it. */
const SERVERS = [
  {
    name: 'PostgreSQL',
    start: startPrivatePostgres,
    boot: (server: PrivateServer, prefix: string, driver: QueueDriverName) =>
      bootApiProcess(prefix, { driver, setup: { connection: { type: 'postgres', url: server.url, dropSchema: true } } }),
    workerEnv: (server: PrivateServer) => ({ WORKER_DATABASE_URL: server.url }),
  },
  {
    // NOTE: a Redis without persistence comes back empty: every job is gone, only the outbox remains.
    name: 'Redis',
    start: startPrivateRedis,
    boot: (server: PrivateServer, prefix: string, driver: QueueDriverName) => bootApiProcess(prefix, { driver, redis: server.url }),
    workerEnv: (server: PrivateServer) => ({ WORKER_REDIS_URL: server.url }),
  },
];

describe.each(QUEUE_DRIVERS)('queue mode with worker processes, on %s', (driver) => {
  let server: PrivateServer | undefined;
  let ctx: TestContext | undefined;
  const workers: ChildProcess[] = [];

  beforeAll(() => buildProcesses());
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => kill(w)));
    await ctx?.close();
    ctx = undefined;
    await server?.destroy();
    server = undefined;
  }, 60_000);

  // A PostgreSQL cluster and a redis-server of the test's own, stopped under the workers during a fan-out:
  // every database call (or Redis call) of the job handlers fails while they are down.
  it.each(SERVERS)('rides out a $name outage mid fan-out, then finishes it by itself', async ({ start, boot, workerEnv }) => {
    server = await start();
    const prefix = `outage-${randomUUID()}`;
    ctx = await boot(server, prefix, driver);
    const env = { ...workerEnv(server), WORKER_BATCH_SIZE: '100' };
    const target = await fanOutUnderWay(ctx, prefix, REFERRERS, workers, [env, env], driver);
    expect(await countWithTitle(ctx, target, 'after')).toBeLessThan(REFERRERS);
    await outage(server, OUTAGE_MS, workers);

    await ctx.maintenance.waitForIdle(90_000);
    expect(await countWithTitle(ctx, target, 'after')).toBe(REFERRERS);
    expect(await ctx.references.status()).toMatchObject({ pending: 0, running: 0, failed: 0 });
    for (const worker of workers) expect(worker.exitCode).toBeNull();
  }, 180_000);

  /** The one row a worker runs: polled, since a worker holds none for a moment between two slices of a change. */
  const runningRow = async () => {
    let rows: ReferenceOutboxEntry[] = [];
    await until(async () => (rows = await ctx!.dataSource.getRepository(ReferenceOutboxEntry).findBy({ status: 'running' })).length === 1, 10_000, 'a worker to run a row');
    return rows[0];
  };

  it("resumes the killed worker's change within 10 s (the queue's lock and stalled-job check)", async () => {
    const prefix = `sigkill-${randomUUID()}`;
    ctx = await bootApiProcess(prefix, { driver });
    const target = await fanOutUnderWay(ctx, prefix, REFERRERS, workers, [{ WORKER_BATCH_SIZE: '200' }], driver);
    // The first worker runs one slice at a time; a second one, with room for every slice, takes the others.
    const { id } = await runningRow();
    workers.push(await startWorker(prefix, { WORKER_BATCH_SIZE: '200', WORKER_CONCURRENCY: '20' }, driver));

    await kill(workers[0]);
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
    await ctx.maintenance.waitForIdle(120_000);
    expect(await countWithTitle(ctx, target, 'after')).toBe(REFERRERS);
  }, 180_000);

  it('reports a change whose worker died and whose job is gone as stalled, and runs it again', async () => {
    const prefix = `lease-${randomUUID()}`;
    ctx = await bootApiProcess(prefix, { driver });
    // NOTE: 10 batches, no more: the change is not split into slices, so its row is running until it ends.
    const target = await fanOutUnderWay(ctx, prefix, 2_000, workers, [{ WORKER_BATCH_SIZE: '200', WORKER_LEASE_MS: '1000' }], driver);
    const { id } = await runningRow();
    await kill(workers[0]);
    // Redis lost its jobs as well (restarted without persistence): only the outbox knows of the change.
    await ctx.app.get<{ obliterate(options: { force: boolean }): Promise<void> }>(getReferencesQueueToken()).obliterate({ force: true });
    expect((await ctx.dataSource.getRepository(ReferenceOutboxEntry).findOneByOrFail({ id })).status).toBe('running');

    await until(async () => (await ctx!.references.status()).stalled > 0, 30_000, 'the lease to expire');
    expect((await ctx.references.status()).oldestPendingMs).not.toBeNull();
    workers.push(await startWorker(prefix, { WORKER_BATCH_SIZE: '20' }, driver));
    await ctx.maintenance.waitForIdle(120_000);
    expect(await countWithTitle(ctx, target, 'after')).toBe(2_000);
    expect((await ctx.references.status()).stalled).toBe(0);
  }, 180_000);
});
