/**
 * Keeps an application's search index in step with propagation. A provider decorated with
 * `@ReferrerIndexerFor(dataSource?)` serves its data source; one under the `REFERRER_INDEXER` token serves
 * every data source without one. It is called after commit, once per batch of updated referrers, and by
 * `ReferencesMaintenance.reindexReferrers()`.
 */
export interface ReferrerIndexer {
  reindex(referrerType: string, referrerIds: string[]): Promise<void> | void;
}
