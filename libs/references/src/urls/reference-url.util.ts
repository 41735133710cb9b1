import { MAX_REFERENCE_URL_BYTES } from '../references.constants.js';

/**
 * Why a value is not an acceptable reference URL, or `undefined` when it is one:
 * a string, an absolute http(s) URL with a host, at most 2,048 bytes in UTF-8.
 */
export function invalidReferenceUrlReason(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be a URL string';
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
