import type { OnDeletePolicy } from './reference-options.interface.js';

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

/** A reference found in a metadata object by `ReferencesService.referencesOf()`: an index row to be. */
export interface FoundReference {
  /** The URL referenced. */
  reference: string;
  /** The referenced record's id when the reference carries one (inline copies do). */
  referenceUuid: string | null;
  /** `true` for an inline copy, `false` for a link. */
  inline: boolean;
  /** Where in the metadata the reference stands, e.g. `creators[2].agent`. */
  path: string;
  /** The delete policy of its property. */
  onDelete: OnDeletePolicy;
}

/** The local record a URL names (`ReferencesService.resolveReference()`). */
export interface ResolvedReference {
  /** The `route` of its type (its `referrerType`). */
  type: string;
  /** Its id. */
  id: string;
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
  /** Skip this many rows. @default 0 */
  offset?: number;
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
