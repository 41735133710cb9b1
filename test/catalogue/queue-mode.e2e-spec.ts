import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ReferencesService } from 'nestjs-references';
import { DATABASES, REDIS_URL } from '../support/databases.js';
import { bootCatalogue, client, linkTo } from './catalogue-app.js';

// With REDIS_URL the catalogue propagates through the library's outbox and Bull jobs.
describe.each(DATABASES)('catalogue in queue mode on %s', (kind) => {
  let app: INestApplication;
  let api: ReturnType<typeof client>;
  let references: ReferencesService;

  beforeAll(async () => {
    app = await bootCatalogue(kind, { redisUrl: REDIS_URL, queuePrefix: `catalogue-${randomUUID()}` });
    api = client(app);
    references = app.get(ReferencesService);
  });
  afterAll(async () => {
    await app.close();
  });

  it('carries a change of a root term to its child term and the artwork once the queue is idle', async () => {
    const root = await api.create('terms', { slug: 'root', title: 'Early modern period', level: 1 });
    const child = await api.create('terms', { slug: 'child', title: 'Baroque', level: 2, parent: linkTo(root.links.self) });
    const artwork = await api.create('artworks', { title: 'Las Meninas', stylePeriod: linkTo(child.links.self) });

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
});
