import { ForbiddenKeyError, JsonTooDeepError, UnstorableNumberError, UnstorableStringError } from '../errors/references.errors.js';
import { FORBIDDEN_KEYS, MAX_JSON_DEPTH } from '../references.constants.js';
import { formatPath, type JsonPath } from './json-path.util.js';

// NOTE: PostgreSQL stores neither in text nor in jsonb (the insert fails); SQLite would take both, and the
// same document must be refused alike on every database.
const NUL = /\u0000/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Throws when a JSON document (a record's metadata, a request body or query) cannot be stored as it is:
 * objects and arrays nested deeper than `maxDepth` levels (`JsonTooDeepError`), `__proto__`, `constructor` or
 * `prototype` as a key (`ForbiddenKeyError`), a string or key holding a NUL character or a lone surrogate
 * (`UnstorableStringError`), a number out of a double's range (`UnstorableNumberError`: JSON would store `null`). Each error names the path of the first offender, in document order.
 *
 * Walks with an explicit stack, never recursion, so that it is safe to run first on any input.
 */
export function assertStorableJson(document: unknown, maxDepth: number = MAX_JSON_DEPTH): void {
  // Each entry is a value to check, its depth and where it is (its parent entry and its key or index, so
  // that a path is built only for an error); an object's entries also check their key.
  const stack: Entry[] = [{ value: document, depth: 0 }];
  while (stack.length > 0) {
    const entry = stack.pop()!;
    const { value, key } = entry;
    if (typeof key === 'string') {
      if (FORBIDDEN_KEYS.has(key)) throw new ForbiddenKeyError(name(pathOf(entry)), key);
      assertStorableString(key, entry, 'the key');
    }
    if (typeof value === 'string') {
      assertStorableString(value, entry, 'the string');
      continue;
    }
    if (typeof value === 'number' && !Number.isFinite(value)) throw new UnstorableNumberError(name(pathOf(entry)));
    if (value === null || typeof value !== 'object') continue;
    // The document itself is level 1, so a container at depth L is level L + 1.
    if (entry.depth >= maxDepth) throw new JsonTooDeepError(name(pathOf(entry)), maxDepth);
    const depth = entry.depth + 1;
    // Pushed last child first, so that the walk follows document order.
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], depth, parent: entry, key: i });
    } else {
      const keys = Object.keys(value);
      for (let i = keys.length - 1; i >= 0; i--) {
        stack.push({ value: (value as Record<string, unknown>)[keys[i]], depth, parent: entry, key: keys[i] });
      }
    }
  }
}

interface Entry {
  value: unknown;
  depth: number;
  parent?: Entry;
  key?: string | number;
}

function pathOf(entry: Entry): JsonPath {
  const path: Array<string | number> = [];
  for (let e: Entry | undefined = entry; e?.parent; e = e.parent) path.unshift(e.key!);
  return path;
}

function assertStorableString(text: string, entry: Entry, what: string): void {
  if (NUL.test(text)) throw new UnstorableStringError(name(pathOf(entry)), `${what} holds a NUL character (\\u0000), which cannot be stored`);
  if (LONE_SURROGATE.test(text)) {
    throw new UnstorableStringError(name(pathOf(entry)), `${what} holds a lone UTF-16 surrogate (not valid Unicode), which cannot be stored`);
  }
}

function name(path: JsonPath): string {
  return formatPath(path) || '(the document)';
}

/** `value` as it is stored and read back as JSON (dates as strings, undefined keys gone): what a copy is compared as. */
export const asJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value));
