import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ReferencedRecordError } from 'nestjs-references';
import { TestNode, TestRecord } from '../support/fixtures.js';
import { createNode, createRecord, nodeUrl, reload } from '../support/records.js';
import { bootReferences, type TestContext } from '../support/test-app.js';

const link = (url: string) => ({ links: { self: url } });

// `synchronize({ clear: true })` paused after its first batch (a record with no references, indexed first),
// while the referrers below are not indexed again yet: what other writers do meanwhile must see the old index.
// (SQLite has one writer at a time: a concurrent writer there waits for the rebuild, which waits for it.)
describe.each(['postgres', 'mariadb'] as const)('synchronize --clear while others write, on %s', (kind) => {
  let ctx: TestContext;

  beforeAll(async () => {
    ctx = await bootReferences(kind);
  });
  afterAll(() => ctx.close());

  it('a restrict delete during the rebuild is refused, a change during it reaches every referrer, and the index ends complete', async () => {
    await createRecord(ctx.dataSource, { title: 'indexed first' });
    const owner = await createNode(ctx.dataSource, { title: 'owner' });
    const changed = await createNode(ctx.dataSource, { title: 'before' });
    const owned: TestNode[] = [];
    const copies: TestNode[] = [];
    for (let i = 0; i < 5; i++) {
      owned.push(await createNode(ctx.dataSource, { title: `owned ${i}`, owner: link(nodeUrl(owner.id)) }));
      copies.push(await createNode(ctx.dataSource, { title: `copy ${i}`, parent: link(nodeUrl(changed.id)) }));
    }

    let deletion: unknown;
    let paused = false;
    const result = await ctx.maintenance.synchronize({
      clear: true,
      batchSize: 1,
      onProgress: async (done) => {
        if (done !== 1) return;
        paused = true;
        deletion = await ctx.references.transaction((manager) => manager.remove(owner)).then(
          () => undefined,
          (error: unknown) => error,
        );
        await ctx.references.transaction((manager) => manager.save(Object.assign(changed, { metadata: { title: 'after' } })));
      },
    });

    expect(paused).toBe(true);
    expect(result.records).toBe(1 + 2 + 10);
    expect(deletion).toBeInstanceOf(ReferencedRecordError);
    expect(await ctx.dataSource.getRepository(TestNode).findOneBy({ id: owner.id })).not.toBeNull();
    for (const copy of copies) expect((await reload(ctx.dataSource, copy)).metadata.parent?.title).toBe('after');
    const report = await ctx.maintenance.verify();
    expect({ ok: report.ok, missing: report.missing, extra: report.extra, stale: report.stale }).toEqual({ ok: true, missing: [], extra: [], stale: [] });
    expect(await ctx.references.countReferrers(nodeUrl(owner.id))).toBe(5);
  });

  it('a run stopped midway leaves the old index as it was', async () => {
    await ctx.dataSource.getRepository(TestRecord).save({ metadata: { title: 'another' } } as TestRecord);
    const target = await createNode(ctx.dataSource, { title: 'kept' });
    await createNode(ctx.dataSource, { title: 'r', parent: link(nodeUrl(target.id)) });
    const before = await ctx.references.countReferrers('http://test.local/', { match: 'prefix' });
    const stop = new AbortController();
    await ctx.maintenance.synchronize({ clear: true, batchSize: 1, signal: stop.signal, onProgress: () => stop.abort() });
    expect(await ctx.references.countReferrers('http://test.local/', { match: 'prefix' })).toBe(before);
    expect(await ctx.references.countReferrers(nodeUrl(target.id))).toBe(1);
  });
});
