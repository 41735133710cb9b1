import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { InvalidCursorError, ReferenceEntry, type ReferenceRow } from 'nestjs-references';
import { DATABASES } from '../support/databases.js';
import { BASE_URL, TestNode, TestRecord } from '../support/fixtures.js';
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

    /**
     * Walks every page of `target` by cursor; `between(page)` runs after each page. Answers the rows walked
     * and how many pages it took.
     */
    async function walk(target: string, match: 'exact' | 'prefix', limit: number, between: (page: number) => Promise<void>) {
      const walked: ReferenceRow[] = [];
      let pages = 0;
      for (let cursor: string | undefined; ; ) {
        const page = await ctx.references.getReferrersPage(target, { match, limit, cursor });
        expect(page.rows.length).toBeLessThanOrEqual(limit);
        walked.push(...page.rows);
        pages++;
        if (!page.next) break;
        cursor = page.next;
        await between(pages);
      }
      return { walked, pages };
    }

    it.each(['exact', 'prefix'] as const)(
      'walks every page by cursor (%s): each row that stays is returned once, in order, while rows are written and deleted between pages',
      async (match) => {
        const base = `${BASE_URL}/walk-${match}/`;
        const targets = match === 'exact' ? [`${base}t`] : [`${base}a`, `${base}b`, `${base}c`];
        const records: TestRecord[] = [];
        for (let i = 0; i < 12; i++) records.push(await createRecord(ctx.dataSource, { title: `w${i}`, link: targets[i % targets.length] }));
        const deleted = new Set<string>();
        const inserted: TestRecord[] = [];
        const { walked, pages } = await walk(match === 'exact' ? targets[0] : base, match, 2, async (page) => {
          // One record deleted ahead of the walk and one behind it, and one written at the end of each target.
          const ahead = records.at(-page)!;
          const behind = records[page - 1];
          for (const gone of [ahead, behind]) {
            if (deleted.has(gone.id)) continue;
            await ctx.dataSource.getRepository(TestRecord).remove({ ...gone } as TestRecord);
            deleted.add(gone.id);
          }
          inserted.push(await createRecord(ctx.dataSource, { title: `new${page}`, link: targets.at(-1)! }));
        });
        expect(pages).toBeGreaterThan(3);
        const ids = walked.map((row) => row.referrerId);
        expect(new Set(ids).size).toBe(ids.length);
        const everything = await ctx.references.getReferrers(match === 'exact' ? targets[0] : base, { match });
        // In the order of getReferrers(): by reference, then by index row (the order of writes).
        const order = [...records, ...inserted].map((r) => r.id);
        const sorted = [...walked].sort(
          (a, b) => (a.reference < b.reference ? -1 : a.reference > b.reference ? 1 : order.indexOf(a.referrerId) - order.indexOf(b.referrerId)),
        );
        expect(walked).toEqual(sorted);
        const stayed = records.filter((r) => !deleted.has(r.id)).map((r) => r.id);
        expect(ids.filter((id) => stayed.includes(id))).toEqual(everything.map((r) => r.referrerId).filter((id) => stayed.includes(id)));
        expect(stayed.every((id) => ids.includes(id))).toBe(true);
        // Rows written at the end of the last target are always ahead of the walk: every one is walked.
        expect(inserted.every((r) => ids.includes(r.id))).toBe(true);
      },
    );

    it('answers next: null on the last page, and a page of the same rows as getReferrers()', async () => {
      const target = `${BASE_URL}/paged-cursor/1`;
      for (let i = 0; i < 4; i++) await createRecord(ctx.dataSource, { title: `c${i}`, link: target });
      const first = await ctx.references.getReferrersPage(target, { limit: 2 });
      expect(first.rows).toEqual(await ctx.references.getReferrers(target, { limit: 2 }));
      const second = await ctx.references.getReferrersPage(target, { limit: 2, cursor: first.next! });
      expect(second.rows).toEqual(await ctx.references.getReferrers(target, { limit: 2, offset: 2 }));
      expect(second.next).toBeNull();
      expect(await ctx.references.getReferrersPage(target, { limit: 10 })).toEqual({ rows: expect.any(Array), next: null });
      const skipped = await ctx.references.getReferrersPage(target, { limit: 1, offset: 2 });
      expect(skipped.rows).toEqual(await ctx.references.getReferrers(target, { limit: 1, offset: 2 }));
      expect((await ctx.references.getReferrersPage(target, { limit: 5, cursor: skipped.next! })).rows).toEqual(await ctx.references.getReferrers(target, { offset: 3 }));
    });

    it.each(['', 'not a cursor', Buffer.from('[1,2]').toString('base64url'), Buffer.from('["x",-1]').toString('base64url'), Buffer.from('["\u0000",1]').toString('base64url')])(
      'refuses the cursor %j with InvalidCursorError',
      async (cursor) => {
        await expect(ctx.references.getReferrersPage(`${BASE_URL}/paged-cursor/1`, { limit: 2, cursor })).rejects.toThrow(InvalidCursorError);
      },
    );

    it('counts at most limit rows when asked', async () => {
      const target = `${BASE_URL}/paged-cursor/1`;
      expect(await ctx.references.countReferrers(target)).toBe(4);
      expect(await ctx.references.countReferrers(target, { limit: 3 })).toBe(3);
      expect(await ctx.references.countReferrers(`${BASE_URL}/paged-cursor/`, { match: 'prefix', limit: 10 })).toBe(4);
    });
  });

  describe('synchronize and verify', () => {
    it('verify finds nothing wrong after normal writes', async () => {
      const t = await createNode(ctx.dataSource, { title: 't' });
      await createNode(ctx.dataSource, { title: 'r', parent: link(nodeUrl(t.id)) });
      const report = await ctx.maintenance.verify();
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
      const report = await ctx.maintenance.verify();
      expect(report.ok).toBe(false);
      expect(report.missing).toEqual([expect.objectContaining({ referrerId: r.id, path: 'parent' })]);
      expect(report.extra).toEqual([expect.objectContaining({ referrerId: r.id, reference: 'http://x.example/extra' })]);
      expect(report.stale).toEqual([expect.objectContaining({ referrerId: r.id, path: 'parent' })]);
      expect((await ctx.maintenance.verify()).missing).toHaveLength(1);

      const progress: number[] = [];
      const result = await ctx.maintenance.synchronize({ clear: true, onProgress: (done) => progress.push(done) });
      expect(result.records).toBeGreaterThan(0);
      expect(progress.at(-1)).toBe(result.records);
      const after = await ctx.maintenance.verify();
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
      const report = await ctx.maintenance.verify();
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
      await ctx.maintenance.synchronize();
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
