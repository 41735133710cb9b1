import { InvalidCursorError } from '../errors/references.errors.js';
import { assertStorableJson } from '../extraction/storable-json.util.js';
import { MAX_REFERENCE_URL_BYTES } from '../references.constants.js';

/** The largest id of an integer row id column. */
const MAX_ROW_ID = 2_147_483_647;

/** The key of an index row in the order of pages of referrers: (reference, row id). */
export interface ReferrersKey {
  reference: string;
  id: number;
}

/** The key before every row. */
export const FIRST_KEY: ReferrersKey = { reference: '', id: 0 };

/** Orders two keys as the index does: the reference by code point (the order of its UTF-8 bytes), then the id. */
export function compareKeys(a: ReferrersKey, b: ReferrersKey): number {
  return Buffer.compare(Buffer.from(a.reference), Buffer.from(b.reference)) || a.id - b.id;
}

/** The opaque cursor a page of referrers answers: the key of its last row, base64url JSON. */
export function encodeCursor(key: ReferrersKey): string {
  return Buffer.from(JSON.stringify([key.reference, key.id])).toString('base64url');
}

/** The key a cursor names; `InvalidCursorError` for anything `encodeCursor` did not write. */
export function decodeCursor(cursor: string): ReferrersKey {
  let decoded: unknown;
  try {
    decoded = cursor.length <= 4 * MAX_REFERENCE_URL_BYTES && /^[\w-]+$/.test(cursor) ? JSON.parse(Buffer.from(cursor, 'base64url').toString()) : undefined;
    // NOTE: a string the database cannot store would fail the query (a 500) rather than match nothing.
    assertStorableJson(decoded);
  } catch {
    decoded = undefined;
  }
  if (!Array.isArray(decoded) || decoded.length !== 2) throw new InvalidCursorError(cursor);
  const [reference, id] = decoded;
  if (typeof reference !== 'string' || !Number.isSafeInteger(id) || id < 0 || id > MAX_ROW_ID) throw new InvalidCursorError(cursor);
  return { reference, id };
}
