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

/** A reference is not an absolute http(s) URL of at most 2,048 characters. */
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

/** Metadata holds `__proto__`, `constructor` or `prototype` as a key. */
export class ForbiddenKeyError extends ReferencesError {
  readonly status = 400;
  constructor(
    readonly path: string,
    readonly key: string,
  ) {
    super(`${path}: the key "${key}" is not allowed in metadata`);
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
