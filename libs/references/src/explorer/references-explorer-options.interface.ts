/** The part of an HTTP request the explorer hands to `authorize` (Express' or Fastify's request object as it is). */
export interface ExplorerRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
}

/** Options of `ReferencesExplorerModule.forRoot()`. */
export interface ReferencesExplorerOptions {
  /** Where the pages are mounted, e.g. `/explorer`. */
  path: string;
  /**
   * The data source whose `ReferencesModule` the explorer shows (the name given to `ReferencesModule.forRoot`).
   * @default the default data source
   */
  dataSource?: string;
  /**
   * Whether a request may run the explorer's actions (POSTs that write: "refresh this target"). Without
   * it every action answers 403: the explorer is read-only. Reading is never guarded by it; put the pages
   * behind the app's own guard or network rule if the records are private.
   * @default none: read-only
   */
  authorize?: (request: ExplorerRequest) => boolean | Promise<boolean>;
  /** Referrers per page. @default 25 */
  pageSize?: number;
  /** Referrers counted at most (the count reads at most this many index entries). @default 10000 */
  maxCounted?: number;
  /** Activity entries kept in memory for the pages that open later. @default 200 */
  activityKept?: number;
}

/** One entry of the explorer's activity feed: something propagation did, in this or another process. */
export interface ExplorerActivityEntry {
  /** Increasing within this process. */
  id: number;
  /** When this process heard of it (ISO 8601). */
  at: string;
  /**
   * `referrers-updated`: propagation rewrote referrers (this process's `references.referrers-updated` event);
   * `propagated` / `failed`: a queued propagation ended (in any worker process); `refresh`: an explorer action.
   */
  kind: 'referrers-updated' | 'propagated' | 'failed' | 'refresh' | 'retry';
  /** The URL whose change was propagated. */
  reference: string;
  /** A rename's new URL. */
  newReference?: string;
  referrerType?: string;
  referrerIds?: string[];
  /** A failure's message, or what a queued propagation did (`content`, `rename`, `detach`). */
  detail?: string;
}
