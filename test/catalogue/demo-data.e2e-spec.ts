import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { loadDemoData } from '../../apps/catalogue/src/demo/demo-data.js';
import { DATABASES } from '../support/databases.js';
import { bootCatalogue, client } from './catalogue-app.js';

describe.each(DATABASES)('catalogue demo set on %s', (kind) => {
  let app: INestApplication;
  let api: ReturnType<typeof client>;
  let loaded: Awaited<ReturnType<typeof loadDemoData>>;

  beforeAll(async () => {
    app = await bootCatalogue(kind);
    api = client(app);
    loaded = await loadDemoData(app);
  });
  afterAll(async () => {
    await app.close();
  });

  it('loads terms, agents and a dozen artworks into an empty database', async () => {
    expect(loaded).toEqual({ terms: 14, agents: 7, artworks: 12 });
    expect((await api.get('/agents')).body.total).toBe(7);
    expect((await api.get('/artworks')).body.total).toBe(12);
    expect((await api.get('/terms')).body.total).toBe(14);
  });

  it('builds a term hierarchy three levels deep', async () => {
    const terms = (await api.get('/terms')).body.items;
    const leaf = terms.find((t: any) => t.slug === 'high-baroque');
    expect(leaf.parent.title).toBe('Baroque');
    expect(leaf.parent.parent.title).toBe('Early modern period');
    expect(leaf.parent.parent.parent).toBeUndefined();
  });

  it('makes artworks that inline terms and link each other', async () => {
    const artworks = (await api.get('/artworks')).body.items;
    const meninas = artworks.find((a: any) => a.title === 'Las Meninas');
    const nightWatch = artworks.find((a: any) => a.title === 'The Night Watch');
    expect(meninas.stylePeriod.title).toBe('High Baroque');
    expect(meninas.styles.map((s: any) => s.title)).toEqual(['Portrait']);
    expect(nightWatch.related).toEqual([meninas.links.self]);
    const referrers = await api.get(`/references?target=${encodeURIComponent(meninas.links.self)}`);
    expect(referrers.body).toEqual([
      expect.objectContaining({ referrerId: nightWatch.id, path: 'related[0]', inline: false }),
      expect.objectContaining({ referrerId: nightWatch.id, path: 'creators[1].attributedBy', inline: false }),
    ]);
  });

  it('credits agents inline, nested in creators, one of them attributed by a link to another artwork', async () => {
    const artworks = (await api.get('/artworks')).body.items;
    const meninas = artworks.find((a: any) => a.title === 'Las Meninas');
    const nightWatch = artworks.find((a: any) => a.title === 'The Night Watch');
    expect(nightWatch.creators).toEqual([
      { role: 'painter', agent: expect.objectContaining({ name: 'Rembrandt van Rijn', kind: 'person', links: expect.any(Object) }) },
      { role: 'assistants', agent: expect.objectContaining({ name: 'Workshop of Rembrandt', kind: 'workshop' }), attributedBy: meninas.links.self },
    ]);
    const referrers = await api.get(`/references?target=${encodeURIComponent(nightWatch.creators[0].agent.links.self)}`);
    expect(referrers.body).toEqual([expect.objectContaining({ referrerId: nightWatch.id, path: 'creators[0].agent', inline: true })]);
    expect((await api.get('/artworks?q=velazquez')).body.items.map((a: any) => a.title)).toEqual(['Las Meninas']);
  });

  it('does nothing on a database that is not empty', async () => {
    expect(await loadDemoData(app)).toBeUndefined();
    expect((await api.get('/artworks')).body.total).toBe(12);
  });
});
