import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ReferenceEntry } from 'nestjs-references';
import { DATABASES } from '../support/databases.js';
import { BASE_URL, TestNode } from '../support/fixtures.js';
import { createNode, createRecord, nodeUrl, recordUrl } from '../support/records.js';
import { bootReferences, type TestContext } from '../support/test-app.js';

const link = (url: string) => ({ links: { self: url } });

describe.each(DATABASES)('lookups and maintenance on %s', (kind) => {
  let ctx: TestContext;

  beforeAll(async () => {
    ctx = await bootReferences(kind);
  });
  afterAll(() => ctx.close());

  describe('getReferrers', () => {
    it('never matches …/x/1 with …/x/10 exactly', async () => {
      await createRecord(ctx.dataSource, { title: 'a', link: `${BASE_URL}/ext/1` });
      await createRecord(ctx.dataSource, { title: 'b', link: `${BASE_URL}/ext/10` });
      expect(await ctx.references.getReferrers(`${BASE_URL}/ext/1`)).toHaveLength(1);
      expect(await ctx.references.getReferrers(`${BASE_URL}/ext/1`, { match: 'prefix' })).toHaveLength(2);
    });

    it('takes % and _ in a prefix literally', async () => {
      await createRecord(ctx.dataSource, { title: 'c', link: 'http://w.example/a_b%c/1' });
      await createRecord(ctx.dataSource, { title: 'd', link: 'http://w.example/aXbYc/1' });
      await createRecord(ctx.dataSource, { title: 'e', link: 'http://w.example/a\\b/1'.replace('\\', '%5C') });
      const rows = await ctx.references.getReferrers('http://w.example/a_b%c/', { match: 'prefix' });
      expect(rows.map((r) => r.reference)).toEqual(['http://w.example/a_b%c/1']);
      expect(await ctx.references.getReferrers('http://w.example/%', { match: 'prefix' })).toEqual([]);
      expect(await ctx.references.getReferrers('http://w.example/a\\', { match: 'prefix' })).toEqual([]);
    });

    it('pages in a stable order with limit and offset', async () => {
      const target = `${BASE_URL}/paged/1`;
      for (let i = 0; i < 5; i++) await createRecord(ctx.dataSource, { title: `p${i}`, link: target });
      const all = await ctx.references.getReferrers(target);
      const pages = [
        ...(await ctx.references.getReferrers(target, { limit: 2 })),
        ...(await ctx.references.getReferrers(target, { limit: 2, offset: 2 })),
        ...(await ctx.references.getReferrers(target, { limit: 2, offset: 4 })),
      ];
      expect(pages).toEqual(all);
      expect(all).toHaveLength(5);
    });
  });

  describe('synchronize and verify', () => {
    it('verify finds nothing wrong after normal writes', async () => {
      const t = await createNode(ctx.dataSource, { title: 't' });
      await createNode(ctx.dataSource, { title: 'r', parent: link(nodeUrl(t.id)) });
      const report = await ctx.references.verify();
      expect(report.missing).toEqual([]);
      expect(report.extra).toEqual([]);
      expect(report.stale).toEqual([]);
    });

    it('verify reports missing, extra and stale rows and changes nothing; synchronize repairs the index', async () => {
      const t = await createNode(ctx.dataSource, { title: 'target' });
      const r = await createNode(ctx.dataSource, { title: 'r', parent: link(nodeUrl(t.id)) });
      const rows = ctx.dataSource.getRepository(ReferenceEntry);
      await rows.delete({ referrerId: r.id });
      await rows.insert({ referrerType: 'nodes', referrerId: r.id, reference: 'http://x.example/extra', inline: false, path: 'kept', onDelete: 'keep' });
      // A change written behind the library's back (listeners off: the library refuses it otherwise) leaves the copy stale.
      await ctx.dataSource.createQueryBuilder().update(TestNode).set({ metadata: { title: 'renamed behind its back' } }).where('id = :id', { id: t.id }).callListeners(false).execute();
      const report = await ctx.references.verify();
      expect(report.ok).toBe(false);
      expect(report.missing).toEqual([expect.objectContaining({ referrerId: r.id, path: 'parent' })]);
      expect(report.extra).toEqual([expect.objectContaining({ referrerId: r.id, reference: 'http://x.example/extra' })]);
      expect(report.stale).toEqual([expect.objectContaining({ referrerId: r.id, path: 'parent' })]);
      expect((await ctx.references.verify()).missing).toHaveLength(1);

      const progress: number[] = [];
      const result = await ctx.references.synchronize({ clear: true, onProgress: (done) => progress.push(done) });
      expect(result.records).toBeGreaterThan(0);
      expect(progress.at(-1)).toBe(result.records);
      const after = await ctx.references.verify();
      expect(after.missing).toEqual([]);
      expect(after.extra).toEqual([]);
    });

    it('verify reports index rows whose record is gone or whose type is unknown', async () => {
      const rows = ctx.dataSource.getRepository(ReferenceEntry);
      const gone = '00000000-0000-4000-8000-00000000dead';
      await rows.insert([
        { referrerType: 'nodes', referrerId: gone, reference: 'http://x.example/a', inline: false, path: 'kept', onDelete: 'keep' },
        { referrerType: 'retired', referrerId: '1', reference: 'http://x.example/b', inline: false, path: 'link', onDelete: 'keep' },
      ]);
      const report = await ctx.references.verify();
      expect(report.extra).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ referrerType: 'nodes', referrerId: gone }),
          expect.objectContaining({ referrerType: 'retired', referrerId: '1' }),
        ]),
      );
      await rows.delete({ referrerId: gone });
      await rows.delete({ referrerType: 'retired' });
    });

    it('synchronize without clear rebuilds the rows of each record it reads', async () => {
      const target = `${BASE_URL}/sync/1`;
      const record = await createRecord(ctx.dataSource, { title: 's', link: target });
      await ctx.dataSource.getRepository(ReferenceEntry).delete({ referrerId: record.id });
      expect(await ctx.references.getReferrers(target)).toEqual([]);
      await ctx.references.synchronize();
      expect(await ctx.references.getReferrers(target)).toEqual([expect.objectContaining({ referrerId: record.id, path: 'link' })]);
      expect(await ctx.references.getReferrers(recordUrl(record.id))).toEqual([]);
    });
  });

  describe('the shipped migration', () => {
    it('creates the schema the entities describe', async () => {
      const pending = await ctx.dataSource.driver.createSchemaBuilder().log();
      const differences = pending.upQueries
        .map((q) => q.query)
        .filter((q) => /reference_(index|outbox|settings)/.test(q));
      expect(differences).toEqual([]);
    });
  });
});
