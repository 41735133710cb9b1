/** Injection token of the options given to `ReferencesModule.forRoot()` / `forRootAsync()`. */
export const REFERENCES_MODULE_OPTIONS = 'nestjs-references:module-options';

/**
 * Injection token of an application-wide `ReferrerIndexer` (optional), for every data source that has no
 * `@ReferrerIndexerFor()` provider of its own.
 */
export const REFERRER_INDEXER = 'nestjs-references:referrer-indexer';

/** Metadata key of `@ReferrerIndexerFor()` on a provider class: the data source it indexes for. */
export const REFERRER_INDEXER_METADATA = 'nestjs-references:referrer-indexer-for';

/** Metadata key of `@ReferenceEnabled()` on an entity class. */
export const REFERENCE_ENABLED_METADATA = 'nestjs-references:reference-enabled';

/** Metadata key of one decorated property (`@ReferenceByLink()`, `@InlineReference()`). */
export const REFERENCE_FIELD_METADATA = 'nestjs-references:reference-field';

/** Metadata key of the options given to `@InlineReference()` on a property, as given (merged over a class's). */
export const INLINE_REFERENCE_OPTIONS_METADATA = 'nestjs-references:inline-reference-options';

/** Metadata key of `@InlineReference()` on a DTO class: the class is an inline reference type. */
export const INLINE_REFERENCE_TYPE_METADATA = 'nestjs-references:inline-reference-type';

/** Metadata key of the list of decorated properties of a schema class. */
export const REFERENCE_FIELDS_METADATA = 'nestjs-references:reference-fields';

/** Name of the event emitted once per batch of referrers updated by propagation. */
export const REFERRERS_UPDATED_EVENT = 'references.referrers-updated';

/** Name of the Bull queue that carries propagation jobs in queue mode. */
export const REFERENCES_QUEUE = 'references';

/**
 * Longest URL accepted as a reference, in bytes of UTF-8. Bytes, not characters: the index on
 * `reference_index.reference` is a PostgreSQL b-tree, whose entries cannot exceed about 2,700 bytes,
 * and 2,000 characters of a non-Latin script take 6,000. 2,048 bytes also fit the `varchar(2048)` column.
 */
export const MAX_REFERENCE_URL_BYTES = 2048;

/** Longest id of a copied record (`reference_index.reference_uuid` is a `varchar(64)`). */
export const MAX_REFERENCE_UUID_LENGTH = 64;

/**
 * Deepest nesting of objects and arrays accepted in a JSON document (the document itself is level 1).
 * Checked without recursion before anything recursive reads the document: deeper input would overflow the
 * stack of the validators, and SQLite refuses JSON nested deeper than 1,000 levels.
 */
export const MAX_JSON_DEPTH = 64;

/** Longest JSON path of a reference: the index's `path` column (see the migration). */
export const MAX_REFERENCE_PATH_LENGTH = 512;

/** Keys that are never accepted anywhere in metadata (prototype pollution). */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** @default 2 — levels of nested inline copies kept in full; see README "Depth of nested inline copies". */
export const DEFAULT_INLINE_DEPTH = 2;

/**
 * How long a running outbox row stays its worker's without a committed batch (`queue.leaseMs`): once it has
 * passed, the row counts as stalled and the sweep enqueues it again. Longer than any one batch takes.
 */
export const DEFAULT_OUTBOX_LEASE_MS = 30_000;

/** How long done outbox rows are kept before the sweep deletes them (`queue.retainDoneMs`): a day. */
export const DEFAULT_RETAIN_DONE_MS = 24 * 60 * 60 * 1000;

/**
 * Index rows per committed batch in queue mode (each batch is a transaction of its own, with a target read
 * and a cursor write): large enough that those costs vanish, small enough that a fan-out's slices (10
 * batches) keep a second worker busy. A batch holds the target's share lock, so its writers wait for at most
 * one batch. The measurements behind the value are in BENCHMARKS.md ("Batch size in queue mode").
 */
