import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { REFERRER_INDEXER, REFERRERS_UPDATED_EVENT, ReferenceReindexEntry, type ReferrerIndexer, type ReferrersUpdatedEvent } from 'nestjs-references';
import { createNode } from '../support/records.js';
import { countWithTitle, manyReferrers } from '../support/referrers.js';
import { bootReferences, type TestContext } from '../support/test-app.js';

/** More referrers than one transaction keeps ids of in memory (10,000): the rest are read back after the commit. */
const FAN_OUT = 12_000;

// A sync fan-out larger than the ids a transaction holds in memory: the event and the indexer still get
// every changed referrer once, and nothing is left behind in reference_reindex.
describe.each(['postgres', 'mariadb'] as const)('the ids of a large sync fan-out, %s', (kind) => {
  describe('with an event listener only', () => {
    let ctx: TestContext;
    beforeAll(async () => {
      ctx = await bootReferences(kind, { batchSize: 1000 });
    });
    afterAll(() => ctx.close());

    it('the event carries every changed referrer once, and no row is left', async () => {
      const target = await createNode(ctx.dataSource, { title: 'before' });
      await manyReferrers(ctx, target, FAN_OUT);
      const ids = new Set<string>();
      let count = 0;
      ctx.app.get(EventEmitter2).on(REFERRERS_UPDATED_EVENT, (event: ReferrersUpdatedEvent) => {
        count += event.referrerIds.length;
        for (const id of event.referrerIds) ids.add(id);
      });
      await ctx.references.transaction((manager) => manager.save(Object.assign(target, { metadata: { title: 'after' } })));
      expect(await countWithTitle(ctx, target, 'after')).toBe(FAN_OUT);
      expect(ids.size).toBe(FAN_OUT);
      expect(count).toBe(FAN_OUT);
      expect(await ctx.dataSource.getRepository(ReferenceReindexEntry).count()).toBe(0);
    });
  });

  describe('with a ReferrerIndexer', () => {
    let ctx: TestContext;
    const indexed = new Set<string>();
    const indexer: ReferrerIndexer = {
      reindex: async (_type, ids) => {
        for (const id of ids) indexed.add(id);
      },
    };
    beforeAll(async () => {
      ctx = await bootReferences(kind, { batchSize: 1000 }, [{ provide: REFERRER_INDEXER, useValue: indexer }]);
    });
    afterAll(() => ctx.close());

    it('the indexer gets every changed referrer, and every row is deleted once it took them', async () => {
      const target = await createNode(ctx.dataSource, { title: 'before' });
      await manyReferrers(ctx, target, FAN_OUT);
      indexed.clear();
      await ctx.references.transaction((manager) => manager.save(Object.assign(target, { metadata: { title: 'after' } })));
      expect(indexed.size).toBe(FAN_OUT);
      expect(await ctx.dataSource.getRepository(ReferenceReindexEntry).count()).toBe(0);
    });
  });
});
