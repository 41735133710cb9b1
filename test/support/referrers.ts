import type { ChildProcess } from 'node:child_process';
import type { QueueDriverName } from './queues.js';
import { TestNode } from './fixtures.js';
import { startWorker, until } from './processes.js';
import { createNode, nodeCopy } from './records.js';
import type { TestContext } from './test-app.js';

/** Inserts `count` nodes that copy `target` inline, with SQL (PostgreSQL or MariaDB), then indexes them with synchronize(): a fast set-up. */
export async function manyReferrers(ctx: TestContext, target: TestNode, count: number): Promise<void> {
  const copy = JSON.stringify({ parent: nodeCopy(target, target.metadata) });
  if (ctx.dataSource.options.type === 'mariadb') {
    // NOTE: MariaDB's sequence engine (seq_1_to_N) is its generate_series.
    await ctx.dataSource.query(
      `INSERT INTO test_node (id, metadata) SELECT UUID(), JSON_MERGE_PATCH(JSON_OBJECT('title', CONCAT('r', seq)), ?) FROM seq_1_to_${Math.trunc(count)}`,
      [copy],
    );
    await ctx.maintenance.synchronize();
    return;
  }
  await ctx.dataSource.query(
    `INSERT INTO test_node (metadata) SELECT jsonb_build_object('title', 'r' || n) || $1::jsonb FROM generate_series(1, $2) AS n`,
    [copy, count],
  );
  await ctx.maintenance.synchronize();
}

/** A target titled `title`, copied inline by `count` indexed referrers (PostgreSQL): a fan-out to come. */
export async function targetWithReferrers(ctx: TestContext, count: number, title = 'before'): Promise<TestNode> {
  const target = await createNode(ctx.dataSource, { title });
  await manyReferrers(ctx, target, count);
  return target;
}

/** How many referrers of `target` hold a copy of it with this title. */
export async function countWithTitle(ctx: TestContext, target: TestNode, title: string): Promise<number> {
  if (ctx.dataSource.options.type === 'mariadb') {
    const [row] = await ctx.dataSource.query(
      `SELECT COUNT(*) AS n FROM test_node WHERE JSON_VALUE(metadata, '$.parent.title') = ? AND JSON_VALUE(metadata, '$.parent.id') = ?`,
      [title, target.id],
    );
    return Number(row.n);
  }
  const [row] = await ctx.dataSource.query(
    `SELECT COUNT(*)::int AS n FROM test_node WHERE metadata #>> '{parent,title}' = $1 AND metadata #>> '{parent,id}' = $2`,
    [title, target.id],
  );
  return row.n;
}

/** Saves `target` with a new title, then waits until its fan-out has reached a first referrer: it is under way. */
export async function retitleUntilFirstBatch(ctx: TestContext, target: TestNode, title: string): Promise<void> {
  target.metadata = { title };
  await ctx.dataSource.getRepository(TestNode).save(target);
  await until(async () => (await countWithTitle(ctx, target, title)) > 0, 60_000, 'the first batch');
}

/**
 * Starts a fan-out in queue mode and returns once it is under way: a target copied by `count` referrers,
 * worker processes of the queue `prefix` (one per entry of `workerEnvs`, its environment) added to `workers`
 * (for the suite to stop), then the target retitled 'after' until a first batch has reached a referrer.
 */
export async function fanOutUnderWay(
  ctx: TestContext,
  prefix: string,
  count: number,
  workers: ChildProcess[],
  workerEnvs: Array<Record<string, string>>,
  driver: QueueDriverName = 'bull',
): Promise<TestNode> {
  const target = await targetWithReferrers(ctx, count);
  for (const env of workerEnvs) workers.push(await startWorker(prefix, env, driver));
  await retitleUntilFirstBatch(ctx, target, 'after');
  return target;
}
