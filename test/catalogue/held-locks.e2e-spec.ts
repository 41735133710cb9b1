import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { bootCatalogue, client, linkTo } from './catalogue-app.js';

// An artwork row held by another client (an admin's open session) while a term it copies is renamed, in
// sync mode: the PUT answers 503 with Retry-After once its lock waits run out, not after the lock is gone,
// and nothing of the rename is written.
describe.each(['postgres', 'mariadb'] as const)('PUT of a term whose artwork is held by another client, %s, sync mode', (kind) => {
  let app: INestApplication;
  beforeAll(async () => {
    app = await bootCatalogue(kind);
  });
  afterAll(async () => {
    await app.close();
  });

  it('answers 503 while the row is still held, and the term and every copy keep the old title', async () => {
    const api = client(app);
    const term = await api.create('terms', { slug: 'baroque', title: 'Baroque' });
    const artworks = [];
    for (let i = 0; i < 5; i++) artworks.push(await api.create('artworks', { title: `Artwork ${i}`, stylePeriod: linkTo(term.links.self) }));

    const runner = app.get(DataSource).createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    try {
      await runner.query(`SELECT id FROM artwork WHERE id = ${kind === 'postgres' ? '$1' : '?'} FOR UPDATE`, [artworks[2].id]);
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
