import { beforeAll, describe, expect, it } from '@jest/globals';
import { DATABASES } from '../support/databases.js';
import { artworkUrl, catalogueForSuite, linkTo, termUrl } from './catalogue-app.js';

/** `{ id, links }` of a record: what a copy below the depth limit keeps. */
const stub = (record: Record<string, any>) => ({ id: record.id, links: record.links });

describe.each(DATABASES)('catalogue references on %s', (kind) => {
  const { api } = catalogueForSuite(kind);

  /** A three-level hierarchy and an artwork that inlines its leaf. */
  async function hierarchy(prefix: string) {
    const root = await api.create('terms', { slug: `${prefix}-root`, title: 'Early modern period', level: 1 });
    const child = await api.create('terms', { slug: `${prefix}-child`, title: 'Baroque', level: 2, parent: linkTo(root.links.self) });
    const leaf = await api.create('terms', { slug: `${prefix}-leaf`, title: 'High Baroque', level: 3, parent: linkTo(child.links.self) });
    const artwork = await api.create('artworks', {
      title: 'Las Meninas',
      stylePeriod: linkTo(leaf.links.self),
      styles: [linkTo(child.links.self), linkTo(root.links.self)],
    });
    return { root, child, leaf, artwork };
  }

  describe('inline copies on write', () => {
    it('stores a link-only inline object { links: { self } } as the full copy', async () => {
      const term = await api.create('terms', { slug: 'renaissance', title: 'Renaissance', startYear: 1400 });
      const artwork = await api.create('artworks', { title: 'Mona Lisa', stylePeriod: linkTo(term.links.self) });
      expect(artwork.stylePeriod).toEqual({ slug: 'renaissance', title: 'Renaissance', startYear: 1400, id: term.id, links: term.links });
      expect((await api.get(`/artworks/${artwork.id}`)).body.stylePeriod).toEqual(term);
    });

    it('replaces a forged inline copy by the real one, on POST and on PUT', async () => {
      const term = await api.create('terms', { slug: 'gothic', title: 'Gothic' });
      const forged = { ...term, title: 'Forged title', id: '11111111-1111-4111-8111-111111111111', extra: 'injected' };
      const created = await api.create('artworks', { title: 'Wilton Diptych', stylePeriod: forged, styles: [forged] });
      expect(created.stylePeriod).toEqual(term);
      expect(created.styles).toEqual([term]);

      const replaced = await api.put(`/artworks/${created.id}`, { title: 'Wilton Diptych', stylePeriod: forged });
      expect(replaced.status).toBe(200);
      expect(replaced.body.stylePeriod).toEqual(term);
      expect((await api.get(`/artworks/${created.id}`)).body.stylePeriod).toEqual(term);
    });

    it('keeps nested copies in full down to depth 2 and reduces deeper ones to { id, links }', async () => {
      const { root, child, leaf, artwork } = await hierarchy('depth');
      expect(artwork.stylePeriod).toEqual({ ...leaf, parent: { ...child, parent: stub(root) } });
      expect(leaf.parent).toEqual({ ...child, parent: root });
    });
  });

  describe('propagation', () => {
    it('carries a change of a root term to its child terms and to the artworks that inline them', async () => {
      const { root, child, leaf, artwork } = await hierarchy('propagation');
      const response = await api.put(`/terms/${root.id}`, { slug: 'propagation-root', title: 'Novověk', level: 1 });
      expect(response.status).toBe(200);
      const newRoot = response.body;

      const newChild = (await api.get(`/terms/${child.id}`)).body;
      expect(newChild.parent).toEqual(newRoot);
      const newLeaf = (await api.get(`/terms/${leaf.id}`)).body;
      expect(newLeaf.parent).toEqual(newChild);
      expect(newLeaf.parent.parent.title).toBe('Novověk');

      const newArtwork = (await api.get(`/artworks/${artwork.id}`)).body;
      expect(newArtwork.styles).toEqual([{ ...newChild, parent: newRoot }, newRoot]);
      expect(newArtwork.styles[1].title).toBe('Novověk');
      expect(newArtwork.stylePeriod).toEqual({ ...newLeaf, parent: { ...newChild, parent: stub(newRoot) } });
    });

    it('carries a change of a middle term through the leaf into the artwork', async () => {
      const { child, leaf, artwork } = await hierarchy('middle');
      await api.put(`/terms/${child.id}`, { slug: 'middle-child', title: 'Barock', level: 2, parent: child.parent });
      const newArtwork = (await api.get(`/artworks/${artwork.id}`)).body;
      expect(newArtwork.stylePeriod.id).toBe(leaf.id);
      expect(newArtwork.stylePeriod.parent.title).toBe('Barock');
      expect(newArtwork.styles[0].title).toBe('Barock');
    });
  });

  describe('delete policies', () => {
    it('refuses to delete a term that an artwork names as its stylePeriod: 409 with the referrers, nothing deleted', async () => {
      const { leaf, artwork } = await hierarchy('restrict');
      const response = await api.delete(`/terms/${leaf.id}`);
      expect(response.status).toBe(409);
      expect(response.body.message).toEqual(expect.stringContaining(termUrl(leaf.id)));
      expect(response.body.referrers).toEqual([
        expect.objectContaining({ referrerType: 'artworks', referrerId: artwork.id, path: 'stylePeriod', reference: termUrl(leaf.id) }),
      ]);
      expect((await api.get(`/terms/${leaf.id}`)).body).toEqual(leaf);
      expect((await api.get(`/artworks/${artwork.id}`)).body).toEqual(artwork);
      expect((await api.get(`/references?target=${encodeURIComponent(termUrl(leaf.id))}`)).body.items).toHaveLength(1);
    });

    it('deletes the term once no artwork restricts it', async () => {
      const { leaf, artwork } = await hierarchy('released');
      const { stylePeriod: _dropped, ...rest } = artwork;
      const { id: _id, links: _links, ...metadata } = rest;
      expect((await api.put(`/artworks/${artwork.id}`, metadata)).status).toBe(200);
      expect((await api.delete(`/terms/${leaf.id}`)).status).toBe(204);
      expect((await api.get(`/terms/${leaf.id}`)).status).toBe(404);
    });

    it('detaches a deleted artwork from the related links of the others', async () => {
      const gone = await api.create('artworks', { title: 'Basket of Fruit' });
      const kept = await api.create('artworks', { title: 'Bacchus' });
      const referrer = await api.create('artworks', { title: 'The Calling of Saint Matthew', related: [gone.links.self, kept.links.self] });
      const alone = await api.create('artworks', { title: 'Judith', related: [gone.links.self] });

      expect((await api.delete(`/artworks/${gone.id}`)).status).toBe(204);
      expect((await api.get(`/artworks/${referrer.id}`)).body.related).toEqual([kept.links.self]);
      expect((await api.get(`/artworks/${alone.id}`)).body.related ?? []).toEqual([]);
      const rows = await api.get(`/references?target=${encodeURIComponent(artworkUrl(gone.id))}`);
      expect(rows.body).toEqual({ items: [], next: null, total: 0, totalExact: true });
    });
  });

  describe('GET /references', () => {
    let term: Record<string, any>;
    let artworks: Record<string, any>[];

    beforeAll(async () => {
      term = await api.create('terms', { slug: 'popular', title: 'Popular' });
      artworks = [];
      for (let i = 0; i < 7; i++) {
        artworks.push(await api.create('artworks', { title: `Popular ${i}`, styles: [linkTo(term.links.self)] }));
      }
    });

    const query = (params: Record<string, string | number>) =>
      api.get(`/references?${new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]))}`);

    it('lists every referrer of a URL with its row shape, in { items, next, total, totalExact }', async () => {
      const response = await query({ target: term.links.self });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ next: null, total: 7, totalExact: true });
      expect(response.body.items).toHaveLength(7);
      expect(response.body.items.map((r: any) => r.referrerId).sort()).toEqual(artworks.map((a) => a.id).sort());
      expect(response.body.items[0]).toEqual({
        referrerType: 'artworks',
        referrerId: expect.any(String),
        reference: term.links.self,
        referenceUuid: term.id,
        inline: true,
        path: 'styles[0]',
      });
    });

    it('pages with limit and offset in a stable order, the total unchanged', async () => {
      const all = (await query({ target: term.links.self })).body.items;
      const pages = [];
      for (let offset = 0; offset < 7; offset += 3) {
        const page = await query({ target: term.links.self, limit: 3, offset });
        expect(page.body.total).toBe(7);
        pages.push(...page.body.items);
      }
      expect(pages).toEqual(all);
      expect((await query({ target: term.links.self, limit: 3, offset: 6 })).body.items).toHaveLength(1);
      // A page by offset answers the cursor of the page after it, as a page by cursor does.
      const second = await query({ target: term.links.self, limit: 3, offset: 3 });
      const third = await query({ target: term.links.self, limit: 3, cursor: second.body.next });
      expect(third.body.items).toEqual(all.slice(6));
    });

    it('walks every page by cursor (next), each row once and in order, while referrers are written and deleted', async () => {
      const all = (await query({ target: term.links.self })).body.items.map((r: any) => r.referrerId);
      const walked: string[] = [];
      const written: string[] = [];
      let gone: string | undefined;
      for (let cursor: string | undefined; ; ) {
        const page = await query({ target: term.links.self, limit: 2, ...(cursor ? { cursor } : {}) });
        expect(page.status).toBe(200);
        expect(page.body.total === undefined).toBe(cursor !== undefined);
        walked.push(...page.body.items.map((r: any) => r.referrerId));
        cursor = page.body.next ?? undefined;
        if (!cursor) break;
        if (!gone) {
          // The last referrer deleted ahead of the walk: never listed.
          gone = all.at(-1);
          expect((await api.delete(`/artworks/${gone}`)).status).toBe(204);
        }
        written.push((await api.create('artworks', { title: 'Walked', styles: [linkTo(term.links.self)] })).id);
      }
      expect(walked).toEqual([...all.filter((id: string) => id !== gone), ...written]);
      for (const id of written) expect((await api.delete(`/artworks/${id}`)).status).toBe(204);
      artworks = artworks.filter((a) => a.id !== gone);
      artworks.push(await api.create('artworks', { title: 'Popular again', styles: [linkTo(term.links.self)] }));
    });

    it('matches by prefix, and not by prefix unless asked', async () => {
      const prefix = `${term.links.self.slice(0, -6)}`;
      expect((await query({ target: prefix })).body.items).toEqual([]);
      const response = await query({ target: prefix, match: 'prefix', limit: 1000 });
      expect(response.body.items.length).toBeGreaterThanOrEqual(7);
      expect(response.body.total).toBe(response.body.items.length);
    });

    it('answers at most 100 rows by default and refuses more than 1000', async () => {
      const target = await api.create('artworks', { title: 'Much cited' });
      await api.create('artworks', { title: 'Citing', related: Array.from({ length: 101 }, () => target.links.self) });
      const response = await query({ target: target.links.self });
      expect(response.body.items).toHaveLength(100);
      expect(response.body.total).toBe(101);
      expect(response.body.next).toEqual(expect.any(String));
      expect((await query({ target: target.links.self, limit: 1000 })).body.items).toHaveLength(101);
      const tooMany = await query({ target: term.links.self, limit: 1001 });
      expect(tooMany.status).toBe(400);
      expect(tooMany.body.message).toEqual([expect.stringContaining('limit')]);
    });

    it('answers 400 naming target when it is missing, and naming match when it is unknown', async () => {
      const missing = await api.get('/references');
      expect(missing.status).toBe(400);
      expect(missing.body.message).toEqual(expect.arrayContaining([expect.stringMatching(/^target /)]));
      const badMatch = await query({ target: term.links.self, match: 'fuzzy' });
      expect(badMatch.status).toBe(400);
      expect(badMatch.body.message).toEqual([expect.stringMatching(/^match /)]);
    });
  });
});
