import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Bull from 'bull';
import { Queue as BullMqQueue, Worker as BullMqWorker } from 'bullmq';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { REDIS_URL } from '../support/databases.js';
import { TestRecord } from '../support/fixtures.js';
import { createRecord, recordUrl } from '../support/records.js';
import { until } from '../support/processes.js';
import { QUEUE_DRIVERS, type QueueDriverName } from '../support/queues.js';
import { bootReferences, type TestContext } from '../support/test-app.js';

/** The app's queue `app-jobs` on `driver`, its processors running `handlers` by job name (`touch` two at a time). */
function appQueue(driver: QueueDriverName, handlers: Record<string, (data: any) => Promise<void>>) {
  const prefix = `test-${randomUUID()}`;
  if (driver === 'bull') {
    const queue = new Bull('app-jobs', REDIS_URL, { prefix });
    for (const [name, handle] of Object.entries(handlers)) queue.process(name, name === 'touch' ? 2 : 1, (job) => handle(job.data));
    return { queue, close: () => queue.close() };
  }
  const queue = new BullMqQueue('app-jobs', { connection: { url: REDIS_URL }, prefix });
  const worker = new BullMqWorker('app-jobs', (job) => handlers[job.name](job.data), {
    connection: { url: REDIS_URL, maxRetriesPerRequest: null },
    prefix,
    concurrency: 2,
  });
  return { queue, close: async () => (await worker.close(), await queue.close()) };
}

describe.each(QUEUE_DRIVERS)('ReferrerJobs.run: runOnReferrers (real processors on Redis), on %s', (driver) => {
  let ctx: TestContext;
  let app: ReturnType<typeof appQueue>;
  let queue: Bull.Queue | BullMqQueue;
  let redis: Redis;
  const touched: string[] = [];
  const successes: Array<Record<string, any>> = [];
  const errors: Array<Record<string, any>> = [];
  const completions: Array<Record<string, any>> = [];
  let failing: TestRecord | undefined;

  beforeAll(async () => {
    ctx = await bootReferences('sqlite');
    redis = new Redis(REDIS_URL);
    app = appQueue(driver, {
      touch: async (data) => {
        if (data.referrerId === failing?.id) throw new Error(`cannot touch ${data.referrerId}`);
        touched.push(data.referrerId);
      },
      'all-done': async (data) => void successes.push(data),
      'one-failed': async (data) => void errors.push(data),
      complete: async (data) => void completions.push(data),
    });
    queue = app.queue;
  });
  afterAll(async () => {
    await queue.obliterate({ force: true });
    await app.close();
    redis.disconnect();
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
    const keys = await redis.keys(queue.toKey(`referrer-batch:${batch.batchId}*`));
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) expect(await redis.ttl(key)).toBeGreaterThan(0);
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
    const jobs = await queue.getJobs(['waiting', 'active', 'delayed', 'completed', 'failed']);
    expect(jobs.filter((job) => job.name === 'touch' && job.data.batchId === batch.batchId).map((job) => job.data.referrerId).sort()).toEqual(order.slice(0, 3).sort());
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
