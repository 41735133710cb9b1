import type { ReferenceRow } from '../interfaces/reference-row.interface.js';

/** Base class of every error this library throws; `instanceof ReferencesError` catches them all. */
export abstract class ReferencesError extends Error {
  /** The HTTP status that `ReferencesExceptionFilter` answers with. */
  abstract readonly status: number;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A reference is not an absolute http(s) URL of at most 2,048 bytes (UTF-8). */
export class InvalidReferenceUrlError extends ReferencesError {
  readonly status = 400;
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: the reference ${reason}`);
  }
}

/** An inline object carries no link to its target, and its property cannot create one. */
export class MissingReferenceLinkError extends ReferencesError {
  readonly status = 400;
  constructor(readonly path: string) {
    super(`${path}: an inline reference needs links.self, the URL of the record it copies`);
  }
}

/** A reference sits deeper in the metadata than the index can record: its path is over 512 characters. */
export class ReferencePathTooLongError extends ReferencesError {
  readonly status = 400;
  constructor(
    readonly path: string,
    readonly maxLength: number,
  ) {
    super(`${path.slice(0, 60)}…: a reference may sit at most ${maxLength} characters deep in the metadata (its path is ${path.length})`);
  }
}

/** Metadata (or a query string) holds `__proto__`, `constructor` or `prototype` as a key. */
export class ForbiddenKeyError extends ReferencesError {
  readonly status = 400;
  constructor(
    readonly path: string,
    readonly key: string,
  ) {
    super(`${path}: the key "${key}" is not allowed`);
  }
}

/** Bad input (400) at `path`, for `reason`; its message is `<path>: <reason>`. */
export abstract class InputReasonError extends ReferencesError {
  readonly status = 400;
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: ${reason}`);
  }
}

/** A string (or a key) holds a NUL character or a lone UTF-16 surrogate, which PostgreSQL cannot store. */
export class UnstorableStringError extends InputReasonError {}

/** A number too large for a double (`1e400` parses to Infinity), which JSON would store as `null` without a word. */
export class UnstorableNumberError extends ReferencesError {
  readonly status = 400;
  constructor(readonly path: string) {
    super(`${path}: the number is out of range (at most about 1.8e308 either way)`);
  }
}

/** A JSON document nests objects and arrays deeper than `MAX_JSON_DEPTH` (64) levels. */
export class JsonTooDeepError extends ReferencesError {
  readonly status = 400;
  constructor(
    readonly path: string,
    readonly maxDepth: number,
  ) {
    super(`${path}: nested deeper than ${maxDepth} levels of objects and arrays`);
  }
}

