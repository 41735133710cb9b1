import { afterEach, describe, expect, it } from '@jest/globals';
import { REFERRER_INDEXER, ReferenceReindexEntry, type ReferrerIndexer } from 'nestjs-references';
import { TestNode } from '../support/fixtures.js';
import { until } from '../support/processes.js';
import { createNode, nodeUrl } from '../support/records.js';
import { DATABASES_AND_MODES, bootReferences, type TestContext } from '../support/test-app.js';

const link = (url: string) => ({ links: { self: url } });

/** A search index that is down while `failing` is set: it throws, as an unreachable search server would. */
class FlakyIndexer implements ReferrerIndexer {
  failing = false;
  failures = 0;
  /** Per referrer id, the parent title it was last indexed with. */
  readonly indexed = new Map<string, string | undefined>();
  constructor(private readonly read: () => TestContext) {}

  async reindex(referrerType: string, referrerIds: string[]): Promise<void> {
    if (this.failing) {
      this.failures++;
      throw new Error('search server unreachable');
    }
    for (const id of referrerIds) {
      const node = await this.read().dataSource.getRepository(TestNode).findOneBy({ id });
      this.indexed.set(`${referrerType}/${id}`, node?.metadata.parent?.title);
    }
  }
}

describe.each(DATABASES_AND_MODES)('the ReferrerIndexer on %s in %s mode', (kind, mode) => {
  let ctx: TestContext | undefined;
  afterEach(async () => {
    await ctx?.close();
    ctx = undefined;
  });

  it('gets every changed referrer once it works again, after failing for a while', async () => {
    const indexer = new FlakyIndexer(() => ctx!);
    ctx = await bootReferences(kind, { propagation: mode, batchSize: 4 }, [{ provide: REFERRER_INDEXER, useValue: indexer }]);
    const target = await createNode(ctx.dataSource, { title: 'old' });
    const referrers: TestNode[] = [];
    for (let i = 0; i < 10; i++) referrers.push(await createNode(ctx.dataSource, { title: `r${i}`, parent: link(nodeUrl(target.id)) }));

    indexer.failing = true;
    target.metadata = { title: 'new' };
    await ctx.dataSource.getRepository(TestNode).save(target);
    await ctx.settle();
    // The data is current, the search index is not: the indexer refused every batch, and is asked again.
    await until(async () => indexer.failures > 3, 30_000, 'the indexer to be asked again');
    expect(referrers.some((r) => indexer.indexed.get(`nodes/${r.id}`) === 'new')).toBe(false);
    expect(await ctx.dataSource.getRepository(ReferenceReindexEntry).count()).toBeGreaterThan(0);

    indexer.failing = false;
    await until(async () => referrers.every((r) => indexer.indexed.get(`nodes/${r.id}`) === 'new'), 60_000, 'every referrer indexed');
    await until(async () => (await ctx!.dataSource.getRepository(ReferenceReindexEntry).count()) === 0, 10_000, 'the recorded work to be done');
  });

  it('records nothing to reindex when every delivery succeeds', async () => {
    const indexer = new FlakyIndexer(() => ctx!);
    ctx = await bootReferences(kind, { propagation: mode }, [{ provide: REFERRER_INDEXER, useValue: indexer }]);
    const target = await createNode(ctx.dataSource, { title: 'old' });
    const referrer = await createNode(ctx.dataSource, { title: 'r', parent: link(nodeUrl(target.id)) });
    target.metadata = { title: 'new' };
    await ctx.dataSource.getRepository(TestNode).save(target);
    await ctx.settle();
    await until(async () => indexer.indexed.get(`nodes/${referrer.id}`) === 'new', 10_000, 'the referrer indexed');
    await until(async () => (await ctx!.dataSource.getRepository(ReferenceReindexEntry).count()) === 0, 10_000, 'nothing left recorded');
  });
});
