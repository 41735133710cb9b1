import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ReferencedRecordError, UnknownReferenceError } from 'nestjs-references';
import type { QueryRunner } from 'typeorm';
import { TestNode, type NodeMetadata } from '../support/fixtures.js';
import { until } from '../support/processes.js';
import { createNode, nodeUrl, reload } from '../support/records.js';
import { MODES, bootReferences, type TestContext } from '../support/test-app.js';

/** What each database reports of a connection to the test's own database that waits for a row lock. */
const LOCK_WAITS = {
  postgres: `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
  mariadb: `SELECT 1 FROM information_schema.INNODB_TRX t JOIN information_schema.PROCESSLIST p ON p.ID = t.trx_mysql_thread_id
            WHERE t.trx_state = 'LOCK WAIT' AND p.DB = database()`,
};
/**
 * InnoDB refreshes INNODB_TRX only when nobody read it for 100 ms: polled faster, it never changes. The
 * MariaDB check therefore paces itself.
 */
const POLL_PAUSE_MS = { postgres: 0, mariadb: 150 };
const DATABASES_AND_MODES = (['postgres', 'mariadb'] as const).flatMap((db) => MODES.map((mode) => [db, mode] as const));

const link = (url: string) => ({ links: { self: url } });

// Each test holds one transaction open on a connection of its own, starts the concurrent write, waits
// until the database reports it waiting for a row lock (or until it ended, as it did before the library
// locked anything), and only then lets the first transaction commit: the interleaving that used to break
// integrity happens on every run.
describe.each(DATABASES_AND_MODES)('the lock discipline on %s, %s mode', (kind, mode) => {
  let ctx: TestContext;
  const nodes = () => ctx.dataSource.getRepository(TestNode);

  beforeAll(async () => {
    ctx = await bootReferences(kind, { propagation: mode });
  });
  afterAll(() => ctx.close());

  /** A transaction left open on a connection of its own, with `work` done in it. */
  async function openTransaction(work: (runner: QueryRunner) => Promise<unknown>): Promise<QueryRunner> {
    const runner = ctx.dataSource.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    await work(runner);
    return runner;
  }

  async function commit(runner: QueryRunner): Promise<void> {
    await runner.commitTransaction();
    await runner.release();
  }

  /**
   * Resolves once the concurrent write waits for a row lock (what the lock discipline makes it do), or has
   * ended without waiting (what it did before: the test then shows the damage that followed).
   */
  async function waitsOrEnds(write: Promise<unknown>): Promise<void> {
    let ended = false;
    void write.then(() => (ended = true));
    const waiting = async () => {
      await new Promise((resolve) => setTimeout(resolve, POLL_PAUSE_MS[kind]));
      return (await ctx.dataSource.query(LOCK_WAITS[kind])).length > 0;
    };
    await until(
      async () => ended || (await waiting()),
      10_000,
      'the concurrent write to wait for a row lock or to end',
    );
  }

  /** Starts a write whose outcome the test checks later, without an unhandled rejection in between. */
  function start<T>(write: Promise<T>): Promise<{ value?: T; error?: unknown }> {
    return write.then(
      (value) => ({ value }),
      (error) => ({ error }),
    );
  }

  const save = (metadata: NodeMetadata) => start(createNode(ctx.dataSource, metadata));

  it('a writer that copies a target while a change of it is open waits, and copies the new content', async () => {
    const target = await createNode(ctx.dataSource, { title: 'before' });
    const change = await openTransaction((runner) => runner.manager.save(Object.assign(target, { metadata: { title: 'after' } })));
    const writer = save({ title: 'referrer', parent: link(nodeUrl(target.id)) });
    await waitsOrEnds(writer);
    await commit(change);
    const { value: referrer, error } = await writer;
    expect(error).toBeUndefined();
    await ctx.settle();
    expect((await reload(ctx.dataSource, referrer!)).metadata.parent?.title).toBe('after');
    expect((await ctx.maintenance.verify()).stale).toEqual([]);
  });

  it('a change that starts while a writer copies its target waits, and its fan-out reaches the new referrer', async () => {
    const target = await createNode(ctx.dataSource, { title: 'before' });
    let referrer!: TestNode;
    const writer = await openTransaction(async (runner) => {
      referrer = await runner.manager.save(runner.manager.create(TestNode, { metadata: { title: 'referrer', parent: link(nodeUrl(target.id)) } }));
    });
    const change = start(nodes().save(Object.assign(target, { metadata: { title: 'after' } })));
    await waitsOrEnds(change);
    await commit(writer);
    expect((await change).error).toBeUndefined();
    await ctx.settle();
    expect((await reload(ctx.dataSource, referrer)).metadata.parent?.title).toBe('after');
    expect((await ctx.maintenance.verify()).stale).toEqual([]);
  });

  it('a delete that starts while a restrict referrer is written waits, and then refuses', async () => {
    const target = await createNode(ctx.dataSource, { title: 'owner' });
    const writer = await openTransaction((runner) =>
      runner.manager.save(runner.manager.create(TestNode, { metadata: { title: 'owned', owner: link(nodeUrl(target.id)) } })),
    );
    const deletion = start(nodes().remove(await reload(ctx.dataSource, target)));
    await waitsOrEnds(deletion);
    await commit(writer);
    expect((await deletion).error).toBeInstanceOf(ReferencedRecordError);
    expect(await nodes().findOneBy({ id: target.id })).not.toBeNull();
  });

  it('a restrict referrer written while its target is being deleted waits, and then is refused', async () => {
    const target = await createNode(ctx.dataSource, { title: 'owner' });
    const deletion = await openTransaction(async (runner) => runner.manager.remove(await runner.manager.findOneByOrFail(TestNode, { id: target.id })));
    const count = await nodes().count();
    const writer = save({ title: 'owned', owner: link(nodeUrl(target.id)) });
    await waitsOrEnds(writer);
    await commit(deletion);
    expect((await writer).error).toBeInstanceOf(UnknownReferenceError);
    expect(await nodes().count()).toBe(count - 1);
    expect(await ctx.references.getReferrers(nodeUrl(target.id))).toEqual([]);
  });

  it('a detach link written while its target is being deleted waits, and then is refused (strict or not)', async () => {
    const target = await createNode(ctx.dataSource, { title: 'see also' });
    const deletion = await openTransaction(async (runner) => runner.manager.remove(await runner.manager.findOneByOrFail(TestNode, { id: target.id })));
    const writer = save({ title: 'linker', seeAlso: [nodeUrl(target.id)] });
    await waitsOrEnds(writer);
    await commit(deletion);
    expect((await writer).error).toBeInstanceOf(UnknownReferenceError);
    expect(await ctx.references.getReferrers(nodeUrl(target.id))).toEqual([]);
  });

  it('a delete that starts while a detach link to it is written waits, and then detaches it', async () => {
    const target = await createNode(ctx.dataSource, { title: 'see also' });
    let linker!: TestNode;
    const writer = await openTransaction(async (runner) => {
      linker = await runner.manager.save(runner.manager.create(TestNode, { metadata: { title: 'linker', seeAlso: [nodeUrl(target.id)] } }));
    });
    const deletion = start(nodes().remove(await reload(ctx.dataSource, target)));
    await waitsOrEnds(deletion);
    await commit(writer);
    expect((await deletion).error).toBeUndefined();
    await ctx.settle();
    expect((await reload(ctx.dataSource, linker)).metadata.seeAlso).toEqual([]);
    expect(await ctx.references.getReferrers(nodeUrl(target.id))).toEqual([]);
  });

  it('two records made to inline each other at the same moment deadlock once, and the retry leaves both copies current', async () => {
    const a = await createNode(ctx.dataSource, { title: 'A' });
    const b = await createNode(ctx.dataSource, { title: 'B' });
    let bothLocked!: () => void;
    const barrier = new Promise<void>((resolve) => (bothLocked = resolve));
    let locked = 0;
    let attempts = 0;
    // Each takes the share lock its dereference takes on the other, then waits for the other to do the same:
    // each update then waits for the other's share lock, and the database aborts one of the two.
    const point = (self: TestNode, other: TestNode) =>
      ctx.references.transaction(async (manager) => {
        attempts++;
        await manager.findOne(TestNode, { where: { id: other.id }, lock: { mode: 'pessimistic_read' } });
        if (++locked === 2) bothLocked();
        if (locked <= 2) await barrier;
        const record = await manager.findOneByOrFail(TestNode, { id: self.id });
        record.metadata = { title: self.metadata.title, parent: link(nodeUrl(other.id)) };
        return manager.save(record);
      });
    await Promise.all([point(a, b), point(b, a)]);
    expect(attempts).toBe(3);
    await ctx.settle();
    const storedA = (await reload(ctx.dataSource, a)).metadata;
    const storedB = (await reload(ctx.dataSource, b)).metadata;
    expect(storedA.parent?.title).toBe('B');
    expect(storedB.parent?.title).toBe('A');
    expect((await ctx.maintenance.verify()).ok).toBe(true);
  });
});
