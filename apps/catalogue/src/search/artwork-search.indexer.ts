import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In, type EntityManager } from 'typeorm';
import { ReferrerIndexerFor, type ReferrerIndexer } from 'nestjs-references';
import { ARTWORKS_ROUTE, Artwork } from '../artworks/artwork.entity.js';
import { artworkSearchText, searchWords } from './artwork-search-text.js';
import { ArtworkSearchTable, searchDatabaseOf } from './artwork-search.table.js';

/** Artworks read and reindexed per transaction. */
const REINDEX_BATCH = 500;

/** A page of search hits: artwork ids, best first, and how many match in all. */
export interface SearchHits {
  ids: string[];
  total: number;
}

/**
 * The catalogue's full-text index of artworks (`GET /artworks?q=`), the `ReferrerIndexer` of the default
 * data source (`@ReferrerIndexerFor()`). It is kept in step
 *
 * - by the app's own writes (`ArtworksService`), inside the write's transaction: `index()` and `forget()`;
 * - by propagation: after each committed batch of artworks whose inline terms changed, the library calls
 *   `reindex('artworks', ids)` (in sync mode after the writer's commit, in queue mode in the worker);
 *   `ReferencesMaintenance.reindexReferrers(url)` does the same on demand.
 */
@Injectable()
@ReferrerIndexerFor()
export class ArtworkSearchIndexer implements ReferrerIndexer {
  private readonly table: ArtworkSearchTable;
  /** Whether the database locks rows (PostgreSQL, MariaDB); SQLite's writer holds the whole database. */
  private readonly rowLocks: boolean;
  private readonly lockMode: 'pessimistic_read' | 'pessimistic_write';

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.rowLocks = dataSource.options.type !== 'better-sqlite3';
    // NOTE: TypeORM writes FOR SHARE for a `mysql` data source on any server of version 8 or later, which
    // MariaDB 10 counts as and refuses: there, an update lock, which makes a writer wait just the same.
    this.lockMode = dataSource.options.type === 'mysql' ? 'pessimistic_write' : 'pessimistic_read';
    this.table = new ArtworkSearchTable(searchDatabaseOf(dataSource.options.type));
  }

  /** Reads these artworks as they are now and rewrites their entries; ids no longer stored drop out. */
  async reindex(referrerType: string, referrerIds: string[]): Promise<void> {
    // NOTE: terms are not searched themselves; their titles reach the index through the artworks that inline them.
    if (referrerType !== ARTWORKS_ROUTE) return;
    for (let start = 0; start < referrerIds.length; start += REINDEX_BATCH) {
      const ids = referrerIds.slice(start, start + REINDEX_BATCH);
      await this.dataSource.transaction(async (manager) => {
        const artworks = await manager.find(Artwork, {
          where: { id: In(ids) },
          // NOTE: a writer of one of these artworks waits until this entry is written, then writes its own:
          // an entry read before a concurrent write can never land after it.
          ...(this.rowLocks ? { lock: { mode: this.lockMode } } : {}),
        });
        await this.index(manager, artworks);
        const found = new Set(artworks.map((artwork) => artwork.id));
        await this.table.remove(manager, ids.filter((id) => !found.has(id)));
      });
    }
  }

  /** Rebuilds every entry from the stored artworks; returns how many it indexed. */
  async rebuild(onProgress?: (done: number) => void): Promise<number> {
    let done = 0;
    for (let after: string | undefined; ; ) {
      const artworks = await this.dataSource.transaction(async (manager) => {
        const query = manager.getRepository(Artwork).createQueryBuilder('a').orderBy('a.id', 'ASC').take(REINDEX_BATCH);
        if (after !== undefined) query.where('a.id > :after', { after });
        const page = await query.getMany();
        await this.index(manager, page);
        return page;
      });
      done += artworks.length;
      onProgress?.(done);
      if (artworks.length < REINDEX_BATCH) return done;
      after = artworks[artworks.length - 1].id;
    }
  }

  /** Writes the entries of these artworks in the caller's transaction. */
  async index(manager: EntityManager, artworks: Artwork[]): Promise<void> {
    await this.table.upsert(
      manager,
      artworks.map((artwork) => ({ id: artwork.id, text: artworkSearchText(artwork.metadata) })),
    );
  }

  /** Removes the entries of these artworks in the caller's transaction. */
  async forget(manager: EntityManager, ids: string[]): Promise<void> {
    await this.table.remove(manager, ids);
  }

  /** Artworks holding every word of `query` (case and accents ignored), a page at a time. */
  async search(query: string, limit: number, offset: number): Promise<SearchHits> {
    const words = searchWords(query);
    const manager = this.dataSource.manager;
    const [ids, total] = await Promise.all([
      this.table.find(manager, words, limit, offset),
      this.table.count(manager, words),
    ]);
    return { ids, total };
  }
}
