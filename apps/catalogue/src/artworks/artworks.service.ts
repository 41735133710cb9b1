import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In, type EntityManager } from 'typeorm';
import { ReferencesService } from 'nestjs-references';
import type { Page } from '../common/page.dto.js';
import { RecordStore } from '../common/record-store.js';
import { ArtworkSearchIndexer } from '../search/artwork-search.indexer.js';
import { Artwork } from './artwork.entity.js';
import type { ArtworkListQuery } from './artwork-list-query.dto.js';
import type { ArtworkMetadata } from './artwork-metadata.dto.js';

/** Artworks: the records API, and their search entries kept in the same transaction as every write. */
@Injectable()
export class ArtworksService extends RecordStore<ArtworkMetadata, Artwork> {
  constructor(
    @InjectDataSource() dataSource: DataSource,
    references: ReferencesService,
    private readonly search: ArtworkSearchIndexer,
  ) {
    super(dataSource, references, Artwork, 'artwork');
  }

  /** `GET /artworks`: every artwork, or with `q` the artworks that hold all its words, best match first. */
  override async list(query: ArtworkListQuery): Promise<Page> {
    if (query.q === undefined) return super.list(query);
    const { ids, total } = await this.search.search(query.q, query.limit, query.offset);
    const found = new Map(
      (ids.length ? await this.dataSource.getRepository(Artwork).findBy({ id: In(ids) }) : []).map((a) => [a.id, a]),
    );
    // NOTE: an artwork deleted between the two reads is left out of the page rather than failing it.
    const items = ids.flatMap((id) => (found.has(id) ? [this.represent(found.get(id)!)] : []));
    return { items, total, totalExact: true };
  }

  protected override async afterWrite(manager: EntityManager, record: Artwork): Promise<void> {
    await this.search.index(manager, [record]);
  }

  protected override async afterRemove(manager: EntityManager, id: string): Promise<void> {
    await this.search.forget(manager, [id]);
  }
}
