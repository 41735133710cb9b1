import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DATABASES, REDIS_URL } from '../support/databases.js';
import { until } from '../support/processes.js';
import { bootCatalogue, client, linkTo } from './catalogue-app.js';

const MODES = ['sync', 'queue'] as const;
const GAUGES = [
  'references_outbox_pending',
  'references_outbox_running',
  'references_outbox_failed',
  'references_outbox_blocked',
  'references_outbox_stalled',
  'references_outbox_oldest_pending_seconds',
  'references_reindex_failed',
];
const COUNTER = 'references_referrers_updated_total';
const SAMPLES = 'references_propagation_duration_seconds_count';

/** The samples of the default data source in Prometheus' text format: `name{data_source="default"} value`. */
function samples(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const match of text.matchAll(/^(\w+)\{data_source="default"\} (\S+)$/gm)) values.set(match[1], Number(match[2]));
  return values;
}

// The catalogue's /metrics after a fan-out, in each mode (queue mode: the worker in the app's own process).
describe.each(DATABASES.flatMap((kind) => MODES.map((mode) => [kind, mode] as const)))('GET /metrics on %s in %s mode', (kind, mode) => {
  let app: INestApplication;
  let api: ReturnType<typeof client>;
  const scrape = async () => {
    const response = await api.get('/metrics');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    return samples(response.text);
  };

  beforeAll(async () => {
    app = await bootCatalogue(kind, mode === 'queue' ? { redisUrl: REDIS_URL, queuePrefix: `metrics-${randomUUID()}` } : {});
    api = client(app);
  });
  afterAll(() => app.close());

  it('counts the referrers a change updated, samples its propagation, and shows the outbox back at 0', async () => {
    const term = await api.create('terms', { slug: 'baroque', title: 'Baroque' });
    const artworks = 3;
    for (let i = 0; i < artworks; i++) await api.create('artworks', { title: `Artwork ${i}`, stylePeriod: linkTo(term.links.self) });
    const before = await scrape();
    for (const gauge of GAUGES) expect([gauge, before.get(gauge)]).toEqual([gauge, 0]);

    expect((await api.put(`/terms/${term.id}`, { slug: 'baroque', title: 'Barock' })).status).toBe(200);

    // Queue mode: the worker finishes after the write has answered; the metrics follow its commits.
    let after = before;
    await until(
      async () => {
        after = await scrape();
        return after.get(COUNTER)! > (before.get(COUNTER) ?? 0) && after.get(SAMPLES)! > (before.get(SAMPLES) ?? 0);
      },
      30_000,
      'the fan-out to show in /metrics',
    );
    expect(after.get(COUNTER)! - (before.get(COUNTER) ?? 0)).toBe(artworks);
    expect(after.get(SAMPLES)! - (before.get(SAMPLES) ?? 0)).toBe(1);
    await until(
      async () => {
        after = await scrape();
        return GAUGES.every((gauge) => after.get(gauge) === 0);
      },
      30_000,
      'the outbox gauges to return to 0',
    );
    expect((await api.get(`/artworks?limit=10`)).body.items.map((item: any) => item.stylePeriod.title)).toEqual(Array(artworks).fill('Barock'));
  });
});