/** The id inside an inline copy (`data.id`, or what the `uuid` option returns) cannot be indexed: longer than 64 characters, or not a string. */
export class InvalidReferenceUuidError extends ReferencesError {
  readonly status = 400;
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: the id of the copied record ${reason}`);
  }
}

/** In strict mode, a reference names a local record that does not exist. */
export class UnknownReferenceError extends ReferencesError {
  readonly status = 422;
  constructor(
    readonly reference: string,
    readonly path: string,
  ) {
    super(`${path}: ${reference} does not exist`);
  }
}

/** A record cannot be deleted: referrers whose `onDelete` is `restrict` still reference it. */
export class ReferencedRecordError extends ReferencesError {
  readonly status = 409;
  constructor(
    readonly reference: string,
    readonly referrers: ReferenceRow[],
  ) {
    super(
      `${reference} is still referenced by ${referrers.length} record(s) that restrict its deletion: ` +
        referrers
          .slice(0, 5)
          .map((r) => `${r.referrerType}/${r.referrerId} at ${r.path}`)
          .join(', ') +
        (referrers.length > 5 ? ', …' : ''),
    );
  }
}

/** The permission check of `@InlineReference({ create })` refused to create the target. */
export class InlineCreateForbiddenError extends ReferencesError {
  readonly status = 403;
  constructor(readonly path: string) {
    super(`${path}: you may not create the referenced record`);
  }
}

/** The module or an entity is configured wrongly (a developer's error, found at start-up). */
export class ReferencesConfigurationError extends ReferencesError {
  readonly status = 500;
}

/** `waitForIdle()` ran out of time with propagations still pending or running. */
export class PropagationTimeoutError extends ReferencesError {
  readonly status = 503;
  constructor(
    readonly timeoutMs: number,
    readonly state: { pending: number; running: number; failed: number },
  ) {
    super(`Propagation not idle after ${timeoutMs} ms: ${state.pending} pending, ${state.running} running, ${state.failed} failed`);
  }
}

/**
 * A write transaction kept colliding with concurrent writers (deadlock, serialization failure, a row lock
 * held longer than `lockTimeoutMs`, a busy SQLite database) after every attempt of `ReferencesService.transaction()`. Nothing was written: the
 * client may retry (503, `Retry-After`).
 */
export class WriteConflictError extends ReferencesError {
  readonly status = 503;
  constructor(
    readonly attempts: number,
    readonly conflict: Error,
  ) {
    super(`The write collided with concurrent writes ${attempts} times (${conflict.message}); nothing was written, try again`);
  }
}

/**
 * A write on a reference-enabled entity that bypasses its subscriber (`repository.update()`, `delete()`,
 * `softDelete()`, `restore()`, a query builder's write): TypeORM hands the subscriber no entity, so the
 * index, the inline copies and the delete policies could not be kept. Use `save()` / `remove()` /
 * `softRemove()` / `recover()`, or set `rawWrites: 'allow'` and repair with `verify()` and `refresh()`.
 */
export class UntrackedWriteError extends ReferencesError {
  readonly status = 500;
  constructor(
    readonly entity: string,
    readonly operation: 'update' | 'delete' | 'soft-delete' | 'restore',
  ) {
    super(
      `${entity}: ${operation} through a query builder (repository.update(), delete(), softDelete(), restore()) bypasses ` +
        `nestjs-references; use save(), remove(), softRemove() or recover() on the entity, or set rawWrites: 'allow'`,
    );
  }
}

/**
 * A reference names a record of one of the app's types (`type`: by its route under the base URL, or its
 * custom `resolve()`) in a spelling that cannot be its URL: with a query, a fragment, user info, a `..`
 * segment or a trailing slash. The same spellings of the canonical URL (case of scheme and host, the
 * default port, `.` segments, a base URL alias) are accepted and stored canonical instead.
 */
export class NonCanonicalReferenceError extends ReferencesError {
  readonly status = 400;
  constructor(
    readonly reference: string,
    readonly path: string,
    readonly reason: string,
    /** The route of the type the URL names. */
    readonly type: string,
  ) {
    super(
      `${path}: ${JSON.stringify(reference.slice(0, 200))} names a local record of the type "${type}" with ${reason}; send its canonical URL`,
    );
  }
}

/** Content handed to `referenceContentChanged()` says it is another record's (`links.self` names another URL). */
export class ReferenceContentMismatchError extends ReferencesError {
  readonly status = 400;
  constructor(
    readonly reference: string,
    readonly self: string,
  ) {
    super(`The content's links.self (${self}) names another record than ${reference}`);
  }
}

/** The process was started with another base URL than the one the stored references use. */
export class BaseUrlMismatchError extends ReferencesConfigurationError {
  constructor(
    readonly stored: string,
    readonly configured: string,
  ) {
    super(
      `nestjs-references: the stored references use the base URL ${stored}, but this process was started with ${configured}; ` +
        `start it with ${stored} (or without a base URL), or move the data first: references rebase ${configured}`,
    );
  }
}

/** A `cursor` handed to `getReferrersPage()` is not one that a page of referrers answered. */
export class InvalidCursorError extends ReferencesError {
  readonly status = 400;
  readonly path = 'cursor';
  constructor(readonly cursor: string) {
    super(`cursor: ${JSON.stringify(cursor.slice(0, 100))} is not a cursor that a page of referrers answered`);
  }
}

/** A request to the explorer lacks a parameter or carries one it cannot use (`path` names it). */
export class ExplorerInputError extends InputReasonError {}

/** An explorer action asked for without the app's write permission (its `authorize(request)` said no). */
export class ExplorerForbiddenError extends ReferencesError {
  readonly status = 403;
  constructor(readonly action: string) {
    super(`${action}: this action needs the write permission`);
  }
}
