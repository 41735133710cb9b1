import { MAX_REFERENCE_URL_BYTES } from '../references.constants.js';

/**
 * Why a value is not an acceptable reference URL, or `undefined` when it is one:
 * a string, an absolute http(s) URL with a host, at most 2,048 bytes in UTF-8.
 */
export function invalidReferenceUrlReason(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be a URL string';
  // NOTE: every write checks each of its references, mostly the same few URLs again: WHATWG parsing is
  // most of a save's JavaScript, so the answer for a valid URL (a pure function of the text) is kept.
  if (VALID.has(value)) return undefined;
  const reason = reasonOf(value);
  if (reason === undefined) remember(VALID, value);
  return reason;
}

/** URLs found valid, at most `MEMO_SIZE` (emptied when full: the next writes fill it again). */
const VALID = new Set<string>();

/** How many answers a memo of URL checks keeps before it starts again. */
const MEMO_SIZE = 10_000;

/** Adds `value` to a bounded memo. */
export function remember<K>(memo: Set<K> | Map<K, unknown>, key: K, value?: unknown): void {
  if (memo.size >= MEMO_SIZE) memo.clear();
  if (memo instanceof Set) memo.add(key);
  else memo.set(key, value);
}

function reasonOf(value: string): string | undefined {
  // NOTE: bytes, not characters: what the index can hold (see MAX_REFERENCE_URL_BYTES).
  if (Buffer.byteLength(value, 'utf8') > MAX_REFERENCE_URL_BYTES) return `is longer than ${MAX_REFERENCE_URL_BYTES} bytes (UTF-8)`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not an absolute URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must use http or https';
  if (!url.hostname) return 'has no host';
  return undefined;
}
