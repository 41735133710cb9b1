import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InvalidReferenceUrlError, REFERRERS_UPDATED_EVENT, REFERRER_INDEXER, type ReferrerIndexer, type ReferrersUpdatedEvent } from 'nestjs-references';
import { TestNode, TestRecord } from '../support/fixtures.js';
import { createNode, createRecord, nodeUrl, recordUrl, reload } from '../support/records.js';
import { DATABASES_AND_MODES, bootReferences, type TestContext } from '../support/test-app.js';

const link = (url: string) => ({ links: { self: url } });
const key = (type: string, id: string) => `${type}:${id}`;

// The seed reindexes every referrer of a changed target, links included: a search document may show what
// a link points at (its title, looked up when the document is built). So do we, unless a field says not.
describe.each(DATABASES_AND_MODES)('link referrers of a changed target on %s in %s mode', (kind, mode) => {
  let ctx: TestContext;
  const events: ReferrersUpdatedEvent[] = [];
  const reindexed: string[] = [];
  const indexer: ReferrerIndexer = { reindex: (type, ids) => void reindexed.push(...ids.map((id) => key(type, id))) };

  beforeAll(async () => {
    // Batches of 10 index rows, so that a walk takes several.
    ctx = await bootReferences(kind, { propagation: mode, batchSize: 10 }, [{ provide: REFERRER_INDEXER, useValue: indexer }]);
    ctx.app.get(EventEmitter2).on(REFERRERS_UPDATED_EVENT, (e: ReferrersUpdatedEvent) => events.push(e));
  });
  afterAll(() => ctx.close());
  /** Waits until what came before has propagated, then forgets what the indexer and the event were handed of it. */
  const settleAndForget = async () => {
    await ctx.settle();
    events.length = 0;
    reindexed.length = 0;
  };
  beforeEach(settleAndForget);
  /** Saves a target under a new title and waits until the change has propagated. */
  const retitle = async (target: TestNode | TestRecord, title: string) => {
    target.metadata = { title };
    await ctx.dataSource.getRepository(target.constructor).save(target);
    await ctx.settle();
  };

  const heard = () => events.flatMap((e) => e.referrerIds.map((id) => key(e.referrerType, id)));

  it('hands the link referrers of a saved local target to the indexer and the event, at any depth', async () => {
    const target = await createNode(ctx.dataSource, { title: 'Rembrandt' });
    const url = nodeUrl(target.id);
    const kept = await createNode(ctx.dataSource, { title: 'kept', kept: url });
    const listed = await createNode(ctx.dataSource, { title: 'listed', seeAlso: ['https://elsewhere.example/x', url] });
    const credited = await createNode(ctx.dataSource, { title: 'credited', creators: [{ role: 'after', attributedBy: url }] });
    const quiet = await createNode(ctx.dataSource, { title: 'quiet', source: url });
    const copy = await createNode(ctx.dataSource, { title: 'copy', parent: link(url) });
    await settleAndForget();

    await retitle(target, 'Rembrandt van Rijn');

    const expected = [kept, listed, credited, copy].map((n) => key('nodes', n.id)).sort();
    expect([...new Set(reindexed)].sort()).toEqual(expected);
    expect([...new Set(heard())].sort()).toEqual(expected);
    expect(events.every((e) => e.reference === url)).toBe(true);
    // `reindexOnChange: false`: neither indexed nor announced; and a link is reported, never rewritten.
    expect(reindexed).not.toContain(key('nodes', quiet.id));
    expect((await reload(ctx.dataSource, kept)).metadata).toEqual({ title: 'kept', kept: url });
  });

  it('referenceContentChanged: refreshes the copies of an external target, reports its links, and returns both', async () => {
    const url = 'https://vocab.example.org/agents/7';
    const copy = await createRecord(ctx.dataSource, { title: 'copy', inlined: { title: 'old', links: { self: url } } });
    const linked = await createRecord(ctx.dataSource, { title: 'linked', reflist: [{ $ref: url }] });
    const version = (await reload(ctx.dataSource, linked)).version;
    await settleAndForget();

    const touched = await ctx.references.referenceContentChanged({ title: 'new', links: { self: url } }, { url });
    await ctx.settle();

    // Sync mode did the work when it returns; queue mode has only enqueued it.
    const expected = mode === 'sync' ? [copy, linked].map((r) => ({ referrerType: 'records', referrerId: r.id })) : [];
    expect(touched).toHaveLength(expected.length);
    expect(touched).toEqual(expect.arrayContaining(expected));
    expect((await reload(ctx.dataSource, copy)).metadata.inlined).toEqual({ title: 'new', links: { self: url } });
    expect([...new Set(reindexed)].sort()).toEqual([key('records', copy.id), key('records', linked.id)].sort());
    // The link referrer is reported, not written.
    expect((await reload(ctx.dataSource, linked)).version).toBe(version);
  });

  it('reaches the link referrers of a record changed by propagation, transitively', async () => {
    const term = await createNode(ctx.dataSource, { title: 'Baroque' });
    const child = await createNode(ctx.dataSource, { title: 'child', parent: link(nodeUrl(term.id)) });
    const linker = await createNode(ctx.dataSource, { title: 'linker', kept: nodeUrl(child.id) });
    await settleAndForget();

    await retitle(term, 'Baroque (1600–1750)');

    expect((await reload(ctx.dataSource, child)).metadata.parent?.title).toBe('Baroque (1600–1750)');
    expect(reindexed).toEqual(expect.arrayContaining([key('nodes', child.id), key('nodes', linker.id)]));
  });

  it('walks many link referrers a batch at a time, each reported once', async () => {
    const target = await createRecord(ctx.dataSource, { title: 't' });
    const url = recordUrl(target.id);
    const linkers: TestRecord[] = [];
    for (let i = 0; i < 25; i++) linkers.push(await createRecord(ctx.dataSource, { title: `l${i}`, link: url }));
    await settleAndForget();

    await retitle(target, 't2');

    expect(reindexed.sort()).toEqual(linkers.map((r) => key('records', r.id)).sort());
  });

  it.each([
    ['without a url', {}, 'must be a URL string'],
    ['with a url that is not one', { url: 'not a url' }, 'is not an absolute URL'],
  ])('refuses referenceContentChanged %s, and changes nothing', async (_what, target, reason) => {
    const url = 'https://vocab.example.org/agents/8';
    const copy = await createRecord(ctx.dataSource, { title: 'copy', inlined: { title: 'old', links: { self: url } } });
    await settleAndForget();
    const before = await reload(ctx.dataSource, copy);
    await expect(ctx.references.referenceContentChanged({ title: 'new', links: { self: url } }, target as { url: string })).rejects.toThrow(
      new InvalidReferenceUrlError('url', reason),
    );
    await ctx.settle();
    expect(await reload(ctx.dataSource, copy)).toEqual(before);
    expect(reindexed).toEqual([]);
    expect(await ctx.references.status()).toMatchObject({ pending: 0, running: 0, failed: 0 });
  });
});
