import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { REFERRERS_UPDATED_EVENT, type ReferrersUpdatedEvent } from 'nestjs-references';
import { TestNode, TestRecord } from '../support/fixtures.js';
import { createNode, createRecord, nodeCopy, nodeUrl, recordUrl, reload } from '../support/records.js';
import { DATABASES_AND_MODES, bootReferences, type TestContext } from '../support/test-app.js';

const link = (url: string) => ({ links: { self: url } });

describe.each(DATABASES_AND_MODES)('propagation on %s in %s mode', (kind, mode) => {
  let ctx: TestContext;
  const events: ReferrersUpdatedEvent[] = [];

  beforeAll(async () => {
    ctx = await bootReferences(kind, { propagation: mode });
    ctx.app.get(EventEmitter2).on(REFERRERS_UPDATED_EVENT, (e: ReferrersUpdatedEvent) => events.push(e));
  });
  afterAll(() => ctx.close());

  const save = async (node: TestNode) => {
    await ctx.dataSource.getRepository(TestNode).save(node);
    await ctx.settle();
  };

  describe('a change to a target', () => {
    it('refreshes every inline copy of it', async () => {
      const target = await createNode(ctx.dataSource, { title: 'Baroque' });
      const referrers = await Promise.all(
        [1, 2, 3].map((i) => createNode(ctx.dataSource, { title: `r${i}`, parent: link(nodeUrl(target.id)) })),
      );
      target.metadata = { title: 'Baroque (1600–1750)' };
      await save(target);
      for (const r of referrers) {
        expect((await reload(ctx.dataSource, r)).metadata.parent).toEqual(nodeCopy(target, { title: 'Baroque (1600–1750)' }));
      }
    });

    it('refreshes each copy when one record holds the target at several paths', async () => {
      const target = await createRecord(ctx.dataSource, { title: 'once' });
      const referrer = await createRecord(ctx.dataSource, {
        title: 'r',
        inlined: link(recordUrl(target.id)),
        inlinedList: [link(recordUrl(target.id)), link('https://elsewhere.example/x'), link(recordUrl(target.id))],
      });
      target.metadata = { title: 'twice' };
      await ctx.dataSource.getRepository(TestRecord).save(target);
      await ctx.settle();
      const stored = (await reload(ctx.dataSource, referrer)).metadata;
      expect(stored.inlined?.title).toBe('twice');
      expect(stored.inlinedList?.map((c) => c.title)).toEqual(['twice', undefined, 'twice']);
    });

    it('reaches referrers three levels away, transitively', async () => {
      const root = await createNode(ctx.dataSource, { title: 'root' });
      const child = await createNode(ctx.dataSource, { title: 'child', parent: link(nodeUrl(root.id)) });
      const grandchild = await createNode(ctx.dataSource, { title: 'grandchild', parent: link(nodeUrl(child.id)) });
      const record = await createRecord(ctx.dataSource, { title: 'uses grandchild', inlined: link(nodeUrl(grandchild.id)) });
      root.metadata = { title: 'ROOT' };
      await save(root);
      expect((await reload(ctx.dataSource, child)).metadata.parent?.title).toBe('ROOT');
      expect((await reload(ctx.dataSource, grandchild)).metadata.parent?.parent?.title).toBe('ROOT');
      // grandchild (level 1) → child (level 2) → root (level 3, reduced to { id, links })
      const inlined = (await reload(ctx.dataSource, record)).metadata.inlined!;
      expect(inlined.parent.title).toBe('child');
      expect(inlined.parent.parent).toEqual(nodeCopy(root));
      child.metadata = { ...(await reload(ctx.dataSource, child)).metadata, title: 'CHILD' };
      await save(child);
      expect((await reload(ctx.dataSource, record)).metadata.inlined!.parent.title).toBe('CHILD');
    });

    it('keeps nested copies in full down to the depth of the field, then { id, links }', async () => {
      const top = await createNode(ctx.dataSource, { title: 'top' });
      const middle = await createNode(ctx.dataSource, { title: 'middle', parent: link(nodeUrl(top.id)) });
      const deep = await createNode(ctx.dataSource, { title: 'deep', parent: link(nodeUrl(middle.id)), shallow: link(nodeUrl(middle.id)) });
      const stored = (await reload(ctx.dataSource, deep)).metadata;
      expect(stored.parent).toEqual(nodeCopy(middle, { title: 'middle', parent: nodeCopy(top, { title: 'top' }) }));
      expect(stored.shallow).toEqual(nodeCopy(middle, { title: 'middle', parent: nodeCopy(top) }));
    });

    it('projects a copy to the fields of the property', async () => {
      const target = await createNode(ctx.dataSource, { title: 'Gothic', kept: 'http://elsewhere.example/x' });
      const referrer = await createNode(ctx.dataSource, { title: 'r', titled: link(nodeUrl(target.id)) });
      expect((await reload(ctx.dataSource, referrer)).metadata.titled).toEqual(nodeCopy(target, { title: 'Gothic' }));
    });

    it('terminates on a cycle, each side holding the other', async () => {
      const a = await createNode(ctx.dataSource, { title: 'A' });
      const b = await createNode(ctx.dataSource, { title: 'B', parent: link(nodeUrl(a.id)) });
      a.metadata = { title: 'A', parent: link(nodeUrl(b.id)) };
      await save(a);
      a.metadata = { ...(await reload(ctx.dataSource, a)).metadata, title: 'A2' };
      await save(a);
      const storedA = (await reload(ctx.dataSource, a)).metadata;
      const storedB = (await reload(ctx.dataSource, b)).metadata;
      expect(storedB.parent?.title).toBe('A2');
      expect(storedB.parent?.parent?.title).toBe('B');
      // B → A (level 1) → B (level 2) → A reduced (level 3)
      expect(storedB.parent?.parent?.parent).toEqual(nodeCopy(a));
      expect(storedA.parent?.parent?.title).toBe('A2');
    });

    it('bumps the version of every referrer it changes', async () => {
      const target = await createRecord(ctx.dataSource, { title: 'v1' });
      const referrer = await createRecord(ctx.dataSource, { title: 'r', inlined: link(recordUrl(target.id)) });
      const before = (await reload(ctx.dataSource, referrer)).version;
      target.metadata = { title: 'v2' };
      await ctx.dataSource.getRepository(TestRecord).save(target);
      await ctx.settle();
      expect((await reload(ctx.dataSource, referrer)).version).toBe(before + 1);
    });

    it('announces the updated referrers once per batch, after commit', async () => {
      const target = await createNode(ctx.dataSource, { title: 'evented' });
      const referrers = await Promise.all([1, 2].map((i) => createNode(ctx.dataSource, { title: `e${i}`, parent: link(nodeUrl(target.id)) })));
      events.length = 0;
      await ctx.dataSource.transaction(async (manager) => {
        target.metadata = { title: 'evented 2' };
        await manager.save(target);
        // Sync mode has updated the referrers in this transaction; nobody hears of it before the commit.
        expect(events).toEqual([]);
      });
      await ctx.settle();
      expect(events).toEqual([
        { reference: nodeUrl(target.id), referrerType: 'nodes', referrerIds: expect.arrayContaining(referrers.map((r) => r.id)) },
      ]);
    });

    it('announces nothing when the transaction rolls back', async () => {
      const target = await createNode(ctx.dataSource, { title: 'rolled' });
      await createNode(ctx.dataSource, { title: 'r', parent: link(nodeUrl(target.id)) });
      events.length = 0;
      await expect(
        ctx.dataSource.transaction(async (manager) => {
          target.metadata = { title: 'never' };
          await manager.save(target);
          throw new Error('abort');
        }),
      ).rejects.toThrow('abort');
      await ctx.settle();
      expect(events).toEqual([]);
    });
  });

  describe('referenceContentChanged', () => {
    it('refreshes copies of an external target with the content given', async () => {
      const url = 'https://vocab.example.org/styles/42';
      const referrer = await createNode(ctx.dataSource, { title: 'r', parent: { title: 'old', id: '42', links: { self: url } } });
      const updated = await ctx.references.referenceContentChanged({ title: 'new', links: { self: url } }, { url, uuid: '42' });
      // Sync mode reports the referrers it updated; queue mode has only enqueued the work.
      expect(updated).toEqual(mode === 'sync' ? [{ referrerType: 'nodes', referrerId: referrer.id }] : []);
      await ctx.settle();
      expect((await reload(ctx.dataSource, referrer)).metadata.parent).toEqual({ title: 'new', links: { self: url }, id: '42' });
    });
  });

  describe('referenceChanged', () => {
    it('rewrites links.self of inline copies and refreshes them from the moved target', async () => {
      const target = await createNode(ctx.dataSource, { title: 'moving' });
      const referrer = await createNode(ctx.dataSource, { title: 'r', parent: link(nodeUrl(target.id)) });
      const external = 'https://elsewhere.example/moved';
      await ctx.references.referenceChanged(nodeUrl(target.id), external);
      await ctx.settle();
      expect((await reload(ctx.dataSource, referrer)).metadata.parent?.links.self).toBe(external);
      expect(await ctx.references.getReferrers(external)).toHaveLength(1);
    });
  });
});
