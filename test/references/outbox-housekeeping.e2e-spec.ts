import { afterEach, describe, expect, it } from '@jest/globals';
import { ReferenceOutboxEntry } from 'nestjs-references';
import { DATABASES } from '../support/databases.js';
import { TestNode } from '../support/fixtures.js';
import { until } from '../support/processes.js';
import { createNode, nodeUrl } from '../support/records.js';
import { bootReferences, type TestContext } from '../support/test-app.js';

const link = (url: string) => ({ links: { self: url } });

describe.each(DATABASES)('outbox housekeeping on %s (queue mode)', (kind) => {
  let ctx: TestContext | undefined;
  afterEach(async () => {
    await ctx?.close();
    ctx = undefined;
  });

  it('deletes done changes once they are older than queue.retainDoneMs, and keeps failed ones', async () => {
    ctx = await bootReferences(kind, { propagation: 'queue', queue: { retainDoneMs: 200, sweepIntervalMs: 100 } });
    const outbox = ctx.dataSource.getRepository(ReferenceOutboxEntry);
    const target = await createNode(ctx.dataSource, { title: 'v1' });
    const referrer = await createNode(ctx.dataSource, { title: 'r', parent: link(nodeUrl(target.id)) });
    await outbox.insert({ kind: 'content', reference: 'http://elsewhere.example/x', status: 'failed', error: 'kept for the operator' });
    target.metadata = { title: 'v2' };
    await ctx.dataSource.getRepository(TestNode).save(target);
    await ctx.settle();
    expect((await ctx.dataSource.getRepository(TestNode).findOneByOrFail({ id: referrer.id })).metadata.parent?.title).toBe('v2');

    await until(async () => (await outbox.countBy({ status: 'done' })) === 0, 30_000, 'the done change to be pruned');
    expect(await outbox.find({ select: { status: true, error: true } })).toEqual([{ status: 'failed', error: 'kept for the operator' }]);
  });
});
