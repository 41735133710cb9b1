import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Bull from 'bull';
import { randomUUID } from 'node:crypto';
import { REDIS_URL } from '../support/databases.js';
import { TestRecord } from '../support/fixtures.js';
import { createRecord, recordUrl } from '../support/records.js';
import { until } from '../support/processes.js';
import { bootReferences, type TestContext } from '../support/test-app.js';

describe('runOnReferrers (real Bull processors on Redis)', () => {
  let ctx: TestContext;
  let queue: Bull.Queue;
  const touched: string[] = [];
  const successes: Array<Record<string, any>> = [];
  const errors: Array<Record<string, any>> = [];
  let failing: TestRecord;

  beforeAll(async () => {
    ctx = await bootReferences('sqlite');
    queue = new Bull('app-jobs', REDIS_URL, { prefix: `test-${randomUUID()}` });
    queue.process('touch', 2, async (job) => {
      if (job.data.referrerId === failing.id) throw new Error(`cannot touch ${job.data.referrerId}`);
      touched.push(job.data.referrerId);
    });
    queue.process('all-done', async (job) => void successes.push(job.data));
    queue.process('one-failed', async (job) => void errors.push(job.data));
  });
  afterAll(async () => {
    await queue.obliterate({ force: true });
    await queue.close();
    await ctx.close();
  });

  it("runs the app's job once per referrer, then onSuccess once, and onError for the one that failed", async () => {
    const target = await createRecord(ctx.dataSource, { title: 'target' });
    const referrers = await Promise.all(
      [1, 2, 3, 4].map((i) => createRecord(ctx.dataSource, { title: `r${i}`, link: recordUrl(target.id), links: [recordUrl(target.id)] })),
    );
    failing = referrers[3];

    const batch = await ctx.references.runOnReferrers(
      recordUrl(target.id),
      { queue, name: 'touch', data: { reason: 'reindex' }, options: { attempts: 2, backoff: 10 } },
      { onSuccess: { name: 'all-done', data: { note: 'ok' } }, onError: { name: 'one-failed' }, chunkSize: 2 },
    );
    expect(batch.total).toBe(4);

    await until(async () => successes.length === 1, 20_000, 'onSuccess');
    expect(touched.sort()).toEqual(referrers.slice(0, 3).map((r) => r.id).sort());
    expect(successes[0]).toEqual({
      note: 'ok',
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
    expect(await ctx.references.referrerJobsStatus(queue, batch.batchId)).toEqual({ total: 4, succeeded: 3, failed: 1, finished: true });
    // Every key of the batch expires: Redis does not fill up with the batches of the past.
    const keys = await queue.client.keys(queue.toKey(`referrer-batch:${batch.batchId}*`));
    expect(keys).toHaveLength(4);
    for (const key of keys) expect(await queue.client.ttl(key)).toBeGreaterThan(0);
  });

  it('finishes at once when nothing references the target', async () => {
    const before = successes.length;
    const batch = await ctx.references.runOnReferrers('http://nobody.example/x', { queue, name: 'touch' }, { onSuccess: { name: 'all-done' } });
    expect(batch.total).toBe(0);
    await until(async () => successes.length === before + 1, 20_000, 'onSuccess of an empty batch');
    expect(successes.at(-1)).toMatchObject({ batchId: batch.batchId, referrerIds: [], failedIds: [] });
  });
});
