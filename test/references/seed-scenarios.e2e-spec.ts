import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { InvalidReferenceUrlError, REFERRER_INDEXER, UnknownReferenceError, type ReferrerIndexer } from 'nestjs-references';
import { randomUUID } from 'node:crypto';
import { BASE_URL, RecordMetadata, TestMirror, TestRecord } from '../support/fixtures.js';
import { createMirror, createRecord, recordUrl, reload } from '../support/records.js';
import { DATABASES_AND_MODES, bootReferences, type TestContext } from '../support/test-app.js';

// The seed's taxonomy terms live elsewhere: their copies are kept as sent, and refreshed when told.
const TAXONOMY_B = 'http://localhost/api/taxonomies/requestors/a/b/';
const TAXONOMY_C = 'http://localhost/api/taxonomies/requestors/a/c/';

/** The seed's `test_record_data`: an inline term at the top and one level down. */
const testRecordData = (): RecordMetadata => ({
  title: 'rec1',
  taxo1: { links: { self: TAXONOMY_B }, slug: 'b' },
  sub: { taxo2: { links: { self: TAXONOMY_C }, slug: 'c' } },
});

const ids = (rows: Array<{ referrerId: string }>) => rows.map((r) => r.referrerId).sort();

// The scenarios of oarepo-references' own tests, with its fixtures: a and b are referenced; c and d link
// them under `$ref`; e lists b and a in `reflist: [{ $ref }]`; f lists a with a title.
describe.each(DATABASES_AND_MODES)('seed scenarios on %s in %s mode', (kind, mode) => {
  let ctx: TestContext;
  let a: TestRecord, b: TestRecord, c: TestRecord, d: TestRecord, e: TestRecord, f: TestRecord;
  const reindexed: string[] = [];
  const indexer: ReferrerIndexer = { reindex: (_type, referrerIds) => void reindexed.push(...referrerIds) };

  beforeAll(async () => {
    ctx = await bootReferences(kind, { propagation: mode, strict: true }, [{ provide: REFERRER_INDEXER, useValue: indexer }]);
    a = await createRecord(ctx.dataSource, { title: 'a' });
    b = await createRecord(ctx.dataSource, { title: 'b' });
    c = await createRecord(ctx.dataSource, { title: 'c', $ref: recordUrl(a.id) });
    d = await createRecord(ctx.dataSource, { title: 'd', $ref: recordUrl(b.id) });
    e = await createRecord(ctx.dataSource, { title: 'e', reflist: [{ $ref: recordUrl(b.id) }, { $ref: recordUrl(a.id) }] });
    f = await createRecord(ctx.dataSource, { title: 'f', reflist: [{ title: 'f', $ref: recordUrl(a.id) }] });
    await ctx.settle();
  });
  afterAll(() => ctx.close());

  const records = () => ctx.dataSource.getRepository(TestRecord);
  const indexRows = () => ctx.dataSource.query('SELECT COUNT(*) AS n FROM reference_index').then((r) => Number(r[0].n));

  describe('get_records', () => {
    it('finds the three referrers of a, nested ones included', async () => {
      expect(ids(await ctx.references.getReferrers(recordUrl(a.id)))).toEqual([c.id, e.id, f.id].sort());
    });

    it('finds the two referrers of b', async () => {
      expect(ids(await ctx.references.getReferrers(recordUrl(b.id)))).toEqual([d.id, e.id].sort());
    });

    it('finds none of a record nobody references', async () => {
      expect(await ctx.references.getReferrers(recordUrl(randomUUID()))).toEqual([]);
    });

    it('matches five rows by the common prefix, and none exactly', async () => {
      expect(await ctx.references.getReferrers(`${BASE_URL}/records/`, { match: 'prefix' })).toHaveLength(5);
      expect(await ctx.references.countReferrers(`${BASE_URL}/records/`, { match: 'prefix' })).toBe(5);
      expect(await ctx.references.getReferrers(`${BASE_URL}/records/`)).toHaveLength(0);
    });

    it('reports each row with its full JSON path', async () => {
      const rows = await ctx.references.getReferrers(recordUrl(a.id));
      const row = (referrerId: string, path: string) => ({
        referrerType: 'records',
        referrerId,
        reference: recordUrl(a.id),
        referenceUuid: null,
        inline: false,
        path,
      });
      expect(rows).toEqual(expect.arrayContaining([row(c.id, '$ref'), row(e.id, 'reflist[1].$ref'), row(f.id, 'reflist[0].$ref')]));
    });

    it('lists the outgoing references of a record', async () => {
      const rows = await ctx.references.getReferences(e);
      expect(rows.map((r) => [r.path, r.reference])).toEqual([
        ['reflist[0].$ref', recordUrl(b.id)],
        ['reflist[1].$ref', recordUrl(a.id)],
      ]);
    });
  });

  it('reindex_referencing_records: hands every referrer of a to the indexer', async () => {
    reindexed.length = 0;
    expect(await ctx.maintenance.reindexReferrers(recordUrl(a.id))).toBe(3);
    expect(reindexed.sort()).toEqual([c.id, e.id, f.id].sort());
  });

  describe('test_record_data: inline terms at the top and one level down', () => {
    let rec1: TestRecord;

    beforeAll(async () => {
      rec1 = await createRecord(ctx.dataSource, testRecordData());
    });

    it('accepts the record as it is, and stores the copies of remote terms as sent', async () => {
      expect(await validate(plainToInstance(RecordMetadata, testRecordData()))).toEqual([]);
      expect((await reload(ctx.dataSource, rec1)).metadata).toEqual(testRecordData());
    });

    it('indexes both copies by their path', async () => {
      expect((await ctx.references.getReferences(rec1)).map((r) => [r.path, r.reference, r.inline])).toEqual([
        ['taxo1', TAXONOMY_B, true],
        ['sub.taxo2', TAXONOMY_C, true],
      ]);
    });

    it('update_inlined_refs: a new content of term b reaches taxo1', async () => {
      const updated = await ctx.references.referenceContentChanged({ links: { self: TAXONOMY_B }, slug: 'b', title: 'new title' }, { url: TAXONOMY_B });
      await ctx.settle();
      if (mode === 'sync') expect(updated).toEqual([{ referrerType: 'records', referrerId: rec1.id }]);
      expect((await reload(ctx.dataSource, rec1)).metadata.taxo1).toEqual({ links: { self: TAXONOMY_B }, slug: 'b', title: 'new title' });
    });

    it('update_references_record: a change of term c reaches sub.taxo2, one level down', async () => {
      await ctx.references.referenceContentChanged({ links: { self: TAXONOMY_C }, slug: 'c', title: 'change' }, { url: TAXONOMY_C });
      await ctx.settle();
      const stored = (await reload(ctx.dataSource, rec1)).metadata;
      expect(stored.sub?.taxo2?.title).toBe('change');
      expect(stored.taxo1?.title).toBe('new title');
    });
  });

  describe('TaxonomyRecord: a record whose schema is an inline reference type mirrors the remote term', () => {
    const TAXONOMY_D = 'http://localhost/api/taxonomies/requestors/a/d/';
    let mirror: TestMirror;
    let rec2: TestRecord;
    let holder: TestRecord;

    beforeAll(async () => {
      mirror = await createMirror(ctx.dataSource, { links: { self: TAXONOMY_D }, slug: 'd' });
      rec2 = await createRecord(ctx.dataSource, { title: 'rec2', sub: { taxo2: { links: { self: TAXONOMY_D }, slug: 'd' } } });
      holder = await createRecord(ctx.dataSource, { title: 'holder', inlined: { links: { self: `${BASE_URL}/taxonomies/${mirror.id}` } } });
      await ctx.settle();
    });

    it('is indexed as a copy of the term at its own links.self, at the path ""', async () => {
      expect(await ctx.references.getReferences(mirror)).toEqual([
        { referrerType: 'taxonomies', referrerId: mirror.id, reference: TAXONOMY_D, referenceUuid: null, inline: true, path: '' },
      ]);
      expect((await reload(ctx.dataSource, holder)).metadata.inlined).toEqual({ slug: 'd', id: mirror.id, links: { self: `${BASE_URL}/taxonomies/${mirror.id}` } });
    });

    it('update_references_record: is refreshed with every other copy of the term', async () => {
      const content = { links: { self: TAXONOMY_D }, slug: 'd', title: 'change' };
      const updated = await ctx.references.referenceContentChanged(content, { url: TAXONOMY_D });
      await ctx.settle();
      if (mode === 'sync') {
        expect(updated).toEqual(
          expect.arrayContaining([
            { referrerType: 'taxonomies', referrerId: mirror.id },
            { referrerType: 'records', referrerId: rec2.id },
          ]),
        );
      }
      expect((await reload(ctx.dataSource, mirror)).metadata).toEqual(content);
      expect((await reload(ctx.dataSource, rec2)).metadata.sub?.taxo2).toEqual(content);
    });

    it('passes the refresh on to the records that inline the mirror, transitively', async () => {
      expect((await reload(ctx.dataSource, holder)).metadata.inlined).toEqual({
        slug: 'd',
        title: 'change',
        id: mirror.id,
        links: { self: `${BASE_URL}/taxonomies/${mirror.id}` },
      });
      expect((await ctx.maintenance.verify()).ok).toBe(true);
    });
  });

  describe('nested references to local records', () => {
    it('stores, one level down, the copy taken from the target', async () => {
      const target = await createRecord(ctx.dataSource, { title: 'target' });
      const rec = await createRecord(ctx.dataSource, { title: 'r', sub: { taxo2: { links: { self: recordUrl(target.id) }, title: 'forged' } } });
      expect((await reload(ctx.dataSource, rec)).metadata.sub?.taxo2).toEqual({ title: 'target', id: target.id, links: { self: recordUrl(target.id) } });
      expect(await ctx.references.getReferrers(recordUrl(target.id))).toEqual([
        { referrerType: 'records', referrerId: rec.id, reference: recordUrl(target.id), referenceUuid: target.id, inline: true, path: 'sub.taxo2' },
      ]);
    });

    it('refreshes the nested copy when the target changes', async () => {
      const target = await createRecord(ctx.dataSource, { title: 'before' });
      const recs = await Promise.all([1, 2].map((i) => createRecord(ctx.dataSource, { title: `r${i}`, sub: { taxo2: { links: { self: recordUrl(target.id) } } } })));
      target.metadata = { title: 'after' };
      await records().save(target);
      await ctx.settle();
      for (const rec of recs) expect((await reload(ctx.dataSource, rec)).metadata.sub?.taxo2?.title).toBe('after');
      expect((await ctx.maintenance.verify()).stale).toEqual([]);
    });

    it('refuses, in strict mode, a nested link to a local record that does not exist, and writes nothing', async () => {
      const missing = recordUrl(randomUUID());
      const [count, rows] = [await records().count(), await indexRows()];
      const attempt = createRecord(ctx.dataSource, { title: 'x', reflist: [{ $ref: recordUrl(a.id) }, { $ref: missing }] });
      await expect(attempt).rejects.toThrow(new UnknownReferenceError(missing, 'reflist[1].$ref'));
      expect([await records().count(), await indexRows()]).toEqual([count, rows]);
    });

    it.each([
      ['a nested $ref', { title: 'x', reflist: [{ $ref: 'http://localhost/records/1' }, { $ref: 'not a url' }] }, 'reflist[1].$ref'],
      ['the link of a copy one level down', { title: 'x', sub: { taxo2: { links: { self: 'not a url' } } } }, 'sub.taxo2.links.self'],
    ])('refuses %s that is not a URL, naming its full path, and stores nothing', async (_what, metadata, path) => {
      const [count, rows] = [await records().count(), await indexRows()];
      await expect(createRecord(ctx.dataSource, metadata)).rejects.toThrow(new InvalidReferenceUrlError(path, 'is not an absolute URL'));
      expect([await records().count(), await indexRows()]).toEqual([count, rows]);
    });
  });

  describe('after the lookups', () => {
    it("reference_changed: rewrites b's URL in its two referrers, nested in a list too", async () => {
      const moved = `${BASE_URL}/records/moved-b`;
      const updated = await ctx.references.referenceChanged(recordUrl(b.id), moved);
      await ctx.settle();
      if (mode === 'sync') expect(ids(updated)).toEqual([d.id, e.id].sort());
      expect((await reload(ctx.dataSource, d)).metadata.$ref).toBe(moved);
      expect((await reload(ctx.dataSource, e)).metadata.reflist).toEqual([{ $ref: moved }, { $ref: recordUrl(a.id) }]);
      expect(ids(await ctx.references.getReferrers(moved))).toEqual([d.id, e.id].sort());
      expect(await ctx.references.getReferrers(recordUrl(b.id))).toHaveLength(0);
    });

    it('delete_references_record: removes the two rows of e', async () => {
      expect(await ctx.references.getReferences(e)).toHaveLength(2);
      await ctx.references.deleteReferences(e);
      expect(await ctx.references.getReferences(e)).toHaveLength(0);
    });
  });
});
