import { beforeAll, describe, expect, it } from '@jest/globals';
import { DATABASES } from '../support/databases.js';
import { BASE_URL, TOKEN, artworkUrl, catalogueForSuite, linkTo, termUrl } from './catalogue-app.js';

const MISSING = '00000000-0000-4000-8000-000000000000';

describe.each(DATABASES)('catalogue records API on %s', (kind) => {
  const { api } = catalogueForSuite(kind);

  describe('POST', () => {
    it('answers 201 with { ...metadata, id, links: { self } }', async () => {
      const response = await api.post('/terms', { slug: 'baroque', title: 'Baroque', level: 1, startYear: 1600 });
      expect(response.status).toBe(201);
      expect(response.body).toEqual({
        slug: 'baroque',
        title: 'Baroque',
        level: 1,
        startYear: 1600,
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        links: { self: termUrl(response.body.id) },
      });
    });

    it('stores an artwork with its links and inline copies', async () => {
      const term = await api.create('terms', { slug: 'gothic', title: 'Gothic' });
      const other = await api.create('artworks', { title: 'Other' });
      const response = await api.post('/artworks', {
        title: 'Wilton Diptych',
        stylePeriod: linkTo(term.links.self),
        styles: [linkTo(term.links.self)],
        related: [other.links.self],
      });
      expect(response.status).toBe(201);
      expect(response.body).toEqual({
        title: 'Wilton Diptych',
        stylePeriod: term,
        styles: [term],
        related: [other.links.self],
        id: response.body.id,
        links: { self: artworkUrl(response.body.id) },
      });
    });
  });

  describe('GET one', () => {
    it('answers 200 with the representation', async () => {
      const term = await api.create('terms', { slug: 'rococo', title: 'Rococo' });
      const response = await api.get(`/terms/${term.id}`);
      expect(response.status).toBe(200);
      expect(response.body).toEqual(term);
    });

    it('answers 404 for an unknown id', async () => {
      expect((await api.get(`/terms/${MISSING}`)).status).toBe(404);
      expect((await api.get(`/artworks/${MISSING}`)).status).toBe(404);
    });

    it('answers 400 for a malformed id', async () => {
      const response = await api.get('/artworks/not-a-uuid');
      expect(response.status).toBe(400);
      expect(response.body.message).toMatch(/uuid/);
    });
  });

  describe('GET list', () => {
    let ids: string[];

    beforeAll(async () => {
      ids = [];
      for (let i = 0; i < 5; i++) ids.push((await api.create('artworks', { title: `Listed ${i}` })).id);
    });

    it('answers { items, total }', async () => {
      const response = await api.get('/artworks');
      expect(response.status).toBe(200);
      expect(response.body.total).toBe(response.body.items.length);
      expect(response.body.items.map((a: any) => a.id)).toEqual(expect.arrayContaining(ids));
      expect(response.body.items[0]).toEqual(expect.objectContaining({ id: expect.any(String), links: expect.any(Object) }));
    });

    it('pages with limit and offset, in a stable order, the total counting every record', async () => {
      const all = (await api.get('/artworks?limit=1000')).body;
      const first = (await api.get('/artworks?limit=2&offset=0')).body;
      const second = (await api.get('/artworks?limit=2&offset=2')).body;
      expect(first.total).toBe(all.total);
      expect(first.items).toHaveLength(2);
      expect([...first.items, ...second.items]).toEqual(all.items.slice(0, 4));
    });

    it('walks every page by cursor: each artwork that stays is listed once, in order, while artworks are written and deleted between pages', async () => {
      for (let i = 0; i < 8; i++) await api.create('artworks', { title: `Walked ${i}` });
      const before = (await api.get('/artworks?limit=1000')).body.items.map((a: any) => a.id);
      const deleted = new Set<string>();
      const aheadDeleted = new Set<string>();
      const walked: string[] = [];
      let pages = 0;
      for (let cursor: string | undefined; ; ) {
        const page = (await api.get(`/artworks?limit=2${cursor ? `&cursor=${cursor}` : ''}`)).body;
        expect(page.items.length).toBeLessThanOrEqual(2);
        expect(page.total === undefined).toBe(cursor !== undefined);
        walked.push(...page.items.map((a: any) => a.id));
        pages++;
        if (page.next === null) break;
        cursor = page.next;
        // An artwork deleted ahead of the walk, one behind it, and one written (somewhere: ids are random).
        for (const gone of [before[before.length - pages], before[pages - 1]]) {
          if (deleted.has(gone) || aheadDeleted.has(gone)) continue;
          expect((await api.delete(`/artworks/${gone}`)).status).toBe(204);
          (gone > cursor! ? aheadDeleted : deleted).add(gone);
        }
        await api.create('artworks', { title: `Written while walking ${pages}` });
      }
      expect(pages).toBeGreaterThan(2);
      expect(new Set(walked).size).toBe(walked.length);
      expect(walked).toEqual([...walked].sort());
      // Every artwork there from the start is listed, unless it was deleted before the walk reached it.
      expect(aheadDeleted.size).toBeGreaterThan(0);
      expect(walked.filter((id) => before.includes(id))).toEqual(before.filter((id: string) => !aheadDeleted.has(id)));
    });

    it('answers the total, counted, on a page without a cursor; next is null on the last page', async () => {
      const all = (await api.get('/artworks?limit=1000')).body;
      expect(all).toEqual({ items: expect.any(Array), next: null, total: all.items.length, totalExact: true });
      const first = (await api.get('/artworks?limit=1')).body;
      expect(first.next).toBe(first.items[0].id);
    });

    it('lists terms too', async () => {
      const response = await api.get('/terms?limit=1');
      expect(response.status).toBe(200);
      expect(response.body.items).toHaveLength(1);
      expect(response.body.total).toBeGreaterThan(1);
    });

    it('refuses a limit above 1000 or a negative offset, naming the parameter', async () => {
      const tooMany = await api.get('/artworks?limit=1001');
      expect(tooMany.status).toBe(400);
      expect(tooMany.body.message).toEqual([expect.stringContaining('limit')]);
      const negative = await api.get('/artworks?offset=-1');
      expect(negative.status).toBe(400);
      expect(negative.body.message).toEqual([expect.stringContaining('offset')]);
    });
  });

  describe('PUT', () => {
    it('replaces the whole metadata and answers 200 with the new representation', async () => {
      const term = await api.create('terms', { slug: 'mannerism', title: 'Mannerism', startYear: 1520 });
      const response = await api.put(`/terms/${term.id}`, { slug: 'mannerism', title: 'Mannerist style' });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ slug: 'mannerism', title: 'Mannerist style', id: term.id, links: term.links });
      expect((await api.get(`/terms/${term.id}`)).body).toEqual(response.body);
    });

    it('answers 404 for an unknown id', async () => {
      expect((await api.put(`/terms/${MISSING}`, { slug: 'x', title: 'X' })).status).toBe(404);
    });
  });

  describe('DELETE', () => {
    it('answers 204, and the record is gone', async () => {
      const artwork = await api.create('artworks', { title: 'Short-lived' });
      const response = await api.delete(`/artworks/${artwork.id}`);
      expect(response.status).toBe(204);
      expect(response.text).toBe('');
      expect((await api.get(`/artworks/${artwork.id}`)).status).toBe(404);
    });

    it('answers 404 for an unknown id', async () => {
      expect((await api.delete(`/artworks/${MISSING}`)).status).toBe(404);
    });
  });

  describe('write token', () => {
    let term: Record<string, any>;

    beforeAll(async () => {
      term = await api.create('terms', { slug: 'protected', title: 'Protected' });
    });

    it.each([
      ['POST', (t: string) => api.anonymous().post('/terms').send({ slug: 'x', title: 'X' }).set(headers(t))],
      ['PUT', (t: string) => api.anonymous().put(`/terms/${term.id}`).send({ slug: 'x', title: 'X' }).set(headers(t))],
      ['DELETE', (t: string) => api.anonymous().delete(`/terms/${term.id}`).set(headers(t))],
    ])('%s answers 401 without a token and with a wrong one', async (_method, send) => {
      for (const token of ['', 'wrong-token-0123456789', `${TOKEN}x`]) {
        const response = await send(token);
        expect(response.status).toBe(401);
        expect(response.headers['www-authenticate']).toBe('Bearer');
      }
      expect((await api.get(`/terms/${term.id}`)).body).toEqual(term);
    });

    it('leaves reads open', async () => {
      expect((await api.anonymous().get(`/terms/${term.id}`)).status).toBe(200);
    });
  });

  describe('validation', () => {
    it('answers 400 naming a missing field', async () => {
      const response = await api.post('/terms', { slug: 'untitled' });
      expect(response.status).toBe(400);
      expect(response.body.message).toEqual(expect.arrayContaining([expect.stringMatching(/^title /)]));
    });

    it('answers 400 naming a field of the wrong type', async () => {
      const response = await api.post('/terms', { slug: 'year', title: 'Year', startYear: 'sixteen hundred' });
      expect(response.status).toBe(400);
      expect(response.body.message).toEqual(['startYear must be an integer number']);
    });

    it('answers 400 naming a property the schema does not know', async () => {
      const response = await api.post('/artworks', { title: 'Extra', price: 100 });
      expect(response.status).toBe(400);
      expect(response.body.message).toEqual(['property price should not exist']);
    });

    it('answers 400 naming a link that is not an absolute URL', async () => {
      const response = await api.post('/artworks', { title: 'Bad link', related: ['artworks/123'] });
      expect(response.status).toBe(400);
      expect(response.body.message).toEqual([expect.stringMatching(/^each value in related must be an absolute http\(s\) URL/)]);
    });

    it('answers 400 naming an inline reference without links.self', async () => {
      const response = await api.post('/artworks', { title: 'Bad inline', stylePeriod: { title: 'Baroque' } });
      expect(response.status).toBe(400);
      expect(response.body.message).toEqual([expect.stringMatching(/^stylePeriod must be an object whose links.self/)]);
    });

    it('answers 422 naming an unknown local target, and stores nothing', async () => {
      const before = (await api.get('/artworks')).body.total;
      const response = await api.post('/artworks', { title: 'Dangling', stylePeriod: linkTo(termUrl(MISSING)) });
      expect(response.status).toBe(422);
      expect(response.body).toEqual(
        expect.objectContaining({ reference: termUrl(MISSING), path: 'stylePeriod', message: expect.stringContaining(termUrl(MISSING)) }),
      );
      const linked = await api.post('/artworks', { title: 'Dangling link', related: [artworkUrl(MISSING)] });
      expect(linked.status).toBe(422);
      expect(linked.body.message).toContain(artworkUrl(MISSING));
      expect((await api.get('/artworks')).body.total).toBe(before);
    });

    it.each([
      ['__proto__', 'proto', '{"title":"Polluted","__proto__":{"polluted":1}}', '__proto__'],
      ['constructor', 'constructor', '{"title":"Polluted","stylePeriod":{"links":{"self":"LINK"},"constructor":{"prototype":{"polluted":1}}}}', 'stylePeriod.constructor'],
      ['prototype', 'prototype', '{"title":"Polluted","related":[],"prototype":1}', 'prototype'],
    ])('rejects the key %s with 400 naming it, and stores nothing', async (_key, slug, body, path) => {
      const term = await api.create('terms', { slug: `target-${slug}`, title: 'Target' });
      const before = (await api.get('/artworks')).body.total;
      const response = await api
        .anonymous()
        .post('/artworks')
        .set({ ...headers(TOKEN), 'Content-Type': 'application/json' })
        .send(body.replace('LINK', term.links.self));
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ error: 'ForbiddenKeyError', path });
      expect((await api.get('/artworks')).body.total).toBe(before);
      expect(({} as any).polluted).toBeUndefined();
    });
  });

  describe('index and documentation', () => {
    it('GET / answers a JSON index of links to every route the catalogue serves, and each answers', async () => {
      const response = await api.get('/');
      expect(response.status).toBe(200);
      expect(response.body.links).toEqual({
        self: `${BASE_URL}/`,
        terms: `${BASE_URL}/terms`,
        agents: `${BASE_URL}/agents`,
        artworks: `${BASE_URL}/artworks`,
        references: `${BASE_URL}/references?target={url}&match={exact|prefix}&limit={limit}&cursor={cursor}`,
        referrers: `${BASE_URL}/{terms|agents|artworks}/{id}/referrers?limit={limit}&cursor={cursor}`,
        explorer: `${BASE_URL}/explorer`,
        health: `${BASE_URL}/health`,
        docs: `${BASE_URL}/docs`,
        openapi: `${BASE_URL}/docs-json`,
      });
      const term = await api.create('terms', { slug: 'linked-from-home', title: 'Linked from home' });
      const filled: Record<string, string> = { url: term.links.self, 'exact|prefix': 'exact', limit: '10', cursor: '', 'terms|agents|artworks': 'terms', id: term.id };
      for (const link of Object.values<string>(response.body.links)) {
        const path = link.slice(BASE_URL.length).replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(filled[name])).replace(/&cursor=$/, '');
        expect({ path, status: (await api.get(path)).status }).toEqual({ path, status: 200 });
      }
      expect((await api.delete(`/terms/${term.id}`)).status).toBe(204);
    });

    it('GET /docs answers the Swagger UI, and /docs-json the OpenAPI document of the same DTOs', async () => {
      const ui = await api.get('/docs');
      expect(ui.status).toBe(200);
      expect(ui.text).toMatch(/swagger/i);
      const document = await api.get('/docs-json');
      expect(document.status).toBe(200);
      expect(Object.keys(document.body.paths)).toEqual(
        expect.arrayContaining(['/terms', '/terms/{id}', '/artworks', '/artworks/{id}', '/references']),
      );
      expect(Object.keys(document.body.components.schemas.ArtworkMetadata.properties)).toEqual(
        expect.arrayContaining(['title', 'stylePeriod', 'styles', 'related']),
      );
    });
  });
});

function headers(token: string): Record<string, string> {
  return token ? { Authorization: `Bearer ${token}` } : {};
}
