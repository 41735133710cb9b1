import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ArtworksService } from '../../apps/catalogue/src/artworks/artworks.service.js';
import { MAX_COUNTED } from '../../apps/catalogue/src/common/page-query.dto.js';
import { DATABASES } from '../support/databases.js';
import { bootCatalogue, client, linkTo } from './catalogue-app.js';

// Every list of the catalogue answers one shape, { items, next, total, totalExact }, and pages by cursor:
// the three record types, the reverse index (/references) and the referrers of one record (/<type>/:id/referrers).

const ROUTES = ['terms', 'agents', 'artworks'] as const;

describe.each(DATABASES)('catalogue lists on %s', (kind) => {
  let app: INestApplication;
  let api: ReturnType<typeof client>;
  let term: Record<string, any>;
  let agent: Record<string, any>;
  let artwork: Record<string, any>;
  /** The artworks that reference `term`, `agent` and `artwork`, in the order they were written. */
  let referrers: Record<string, any>[];

  beforeAll(async () => {
    app = await bootCatalogue(kind);
    api = client(app);
    term = await api.create('terms', { slug: 'tenebrism', title: 'Tenebrism' });
    agent = await api.create('agents', { name: 'Caravaggio', kind: 'person' });
    await api.create('agents', { name: 'Orazio Gentileschi', kind: 'person' });
    artwork = await api.create('artworks', { title: 'The Calling of Saint Matthew' });
    referrers = [];
    for (let i = 0; i < 5; i++) {
      referrers.push(
        await api.create('artworks', {
          title: `Referrer ${i}`,
          stylePeriod: linkTo(term.links.self),
          creators: [{ role: 'painter', agent: linkTo(agent.links.self) }],
          related: [artwork.links.self],
        }),
      );
    }
    // A record that references nothing of the above, and a referrer of another record: neither is listed.
    const other = await api.create('terms', { slug: 'other', title: 'Other' });
    await api.create('artworks', { title: 'Elsewhere', stylePeriod: linkTo(other.links.self) });
  });
  afterAll(async () => {
    await app.close();
  });

  const keys = (body: object) => Object.keys(body).sort();
  const withQuery = (path: string, query: string) => `${path}${path.includes('?') ? '&' : '?'}${query}`;

  describe('one shape on every list route', () => {
    const lists = () => [
      ...ROUTES.map((route) => `/${route}`),
      `/references?target=${encodeURIComponent(term.links.self)}`,
      `/references?target=${encodeURIComponent('http://catalogue.test/')}&match=prefix`,
      `/terms/${term.id}/referrers`,
      `/agents/${agent.id}/referrers`,
      `/artworks/${artwork.id}/referrers`,
    ];

    it('answers { items, next, total, totalExact } on a first page, and { items, next } on a page by cursor', async () => {
      for (const list of lists()) {
        const first = await api.get(withQuery(list, 'limit=1'));
        expect({ list, status: first.status, keys: keys(first.body) }).toEqual({ list, status: 200, keys: ['items', 'next', 'total', 'totalExact'] });
        expect({ list, items: first.body.items.length, next: typeof first.body.next, totalExact: first.body.totalExact }).toEqual({
          list,
          items: 1,
          next: 'string',
          totalExact: true,
        });
        expect(first.body.total).toBeGreaterThan(1);
        const second = await api.get(withQuery(list, `limit=1&cursor=${encodeURIComponent(first.body.next)}`));
        expect({ list, status: second.status, keys: keys(second.body) }).toEqual({ list, status: 200, keys: ['items', 'next'] });
        expect(second.body.items).toHaveLength(1);
        expect(second.body.items[0]).not.toEqual(first.body.items[0]);
      }
    });

    it('answers next: null on the last page, and no header carries the paging', async () => {
      for (const list of lists()) {
        const all = await api.get(withQuery(list, 'limit=1000'));
        expect({ list, next: all.body.next, total: all.body.total }).toEqual({ list, next: null, total: all.body.items.length });
        expect(Object.keys(all.headers).filter((name) => /^x-(next|total)/.test(name))).toEqual([]);
      }
    });
  });

  describe('GET /agents pages by cursor, as the other record types do', () => {
    it('walks every agent once, in the order of their ids, the total on the first page only', async () => {
      const before = (await api.get('/agents?limit=1000')).body.items.map((item: any) => item.id);
      const created: string[] = [];
      for (let i = 0; i < 4; i++) created.push((await api.create('agents', { name: `Follower ${i}`, kind: 'workshop' })).id);
      const all = [...before, ...created].sort();
      const walked: string[] = [];
      let pages = 0;
      for (let cursor: string | null | undefined; ; pages++) {
        const page = await api.get(`/agents?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        expect(page.status).toBe(200);
        if (cursor === undefined) expect(page.body).toMatchObject({ total: all.length, totalExact: true });
        else expect(page.body.total).toBeUndefined();
        walked.push(...page.body.items.map((item: any) => item.id));
        cursor = page.body.next;
        if (cursor === null) break;
        expect(cursor).toBe(walked.at(-1));
      }
      expect(walked).toEqual(all);
      expect(pages).toBe(Math.ceil(all.length / 2) - 1);
      for (const id of created) expect((await api.delete(`/agents/${id}`)).status).toBe(204);
    });

    it.each([
      ['cursor=not-a-uuid', 'cursor must be a UUID'],
      [`offset=1&cursor=${randomUUID()}`, 'cursor cannot be combined with offset'],
    ])('refuses %s with 400 naming the cursor', async (query, message) => {
      const response = await api.get(`/agents?${query}`);
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ error: 'InvalidFieldsError', message: [expect.stringContaining(message)] });
    });
  });

  describe.each(ROUTES)('GET /%s/:id/referrers', (route) => {
    const target = () => ({ terms: term, agents: agent, artworks: artwork })[route];
    const referrers$ = (query = '') => api.get(`/${route}/${target().id}/referrers${query}`);

    it('lists the index rows that reference the record, as /references lists them for its URL', async () => {
      const response = await referrers$();
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ next: null, total: referrers.length, totalExact: true });
      expect(response.body.items.map((row: any) => row.referrerId)).toEqual(referrers.map((r) => r.id));
      for (const row of response.body.items) {
        expect(row).toEqual({
          referrerType: 'artworks',
          referrerId: expect.any(String),
          reference: target().links.self,
          referenceUuid: route === 'artworks' ? null : target().id,
          inline: route !== 'artworks',
          path: { terms: 'stylePeriod', agents: 'creators[0].agent', artworks: 'related[0]' }[route],
        });
      }
      const byUrl = await api.get(`/references?target=${encodeURIComponent(target().links.self)}`);
      expect(response.body).toEqual(byUrl.body);
    });

    it('walks every referrer once, in order, by cursor, while referrers are written and deleted', async () => {
      const all = (await referrers$()).body.items.map((row: any) => row.referrerId);
      const walked: string[] = [];
      const written: string[] = [];
      let gone: string | undefined;
      for (let cursor: string | null | undefined; ; ) {
        const page = await referrers$(`?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        expect(page.status).toBe(200);
        expect(page.body.total === undefined).toBe(cursor !== undefined);
        walked.push(...page.body.items.map((row: any) => row.referrerId));
        cursor = page.body.next;
        if (cursor === null) break;
        if (!gone) {
          // The last referrer, deleted ahead of the walk: never listed.
          gone = all.at(-1);
          expect((await api.delete(`/artworks/${gone}`)).status).toBe(204);
        }
        const body = { terms: { stylePeriod: linkTo(term.links.self) }, agents: { creators: [{ role: 'painter', agent: linkTo(agent.links.self) }] }, artworks: { related: [artwork.links.self] } }[route];
        written.push((await api.create('artworks', { title: 'Walked', ...body })).id);
      }
      expect(walked).toEqual([...all.filter((id: string) => id !== gone), ...written]);
      for (const id of written) expect((await api.delete(`/artworks/${id}`)).status).toBe(204);
      // Put back what the other tests expect: the deleted referrer, written again.
      const index = referrers.findIndex((r) => r.id === gone);
      const { id: _id, links: _links, ...metadata } = referrers[index];
      referrers.splice(index, 1);
      referrers.push(await api.create('artworks', metadata));
    });

    it('pages by offset too, and a page by offset answers the cursor of the page after it', async () => {
      const all = (await referrers$()).body.items;
      const second = await referrers$('?limit=2&offset=2');
      expect(second.body).toMatchObject({ items: all.slice(2, 4), total: all.length, totalExact: true, next: expect.any(String) });
      const third = await referrers$(`?limit=2&cursor=${encodeURIComponent(second.body.next)}`);
      expect(third.body.items).toEqual(all.slice(4, 6));
    });

    it('answers 404 naming the record when it does not exist', async () => {
      const id = randomUUID();
      const response = await api.get(`/${route}/${id}/referrers`);
      expect(response.status).toBe(404);
      expect(response.body.message).toBe(`${route.slice(0, -1)} ${id} does not exist`);
    });

    it.each([
      ['cursor=not%20a%20cursor', 'InvalidCursorError', 'cursor'],
      [`cursor=${Buffer.from('["\u0000",1]').toString('base64url')}`, 'InvalidCursorError', 'cursor'],
      ['cursor=', 'InvalidFieldsError', 'cursor should not be empty'],
      ['cursor=abc&offset=1', 'InvalidFieldsError', 'cursor cannot be combined with offset'],
      ['limit=1001', 'InvalidFieldsError', 'limit must not be greater than 1000'],
      ['match=prefix', 'UnknownKeyError', 'property match should not exist'],
    ])('refuses ?%s with 400 %s naming the field', async (query, error, message) => {
      const response = await referrers$(`?${query}`);
      expect(response.status).toBe(400);
      expect(response.body.error).toBe(error);
      expect(JSON.stringify(response.body.message)).toContain(message);
      if (error === 'InvalidCursorError') expect(response.body.path).toBe('cursor');
    });

    it('answers 400 naming the id when it is not a uuid', async () => {
      const response = await api.get(`/${route}/not-a-uuid/referrers`);
      expect(response.status).toBe(400);
      expect(response.body.message).toContain('uuid');
    });
  });

  it(`counts the referrers of a record up to ${MAX_COUNTED}, and says when there are more`, async () => {
    const cited = await api.create('artworks', { title: 'Cited beyond counting' });
    // NOTE: through the store, as a request would write it: a body of 10,001 links is larger than a request may be.
    const citing = await app.get(ArtworksService).create({ title: 'Citing', related: Array.from({ length: MAX_COUNTED + 1 }, () => cited.links.self) });
    const first = await api.get(`/artworks/${cited.id}/referrers`);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ total: MAX_COUNTED, totalExact: false, next: expect.any(String) });
    expect(first.body.items).toHaveLength(100);
    expect(first.body.items.every((row: any) => row.referrerId === citing.id)).toBe(true);
    const last = await api.get(`/artworks/${cited.id}/referrers?limit=1&offset=${MAX_COUNTED}`);
    expect(last.body).toMatchObject({ items: [expect.objectContaining({ path: `related[${MAX_COUNTED}]` })], next: null, total: MAX_COUNTED, totalExact: false });
    expect((await api.delete(`/artworks/${citing.id}`)).status).toBe(204);
    expect((await api.get(`/artworks/${cited.id}/referrers`)).body).toEqual({ items: [], next: null, total: 0, totalExact: true });
  }, 120_000);
});
