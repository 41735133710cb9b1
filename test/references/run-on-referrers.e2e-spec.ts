import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Bull from 'bull';
import { randomUUID } from 'node:crypto';
import { REDIS_URL } from '../support/databases.js';
import { TestRecord } from '../support/fixtures.js';
import { createRecord, recordUrl } from '../support/records.js';
import { until } from '../support/processes.js';
import { bootReferences, type TestContext } from '../support/test-app.js';

describe('ReferrerJobs.run: runOnReferrers (real Bull processors on Redis)', () => {
  let ctx: TestContext;
  let queue: Bull.Queue;
  const touched: string[] = [];
  const successes: Array<Record<string, any>> = [];
  const errors: Array<Record<string, any>> = [];
  const completions: Array<Record<string, any>> = [];
  let failing: TestRecord | undefined;

  beforeAll(async () => {
    ctx = await bootReferences('sqlite');
    queue = new Bull('app-jobs', REDIS_URL, { prefix: `test-${randomUUID()}` });
    queue.process('touch', 2, async (job) => {
      if (job.data.referrerId === failing?.id) throw new Error(`cannot touch ${job.data.referrerId}`);
      touched.push(job.data.referrerId);
    });
    queue.process('all-done', async (job) => void successes.push(job.data));
    queue.process('one-failed', async (job) => void errors.push(job.data));
    queue.process('complete', async (job) => void completions.push(job.data));
  });
  afterAll(async () => {
    await queue.obliterate({ force: true });
    await queue.close();
    await ctx.close();
  });

  const referrersOf = async (n: number) => {
    const target = await createRecord(ctx.dataSource, { title: 'target' });
    const referrers: TestRecord[] = [];
    // One after the other: their index rows, and so the chain's order, follow the order of creation.
    for (let i = 1; i <= n; i++) referrers.push(await createRecord(ctx.dataSource, { title: `r${i}`, link: recordUrl(target.id), links: [recordUrl(target.id)] }));
    return { target, referrers };
  };
  const reset = () => {
    for (const list of [touched, successes, errors, completions]) list.length = 0;
  };

  it("runs the app's job once per referrer, then onError for the one that failed and onComplete, but no onSuccess", async () => {
    reset();
    const { target, referrers } = await referrersOf(4);
    failing = referrers[3];

    const batch = await ctx.referrerJobs.run(
      recordUrl(target.id),
      { queue, name: 'touch', data: { reason: 'reindex' }, options: { attempts: 2, backoff: 10 } },
      { onSuccess: { name: 'all-done' }, onError: { name: 'one-failed' }, onComplete: { name: 'complete', data: { note: 'ended' } }, chunkSize: 2 },
    );
    expect(batch.total).toBe(4);

    await until(async () => completions.length === 1, 20_000, 'onComplete');
    expect(touched.sort()).toEqual(referrers.slice(0, 3).map((r) => r.id).sort());
    expect(completions[0]).toEqual({
      note: 'ended',
      reference: recordUrl(target.id),
      batchId: batch.batchId,
      referrerIds: expect.arrayContaining(referrers.slice(0, 3).map((r) => `records:${r.id}`)),
      failedIds: [`records:${failing.id}`],
    });
    expect(errors).toEqual([
      {
        reference: recordUrl(target.id),
        batchId: batch.batchId,
        referrerType: 'records',
        referrerId: failing.id,
        error: `cannot touch ${failing.id}`,
      },
    ]);
    expect(await ctx.referrerJobs.status(queue, batch.batchId)).toEqual({ total: 4, succeeded: 3, failed: 1, finished: true });
    // The follow-ups are enqueued together when the batch ends: onSuccess would be there by now.
    expect(successes).toEqual([]);
  });

  it('runs onSuccess once, then onComplete, when every job succeeded', async () => {
    reset();
    failing = undefined;
    const { target, referrers } = await referrersOf(3);
    const batch = await ctx.referrerJobs.run(
      recordUrl(target.id),
      { queue, name: 'touch' },
      { onSuccess: { name: 'all-done', data: { note: 'ok' } }, onError: { name: 'one-failed' }, onComplete: { name: 'complete' } },
    );
    await until(async () => completions.length === 1, 20_000, 'onComplete');
    await until(async () => successes.length === 1, 20_000, 'onSuccess');
    const ids = referrers.map((r) => `records:${r.id}`);
    expect(successes[0]).toEqual({ note: 'ok', reference: recordUrl(target.id), batchId: batch.batchId, referrerIds: expect.arrayContaining(ids) });
    expect(successes[0].referrerIds).toHaveLength(3);
    expect(completions[0]).toMatchObject({ batchId: batch.batchId, failedIds: [] });
    expect(errors).toEqual([]);
    // Every key of the batch expires: Redis does not fill up with the batches of the past.
    const keys = await queue.client.keys(queue.toKey(`referrer-batch:${batch.batchId}*`));
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) expect(await queue.client.ttl(key)).toBeGreaterThan(0);
  });

  it('sequential: one job after the other in index order, then onSuccess', async () => {
    reset();
    failing = undefined;
    const { target } = await referrersOf(5);
    const order = [...new Set((await ctx.references.getReferrers(recordUrl(target.id))).map((r) => r.referrerId))];
    const batch = await ctx.referrerJobs.run(
      recordUrl(target.id),
      { queue, name: 'touch' },
      { sequential: true, onSuccess: { name: 'all-done' }, onComplete: { name: 'complete' }, chunkSize: 2 },
    );
    expect(batch.total).toBe(5);
    await until(async () => completions.length === 1 && successes.length === 1, 20_000, 'the end of the chain');
    // The processor runs two jobs at once, yet the chain gives it one at a time.
    expect(touched).toEqual(order);
    expect(await ctx.referrerJobs.status(queue, batch.batchId)).toEqual({ total: 5, succeeded: 5, failed: 0, finished: true });
  });

  it('sequential: stops at the first job that fails for good; onError for it, onComplete, no onSuccess', async () => {
    reset();
    const { target, referrers } = await referrersOf(5);
    const order = [...new Set((await ctx.references.getReferrers(recordUrl(target.id))).map((r) => r.referrerId))];
    failing = referrers.find((r) => r.id === order[2]);
    const batch = await ctx.referrerJobs.run(
      recordUrl(target.id),
      { queue, name: 'touch', options: { attempts: 2, backoff: 10 } },
      { sequential: true, onSuccess: { name: 'all-done' }, onError: { name: 'one-failed' }, onComplete: { name: 'complete' } },
    );
    await until(async () => completions.length === 1, 20_000, 'onComplete');
    expect(touched).toEqual(order.slice(0, 2));
    expect(errors).toEqual([expect.objectContaining({ batchId: batch.batchId, referrerId: order[2], error: `cannot touch ${order[2]}` })]);
    expect(completions[0]).toEqual({
      reference: recordUrl(target.id),
      batchId: batch.batchId,
      referrerIds: expect.arrayContaining(order.slice(0, 2).map((id) => `records:${id}`)),
      failedIds: [`records:${order[2]}`],
    });
    expect(await ctx.referrerJobs.status(queue, batch.batchId)).toEqual({ total: 5, succeeded: 2, failed: 1, finished: true });
    // The two referrers after the failure never got a job.
    expect(await queue.getJob(`referrers:${batch.batchId}:records:${order[3]}`)).toBeNull();
    expect(successes).toEqual([]);
  });

  it('finishes at once when nothing references the target', async () => {
    const before = successes.length;
    const batch = await ctx.referrerJobs.run('http://nobody.example/x', { queue, name: 'touch' }, { onSuccess: { name: 'all-done' } });
    expect(batch.total).toBe(0);
    await until(async () => successes.length === before + 1, 20_000, 'onSuccess of an empty batch');
    expect(successes.at(-1)).toEqual({ reference: 'http://nobody.example/x', batchId: batch.batchId, referrerIds: [] });
  });
});
