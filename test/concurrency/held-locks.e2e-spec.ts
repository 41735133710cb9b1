import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { WriteConflictError } from 'nestjs-references';
import type { QueryRunner } from 'typeorm';
import { TestNode } from '../support/fixtures.js';
import { until } from '../support/processes.js';
import { createNode, reload } from '../support/records.js';
import { countWithTitle, manyReferrers } from '../support/referrers.js';
import { bootReferences, type TestContext } from '../support/test-app.js';

/** The databases that lock rows: a referrer held by another client is their case (SQLite locks the whole file). */
const ROW_LOCKING = ['postgres', 'mariadb'] as const;

/** A referrer row held `FOR UPDATE` by a transaction of another connection, as an admin's open session would. */
async function holdRow(ctx: TestContext, id: string): Promise<QueryRunner> {
  const runner = ctx.dataSource.createQueryRunner();
  await runner.connect();
  await runner.startTransaction();
  const placeholder = ctx.dataSource.options.type === 'postgres' ? '$1' : '?';
  await runner.query(`SELECT id FROM test_node WHERE id = ${placeholder} FOR UPDATE`, [id]);
  return runner;
}

async function release(runner: QueryRunner): Promise<void> {
  if (runner.isTransactionActive) await runner.rollbackTransaction();
  await runner.release();
}

/** One referrer of `target` (any), to hold. */
async function oneReferrer(ctx: TestContext, target: TestNode, middle: number): Promise<string> {
  const rows = await ctx.references.getReferrers(`http://test.local/nodes/${target.id}`, { limit: middle + 1 });
  return rows.at(-1)!.referrerId;
}

/** Measured times, printed once at the end (the report's figures; never asserted). */
const measured: string[] = [];
afterAll(() => {
  if (measured.length) process.stdout.write(`\nheld-locks measurements:\n  ${measured.join('\n  ')}\n`);
});

describe.each(ROW_LOCKING)('a referrer held by another client, %s, sync mode', (kind) => {
  let ctx: TestContext;
  let held: QueryRunner | undefined;

  beforeAll(async () => {
    // NOTE: the default lock timeout (5 s), so that the measured answer time is the one a user gets.
    ctx = await bootReferences(kind, { propagation: 'sync' });
  });
  afterEach(async () => {
    if (held) await release(held);
    held = undefined;
  });
  afterAll(() => ctx.close());

  it('a write whose fan-out meets the held row answers WriteConflictError while the row is still held, and writes nothing', async () => {
    const target = await createNode(ctx.dataSource, { title: 'before' });
    await manyReferrers(ctx, target, 200);
    held = await holdRow(ctx, await oneReferrer(ctx, target, 100));

    const started = Date.now();
    const outcome = await ctx.references
      .transaction((manager) => manager.save(Object.assign(target, { metadata: { title: 'after' } })))
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    measured.push(`sync write meeting a held referrer on ${kind}: WriteConflictError after ${Date.now() - started} ms`);

    // The answer came while the row was still held: the wait is bounded, not as long as the lock.
    expect(held.isTransactionActive).toBe(true);
    expect(outcome).toBeInstanceOf(WriteConflictError);
    expect((outcome as WriteConflictError).status).toBe(503);
    await release(held);
    held = undefined;
    expect((await reload(ctx.dataSource, target)).metadata.title).toBe('before');
    expect(await countWithTitle(ctx, target, 'after')).toBe(0);
    expect(await countWithTitle(ctx, target, 'before')).toBe(200);
  });

  it('a write in a transaction of the app’s own (not references.transaction()) is bounded too', async () => {
    const target = await createNode(ctx.dataSource, { title: 'before' });
    await manyReferrers(ctx, target, 20);
    held = await holdRow(ctx, await oneReferrer(ctx, target, 10));
    const outcome = await ctx.dataSource
      .transaction((manager) => manager.save(Object.assign(target, { metadata: { title: 'after' } })))
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(held.isTransactionActive).toBe(true);
    expect(outcome).toBeInstanceOf(Error);
    await release(held);
    held = undefined;
    expect(await countWithTitle(ctx, target, 'after')).toBe(0);
    // Once the lock is gone, the same write goes through and reaches every copy.
    await ctx.references.transaction((manager) => manager.save(Object.assign(target, { metadata: { title: 'after' } })));
    expect(await countWithTitle(ctx, target, 'after')).toBe(20);
  });
});

export { until };
