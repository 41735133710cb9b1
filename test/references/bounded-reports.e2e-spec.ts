import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { REFERRER_INDEXER, ReferenceReindexEntry, type ReferrerIndexer } from 'nestjs-references';
import { DATABASES } from '../support/databases.js';
import { until } from '../support/processes.js';
import { createNode, nodeUrl } from '../support/records.js';
import { bootReferences, type TestContext } from '../support/test-app.js';

const link = (url: string) => ({ links: { self: url } });

describe.each(DATABASES)('reports that stay small, on %s', (kind) => {
  let ctx: TestContext;
  let failing = false;
  const indexer: ReferrerIndexer = {
    reindex: async () => {
      if (failing) throw new Error('the search engine refuses this document');
    },
  };

  beforeAll(async () => {
    ctx = await bootReferences(kind, { rawWrites: 'allow' }, [{ provide: REFERRER_INDEXER, useValue: indexer }]);
  });
  afterAll(() => ctx.close());

  it('verify keeps at most `limit` rows a kind, and counts them all', async () => {
    const target = await createNode(ctx.dataSource, { title: 'before' });
    for (let i = 0; i < 5; i++) await createNode(ctx.dataSource, { title: `r${i}`, parent: link(nodeUrl(target.id)) });
    // Behind the library's back: every copy goes stale.
    const placeholder = kind === 'postgres' ? '$1' : '?';
    await ctx.dataSource.query(`UPDATE test_node SET metadata = ${placeholder} WHERE id = ${placeholder.replace('1', '2')}`, [
      JSON.stringify({ title: 'after' }),
      target.id,
    ]);
    const report = await ctx.maintenance.verify({ limit: 2 });
    expect(report.stale).toHaveLength(2);
    expect(report.totals).toEqual({ missing: 0, extra: 0, stale: 5, withheld: 0, dangling: 0, nonCanonical: 0, invalid: 0 });
    expect(report.ok).toBe(false);
    expect((await ctx.maintenance.verify()).stale).toHaveLength(5);
    await ctx.maintenance.refresh(nodeUrl(target.id));
    expect((await ctx.maintenance.verify()).ok).toBe(true);
  });

  it('referrers the indexer keeps failing on are parked after the last try and reported, not retried for ever', async () => {
    const target = await createNode(ctx.dataSource, { title: 'before' });
    await createNode(ctx.dataSource, { title: 'r', parent: link(nodeUrl(target.id)) });
    failing = true;
    await ctx.references.transaction((manager) => manager.save(Object.assign(target, { metadata: { title: 'after' } })));
    const rows = ctx.dataSource.getRepository(ReferenceReindexEntry);
    const [work] = await rows.find();
    expect(work).toBeDefined();
    // Its tries so far, but the last one, spent; the next is due now.
    await rows.update({ id: work.id }, { attempts: 24, dueAt: Date.now() });
    await until(async () => (await rows.findOneByOrFail({ id: work.id })).attempts === 25, 30_000, 'the last try');
    expect((await ctx.references.status()).reindexFailed).toBe(1);
    const parked = await rows.findOneByOrFail({ id: work.id });
    expect(parked.error).toBe('the search engine refuses this document');
    expect(parked.dueAt).toBe(Number.MAX_SAFE_INTEGER);
    // Never due again: the retry timer leaves it; the operator fixes the indexer, then reindexes the target.
    failing = false;
    await rows.delete({ id: work.id });
    expect((await ctx.references.status()).reindexFailed).toBe(0);
  });
});
