import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import type { Queue } from 'bull';
import { getReferencesQueueToken, ReferencesMaintenance, ReferencesService } from 'nestjs-references';
import { DataSource } from 'typeorm';
import { ArtworkSearchIndexer } from '../../apps/catalogue/src/search/artwork-search.indexer.js';
import { POSTGRES_URL, REDIS_URL } from '../support/databases.js';
import { until } from '../support/processes.js';
import { BASE_URL, TOKEN, bootCatalogue, client, linkTo } from './catalogue-app.js';
import { CatalogueProcess, buildCatalogue } from './catalogue-process.js';

const ARTWORKS = 10_000;

/** A catalogue worker process (`--role worker`) on the test's database and Redis, once it is up. */
async function startWorker(): Promise<CatalogueProcess> {
  const worker = new CatalogueProcess({ DATABASE_URL: POSTGRES_URL, REDIS_URL, BASE_URL, CATALOGUE_TOKEN: TOKEN }, ['--role', 'worker']);
  await worker.waitFor(/processing propagation jobs/);
  return worker;
}

// The catalogue split into its API (here) and worker processes, as an operator runs it: a worker killed
// in the middle of a fan-out must not leave artworks that search finds under the term's old name.
describe('catalogue search after a worker is killed mid fan-out (PostgreSQL, worker processes)', () => {
  let app: INestApplication;
  let api: ReturnType<typeof client>;
  const workers: CatalogueProcess[] = [];
  const total = async (q: string) => {
    const response = await api.get(`/artworks?q=${encodeURIComponent(q)}&limit=1`);
    expect(response.status).toBe(200);
    return response.body.total as number;
  };

  beforeAll(async () => {
    buildCatalogue();
    // NOTE: the worker processes use the catalogue's default queue name on REDIS_URL: this test's only.
    app = await bootCatalogue('postgres', { redisUrl: REDIS_URL, role: 'api' });
    await app.get<Queue>(getReferencesQueueToken()).obliterate({ force: true });
    api = client(app);
  }, 120_000);
  afterAll(async () => {
    for (const worker of workers) worker.kill();
    await app?.close();
  });

  it('finds every artwork by the new name once another worker has finished', async () => {
    const term = await api.create('terms', { slug: 'fauvism', title: 'Fauvism', level: 1 });
    const first = await api.create('artworks', { title: 'Woman with a Hat', stylePeriod: linkTo(term.links.self) });
    // Many more artworks inlining the term, copied with SQL, then indexed as a restore would be.
    const dataSource = app.get(DataSource);
    await dataSource.query(`INSERT INTO artwork (metadata, version) SELECT metadata, 1 FROM artwork, generate_series(2, $2) WHERE id = $1`, [
      first.id,
      ARTWORKS,
    ]);
    await app.get(ReferencesMaintenance).synchronize();
    await app.get(ArtworkSearchIndexer).rebuild();
    expect(await total('fauvism')).toBe(ARTWORKS);

    const worker = await startWorker();
    workers.push(worker);
    expect((await api.put(`/terms/${term.id}`, { slug: 'fauvism', title: 'Les Fauves', level: 1 })).status).toBe(200);
    await until(async () => (await total('fauves')) > 0, 60_000, 'the first batch to be indexed');
    worker.kill();
    await worker.exit();
    expect(await total('fauves')).toBeLessThan(ARTWORKS);

    workers.push(await startWorker());
    await app.get(ReferencesMaintenance).waitForIdle(120_000);
    await until(async () => (await total('fauves')) === ARTWORKS, 30_000, 'every artwork found by the new name');
    expect(await total('fauvism')).toBe(0);
  }, 240_000);
});
