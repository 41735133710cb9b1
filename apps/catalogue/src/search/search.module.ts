import { Module } from '@nestjs/common';
import { REFERRER_INDEXER } from 'nestjs-references';
import { ArtworkSearchIndexer } from './artwork-search.indexer.js';

/** The artwork search index: written with every artwork, and refreshed by the library when a copy in an artwork changes. */
@Module({
  providers: [
    ArtworkSearchIndexer,
    // NOTE: the library looks this token up across the application (ModuleRef, not strict) after its modules start.
    { provide: REFERRER_INDEXER, useExisting: ArtworkSearchIndexer },
  ],
  exports: [ArtworkSearchIndexer],
})
export class SearchModule {}
