import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ReferencesMaintenance, ReferencesService } from 'nestjs-references';
import { DATABASES, POSTGRES_URL, REDIS_URL, type DatabaseKind } from '../support/databases.js';
import { QUEUE_DRIVERS, type QueueDriverName } from '../support/queues.js';
import { bootCatalogue, catalogueForSuite, client, linkTo, termChain } from './catalogue-app.js';

/** Bull on every database, BullMQ (QUEUE_DRIVER=bullmq) on PostgreSQL: the driver changes nothing the database sees. */
const DATABASES_AND_DRIVERS: Array<[DatabaseKind, QueueDriverName]> = [...DATABASES.map((kind) => [kind, 'bull'] as [DatabaseKind, QueueDriverName]), ['postgres', 'bullmq']];

// With REDIS_URL the catalogue propagates through the library's outbox and Bull or BullMQ jobs.
describe.each(DATABASES_AND_DRIVERS)('catalogue in queue mode on %s, on %s', (kind, queueDriver) => {
  const catalogue = catalogueForSuite(kind, { redisUrl: REDIS_URL, queueDriver, queuePrefix: `catalogue-${randomUUID()}` });
  const { api } = catalogue;
  let references: ReferencesMaintenance;

  beforeAll(async () => {
    references = catalogue.app.get(ReferencesMaintenance);
  });

  it('carries a change of a root term to its child term and the artwork once the queue is idle', async () => {
    const { root, child, artwork } = await termChain(api, { slug: 'root', title: 'Early modern period' }, { slug: 'child', title: 'Baroque' }, 'Las Meninas');

    const response = await api.put(`/terms/${root.id}`, { slug: 'root', title: 'Novověk', level: 1 });
    expect(response.status).toBe(200);
    await references.waitForIdle();

    expect((await api.get(`/terms/${child.id}`)).body.parent).toEqual(response.body);
    expect((await api.get(`/artworks/${artwork.id}`)).body.stylePeriod.parent).toEqual(response.body);
  });

  it('still refuses a restricted delete at once: 409, nothing deleted', async () => {
    const term = await api.create('terms', { slug: 'kept', title: 'Kept' });
    await api.create('artworks', { title: 'Holder', stylePeriod: linkTo(term.links.self) });
    expect((await api.delete(`/terms/${term.id}`)).status).toBe(409);
    expect((await api.get(`/terms/${term.id}`)).status).toBe(200);
  });

  describe('search', () => {
    const titles = async (q: string) => {
      const response = await api.get(`/artworks?q=${encodeURIComponent(q)}`);
      expect(response.status).toBe(200);
      return (response.body.items as Array<{ title: string }>).map((item) => item.title).sort();
    };

    it('finds the artworks under a renamed term\'s new name once the worker has committed and reindexed them', async () => {
      const term = await api.create('terms', { slug: 'cubism', title: 'Cubism', level: 1 });
      await api.create('artworks', { title: 'Les Demoiselles', stylePeriod: linkTo(term.links.self) });
      await api.create('artworks', { title: 'Violin and Candlestick', styles: [linkTo(term.links.self)] });
      expect(await titles('cubism')).toEqual(['Les Demoiselles', 'Violin and Candlestick']);

      expect((await api.put(`/terms/${term.id}`, { slug: 'cubism', title: 'Kubismus', level: 1 })).status).toBe(200);
      await references.waitForIdle();

      expect(await titles('cubism')).toEqual([]);
      expect(await titles('kubismus')).toEqual(['Les Demoiselles', 'Violin and Candlestick']);
    });

    it('reaches artworks when the parent of their term is renamed (a second, transitive job)', async () => {
      const { root } = await termChain(api, { slug: 'modernism', title: 'Modernism' }, { slug: 'futurism', title: 'Futurism' }, 'Dynamism of a Dog on a Leash');
      expect(await titles('modernism dog')).toEqual(['Dynamism of a Dog on a Leash']);

      expect((await api.put(`/terms/${root.id}`, { slug: 'modernism', title: 'Moderna', level: 1 })).status).toBe(200);
      await references.waitForIdle();

      expect(await titles('modernism')).toEqual([]);
      expect(await titles('moderna dog')).toEqual(['Dynamism of a Dog on a Leash']);
    });
  });
});

// `--role api` and `--role worker`: one process writes and enqueues, another runs the jobs.
describe.each(QUEUE_DRIVERS)('catalogue split into an API process and a worker process (PostgreSQL), on %s', (queueDriver) => {
  const queuePrefix = `catalogue-roles-${randomUUID()}`;
  let api: INestApplication | undefined;
  let worker: INestApplication | undefined;

  afterAll(async () => {
    await worker?.close();
    await api?.close();
  });

  it('answers a write in the API process, which leaves the fan-out to the worker process', async () => {
    api = await bootCatalogue('postgres', { redisUrl: REDIS_URL, queueDriver, queuePrefix, role: 'api' });
    const http = client(api);
    const term = await http.create('terms', { slug: 'split', title: 'Before', level: 1 });
    const artwork = await http.create('artworks', { title: 'Split', stylePeriod: linkTo(term.links.self) });
    expect((await http.put(`/terms/${term.id}`, { slug: 'split', title: 'After', level: 1 })).status).toBe(200);
    const references = api.get(ReferencesService);
    expect((await references.status()).pending).toBe(1);
    expect((await http.get(`/artworks/${artwork.id}`)).body.stylePeriod.title).toBe('Before');

    // The worker joins the API's database (no dropSchema) and queue.
    worker = await bootCatalogue('postgres', { redisUrl: REDIS_URL, queueDriver, queuePrefix, role: 'worker', database: { type: 'postgres', url: POSTGRES_URL } });
    await api.get(ReferencesMaintenance).waitForIdle();
    expect((await http.get(`/artworks/${artwork.id}`)).body.stylePeriod.title).toBe('After');
  });
});