export const DEFAULT_BATCH_SIZE = 2500;

/**
 * How long a statement of a propagation, or of a write through `ReferencesService.transaction()`, waits for
 * a row lock (`lockTimeoutMs`): a referrer row held by another client (a long transaction, an open `psql`)
 * then fails the statement instead of holding the write, or the worker, for as long as it is held.
 */
export const DEFAULT_LOCK_TIMEOUT_MS = 5000;

/** How long one statement of a queue-mode propagation batch may run (`statementTimeoutMs`). */
export const DEFAULT_STATEMENT_TIMEOUT_MS = 60_000;

/**
 * How long a queue-mode run waits out transient errors (a server down, a lock held) before its row is
 * recorded `blocked` (`queue.maxTransientRetryMs`); the sweep takes blocked rows up again.
 */
export const DEFAULT_MAX_TRANSIENT_RETRY_MS = 5 * 60_000;

/** Index rows per statement in sync mode (one transaction: fewer, larger statements). */
export const DEFAULT_SYNC_BATCH_SIZE = 10_000;

/** Propagation hops after which a chain is stopped and reported (a safety net behind the depth rule). */
export const MAX_PROPAGATION_HOPS = 32;

/** Injection token of the TypeORM `DataSource` the library works on (an alias of the named data source). */
export const REFERENCES_DATA_SOURCE = 'nestjs-references:data-source';

/**
 * Injection token of where propagation runs: `SyncPropagation` (sync mode) or the outbox (queue mode),
 * bound by `ReferencesModule` according to `propagation`.
 */
export const PROPAGATION_STRATEGY = 'nestjs-references:propagation-strategy';

/** Injection token of the queue of queue mode inside the library: a Bull or a BullMQ `Queue`, per `queue.driver` (apps use `@InjectReferencesQueue()`). */
export const REFERENCES_BULL_QUEUE = 'nestjs-references:bull-queue';

/**
 * Injection token of the `QueueDriver` of queue mode, provided by `ReferencesModule` itself (the driver's own
 * module is imported), so that a subpath module reaching the module's parts (the explorer) finds it.
 */
export const REFERENCES_QUEUE_DRIVER = 'nestjs-references:queue-driver';

/** Injection token of the base URL the stored references use, resolved at start-up (`ResolvedBaseUrl`). */
export const REFERENCES_BASE_URL = 'nestjs-references:base-url';

/**
 * Injection token of the `ReferenceTypesRegistry` for the parts above the registry room (`ReferenceUrls`):
 * they read which types the app has without importing the registry.
 */
export const REFERENCE_TYPES = 'nestjs-references:reference-types';

/** The key of the stored base URL in `reference_settings`. */
export const BASE_URL_SETTING = 'base-url';

/** Injection token of the database's random id (`settings/database-id.provider.ts`). */
export const REFERENCES_DATABASE_ID = 'nestjs-references:database-id';

/** The key of the database's id in `reference_settings`. */
export const DATABASE_ID_SETTING = 'database-id';

/** The key in `reference_settings` that says `reference_place` holds every place the index shows (`ReferencePlaces`). */
export const PLACES_SETTING = 'reference-places';

/**
 * Injection token present in a process that runs the `references …` commands (`ReferencesCliModule`
 * provides it): such a process never runs queue workers or the outbox sweep, whatever its options.
 */
export const REFERENCES_CLI_PROCESS = 'nestjs-references:cli-process';

/**
 * Hand-overs of one row the indexer may fail before the row is parked (never retried by itself): an indexer
 * that keeps failing on the same referrers (a document it cannot index) then costs nothing more, and
 * `status().reindexFailed` and the log report it. With the notifier's backoff (doubling from 500 ms, capped at 30 s), about 10 minutes of tries.
 */
export const MAX_REINDEX_ATTEMPTS = 25;
