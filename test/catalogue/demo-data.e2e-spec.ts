import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { loadDemoData } from '../../apps/catalogue/src/demo/demo-data.js';
import { DATABASES, POSTGRES_URL } from '../support/databases.js';
import { until } from '../support/processes.js';
import { catalogueForSuite } from './catalogue-app.js';
import { appPort, buildCatalogue, CatalogueProcess } from './catalogue-process.js';

describe.each(DATABASES)('catalogue demo set on %s', (kind) => {
  const catalogue = catalogueForSuite(kind);
  const { api } = catalogue;
  let loaded: Awaited<ReturnType<typeof loadDemoData>>;

  beforeAll(async () => {
    loaded = await loadDemoData(catalogue.app);
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
    expect(referrers.body.items).toEqual([
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
    expect(referrers.body.items).toEqual([expect.objectContaining({ referrerId: nightWatch.id, path: 'creators[0].agent', inline: true })]);
    expect((await api.get('/artworks?q=velazquez')).body.items.map((a: any) => a.title)).toEqual(['Las Meninas']);
  });

  it('does nothing on a database that is not empty', async () => {
    expect(await loadDemoData(catalogue.app)).toBeUndefined();
    expect((await api.get('/artworks')).body.total).toBe(12);
  });
});

// Ctrl-C while the built app loads the demo set: the load is one transaction, so nothing of it stays, and the
// next start loads it all. The test holds a lock on the artwork table, so that the load waits half-way (the
// terms written, the first artwork not) until the process is stopped.
describe('catalogue demo set interrupted (PostgreSQL, a process of its own)', () => {
  let db: DataSource;
  let app: CatalogueProcess | undefined;
  const env = async () => ({ DATABASE_URL: POSTGRES_URL, PORT: String(await appPort()), CATALOGUE_TOKEN: 'demo-token-0123456789' });
  const count = async (table: string) => Number((await db.query(`SELECT count(*) AS n FROM "${table}"`))[0].n);
  const loadWaiting = async () =>
    Number(
      (
        await db.query(
          `SELECT count(*) AS n FROM pg_stat_activity
           WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE 'INSERT INTO "artwork"%'`,
        )
      )[0].n,
    );

  beforeAll(async () => {
    buildCatalogue();
    db = await new DataSource({ type: 'postgres', url: POSTGRES_URL, dropSchema: true }).initialize();
    // The tables, from a first start without the demo set.
    app = new CatalogueProcess(await env(), ['--no-demo']);
    await app.waitFor(/Catalogue listening on /);
    expect(await app.stop('SIGTERM')).toBe(0);
  });
  afterAll(async () => {
    app?.kill();
    await db?.destroy();
  });

  it('Ctrl-C half-way leaves nothing, and the next start loads the whole set', async () => {
    const lock = db.createQueryRunner();
    await lock.startTransaction();
    try {
      await lock.query('LOCK TABLE "artwork" IN SHARE MODE');
      app = new CatalogueProcess(await env());
      await until(async () => (await loadWaiting()) > 0, 60_000, 'the demo load to wait for the artwork table');
      expect(await app.stop('SIGINT')).toBe(130);
      expect(app.stdout).toContain('SIGINT: stopped while starting');
    } finally {
      await lock.rollbackTransaction();
      await lock.release();
    }
    // The interrupted load's server process ends once it finds its client gone; it never committed.
    await until(async () => (await loadWaiting()) === 0, 60_000, 'the interrupted load to end');
    expect({ terms: await count('term'), artworks: await count('artwork'), index: await count('reference_index') }).toEqual({
      terms: 0,
      artworks: 0,
      index: 0,
    });

    app = new CatalogueProcess(await env());
    await app.waitFor(/Catalogue listening on /);
    expect(app.stdout).toContain('Loaded the demo set: 14 terms, 7 agents, 12 artworks');
    expect({ terms: await count('term'), artworks: await count('artwork') }).toEqual({ terms: 14, artworks: 12 });
    expect(await app.stop('SIGTERM')).toBe(0);
  });
});
