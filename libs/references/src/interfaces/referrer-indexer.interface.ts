/**
 * Keeps an application's search index in step with propagation (the seed reindexes referrers after every
 * reference update). Provide it under the `REFERRER_INDEXER` token; it is called after commit, once per
 * batch of updated referrers, and by `ReferencesMaintenance.reindexReferrers()`.
 */
export interface ReferrerIndexer {
  reindex(referrerType: string, referrerIds: string[]): Promise<void> | void;
}
