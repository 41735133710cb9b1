/** One reference of one record, as kept in the reverse index. */
export interface ReferenceRow {
  /** The `route` of the referencing record's type. */
  referrerType: string;
  /** The id of the referencing record. */
  referrerId: string;
  /** The canonical URL of the referenced record. */
  reference: string;
  /** The referenced record's id when the reference carries one (inline copies do). */
  referenceUuid: string | null;
  /** `true` for an inline copy, `false` for a link. */
  inline: boolean;
  /** Where in the referrer's metadata the reference stands, e.g. `styles[2]` or `stylePeriod`. */
  path: string;
}

/** How a URL is matched against the index. */
export type ReferenceMatch = 'exact' | 'prefix';

/** Options of `ReferencesService.getReferrers()`. */
export interface GetReferrersOptions {
  /**
   * `exact` matches the URL itself; `prefix` every URL that starts with it (wildcards in it are literals).
   * @default 'exact'
   */
  match?: ReferenceMatch;
  /**
   * At most this many rows, in a stable order: by reference (code point order, which matters for `prefix`),
   * then in the order the references were indexed. @default all
   */
  limit?: number;
  /** Skip this many rows: for small offsets only, each skipped row is read. @default 0 */
  offset?: number;
}

/** Options of `ReferencesService.getReferrersPage()`. */
export interface GetReferrersPageOptions {
  /** As for `getReferrers()`. @default 'exact' */
  match?: ReferenceMatch;
  /** At most this many rows. */
  limit: number;
  /** The `next` of the previous page; none for the first page. */
  cursor?: string;
  /** Skip this many rows first: for small offsets only, each skipped row is read. @default 0 */
  offset?: number;
}

/** One page of referrers, in the order of `getReferrers()`. */
export interface ReferrersPage {
  rows: ReferenceRow[];
  /**
   * The cursor of the next page, or `null` on the last one. A page read by cursor starts right after the last
   * row of the previous page, however far the walk has gone: rows written or deleted meanwhile never make it
   * repeat or skip a row that was there all along.
   */
  next: string | null;
}

/** Options of `ReferencesService.countReferrers()`. */
export interface CountReferrersOptions {
  /** As for `getReferrers()`. @default 'exact' */
  match?: ReferenceMatch;
  /**
   * Count at most this many rows (the answer is then `limit` for that many or more): the count reads
   * at most this many index entries. @default all
   */
  limit?: number;
}

/** Payload of the `references.referrers-updated` event, emitted once per batch. */
export interface ReferrersUpdatedEvent {
  /** The URL whose change was propagated. */
  reference: string;
  /** The referrer type of the updated records. */
  referrerType: string;
  /** The ids of the records whose metadata changed. */
  referrerIds: string[];
}
