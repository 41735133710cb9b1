import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { IsNull } from 'typeorm';
import { ReferenceOutboxEntry, ReferenceSynced } from 'nestjs-references';
import { TestNode } from '../support/fixtures.js';
import { createNode, nodeCopy, nodeUrl } from '../support/records.js';
import { countWithTitle, fanOutUnderWay, targetWithReferrers } from '../support/referrers.js';
import { outage, startPrivateRedis, type PrivateServer } from '../support/servers.js';
import { bootReferences, type TestContext } from '../support/test-app.js';
import { bootApiProcess, buildProcesses, kill, startWorker, until } from '../support/processes.js';
import { QUEUE_DRIVERS, queueOn } from '../support/queues.js';

const link = (url: string) => ({ links: { self: url } });
const REFERRERS = 20_000;

// Every describe below may start worker processes: build them once for the file.
beforeAll(() => buildProcesses());

describe.each(QUEUE_DRIVERS)('queue mode survives crashes (PostgreSQL, Redis, worker processes), on %s', (driver) => {
  let ctx: TestContext | undefined;
  const workers: ChildProcess[] = [];

  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => kill(w)));
    await ctx?.close();
    ctx = undefined;
  });

  it('finishes a 20,000-referrer fan-out after its worker is killed mid-way', async () => {
    const prefix = `crash-${randomUUID()}`;
    ctx = await bootApiProcess(prefix, { driver });
    const target = await fanOutUnderWay(ctx, prefix, REFERRERS, workers, [{ WORKER_BATCH_SIZE: '500' }], driver);
    await kill(workers[0]);
    const partly = await countWithTitle(ctx, target, 'after');
    expect(partly).toBeLessThan(REFERRERS);

    workers.push(await startWorker(prefix, { WORKER_BATCH_SIZE: '500' }, driver));
    await ctx.maintenance.waitForIdle(120_000);
    expect(await countWithTitle(ctx, target, 'after')).toBe(REFERRERS);
    expect(await countWithTitle(ctx, target, 'before')).toBe(0);
    // The change ran in slices, one of them cut by the kill: the last slice to end recorded the target synced to it.
    const [change] = await ctx.dataSource.getRepository(ReferenceOutboxEntry).find({ where: { reference: nodeUrl(target.id), version: IsNull() } });
    expect(await ctx.dataSource.getRepository(ReferenceOutboxEntry).countBy({ version: change.id })).toBeGreaterThan(1);
    expect(await ctx.dataSource.getRepository(ReferenceSynced).findOneBy({ reference: nodeUrl(target.id) })).toEqual({
      reference: nodeUrl(target.id),
      version: change.id,
    });
  });

  it('finishes a propagation whose writer died between commit and enqueue, on the next sweep', async () => {
    const prefix = `writer-${randomUUID()}`;
    // A writer whose enqueue is lost: it goes to a queue no worker reads, as if the process had died
    // between its commit and its enqueue; the writer does not sweep either.
    ctx = await bootReferences('postgres', { propagation: 'queue', queue: { worker: false, sweep: false, ...queueOn(driver, `lost-${randomUUID()}`) } });
    const target = await createNode(ctx.dataSource, { title: 'v1' });
    const referrer = await createNode(ctx.dataSource, { title: 'r', parent: link(nodeUrl(target.id)) });
    target.metadata = { title: 'v2' };
    await ctx.dataSource.getRepository(TestNode).save(target);
    expect((await ctx.references.status()).pending).toBe(1);

    workers.push(await startWorker(prefix, {}, driver));
    await ctx.maintenance.waitForIdle(60_000);
    const stored = await ctx.dataSource.getRepository(TestNode).findOneByOrFail({ id: referrer.id });
    expect(stored.metadata.parent?.title).toBe('v2');
  });

  it('ends with the second content when one target changes twice in a row, with two workers', async () => {
    const prefix = `twice-${randomUUID()}`;
    ctx = await bootApiProcess(prefix, { driver });
    const target = await targetWithReferrers(ctx, 2_000, 'first');
    workers.push(await startWorker(prefix, { WORKER_BATCH_SIZE: '100' }, driver), await startWorker(prefix, { WORKER_BATCH_SIZE: '100' }, driver));
    const nodes = ctx.dataSource.getRepository(TestNode);
    target.metadata = { title: 'second' };
    await nodes.save(target);
    target.metadata = { title: 'third' };
    await nodes.save(target);
    await ctx.maintenance.waitForIdle(60_000);
    expect(await countWithTitle(ctx, target, 'third')).toBe(2_000);
  });

  it('coalesces several waiting changes of one target into one run with the newest content', async () => {
    const prefix = `coalesce-${randomUUID()}`;
    ctx = await bootApiProcess(prefix, { driver });
    const nodes = ctx.dataSource.getRepository(TestNode);
    const target = await createNode(ctx.dataSource, { title: 'v0' });
    const referrers = await Promise.all([1, 2, 3].map((i) => createNode(ctx!.dataSource, { title: `r${i}`, parent: link(nodeUrl(target.id)) })));
    for (const title of ['v1', 'v2', 'v3']) {
      target.metadata = { title };
      await nodes.save(target);
    }
    expect((await ctx.references.status()).pending).toBe(3);

    workers.push(await startWorker(prefix, {}, driver));
    await ctx.maintenance.waitForIdle(60_000);
    for (const r of referrers) expect((await nodes.findOneByOrFail({ id: r.id })).metadata.parent?.title).toBe('v3');
    // One run synced every copy: the first change's (the queue runs jobs in order), which covered the two later
    // ones; had those run too, the target would be recorded synced to the last change.
    const changes = await ctx.dataSource.getRepository(ReferenceOutboxEntry).find({ where: { reference: nodeUrl(target.id) }, order: { id: 'ASC' } });
    expect(changes.map((c) => c.status)).toEqual(['done', 'done', 'done']);
    expect(await ctx.dataSource.getRepository(ReferenceSynced).findBy({ reference: nodeUrl(target.id) })).toEqual([
      { reference: nodeUrl(target.id), version: changes[0].id },
    ]);
  });
});

