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
  // Each entry is a value to check and where it is; an object's entries also check their key.
  const stack: Array<{ value: unknown; path: JsonPath; key?: string }> = [{ value: document, path: [] }];
  while (stack.length > 0) {
    const { value, path, key } = stack.pop()!;
    if (key !== undefined) {
      if (FORBIDDEN_KEYS.has(key)) throw new ForbiddenKeyError(name(path), key);
      assertStorableString(key, path, 'the key');
    }
    if (typeof value === 'string') {
      assertStorableString(value, path, 'the string');
      continue;
    }
    if (typeof value === 'number' && !Number.isFinite(value)) throw new UnstorableNumberError(name(path));
    if (value === null || typeof value !== 'object') continue;
    // The document itself is level 1, so a container at path length L is level L + 1.
    if (path.length >= maxDepth) throw new JsonTooDeepError(name(path), maxDepth);
    // Pushed last child first, so that the walk follows document order.
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], path: [...path, i] });
    } else {
      const keys = Object.keys(value);
      for (let i = keys.length - 1; i >= 0; i--) {
        stack.push({ value: (value as Record<string, unknown>)[keys[i]], path: [...path, keys[i]], key: keys[i] });
      }
    }
  }
}

function assertStorableString(text: string, path: JsonPath, what: string): void {
  if (NUL.test(text)) throw new UnstorableStringError(name(path), `${what} holds a NUL character (\\u0000), which cannot be stored`);
  if (LONE_SURROGATE.test(text)) {
    throw new UnstorableStringError(name(path), `${what} holds a lone UTF-16 surrogate (not valid Unicode), which cannot be stored`);
  }
}

function name(path: JsonPath): string {
  return formatPath(path) || '(the document)';
}
