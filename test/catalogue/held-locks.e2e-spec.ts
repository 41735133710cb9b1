import { describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, type QueryRunner } from 'typeorm';
import { REDIS_URL } from '../support/databases.js';
import { until } from '../support/processes.js';
import { catalogueForSuite, linkTo } from './catalogue-app.js';

/** An artwork row held `FOR UPDATE` by a transaction of a connection of its own (an admin's open session). */
async function holdArtwork(app: INestApplication, kind: 'postgres' | 'mariadb', id: string): Promise<QueryRunner> {
  const runner = app.get(DataSource).createQueryRunner();
  await runner.connect();
  await runner.startTransaction();
  await runner.query(`SELECT id FROM artwork WHERE id = ${kind === 'postgres' ? '$1' : '?'} FOR UPDATE`, [id]);
  return runner;
}

// An artwork row held by another client (an admin's open session) while a term it copies is renamed, in
// sync mode: the PUT answers 503 with Retry-After once its lock waits run out, not after the lock is gone,
// and nothing of the rename is written.
describe.each(['postgres', 'mariadb'] as const)('PUT of a term whose artwork is held by another client, %s, sync mode', (kind) => {
  const catalogue = catalogueForSuite(kind);
  const api = catalogue.api;

  it('answers 503 while the row is still held, and the term and every copy keep the old title', async () => {
    const term = await api.create('terms', { slug: 'baroque', title: 'Baroque' });
    const artworks: Array<Record<string, any>> = [];
    for (let i = 0; i < 5; i++) artworks.push(await api.create('artworks', { title: `Artwork ${i}`, stylePeriod: linkTo(term.links.self) }));

    const runner = await holdArtwork(catalogue.app, kind, artworks[2].id);
    try {
      const started = Date.now();
      const response = await api.put(`/terms/${term.id}`, { slug: 'baroque', title: 'Baroque (renamed)' });
      process.stdout.write(`\nPUT meeting a held artwork on ${kind}: ${response.status} after ${Date.now() - started} ms\n`);
      expect(runner.isTransactionActive).toBe(true);
      expect(response.status).toBe(503);
      expect(response.headers['retry-after']).toBe('1');
      expect(response.body.error).toBe('WriteConflictError');
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
    expect((await api.get(`/terms/${term.id}`)).body.title).toBe('Baroque');
    for (const artwork of artworks) expect((await api.get(`/artworks/${artwork.id}`)).body.stylePeriod.title).toBe('Baroque');
    // The client's retry, once the row is free, goes through.
    expect((await api.put(`/terms/${term.id}`, { slug: 'baroque', title: 'Baroque (renamed)' })).status).toBe(200);
    for (const artwork of artworks) expect((await api.get(`/artworks/${artwork.id}`)).body.stylePeriod.title).toBe('Baroque (renamed)');
  });
});

// The same in queue mode, with the catalogue's defaults (5 s lock timeout): the PUT answers at once, every
// other artwork follows, /health names the held-up term while the row is held, and the held artwork
// follows by itself once it is released.
describe.each(['postgres', 'mariadb'] as const)('a term renamed while one of its artworks is held, %s, queue mode', (kind) => {
  const catalogue = catalogueForSuite(kind, { redisUrl: REDIS_URL, queuePrefix: `held-${randomUUID()}`, healthMaxPendingAgeMs: 1000 });
  const api = catalogue.api;

  it('the free artworks follow, /health answers 503 naming the term, and the held one follows after release', async () => {
    const term = await api.create('terms', { slug: 'rococo', title: 'Rococo' });
    const artworks: Array<Record<string, any>> = [];
    for (let i = 0; i < 5; i++) artworks.push(await api.create('artworks', { title: `Artwork ${i}`, stylePeriod: linkTo(term.links.self) }));
    const titleOf = async (id: string) => (await api.get(`/artworks/${id}`)).body.stylePeriod.title;
    expect((await api.get('/health')).status).toBe(200);

    const runner = await holdArtwork(catalogue.app, kind, artworks[2].id);
    let released = 0;
    try {
      expect((await api.put(`/terms/${term.id}`, { slug: 'rococo', title: 'Rococo (renamed)' })).status).toBe(200);
      const free = artworks.filter((_, i) => i !== 2);
      await until(async () => (await Promise.all(free.map((a) => titleOf(a.id)))).every((t) => t === 'Rococo (renamed)'), 60_000, 'the free artworks to follow');
      let health: { status: number; body: any } = { status: 0, body: undefined };
      await until(
        async () => (health = await api.get('/health')).status === 503,
        60_000,
        '/health to report the held-up propagation',
      );
      expect(health.body.error.outbox.message).toContain(`of ${term.links.self}`);
      expect(runner.isTransactionActive).toBe(true);
      expect(await titleOf(artworks[2].id)).toBe('Rococo');
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
      released = Date.now();
    }
    await until(async () => (await titleOf(artworks[2].id)) === 'Rococo (renamed)', 60_000, 'the held artwork to follow once released');
    process.stdout.write(`\nqueue mode, ${kind}, catalogue defaults: the held artwork followed ${Date.now() - released} ms after release\n`);
    await until(async () => (await api.get('/health')).status === 200, 30_000, '/health to answer 200 again');
  }, 180_000);
});
