import { describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { ReferencesMaintenance } from 'nestjs-references';
import { DATABASES } from '../support/databases.js';
import { ArtworkSearchIndexer } from '../../apps/catalogue/src/search/artwork-search.indexer.js';
import { catalogueForSuite, linkTo, termChain } from './catalogue-app.js';

// GET /artworks?q= searches each artwork's title and the titles of its inline terms (and their parents,
// as copied); the index follows the app's own writes and the library's propagation.
/** Deletes every entry of the search index, behind the app's back. */
const DELETE_ENTRIES = { postgres: 'DELETE FROM "artwork_search"', mariadb: 'DELETE FROM `artwork_search_word`', sqlite: 'DELETE FROM "artwork_search_doc"' };

describe.each(DATABASES)('artwork search on %s', (kind) => {
  const catalogue = catalogueForSuite(kind);
  const { api } = catalogue;

  const search = async (q: string, page = '') => {
    const response = await api.get(`/artworks?q=${encodeURIComponent(q)}${page}`);
    expect(response.status).toBe(200);
    return response.body as { items: Array<Record<string, any>>; total: number };
  };
  const titles = async (q: string) => (await search(q)).items.map((item) => item.title).sort();

  describe('the app\'s own writes', () => {
    it('finds a new artwork by the words of its title, whole, ignoring case and accents', async () => {
      const artwork = await api.create('artworks', { title: 'Zátiší s dýmkou' });
      const found = await search('ZATISI dymkou');
      expect(found).toEqual({ items: [artwork], total: 1, totalExact: true });
      expect((await search('zatis')).total).toBe(0);
    });

    it('needs every word of the query', async () => {
      await api.create('artworks', { title: 'Wheatfield with Crows' });
      expect(await titles('wheatfield crows')).toEqual(['Wheatfield with Crows']);
      expect(await titles('wheatfield sunflowers')).toEqual([]);
    });

    it('finds an artwork by its inline terms and their parents as copied', async () => {
      const period = await api.create('terms', { slug: 'romanticism', title: 'Romanticism', level: 1 });
      const style = await api.create('terms', { slug: 'sublime', title: 'Sublime landscape', level: 2, parent: linkTo(period.links.self) });
      const genre = await api.create('terms', { slug: 'seascape', title: 'Seascape', level: 1 });
      await api.create('artworks', { title: 'The Monk by the Sea', stylePeriod: linkTo(style.links.self), styles: [linkTo(genre.links.self)] });
      expect(await titles('sublime')).toEqual(['The Monk by the Sea']);
      expect(await titles('romanticism monk')).toEqual(['The Monk by the Sea']);
      expect(await titles('seascape')).toEqual(['The Monk by the Sea']);
    });

    it('follows a PUT of the artwork itself', async () => {
      const artwork = await api.create('artworks', { title: 'Untitled study' });
      expect((await api.put(`/artworks/${artwork.id}`, { title: 'Study of hands' })).status).toBe(200);
      expect(await titles('hands')).toEqual(['Study of hands']);
      expect(await titles('untitled')).toEqual([]);
    });

    it('forgets a deleted artwork', async () => {
      const artwork = await api.create('artworks', { title: 'Ephemeral sketch' });
      expect((await search('ephemeral')).total).toBe(1);
      expect((await api.delete(`/artworks/${artwork.id}`)).status).toBe(204);
      expect(await search('ephemeral')).toEqual({ items: [], total: 0, totalExact: true });
    });

    it('leaves the index untouched when a write is refused', async () => {
      const artwork = await api.create('artworks', { title: 'Steadfast' });
      const refused = await api.put(`/artworks/${artwork.id}`, { title: 'Changed', stylePeriod: linkTo('http://catalogue.test/terms/00000000-0000-4000-8000-000000000000') });
      expect(refused.status).toBe(422);
      expect(await titles('steadfast')).toEqual(['Steadfast']);
      expect(await titles('changed')).toEqual([]);
    });
  });

  describe('propagation', () => {
    it('finds the artworks that inline a renamed term under its new name, and no longer under the old one', async () => {
      const term = await api.create('terms', { slug: 'rococo', title: 'Rococo', level: 1 });
      const other = await api.create('terms', { slug: 'portraiture', title: 'Portraiture', level: 1 });
      await api.create('artworks', { title: 'The Swing', stylePeriod: linkTo(term.links.self) });
      await api.create('artworks', { title: 'Madame de Pompadour', stylePeriod: linkTo(other.links.self), styles: [linkTo(term.links.self)] });
      await api.create('artworks', { title: 'Unrelated canvas' });
      expect(await titles('rococo')).toEqual(['Madame de Pompadour', 'The Swing']);

      expect((await api.put(`/terms/${term.id}`, { slug: 'rococo', title: 'Late Baroque ornament', level: 1 })).status).toBe(200);

      expect(await titles('rococo')).toEqual([]);
      expect(await titles('ornament')).toEqual(['Madame de Pompadour', 'The Swing']);
      expect(await titles('late ornament swing')).toEqual(['The Swing']);
    });

    it('reaches artworks when the parent of their term is renamed (transitively, through the term)', async () => {
      const { root } = await termChain(api, { slug: 'northern', title: 'Northern Renaissance' }, { slug: 'flemish', title: 'Flemish Primitives' }, 'The Arnolfini Portrait');
      expect(await titles('northern')).toEqual(['The Arnolfini Portrait']);

      expect((await api.put(`/terms/${root.id}`, { slug: 'northern', title: 'Severní renesance', level: 1 })).status).toBe(200);

      expect(await titles('northern')).toEqual([]);
      expect(await titles('severni renesance arnolfini')).toEqual(['The Arnolfini Portrait']);
    });

    it('restores lost entries through ReferencesMaintenance.reindexReferrers()', async () => {
      const term = await api.create('terms', { slug: 'fauvism', title: 'Fauvism', level: 1 });
      await api.create('artworks', { title: 'Woman with a Hat', stylePeriod: linkTo(term.links.self) });
      const dataSource = catalogue.app.get(DataSource);
      await dataSource.query(DELETE_ENTRIES[kind]);
      expect((await search('fauvism')).total).toBe(0);

      expect(await catalogue.app.get(ReferencesMaintenance).reindexReferrers(term.links.self)).toBe(1);
      expect(await titles('fauvism')).toEqual(['Woman with a Hat']);
    });
  });

  describe('the query', () => {
    it('pages with limit and offset, best match first, the total over all pages', async () => {
      for (const n of ['one', 'two', 'three']) await api.create('artworks', { title: `Paged nocturne ${n}` });
      const first = await search('nocturne', '&limit=2');
      const second = await search('nocturne', '&limit=2&offset=2');
      expect(first.total).toBe(3);
      expect(second.total).toBe(3);
      expect(first.items).toHaveLength(2);
      expect(second.items).toHaveLength(1);
      expect([...first.items, ...second.items].map((i) => i.title).sort()).toEqual([
        'Paged nocturne one',
        'Paged nocturne three',
        'Paged nocturne two',
      ]);
    });

    it('takes search syntax and punctuation as plain words', async () => {
      await api.create('artworks', { title: 'Impression, soleil levant' });
      expect(await titles('"impression" soleil* (levant')).toEqual(['Impression, soleil levant']);
      expect(await titles('impression OR nothing')).toEqual([]);
      expect(await titles('title:impression')).toEqual([]);
    });

    it.each([
      ['an empty q', 'q=', 'q must contain at least one letter or digit'],
      ['a q without letters or digits', `q=${encodeURIComponent('"* -')}`, 'q must contain at least one letter or digit'],
      ['a q longer than 200 characters', `q=${'a'.repeat(201)}`, 'q must be shorter than or equal to 200 characters'],
      ['a repeated q', 'q=a&q=b', 'q must be a string'],
      ['a bad limit beside q', 'q=a&limit=0', 'limit must not be less than 1'],
    ])('answers 400 for %s', async (_, query, message) => {
      const response = await api.get(`/artworks?${query}`);
      expect(response.status).toBe(400);
      expect(response.body.message).toContain(message);
    });

    it('without q lists every artwork as before', async () => {
      const all = await api.get('/artworks?limit=1000');
      expect(all.status).toBe(200);
      expect(all.body.total).toBe(all.body.items.length);
      expect(all.body.total).toBeGreaterThan(10);
    });
  });

  describe('rebuilding', () => {
    it('rebuilds every entry from the stored artworks (npm run cli -- search-reindex)', async () => {
      const dataSource = catalogue.app.get(DataSource);
      const [{ n }] = await dataSource.query('SELECT count(*) AS n FROM artwork');
      await dataSource.query(DELETE_ENTRIES[kind]);
      expect((await search('sea')).total).toBe(0);

      expect(await catalogue.app.get(ArtworkSearchIndexer).rebuild()).toBe(Number(n));
      expect(await titles('monk sea')).toEqual(['The Monk by the Sea']);
    });
  });

  describe('the migration', () => {
    it('indexes the artworks already stored when it runs on an existing database', async () => {
      await api.create('artworks', { title: 'Backfilled vista' });
      const dataSource = catalogue.app.get(DataSource);
      await dataSource.undoLastMigration();
      await dataSource.runMigrations();
      expect(await titles('backfilled')).toEqual(['Backfilled vista']);
      expect(await titles('monk sea')).toEqual(['The Monk by the Sea']);
    });
  });
});