describe.each(QUEUE_DRIVERS)('queue mode while Redis is down, on %s', (driver) => {
  let redis: PrivateServer | undefined;
  let ctx: TestContext | undefined;

  afterAll(async () => {
    await ctx?.close();
    await redis?.destroy();
  });

  it('accepts writes, and finishes their propagation once Redis is back', async () => {
    redis = await startPrivateRedis();
    ctx = await bootReferences('postgres', { propagation: 'queue', queue: { sweepIntervalMs: 200, ...queueOn(driver, `down-${randomUUID()}`, redis.url) } });
    const target = await createNode(ctx.dataSource, { title: 'up' });
    const referrer = await createNode(ctx.dataSource, { title: 'r', parent: link(nodeUrl(target.id)) });

    await outage(redis, async () => {
      target.metadata = { title: 'written while Redis was down' };
      await ctx!.dataSource.getRepository(TestNode).save(target);
      expect((await ctx!.references.status()).pending).toBe(1);
    });
    await ctx.maintenance.waitForIdle(60_000);
    const stored = await ctx.dataSource.getRepository(TestNode).findOneByOrFail({ id: referrer.id });
    expect(stored.metadata.parent?.title).toBe('written while Redis was down');
  });
});

describe.each(QUEUE_DRIVERS)('queue mode with a user editing a referrer during its refresh, on %s', (driver) => {
  let ctx: TestContext | undefined;
  afterAll(() => ctx?.close());

  it('keeps both the edit and the refreshed copy', async () => {
    ctx = await bootReferences('postgres', { propagation: 'queue', batchSize: 100, queue: { driver } });
    const target = await targetWithReferrers(ctx, 2_000, 'old');
    const nodes = ctx.dataSource.getRepository(TestNode);
    const edited = (await nodes.query(`SELECT id FROM test_node WHERE metadata->>'title' = 'r2000'`))[0].id as string;

    // The user's transaction holds the referrer's row lock, so the refresh reaches it while the edit is open.
    const user = ctx.dataSource.createQueryRunner();
    await user.connect();
    await user.startTransaction();
    try {
      const referrer = await user.manager.findOneOrFail(TestNode, { where: { id: edited }, lock: { mode: 'pessimistic_write' } });
      target.metadata = { title: 'new' };
      await nodes.save(target);
      await until(
        async () =>
          (await ctx!.dataSource.query(
            `SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'UPDATE "test_node"%'`,
          )).length > 0,
        60_000,
        "the refresh to wait for the user's edit",
      );
      referrer.metadata = { ...referrer.metadata, title: 'edited by a user' };
      await user.manager.save(referrer);
      await user.commitTransaction();
    } finally {
      await user.release();
    }
    await ctx.maintenance.waitForIdle(60_000);

    const stored = await nodes.findOneByOrFail({ id: edited });
    expect(stored.metadata.title).toBe('edited by a user');
    expect(stored.metadata.parent?.title).toBe('new');
    expect(await countWithTitle(ctx, target, 'new')).toBe(2_000);
  });
});

