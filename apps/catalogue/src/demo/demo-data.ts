import type { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ArtworksService } from '../artworks/artworks.service.js';
import type { ArtworkMetadata } from '../artworks/artwork-metadata.dto.js';
import type { Representation } from '../common/record-store.js';
import { TermsService } from '../terms/terms.service.js';
import type { TermMetadata } from '../terms/term-metadata.dto.js';

/** A term of the demo taxonomy; `parent` names another term by slug. */
interface DemoTerm extends Omit<TermMetadata, 'parent'> {
  parent?: string;
}

/** An artwork of the demo; terms by slug, related artworks by title (earlier in the list). */
interface DemoArtwork {
  title: string;
  stylePeriod?: string;
  styles?: string[];
  related?: string[];
}

// Two hierarchies three levels deep (period → style → sub-style) and one of genres.
const TERMS: DemoTerm[] = [
  { slug: 'early-modern', title: 'Early modern period', level: 1, startYear: 1400 },
  { slug: 'renaissance', title: 'Renaissance', level: 2, startYear: 1400, parent: 'early-modern' },
  { slug: 'high-renaissance', title: 'High Renaissance', level: 3, startYear: 1490, parent: 'renaissance' },
  { slug: 'mannerism', title: 'Mannerism', level: 3, startYear: 1520, parent: 'renaissance' },
  { slug: 'baroque', title: 'Baroque', level: 2, startYear: 1600, parent: 'early-modern' },
  { slug: 'early-baroque', title: 'Early Baroque', level: 3, startYear: 1600, parent: 'baroque' },
  { slug: 'high-baroque', title: 'High Baroque', level: 3, startYear: 1625, parent: 'baroque' },
  { slug: 'medieval', title: 'Middle Ages', level: 1, startYear: 500 },
  { slug: 'gothic', title: 'Gothic', level: 2, startYear: 1150, parent: 'medieval' },
  { slug: 'international-gothic', title: 'International Gothic', level: 3, startYear: 1375, parent: 'gothic' },
  { slug: 'genre', title: 'Genre', level: 1 },
  { slug: 'portrait', title: 'Portrait', level: 2, parent: 'genre' },
  { slug: 'religious-scene', title: 'Religious scene', level: 2, parent: 'genre' },
  { slug: 'still-life', title: 'Still life', level: 2, parent: 'genre' },
];

const ARTWORKS: DemoArtwork[] = [
  { title: 'Mona Lisa', stylePeriod: 'high-renaissance', styles: ['portrait'] },
  { title: 'The Last Supper', stylePeriod: 'high-renaissance', styles: ['religious-scene'], related: ['Mona Lisa'] },
  { title: 'The School of Athens', stylePeriod: 'high-renaissance', related: ['The Last Supper'] },
  { title: 'Madonna with the Long Neck', stylePeriod: 'mannerism', styles: ['religious-scene'] },
  { title: 'Basket of Fruit', stylePeriod: 'early-baroque', styles: ['still-life'] },
  {
    title: 'The Calling of Saint Matthew',
    stylePeriod: 'early-baroque',
    styles: ['religious-scene'],
    related: ['Basket of Fruit'],
  },
  { title: 'The Ecstasy of Saint Teresa', stylePeriod: 'high-baroque', styles: ['religious-scene'] },
  { title: 'Las Meninas', stylePeriod: 'high-baroque', styles: ['portrait'] },
  { title: 'The Night Watch', stylePeriod: 'high-baroque', styles: ['portrait'], related: ['Las Meninas'] },
  { title: 'Vase of Flowers', stylePeriod: 'high-baroque', styles: ['still-life'], related: ['Basket of Fruit'] },
  { title: 'The Wilton Diptych', stylePeriod: 'international-gothic', styles: ['religious-scene', 'portrait'] },
  {
    title: 'Très Riches Heures du Duc de Berry',
    stylePeriod: 'international-gothic',
    related: ['The Wilton Diptych', 'The Night Watch'],
  },
];

/**
 * Fills an empty catalogue with the demo set, through the same services as the API (so every inline copy
 * is dereferenced and indexed), in one transaction: interrupted, it leaves nothing, and the next start
 * loads it again. Returns what it created, or `undefined` when the catalogue was not empty.
 */
export async function loadDemoData(app: INestApplicationContext): Promise<{ terms: number; artworks: number } | undefined> {
  const terms = app.get(TermsService);
  const artworks = app.get(ArtworksService);
  return app.get(DataSource).transaction(async (manager) => {
    if ((await terms.count(manager)) + (await artworks.count(manager)) > 0) return undefined;

    const termBySlug = new Map<string, Representation>();
    const link = (record: Representation | undefined, name: string) => {
      if (!record) throw new Error(`demo data: unknown name "${name}"`);
      return { links: { self: record.links.self } };
    };
    for (const { parent, ...term } of TERMS) {
      const metadata: TermMetadata = { ...term, ...(parent && { parent: link(termBySlug.get(parent), parent) }) };
      termBySlug.set(term.slug, await terms.create(metadata, manager));
    }

    const artworkByTitle = new Map<string, Representation>();
    for (const artwork of ARTWORKS) {
      const metadata: ArtworkMetadata = { title: artwork.title };
      if (artwork.stylePeriod) metadata.stylePeriod = link(termBySlug.get(artwork.stylePeriod), artwork.stylePeriod);
      if (artwork.styles) metadata.styles = artwork.styles.map((slug) => link(termBySlug.get(slug), slug));
      if (artwork.related) {
        metadata.related = artwork.related.map((title) => link(artworkByTitle.get(title), title).links.self);
      }
      artworkByTitle.set(artwork.title, await artworks.create(metadata, manager));
    }
    return { terms: termBySlug.size, artworks: artworkByTitle.size };
  });
}
