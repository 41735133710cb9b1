import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ReferencedRecordError, ReferenceEntry, UnknownReferenceError, UntrackedWriteError } from 'nestjs-references';
import { TestNode } from '../support/fixtures.js';
import { createNode, nodeUrl, reload } from '../support/records.js';
import { DATABASES_AND_MODES, bootReferences, type TestContext } from '../support/test-app.js';

const link = (url: string) => ({ links: { self: url } });

describe.each(DATABASES_AND_MODES)('soft delete and writes that bypass the subscriber on %s, %s mode', (kind, mode) => {
  let ctx: TestContext;
  const nodes = () => ctx.dataSource.getRepository(TestNode);
  const indexRows = () => ctx.dataSource.getRepository(ReferenceEntry).count();

  beforeAll(async () => {
    ctx = await bootReferences(kind, { propagation: mode, strict: true });
  });
  afterAll(() => ctx.close());

  describe('softRemove() and recover()', () => {
    it('restrict: refuses the soft delete, and the record stays', async () => {
      const owner = await createNode(ctx.dataSource, { title: 'owner' });
      await createNode(ctx.dataSource, { title: 'owned', owner: link(nodeUrl(owner.id)) });
      await expect(nodes().softRemove(owner)).rejects.toThrow(ReferencedRecordError);
      expect((await reload(ctx.dataSource, owner)).deletedAt).toBeNull();
    });

    it('detach: removes the links to the soft-deleted record', async () => {
      const gone = await createNode(ctx.dataSource, { title: 'gone' });
      const linker = await createNode(ctx.dataSource, { title: 'linker', seeAlso: [nodeUrl(gone.id)], primary: nodeUrl(gone.id) });
      await nodes().softRemove(gone);
      await ctx.settle();
      const stored = (await reload(ctx.dataSource, linker)).metadata;
      expect(stored.seeAlso).toEqual([]);
      expect(stored).not.toHaveProperty('primary');
      expect(await ctx.references.getReferrers(nodeUrl(gone.id))).toEqual([]);
    });

    it('a soft-deleted record is no target for a new reference in strict mode; after recover() it is again', async () => {
      const term = await createNode(ctx.dataSource, { title: 'retired' });
      await nodes().softRemove(term);
      const count = await nodes().count({ withDeleted: true });
      await expect(createNode(ctx.dataSource, { title: 'r', parent: link(nodeUrl(term.id)) })).rejects.toThrow(UnknownReferenceError);
      expect(await nodes().count({ withDeleted: true })).toBe(count);
      await nodes().recover(term);
      const referrer = await createNode(ctx.dataSource, { title: 'r', parent: link(nodeUrl(term.id)) });
      expect((await reload(ctx.dataSource, referrer)).metadata.parent?.title).toBe('retired');
    });
  });

  describe('writes that bypass the subscriber', () => {
    it('update() of the metadata is refused with UntrackedWriteError, and nothing changes', async () => {
      const target = await createNode(ctx.dataSource, { title: 'before' });
      const referrer = await createNode(ctx.dataSource, { title: 'r', parent: link(nodeUrl(target.id)) });
      await expect(nodes().update({ id: target.id }, { metadata: { title: 'behind its back' } })).rejects.toThrow(UntrackedWriteError);
      await expect(nodes().update({ id: target.id }, { metadata: { title: 'behind its back' } })).rejects.toThrow('use save()');
      expect((await reload(ctx.dataSource, target)).metadata.title).toBe('before');
      expect((await reload(ctx.dataSource, referrer)).metadata.parent?.title).toBe('before');
    });

    it('delete() is refused, and the record and its referrers stay', async () => {
      const target = await createNode(ctx.dataSource, { title: 'kept' });
      await createNode(ctx.dataSource, { title: 'owned', owner: link(nodeUrl(target.id)) });
      const rows = await indexRows();
      await expect(nodes().delete({ id: target.id })).rejects.toThrow(UntrackedWriteError);
      await expect(nodes().softDelete({ id: target.id })).rejects.toThrow(UntrackedWriteError);
      expect(await nodes().findOneBy({ id: target.id })).not.toBeNull();
      expect(await indexRows()).toBe(rows);
    });

    it('update() of other columns than the metadata goes through (the copies do not depend on them)', async () => {
      const record = await createNode(ctx.dataSource, { title: 'x' });
      await nodes().update({ id: record.id }, { deletedAt: null });
      expect((await reload(ctx.dataSource, record)).metadata.title).toBe('x');
    });
  });
});

describe('writes that bypass the subscriber, with rawWrites: allow', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await bootReferences('sqlite', { rawWrites: 'allow' });
  });
  afterAll(() => ctx.close());

  it('go through, and verify() then reports the stale copy that refresh() repairs', async () => {
    const target = await createNode(ctx.dataSource, { title: 'before' });
    const referrer = await createNode(ctx.dataSource, { title: 'r', parent: link(nodeUrl(target.id)) });
    await ctx.dataSource.getRepository(TestNode).update({ id: target.id }, { metadata: { title: 'after' } });
    expect((await ctx.maintenance.verify()).stale).toEqual([expect.objectContaining({ referrerId: referrer.id, path: 'parent' })]);
    await ctx.maintenance.refresh(nodeUrl(target.id));
    expect((await reload(ctx.dataSource, referrer)).metadata.parent?.title).toBe('after');
    expect((await ctx.maintenance.verify()).ok).toBe(true);
  });
});
