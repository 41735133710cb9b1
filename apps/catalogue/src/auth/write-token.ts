import { createHash, timingSafeEqual } from 'node:crypto';

/** The SHA-256 digest of a token: compared instead of the token, so that the comparison takes constant time. */
export function tokenDigest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

/** `true` when `given` is the token whose digest is `expected`, in constant time whatever the client sends. */
export function tokenMatches(given: string | undefined, expected: Buffer): boolean {
  return given !== undefined && timingSafeEqual(tokenDigest(given), expected);
}

/** The token of an `Authorization: Bearer <token>` header, if the header has that form. */
export function bearerToken(header: string | undefined): string | undefined {
  return /^Bearer +(\S+)$/i.exec(header ?? '')?.[1];
}
