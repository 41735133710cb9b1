/** Injection token of the options given to `ReferencesModule.forRoot()` / `forRootAsync()`. */
export const REFERENCES_MODULE_OPTIONS = 'nestjs-references:module-options';

/** Injection token of the application's `ReferrerIndexer` (optional). */
export const REFERRER_INDEXER = 'nestjs-references:referrer-indexer';

/** Metadata key of `@ReferenceEnabled()` on an entity class. */
export const REFERENCE_ENABLED_METADATA = 'nestjs-references:reference-enabled';

/** Metadata key of one decorated property (`@ReferenceByLink()`, `@InlineReference()`). */
export const REFERENCE_FIELD_METADATA = 'nestjs-references:reference-field';

/** Metadata key of the list of decorated properties of a schema class. */
export const REFERENCE_FIELDS_METADATA = 'nestjs-references:reference-fields';

/** Name of the event emitted once per batch of referrers updated by propagation. */
export const REFERRERS_UPDATED_EVENT = 'references.referrers-updated';

/** Name of the Bull queue that carries propagation jobs in queue mode. */
export const REFERENCES_QUEUE = 'references';

/** Longest URL accepted as a reference. */
export const MAX_REFERENCE_URL_LENGTH = 2048;

/** Keys that are never accepted anywhere in metadata (prototype pollution). */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** @default 2 — levels of nested inline copies kept in full; see README "Depth of nested inline copies". */
export const DEFAULT_INLINE_DEPTH = 2;

/** @default 1000 — referrers updated per committed batch (queue mode). */
export const DEFAULT_BATCH_SIZE = 1000;

/** @default 10000 — referrers updated per statement in sync mode (one transaction: fewer, larger statements). */
export const DEFAULT_SYNC_BATCH_SIZE = 10_000;

/** Propagation hops after which a chain is stopped and reported (a safety net behind the depth rule). */
export const MAX_PROPAGATION_HOPS = 32;

/** Injection token of the TypeORM `DataSource` the library works on (an alias of the named data source). */
export const REFERENCES_DATA_SOURCE = 'nestjs-references:data-source';

/**
 * Injection token present in a process that runs the `references …` commands (`ReferencesCliModule`
 * provides it): such a process never runs queue workers or the outbox sweep, whatever its options.
 */
export const REFERENCES_CLI_PROCESS = 'nestjs-references:cli-process';
