import type { Type } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/**
 * What happens to a referrer when the record it references is deleted.
 * - `keep`: the referrer is left as it is; its reference is reported as dangling by `verify()`.
 * - `restrict`: the delete is refused with a `ReferencedRecordError` and nothing is deleted.
 * - `detach`: the reference is removed from the referrer (an array element is removed, a single property unset).
 */
export type OnDeletePolicy = 'keep' | 'restrict' | 'detach';

/** Options of `@ReferenceEnabled()` on a TypeORM entity. */
export interface ReferenceEnabledOptions<T = any> {
  /**
   * The URL segment of the record type: its canonical URL is `${baseUrl}/${route}/${id}`, and every URL under
   * `${baseUrl}/${route}` names this type (it is held to the canonical spelling). Also its `referrerType`.
   */
  route: string;
  /** The class-validator DTO class that describes the JSON metadata (its `@ReferenceByLink`/`@InlineReference` properties). */
  schema: Type<object>;
  /**
   * The entity property that holds the JSON metadata.
   * @default 'metadata'
   */
  metadata?: string;
  /**
   * The property of a unique column that names a record in its canonical URL, when not the primary key:
   * `{ route: 'books', key: 'slug' }` gives `${baseUrl}/books/${record.slug}`, and a URL is resolved to its
   * record with one lookup on that column's unique index. A change of the key moves the record: its
   * references are rewritten, as `referenceChanged()` does.
   * @default the primary key
   */
  key?: string;
  /**
   * The canonical URL of a record.
   * @default (record, baseUrl) => `${baseUrl}/${route}/${record[key]}`
   */
  canonicalUrl?: (record: T, baseUrl: string) => string;
  /**
   * Tells whether a URL names a record of this type, and which: returns its key (its id by default), or `undefined`.
   * A URL under the base URL it answers for is one of ours, stored in the longest spelling it answers for
   * (so the form of a custom `canonicalUrl`, a trailing slash say, is kept); it is called with the base
   * URL's own spelling (an alias, the case of the host, `.` segments rewritten). It must answer the same
   * for the same URL: the library keeps what it answered for the URLs it has seen.
   * @default the inverse of the default `canonicalUrl`
   */
  resolve?: (url: string, baseUrl: string) => string | undefined;
  /**
   * What any copy of a record may hold: a function of the record (the whole entity: the library then loads
   * whole records of this type) that returns the content other records copy (the library adds `id` and `links.self`). The metadata DTO's class-transformer rules apply to what
   * it returns (`@Exclude()`, and `@Expose({ groups })` with `groups` below), so that a key excluded there
   * never reaches a copy, whatever the function returns. A referrer's `fields`, `depth` and `postprocess`
   * narrow this further; they never widen it. A change of it is a change of every copy: roll it out with
   * `references refresh --stale` (see the README, "What a copy holds").
   * @default (record) => record[metadata]
   */
  representation?: (record: T) => Record<string, any>;
  /**
   * The class-transformer groups the representation is built with (`instanceToPlain(…, { groups })`): a key
   * of the metadata DTO with `@Expose({ groups })` is copied only when one of its groups is listed here.
   * @default [] (a key exposed to some groups only is never copied)
   */
  groups?: string[];
}

/** Options shared by both kinds of reference property. */
export interface ReferenceFieldOptions {
  /**
   * What happens to this referrer when the referenced record is deleted.
   * @default 'keep'
   */
  onDelete?: OnDeletePolicy;
}

/** Options of `@ReferenceByLink()`. */
export interface ReferenceByLinkOptions extends ReferenceFieldOptions {
  /**
   * Whether this referrer is handed to the `ReferrerIndexer` and the `references.referrers-updated` event
   * when the content of the record it links changes (its search document may show the target). `false`
   * saves one read of the index per batch of such referrers, and the indexing that follows, where the
   * referrer shows nothing of its target but the URL.
   * @default true
   */
  reindexOnChange?: boolean;
}

/** Context given to the callbacks of an inline reference. */
export interface InlineReferenceContext {
  /** The URL of the referenced record. */
  reference: string;
  /** The transaction the write or the propagation runs in. */
  manager: EntityManager;
}

/** How `@InlineReference({ create })` creates a missing target on the fly. */
export interface InlineReferenceCreateOptions {
  /** The reference-enabled entity class to create. */
  target: () => Type<object>;
  /**
   * Permission check, run before anything is written; `false` refuses with an `InlineCreateForbiddenError`.
   * @default () => true
   */
  authorize?: (value: Record<string, unknown>, context: { manager: EntityManager }) => boolean | Promise<boolean>;
  /**
   * Builds the new record's metadata from the value the client sent.
   * @default (value) => value
   */
  build?: (value: Record<string, unknown>) => Record<string, unknown>;
}

/** Options of `@InlineReference()`. */
export interface InlineReferenceOptions extends ReferenceFieldOptions {
  /**
   * The referenced URL of an inline object.
   * @default (data) => data.links?.self
   */
  url?: (data: Record<string, any>) => string | undefined;
  /**
   * The referenced record's id inside an inline object.
   * @default (data) => data.id
   */
  uuid?: (data: Record<string, any>) => string | undefined;
  /**
   * Transforms the copy before it is stored.
   * @default identity
   */
  postprocess?: (content: Record<string, any>, context: InlineReferenceContext) => Record<string, any>;
  /**
   * Whether a change of the target is compared against what it replaced before it reaches this field's
   * copies (README, "Conditional propagation"): with `false`, every content change of the target refreshes
   * them. Set it `false` when `postprocess` reads other records: its result may change when the target's
   * representation does not, so the two copies cannot be compared.
   * @default true
   */
  comparable?: boolean;
  /**
   * Keep only these keys of the copy (`id` and `links` are always kept).
   * @default all keys
   */
  fields?: string[];
  /**
   * Levels of nested inline copies kept in full inside this copy; deeper ones are reduced to `{ id, links }`.
   * @default 2
   */
  depth?: number;
  /** Create the target when the client sends a value without a link. @default undefined (a link is required) */
  create?: InlineReferenceCreateOptions;
}

/** The metadata stored for one decorated schema property. */
export interface ReferenceFieldMetadata {
  kind: 'link' | 'inline';
  propertyKey: string;
  onDelete: OnDeletePolicy;
  url: (data: Record<string, any>) => string | undefined;
  /** Where `url` reads the link inside an inline copy, when known (`['links', 'self']` by default): errors name it. */
  urlPath?: ReadonlyArray<string | number>;
  uuid: (data: Record<string, any>) => string | undefined;
  postprocess?: InlineReferenceOptions['postprocess'];
  /** `false`: the copy is refreshed on every content change of its target, never compared (`@InlineReference({ comparable })`). */
  comparable?: boolean;
  fields?: string[];
  depth: number;
  create?: InlineReferenceCreateOptions;
  /** A link: whether its referrer is reindexed when the target's content changes (`@ReferenceByLink({ reindexOnChange })`). */
  reindexOnChange?: boolean;
}