describe.each(QUEUE_DRIVERS)('queue mode with a repeated job, on %s', (driver) => {
  let ctx: TestContext | undefined;
  afterAll(() => ctx?.close());

  it('skips referrers already synced to its version, and a newer change still reaches them', async () => {
    ctx = await bootReferences('postgres', { propagation: 'queue', queue: { driver } });
    const nodes = ctx.dataSource.getRepository(TestNode);
    const outbox = ctx.dataSource.getRepository(ReferenceOutboxEntry);
    const target = await createNode(ctx.dataSource, { title: 'v1' });
    const referrer = await createNode(ctx.dataSource, { title: 'r', parent: link(nodeUrl(target.id)) });
    target.metadata = { title: 'v2' };
    await nodes.save(target);
    await ctx.maintenance.waitForIdle(30_000);
    const [done] = await outbox.find({ where: { reference: nodeUrl(target.id) }, order: { id: 'DESC' }, take: 1 });
    expect(done.status).toBe('done');

    // A marker written behind the library's back shows whether the repeated job touches the referrer.
    await ctx.dataSource.query(`UPDATE test_node SET metadata = jsonb_set(metadata, '{parent,marker}', '"untouched"') WHERE id = $1`, [referrer.id]);
    await outbox.update({ id: done.id }, { status: 'pending', cursor: 0 });
    await ctx.maintenance.waitForIdle(30_000);
    expect((await nodes.findOneByOrFail({ id: referrer.id })).metadata.parent?.marker).toBe('untouched');

    target.metadata = { title: 'v3' };
    await nodes.save(target);
    await ctx.maintenance.waitForIdle(30_000);
    expect((await nodes.findOneByOrFail({ id: referrer.id })).metadata.parent).toEqual(nodeCopy(target, { title: 'v3' }));
  });
});

describe.each(QUEUE_DRIVERS)('queue mode with a referrer that keeps failing, on %s', (driver) => {
  let ctx: TestContext | undefined;
  afterAll(async () => {
    await ctx?.dataSource.query('DROP TRIGGER IF EXISTS poison ON test_node');
    await ctx?.dataSource.query('DROP FUNCTION IF EXISTS poison()');
    await ctx?.close();
  });

  it('retries, then records that referrer as failed with the reason, and updates the others', async () => {
    ctx = await bootReferences('postgres', { propagation: 'queue', queue: { driver, attempts: 2 } });
    const nodes = ctx.dataSource.getRepository(TestNode);
    const target = await createNode(ctx.dataSource, { title: 'v1' });
    const healthy = await Promise.all([1, 2, 3].map((i) => createNode(ctx!.dataSource, { title: `ok ${i}`, parent: link(nodeUrl(target.id)) })));
    const poisoned = await createNode(ctx.dataSource, { title: 'poison', parent: link(nodeUrl(target.id)) });
    // An application's own rule that refuses any write of this one record.
    await ctx.dataSource.query(`CREATE FUNCTION poison() RETURNS trigger AS $$ BEGIN
      IF NEW.metadata->>'title' = 'poison' THEN RAISE EXCEPTION 'this record is frozen'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`);
    await ctx.dataSource.query('CREATE TRIGGER poison BEFORE UPDATE ON test_node FOR EACH ROW EXECUTE FUNCTION poison()');

    target.metadata = { title: 'v2' };
    await nodes.save(target);
    await ctx.maintenance.waitForIdle(60_000);

    for (const node of healthy) expect((await nodes.findOneByOrFail({ id: node.id })).metadata.parent?.title).toBe('v2');
    expect((await nodes.findOneByOrFail({ id: poisoned.id })).metadata.parent?.title).toBe('v1');
    expect(await ctx.references.status()).toMatchObject({ pending: 0, running: 0, failed: 1 });
    const [failure] = await ctx.dataSource.getRepository(ReferenceOutboxEntry).findBy({ status: 'failed' });
    expect(failure.error).toContain(`nodes/${poisoned.id} at parent: this record is frozen`);

    // Once the cause is gone, an operator retries just that referrer.
    await ctx.dataSource.query('DROP TRIGGER poison ON test_node');
    await ctx.dataSource.getRepository(ReferenceOutboxEntry).update({ id: failure.id }, { status: 'pending' });
    await ctx.maintenance.waitForIdle(60_000);
    expect((await nodes.findOneByOrFail({ id: poisoned.id })).metadata.parent?.title).toBe('v2');
    expect((await ctx.references.status()).failed).toBe(0);
  });
});
