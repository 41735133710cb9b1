import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { Queue } from 'bull';
import { getReferencesQueueToken } from 'nestjs-references';
import { ReferencesExplorerModule } from 'nestjs-references/explorer';
import request from 'supertest';
import type { TestNode } from '../support/fixtures.js';
import { buildProcesses, runCli, until } from '../support/processes.js';
import { createNode, nodeUrl, reload } from '../support/records.js';
import { bootReferences, type TestContext } from '../support/test-app.js';

const link = (url: string) => ({ links: { self: url } });

/**
 * A trigger that refuses every update of the nodes titled "refused", as a check constraint or a row grown
 * too large would: such a referrer cannot take its new copy until an operator fixes the cause (here: drops
 * the trigger).
 */
async function refuseUpdates(ctx: TestContext): Promise<void> {
  await dropTrigger(ctx);
  if (ctx.dataSource.options.type === 'postgres') {
    await ctx.dataSource.query(
      `CREATE OR REPLACE FUNCTION refuse_update() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'refused by trigger'; END $$ LANGUAGE plpgsql`,
    );
    await ctx.dataSource.query(
      `CREATE TRIGGER refuse BEFORE UPDATE ON test_node FOR EACH ROW WHEN (OLD.metadata->>'title' = 'refused') EXECUTE FUNCTION refuse_update()`,
    );
  } else {
    await ctx.dataSource.query(
      `CREATE TRIGGER refuse BEFORE UPDATE ON test_node FOR EACH ROW BEGIN IF JSON_VALUE(OLD.metadata, '$.title') = 'refused' THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'refused by trigger'; END IF; END`,
    );
  }
}

async function dropTrigger(ctx: TestContext): Promise<void> {
  await ctx.dataSource.query(ctx.dataSource.options.type === 'postgres' ? 'DROP TRIGGER IF EXISTS refuse ON test_node' : 'DROP TRIGGER IF EXISTS refuse');
}

