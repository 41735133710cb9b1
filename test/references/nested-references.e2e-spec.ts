import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ReferenceEntry, JsonTooDeepError, ReferencedRecordError } from 'nestjs-references';
import { TestNode, type Credit } from '../support/fixtures.js';
import { createNode, nodeCopy, nodeUrl, reload } from '../support/records.js';
import { MAX_JSON_DEPTH_ON } from '../support/databases.js';
import { DATABASES_AND_MODES, bootReferences, type TestContext } from '../support/test-app.js';

const link = (url: string) => ({ links: { self: url } });

// Nodes credit other nodes in `creators: [{ role, agent: <inline, restrict>, attributedBy?: <link, detach>,
// sources?: <links, detach>[][] }]`: references inside a list of nested objects, and in a list of lists.
describe.each(DATABASES_AND_MODES)('references at any depth on %s in %s mode', (kind, mode) => {
  let ctx: TestContext;

  beforeAll(async () => {
    ctx = await bootReferences(kind, { propagation: mode });
  });
  afterAll(() => ctx.close());

  const nodes = () => ctx.dataSource.getRepository(TestNode);
  /** A node that credits others (`creators`). */
  const crediting = (creators: Credit[], title = 'r') => createNode(ctx.dataSource, { title, creators });
  const save = async (node: TestNode) => {
    await nodes().save(node);
    await ctx.settle();
  };

  it('indexes every occurrence by its full path and dereferences the copies in the list', async () => {
    const agent = await createNode(ctx.dataSource, { title: 'Rembrandt' });
    const work = await createNode(ctx.dataSource, { title: 'The Night Watch' });
    const node = await crediting([
      { role: 'author', agent: link(nodeUrl(agent.id)), sources: [[nodeUrl(work.id)], [], ['https://elsewhere.example/a', nodeUrl(work.id)]] },
      { role: 'workshop', attributedBy: nodeUrl(work.id) },
    ], 'credited');
    expect((await ctx.references.getReferences(node)).map((r) => [r.path, r.reference, r.inline])).toEqual([
      ['creators[0].agent', nodeUrl(agent.id), true],
      ['creators[0].sources[0][0]', nodeUrl(work.id), false],
      ['creators[0].sources[2][0]', 'https://elsewhere.example/a', false],
      ['creators[0].sources[2][1]', nodeUrl(work.id), false],
      ['creators[1].attributedBy', nodeUrl(work.id), false],
    ]);
    expect((await reload(ctx.dataSource, node)).metadata.creators![0].agent).toEqual(nodeCopy(agent, { title: 'Rembrandt' }));
  });

  it('refreshes the copies at every position of the list when the target changes', async () => {
    const agent = await createNode(ctx.dataSource, { title: 'Vermeer' });
    const other = await createNode(ctx.dataSource, { title: 'Other' });
    const referrers = await Promise.all(
      [0, 1, 2].map((n) =>
        crediting([...Array(n).fill({ role: 'assistant', agent: link(nodeUrl(other.id)) }), { role: 'author', agent: link(nodeUrl(agent.id)) }], `r${n}`),
      ),
    );
    agent.metadata = { title: 'Johannes Vermeer' };
    await save(agent);
    for (const [n, referrer] of referrers.entries()) {
      const creators = (await reload(ctx.dataSource, referrer)).metadata.creators!;
      expect(creators.map((c) => c.agent?.title)).toEqual([...Array(n).fill('Other'), 'Johannes Vermeer']);
    }
  });

  it('carries a change through a nested copy to the records that inline its holder, transitively', async () => {
    const agent = await createNode(ctx.dataSource, { title: 'Hals' });
    const holder = await crediting([{ role: 'author', agent: link(nodeUrl(agent.id)) }], 'holder');
    const outer = await createNode(ctx.dataSource, { title: 'outer', parent: link(nodeUrl(holder.id)) });
    expect((await reload(ctx.dataSource, outer)).metadata.parent?.creators[0].agent.title).toBe('Hals');
    agent.metadata = { title: 'Frans Hals' };
    await save(agent);
    expect((await reload(ctx.dataSource, holder)).metadata.creators![0].agent?.title).toBe('Frans Hals');
    expect((await reload(ctx.dataSource, outer)).metadata.parent?.creators[0].agent.title).toBe('Frans Hals');
  });

  it('keeps a nested copy inside a copy within the depth rule: below it, { id, links }', async () => {
    const top = await createNode(ctx.dataSource, { title: 'top' });
    const agent = await createNode(ctx.dataSource, { title: 'agent', parent: link(nodeUrl(top.id)) });
    const holder = await crediting([{ role: 'author', agent: link(nodeUrl(agent.id)) }], 'holder');
    const outer = await createNode(ctx.dataSource, { title: 'outer', parent: link(nodeUrl(holder.id)) });
    // holder (level 1) → its creators[0].agent (level 2) → the agent's parent (level 3, reduced)
    const copy = (await reload(ctx.dataSource, outer)).metadata.parent!;
    expect(copy.creators[0].agent.title).toBe('agent');
    expect(copy.creators[0].agent.parent).toEqual(nodeCopy(top));
  });

  it('rewrites links and the links.self of copies at any depth when a target moves', async () => {
    const agent = await createNode(ctx.dataSource, { title: 'moving' });
    const node = await crediting([{ role: 'author', agent: link(nodeUrl(agent.id)), attributedBy: nodeUrl(agent.id), sources: [[nodeUrl(agent.id)]] }]);
    const moved = 'https://archive.example/agents/moving';
    await ctx.references.referenceChanged(nodeUrl(agent.id), moved);
    await ctx.settle();
    const credit = (await reload(ctx.dataSource, node)).metadata.creators![0];
    expect(credit.agent?.links.self).toBe(moved);
    expect(credit.attributedBy).toBe(moved);
    expect(credit.sources).toEqual([[moved]]);
    expect((await ctx.references.getReferrers(moved)).map((r) => r.path).sort()).toEqual([
      'creators[0].agent',
      'creators[0].attributedBy',
      'creators[0].sources[0][0]',
    ]);
  });

  it('refuses to delete a target that a nested restrict reference names, naming its path, and deletes nothing', async () => {
    const agent = await createNode(ctx.dataSource, { title: 'kept' });
    const node = await crediting([{ role: 'assistant' }, { role: 'author', agent: link(nodeUrl(agent.id)) }]);
    const attempt = nodes().remove(await nodes().findOneByOrFail({ id: agent.id }));
    await expect(attempt).rejects.toThrow(ReferencedRecordError);
    await expect(nodes().remove(await nodes().findOneByOrFail({ id: agent.id }))).rejects.toThrow(`nodes/${node.id} at creators[1].agent`);
    expect(await nodes().findOneBy({ id: agent.id })).not.toBeNull();
    expect(await ctx.references.getReferrers(nodeUrl(agent.id))).toHaveLength(1);
  });

  it('detaches a deleted target wherever it sits: a nested property unset, an element of an inner list removed', async () => {
    const gone = await createNode(ctx.dataSource, { title: 'gone' });
    const kept = await createNode(ctx.dataSource, { title: 'kept' });
    const node = await crediting([
      { role: 'author', attributedBy: nodeUrl(gone.id), sources: [[nodeUrl(kept.id), nodeUrl(gone.id)], [nodeUrl(gone.id)]] },
      { role: 'workshop', attributedBy: nodeUrl(kept.id), sources: [[nodeUrl(gone.id), nodeUrl(gone.id), nodeUrl(kept.id)]] },
    ]);
    await nodes().remove(await nodes().findOneByOrFail({ id: gone.id }));
    await ctx.settle();
    expect((await reload(ctx.dataSource, node)).metadata.creators).toEqual([
      { role: 'author', sources: [[nodeUrl(kept.id)], []] },
      { role: 'workshop', attributedBy: nodeUrl(kept.id), sources: [[nodeUrl(kept.id)]] },
    ]);
    expect((await ctx.references.getReferences(node)).map((r) => [r.path, r.reference])).toEqual([
      ['creators[0].sources[0][0]', nodeUrl(kept.id)],
      ['creators[1].attributedBy', nodeUrl(kept.id)],
      ['creators[1].sources[0][0]', nodeUrl(kept.id)],
    ]);
    expect(await ctx.references.getReferrers(nodeUrl(gone.id))).toEqual([]);
  });

  it('verify reports a stale nested copy by its path; synchronize rebuilds nested rows', async () => {
    const agent = await createNode(ctx.dataSource, { title: 'verified' });
    const node = await crediting([{ role: 'x' }, { role: 'author', agent: link(nodeUrl(agent.id)) }]);
    expect((await ctx.maintenance.verify()).ok).toBe(true);
    // A change written behind the library's back leaves the copy stale.
    await ctx.dataSource.createQueryBuilder().update(TestNode).set({ metadata: { title: 'renamed behind its back' } }).where('id = :id', { id: agent.id }).callListeners(false).execute();
    await ctx.dataSource.getRepository(ReferenceEntry).delete({ referrerId: node.id });
    const report = await ctx.maintenance.verify();
    expect(report.stale).toEqual([expect.objectContaining({ referrerId: node.id, path: 'creators[1].agent' })]);
    expect(report.missing).toEqual([expect.objectContaining({ referrerId: node.id, path: 'creators[1].agent', inline: true })]);

    await ctx.maintenance.synchronize({ clear: true });
    expect(await ctx.references.getReferrers(nodeUrl(agent.id))).toEqual([
      { referrerType: 'nodes', referrerId: node.id, reference: nodeUrl(agent.id), referenceUuid: agent.id, inline: true, path: 'creators[1].agent' },
    ]);
    await ctx.maintenance.refresh(nodeUrl(agent.id));
    await ctx.settle();
    expect((await reload(ctx.dataSource, node)).metadata.creators![1].agent?.title).toBe('renamed behind its back');
    expect((await ctx.maintenance.verify()).ok).toBe(true);
  });

  it('treats a property typed with an inline reference class as an inline reference: copied, refreshed, detached', async () => {
    const deputy = await createNode(ctx.dataSource, { title: 'deputy' });
    const node = await crediting([{ role: 'author', deputy: link(nodeUrl(deputy.id)) }]);
    expect((await reload(ctx.dataSource, node)).metadata.creators![0].deputy).toEqual(nodeCopy(deputy, { title: 'deputy' }));
    expect(await ctx.references.getReferrers(nodeUrl(deputy.id))).toEqual([
      { referrerType: 'nodes', referrerId: node.id, reference: nodeUrl(deputy.id), referenceUuid: deputy.id, inline: true, path: 'creators[0].deputy' },
    ]);
    deputy.metadata = { title: 'deputy, renamed' };
    await save(deputy);
    expect((await reload(ctx.dataSource, node)).metadata.creators![0].deputy?.title).toBe('deputy, renamed');
    await nodes().remove(await nodes().findOneByOrFail({ id: deputy.id }));
    await ctx.settle();
    expect((await reload(ctx.dataSource, node)).metadata.creators).toEqual([{ role: 'author' }]);
  });

  it('refuses a reference nested deeper than the nesting limit, naming its path, and writes nothing', async () => {
    // Lists of lists go as deep as the client sends them; the nesting limit (MAX_JSON_DEPTH) stops them
    // before the path could outgrow the index's path column.
    let deep: unknown = 'https://elsewhere.example/deep';
    for (let i = 0; i < 200; i++) deep = [deep];
    const [count, rows] = [await nodes().count(), await ctx.dataSource.getRepository(ReferenceEntry).count()];
    const attempt = crediting([{ role: 'x', sources: deep as string[][] }], 'too deep');
    await expect(attempt).rejects.toThrow(JsonTooDeepError);
    await expect(crediting([{ role: 'x', sources: deep as string[][] }], 'too deep')).rejects.toThrow(
      new RegExp(`^creators\\[0\\]\\.sources\\[0\\]\\[0\\].*: nested deeper than ${MAX_JSON_DEPTH_ON[kind]} levels`),
    );
    expect([await nodes().count(), await ctx.dataSource.getRepository(ReferenceEntry).count()]).toEqual([count, rows]);
  });
});
