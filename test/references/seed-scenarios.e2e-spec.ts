import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DATABASES } from '../support/databases.js';
import { BASE_URL, TestRecord } from '../support/fixtures.js';
import { createRecord, recordUrl, reload } from '../support/records.js';
import { bootReferences, type TestContext } from '../support/test-app.js';

// The scenarios of oarepo-references' own tests: a and b are referenced; c links a; d links b;
// e lists b and a; f holds an inline copy of a in a list.
describe.each(DATABASES)('seed scenarios on %s', (kind) => {
  let ctx: TestContext;
  let a: TestRecord, b: TestRecord, c: TestRecord, d: TestRecord, e: TestRecord, f: TestRecord;

  beforeAll(async () => {
    ctx = await bootReferences(kind);
    a = await createRecord(ctx.dataSource, { title: 'a' });
    b = await createRecord(ctx.dataSource, { title: 'b' });
    c = await createRecord(ctx.dataSource, { title: 'c', link: recordUrl(a.id) });
    d = await createRecord(ctx.dataSource, { title: 'd', link: recordUrl(b.id) });
    e = await createRecord(ctx.dataSource, { title: 'e', links: [recordUrl(b.id), recordUrl(a.id)] });
    f = await createRecord(ctx.dataSource, { title: 'f', inlinedList: [{ links: { self: recordUrl(a.id) } }] });
  });
  afterAll(() => ctx.close());

  it('finds the three referrers of a', async () => {
    const rows = await ctx.references.getReferrers(recordUrl(a.id));
    expect(rows.map((r) => r.referrerId).sort()).toEqual([c.id, e.id, f.id].sort());
  });

  it('finds the two referrers of b', async () => {
    const rows = await ctx.references.getReferrers(recordUrl(b.id));
    expect(rows.map((r) => r.referrerId).sort()).toEqual([d.id, e.id].sort());
  });

  it('reports each row with its path and kind', async () => {
    const rows = await ctx.references.getReferrers(recordUrl(a.id));
    expect(rows).toContainEqual({
      referrerType: 'records',
      referrerId: e.id,
      reference: recordUrl(a.id),
      referenceUuid: null,
      inline: false,
      path: 'links[1]',
    });
    expect(rows).toContainEqual({
      referrerType: 'records',
      referrerId: f.id,
      reference: recordUrl(a.id),
      referenceUuid: a.id,
      inline: true,
      path: 'inlinedList[0]',
    });
  });

  it('matches five rows by the common prefix', async () => {
    expect(await ctx.references.getReferrers(`${BASE_URL}/records/`, { match: 'prefix' })).toHaveLength(5);
    expect(await ctx.references.countReferrers(`${BASE_URL}/records/`, { match: 'prefix' })).toBe(5);
  });

  it('matches nothing exactly by that prefix', async () => {
    expect(await ctx.references.getReferrers(`${BASE_URL}/records/`)).toHaveLength(0);
  });

  it('stores the inline copy taken from the target', async () => {
    const stored = await reload(ctx.dataSource, f);
    expect(stored.metadata.inlinedList).toEqual([{ title: 'a', id: a.id, links: { self: recordUrl(a.id) } }]);
  });

  it('lists the outgoing references of a record', async () => {
    const rows = await ctx.references.getReferences(e);
    expect(rows.map((r) => [r.path, r.reference])).toEqual([
      ['links[0]', recordUrl(b.id)],
      ['links[1]', recordUrl(a.id)],
    ]);
  });

  it("rewrites b's URL in its two referrers when b moves", async () => {
    const moved = `${BASE_URL}/records/moved-b`;
    const updated = await ctx.references.referenceChanged(recordUrl(b.id), moved);
    expect(updated.map((u) => u.referrerId).sort()).toEqual([d.id, e.id].sort());
    expect((await reload(ctx.dataSource, d)).metadata.link).toBe(moved);
    expect((await reload(ctx.dataSource, e)).metadata.links).toEqual([moved, recordUrl(a.id)]);
    expect(await ctx.references.getReferrers(moved)).toHaveLength(2);
    expect(await ctx.references.getReferrers(recordUrl(b.id))).toHaveLength(0);
  });
});