describe.each(['postgres', 'mariadb'] as const)('failed propagations, operated without SQL, on %s', (kind) => {
  let ctx: TestContext;
  let target: TestNode;
  let referrers: TestNode[];

  beforeAll(async () => {
    if (kind === 'postgres') buildProcesses();
    // NOTE: one attempt: the first failure goes referrer by referrer and records the refusing one.
    // The explorer, whose actions this suite's last test drives: authorized by a header of the test's own.
    const explorer = ReferencesExplorerModule.forRoot({ path: '/explorer', authorize: (req: any) => req.headers['x-operator'] === 'yes' });
    ctx = await bootReferences(kind, { propagation: 'queue', queue: { attempts: 1 } }, [], { imports: [explorer] });
  });
  afterEach(() => dropTrigger(ctx));
  afterAll(() => ctx.close());

  /** A change of a new target whose second referrer refuses its copy; resolves once that is recorded failed. */
  async function refusedChange(title: string): Promise<TestNode> {
    const failedBefore = (await ctx.references.status()).failed;
    target = await createNode(ctx.dataSource, { title: 'before' });
    referrers = [];
    for (const name of ['r0', 'refused', 'r2']) referrers.push(await createNode(ctx.dataSource, { title: name, parent: link(nodeUrl(target.id)) }));
    await refuseUpdates(ctx);
    await ctx.references.transaction((manager) => manager.save(Object.assign(target, { metadata: { title } })));
    await until(async () => (await ctx.references.status()).failed === failedBefore + 1, 30_000, 'the refused referrer to be recorded failed');
    await ctx.maintenance.waitForIdle(30_000);
    return referrers[1];
  }

  it('lists the refused referrer (target, referrer, path, reason, attempts) while the others got the change, and retryFailed runs it again once the cause is gone', async () => {
    const refused = await refusedChange('after');
    expect((await reload(ctx.dataSource, referrers[0])).metadata.parent?.title).toBe('after');
    expect((await reload(ctx.dataSource, referrers[2])).metadata.parent?.title).toBe('after');
    expect((await reload(ctx.dataSource, refused)).metadata.parent?.title).toBe('before');

    const page = await ctx.maintenance.failedPropagations({ limit: 10 });
    expect(page.nextCursor).toBeNull();
    expect(page.items).toEqual([
      {
        id: expect.any(Number),
        reference: nodeUrl(target.id),
        referrerType: 'nodes',
        referrerId: refused.id,
        path: 'parent',
        reason: expect.stringContaining('refused by trigger'),
        attempts: 1,
        since: expect.any(Date),
      },
    ]);
    expect(await ctx.references.status()).toMatchObject({ failed: 1, failedReference: nodeUrl(target.id) });

    await dropTrigger(ctx);
    expect(await ctx.maintenance.retryFailed([page.items[0].id])).toEqual([page.items[0].id]);
    await until(async () => (await reload(ctx.dataSource, refused)).metadata.parent?.title === 'after', 30_000, 'the retried referrer to take the change');
    await ctx.maintenance.waitForIdle(30_000);
    expect((await ctx.references.status()).failed).toBe(0);
    expect((await ctx.maintenance.failedPropagations()).items).toEqual([]);
    // A row that is not failed is not reopened.
    expect(await ctx.maintenance.retryFailed([page.items[0].id])).toEqual([]);
  });

  it('pages by cursor', async () => {
    await refusedChange('one');
    await refusedChange('two');
    const first = await ctx.maintenance.failedPropagations({ limit: 1 });
    expect(first.items).toHaveLength(1);
    const second = await ctx.maintenance.failedPropagations({ limit: 1, cursor: first.nextCursor! });
    expect(second.items).toHaveLength(1);
    expect(second.items[0].id).toBeGreaterThan(first.items[0].id);
    expect(second.nextCursor).toBeNull();
    await dropTrigger(ctx);
    expect(await ctx.maintenance.retryFailed('all')).toHaveLength(2);
    await ctx.maintenance.waitForIdle(30_000);
    expect((await ctx.references.status()).failed).toBe(0);
  });

  it("the explorer's Retry action reopens its target's failed propagations only, for a request it authorizes (403 and nothing reopened otherwise)", async () => {
    const refusedA = await refusedChange('A after');
    const targetA = target;
    const refusedB = await refusedChange('B after');
    await dropTrigger(ctx);
    const act = (url: string) => request(ctx.app.getHttpServer()).post(`/explorer/actions/retry-failed?${new URLSearchParams({ url })}`);

    expect((await act(nodeUrl(targetA.id))).status).toBe(403);
    expect((await ctx.maintenance.failedPropagations()).items).toHaveLength(2);

    expect((await act(nodeUrl(targetA.id)).set('x-operator', 'yes')).status).toBe(303);
    await until(async () => (await reload(ctx.dataSource, refusedA)).metadata.parent?.title === 'A after', 30_000, "A's referrer to take the change");
    const left = (await ctx.maintenance.failedPropagations()).items;
    expect(left.map((item) => item.referrerId)).toEqual([refusedB.id]);
    expect((await reload(ctx.dataSource, refusedB)).metadata.parent?.title).toBe('before');

    expect(await ctx.maintenance.retryFailed('all')).toHaveLength(1);
    await ctx.maintenance.waitForIdle(30_000);
    expect((await ctx.references.status()).failed).toBe(0);
  });

  it('a change that failed as a whole stays a failed job, and the dashboard’s Retry of that job reopens its row', async () => {
    expect((await ctx.references.status()).failed).toBe(0);
    const linker = await createNode(ctx.dataSource, { title: 'refused', kept: 'http://elsewhere.test/a' });
    await refuseUpdates(ctx);
    await ctx.references.referenceChanged('http://elsewhere.test/a', 'http://elsewhere.test/b');
    await until(async () => (await ctx.references.status()).failed === 1, 30_000, 'the rename to be recorded failed');
    const queue = ctx.app.get<Queue>(getReferencesQueueToken());
    const [failedJob] = await queue.getFailed();
    expect(failedJob).toBeDefined();
    const [item] = (await ctx.maintenance.failedPropagations()).items;
    expect(item).toMatchObject({ id: failedJob.data.outboxId, reference: 'http://elsewhere.test/a', referrerType: null, attempts: 1 });

    // Retried by the API while the cause is still there: the sweep replaces the failed job, which fails again.
    expect(await ctx.maintenance.retryFailed('all')).toEqual([item.id]);
    await until(
      async () => (await ctx.maintenance.failedPropagations()).items.some((again) => again.id === item.id && again.attempts === 2),
      30_000,
      'the rename to run and fail again',
    );
    const [job] = await queue.getFailed();

    await dropTrigger(ctx);
    await job.retry();
    await until(async () => (await reload(ctx.dataSource, linker)).metadata.kept === 'http://elsewhere.test/b', 30_000, 'the retried rename');
    await ctx.maintenance.waitForIdle(30_000);
    expect((await ctx.references.status()).failed).toBe(0);
  });

  if (kind === 'postgres') {
    it('the CLI lists failed propagations (text and --json) and retries them (<id…> or --all)', async () => {
      const refused = await refusedChange('by the CLI');
      const listed = await runCli(['references', 'failed']);
      expect(listed.code).toBe(0);
      expect(listed.stdout).toContain(`nodes/${refused.id} at parent`);
      expect(listed.stdout).toContain("run 'references retry --all'");
      const [item] = (await runCli(['references', 'failed', '--json'])).stdout.trim().split('\n').map((line) => JSON.parse(line));
      expect(item).toMatchObject({ reference: nodeUrl(target.id), referrerId: refused.id, path: 'parent' });

      const refusedBoth = await runCli(['references', 'retry']);
      expect(refusedBoth.code).toBe(1);
      expect(refusedBoth.stderr).toBe('retry needs <id…> or --all\n');

      await dropTrigger(ctx);
      const retried = await runCli(['references', 'retry', String(item.id)]);
      expect(retried.code).toBe(0);
      expect(retried.stdout).toContain('Reopened 1 failed propagation(s)');
      await until(async () => (await reload(ctx.dataSource, refused)).metadata.parent?.title === 'by the CLI', 30_000, 'the retried referrer');

      await refusedChange('again');
      await dropTrigger(ctx);
      expect((await runCli(['references', 'retry', '--all'])).code).toBe(0);
      await until(async () => (await ctx.references.status()).failed === 0, 30_000, 'every failed propagation to run again');
      await ctx.maintenance.waitForIdle(30_000);
      expect((await runCli(['references', 'failed'])).stdout).toBe('No failed propagation.\n');
    });
  }
});
