import { Command, CommandRunner } from 'nest-commander';
import { ArtworkSearchIndexer } from './artwork-search.indexer.js';

/** `search-reindex`: rebuilds the artwork search index from the stored artworks (after a restore, or a logged indexer failure). */
@Command({ name: 'search-reindex', description: 'Rebuild the artwork search index (GET /artworks?q=) from the stored artworks' })
export class ReindexSearchCommand extends CommandRunner {
  constructor(private readonly indexer: ArtworkSearchIndexer) {
    super();
  }

  async run(): Promise<void> {
    const indexed = await this.indexer.rebuild();
    console.log(`search-reindex: indexed ${indexed} artworks`);
  }
}
