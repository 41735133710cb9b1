import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { ReferenceOutboxEntry, ReferencesConfigurationError, ReferencesMaintenance, ReferencesMetrics, getReferencesMaintenanceToken } from 'nestjs-references';
import { Registry } from 'prom-client';
import { IsNull, Not, type DataSource } from 'typeorm';
import { BASE_URL, TestNode } from '../support/fixtures.js';
import { createNode, reload } from '../support/records.js';
import { until } from '../support/processes.js';
import { bootReferences, bootTwoDataSources, type TestContext } from '../support/test-app.js';

const link = (url: string) => ({ links: { self: url } });

/** One sample's value from a registry, by metric name and data source. */
async function sample(registry: Registry, name: string, dataSource: string): Promise<number | undefined> {
  const text = await registry.metrics();
  const match = new RegExp(`^${name}\\{data_source="${dataSource}"\\} (\\S+)$`, 'm').exec(text);
  return match ? Number(match[1]) : undefined;
}

// Two data sources, each with its own ReferencesModule (PostgreSQL in sync mode, SQLite 'archive' in queue mode,
// split into slices: a batch of 1 index row), registering in one registry of the app's.
describe('metrics of several data sources in one registry', () => {
  const registry = new Registry();
  let app: INestApplication;
  let main: DataSource;
  let archive: DataSource;

  beforeAll(async () => {
    ({ app, main, archive } = await bootTwoDataSources({ metrics: { registry } }, { batchSize: 1, metrics: { registry } }));
  });
  afterAll(() => app.close());

  it('labels each data source on its own, and samples a change split into slices once, when its last slice is done', async () => {
    const mainTarget = await createNode(main, { title: 'main' });
    await createNode(main, { title: 'r', parent: link(`http://main.test/nodes/${mainTarget.id}`) });
    const archiveTarget = await createNode(archive, { title: 'archive' });
    // More referrers than one slice holds (10 batches of 1): the change is split.
    const referrers = 25;
    const archived = [];
    for (let i = 0; i < referrers; i++) archived.push(await createNode(archive, { title: `r${i}`, parent: link(`http://archive.test/nodes/${archiveTarget.id}`) }));

    await main.getRepository(TestNode).save(Object.assign(mainTarget, { metadata: { title: 'main 2' } }));
    await archive.getRepository(TestNode).save(Object.assign(archiveTarget, { metadata: { title: 'archive 2' } }));
    await app.get<ReferencesMaintenance>(getReferencesMaintenanceToken('archive')).waitForIdle();
    for (const referrer of archived) expect((await reload(archive, referrer)).metadata.parent?.title).toBe('archive 2');
    expect(await archive.getRepository(ReferenceOutboxEntry).countBy({ version: Not(IsNull()) })).toBe(3);

    await until(async () => (await sample(registry, 'references_propagation_duration_seconds_count', 'archive')) === 1, 30_000, 'the sliced change sampled');
    expect(await sample(registry, 'references_referrers_updated_total', 'archive')).toBe(referrers);
    expect(await sample(registry, 'references_referrers_updated_total', 'default')).toBe(1);
    expect(await sample(registry, 'references_propagation_duration_seconds_count', 'default')).toBe(1);
    expect(await sample(registry, 'references_outbox_pending', 'archive')).toBe(0);
    expect(await sample(registry, 'references_outbox_pending', 'default')).toBe(0);
  });
});

describe('metrics options', () => {
  it.each([[[]], [[1, 0.5]], [[0, 1]]])('refuses buckets %j at start-up, naming the option', async (buckets) => {
    const start = bootReferences('sqlite', { metrics: { registry: new Registry(), buckets } });
    await expect(start).rejects.toThrow(ReferencesConfigurationError);
    await expect(start).rejects.toThrow(`metrics.buckets must be increasing positive numbers of seconds, got [${buckets.join(', ')}]`);
  });
});

describe('without metrics', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await bootReferences('sqlite');
  });
  afterAll(() => ctx.close());

  it('measures nothing: no metric is registered and writes propagate as usual', async () => {
    expect(ctx.app.get(ReferencesMetrics).enabled).toBe(false);
    const target = await createNode(ctx.dataSource, { title: 'v1' });
    const referrer = await createNode(ctx.dataSource, { title: 'r', parent: link(`${BASE_URL}/nodes/${target.id}`) });
    await ctx.dataSource.getRepository(TestNode).save(Object.assign(target, { metadata: { title: 'v2' } }));
    expect((await reload(ctx.dataSource, referrer)).metadata.parent?.title).toBe('v2');
    const { register } = await import('prom-client');
    expect(register.getMetricsAsArray().filter((metric) => metric.name.startsWith('references_'))).toEqual([]);
  });
});
