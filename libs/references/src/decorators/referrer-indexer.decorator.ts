import { SetMetadata } from '@nestjs/common';
import { REFERRER_INDEXER_METADATA } from '../references.constants.js';

/**
 * Makes a provider the `ReferrerIndexer` of a data source: the `ReferencesModule.forRoot()` of that data
 * source finds it among the app's providers at start-up (as `@nestjs/event-emitter` finds its listeners),
 * so that each data source has an indexer of its own.
 *
 * @param dataSource The TypeORM data source it indexes for. @default the default data source
 * @example
 * @Injectable() @ReferrerIndexerFor('archive')
 * export class ArchiveSearchIndexer implements ReferrerIndexer { reindex(type, ids) { … } }
 */
export function ReferrerIndexerFor(dataSource = 'default'): ClassDecorator {
  return SetMetadata(REFERRER_INDEXER_METADATA, dataSource);
}
