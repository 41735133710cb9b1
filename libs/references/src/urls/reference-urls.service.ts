import { Inject, Injectable } from '@nestjs/common';
import type { ResolvedBaseUrl } from '../settings/base-url.provider.js';
import { NonCanonicalReferenceError } from '../errors/references.errors.js';
import { REFERENCES_BASE_URL } from '../references.constants.js';

/** A reference as the library stores it: canonical when it is local. */
export interface ReferenceIdentity {
  reference: string;
  /** Under the base URL (or an alias): it names a local record, or nothing. */
  local: boolean;
}

/** Whether the path as written has a `..` segment (WHATWG URL parsing resolves them away, so the raw text is read). */
function hasDotDotSegment(raw: string): boolean {
  const path = raw.replace(/[\t\n\r]/g, '').replace(/^[a-z][a-z0-9+.-]*:[\\/]*[^\\/?#]*/i, '').split(/[?#]/)[0];
  return path.split(/[\\/]/).some((segment) => /^(\.|%2e){2}$/i.test(segment));
}

/**
 * One target, one reference: a URL under the base URL is parsed (WHATWG) and stored as the canonical URL
 * of the record it names. Spellings of the same URL (case of scheme and host, the default port, `.`
 * segments, a trailing dot on the host, backslashes, tabs, a base URL alias) become the canonical one;
 * spellings that are not a record's URL (a query, a fragment, user info, a `..` segment, a trailing slash)
 * are refused. URLs elsewhere are remote records: kept as sent.
 */
@Injectable()
export class ReferenceUrls {
  private readonly bases: Array<{ origin: string; path: string }>;

  constructor(@Inject(REFERENCES_BASE_URL) private readonly base: ResolvedBaseUrl) {
    this.bases = [base.url, ...base.aliases].map((url) => {
      const parsed = new URL(url);
      return { origin: parsed.origin, path: parsed.pathname.replace(/\/+$/, '') };
    });
  }

  /** The base URL of every canonical URL: the one stored with the references. */
  get baseUrl(): string {
    return this.base.url;
  }

  /** The stored form of `raw` (an absolute http(s) URL, already validated), or `NonCanonicalReferenceError`. */
  identify(raw: string, path: string): ReferenceIdentity {
    const url = new URL(raw);
    const origin = `${url.protocol}//${url.host.replace(/\.(?=$|:)/, '')}`;
    const base = this.bases.find((b) => b.origin === origin && (url.pathname === b.path || url.pathname.startsWith(`${b.path}/`)));
    if (!base) return { reference: raw, local: false };
    const refuse = (reason: string) => new NonCanonicalReferenceError(raw, path, reason);
    if (url.username || url.password) throw refuse('user info');
    if (url.search || url.href.includes('?')) throw refuse('a query');
    if (url.hash || url.href.includes('#')) throw refuse('a fragment');
    if (hasDotDotSegment(raw)) throw refuse('a ".." segment');
    const rest = url.pathname.slice(base.path.length);
    if (rest.length > 1 && rest.endsWith('/')) throw refuse('a trailing slash');
    return { reference: this.base.url + rest, local: true };
  }

  /** `identify()` for a URL given to a service method; a URL that is not absolute is left as it is. */
  canonical(raw: string): string {
    try {
      new URL(raw);
    } catch {
      return raw;
    }
    return this.identify(raw, 'url').reference;
  }
}
