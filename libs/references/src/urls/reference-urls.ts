import { Inject, Injectable } from '@nestjs/common';
import type { ResolvedBaseUrl } from '../settings/base-url.js';
import { NonCanonicalReferenceError } from '../errors/references.errors.js';
import { REFERENCE_TYPES, REFERENCES_BASE_URL } from '../references.constants.js';
import type { ReferenceType } from '../registry/reference-type.js';
import type { ReferenceTypesRegistry } from '../registry/reference-types.registry.js';

/** A reference as the library stores it: canonical when it names one of the app's types. */
export interface ReferenceIdentity {
  reference: string;
  /** It names a reference-enabled type of the app (a record of it, or nothing): ours, held to the canonical spelling. */
  local: boolean;
  /** The type it names, when `local`. */
  type?: ReferenceType;
}

/** Whether the path as written has a `..` segment (WHATWG URL parsing resolves them away, so the raw text is read). */
function hasDotDotSegment(raw: string): boolean {
  const path = raw.replace(/[\t\n\r]/g, '').replace(/^[a-z][a-z0-9+.-]*:[\\/]*[^\\/?#]*/i, '').split(/[?#]/)[0];
  return path.split(/[\\/]/).some((segment) => /^(\.|%2e){2}$/i.test(segment));
}

/**
 * One target, one reference. A URL under the base URL (or an alias) that names one of the app's
 * reference-enabled types (its route, or a custom `resolve()` that answers) is parsed (WHATWG) and stored
 * as the canonical URL of the record it names: spellings of the same URL (case of scheme and host, the
 * default port, `.` segments, a trailing dot on the host, backslashes, tabs, a base URL alias) become the
 * canonical one; spellings that are not a record's URL (a query, a fragment, user info, a `..` segment, a
 * trailing slash, unless the type's own `resolve()` accepts the form) are refused. Every other URL, under
 * the base URL too (another service of the same host), is a record of someone else: kept as sent.
 */
@Injectable()
export class ReferenceUrls {
  private readonly bases: Array<{ origin: string; path: string }>;

  constructor(
    @Inject(REFERENCES_BASE_URL) private readonly base: ResolvedBaseUrl,
    @Inject(REFERENCE_TYPES) private readonly registry: Pick<ReferenceTypesRegistry, 'types'>,
  ) {
    this.bases = [base.url, ...base.aliases].map((url) => {
      const parsed = new URL(url);
      return { origin: parsed.origin, path: parsed.pathname.replace(/\/+$/, '') };
    });
  }

  /** The stored form of `raw` (an absolute http(s) URL, already validated), or `NonCanonicalReferenceError`. */
  identify(raw: string, path: string): ReferenceIdentity {
    const url = new URL(raw);
    const origin = `${url.protocol}//${url.host.replace(/\.(?=$|:)/, '')}`;
    const base = this.bases.find((b) => b.origin === origin && (url.pathname === b.path || url.pathname.startsWith(`${b.path}/`)));
    const foreign = { reference: raw, local: false };
    if (!base) return foreign;
    const rest = url.pathname.slice(base.path.length);
    // The spelling under the base URL, without user info; with the query and fragment as written (an empty `?` too).
    const bare = new URL(url);
    bare.username = bare.password = '';
    const suffix = bare.href.slice(bare.origin.length + bare.pathname.length);
    const spelled = this.base.url + rest;
    const refuse = (type: ReferenceType, reason: string) => new NonCanonicalReferenceError(raw, path, reason, type.name);
    const types = this.registry.types;

    // A type whose own resolve() takes the whole spelling: that is its form (a trailing slash, a query…).
    const whole = resolvedBy(types, spelled + suffix);
    if (whole) {
      if (url.username || url.password) throw refuse(whole, 'user info');
      if (hasDotDotSegment(raw)) throw refuse(whole, 'a ".." segment');
      return { reference: spelled + suffix, local: true, type: whole };
    }
    const answered = resolvedBy(types, spelled);
    const type = answered ?? resolvedBy(types, spelled.replace(/\/$/, '')) ?? routed(types, rest);
    if (!type) return foreign;
    if (url.username || url.password) throw refuse(type, 'user info');
    if (url.search || url.href.includes('?')) throw refuse(type, 'a query');
    if (url.hash || url.href.includes('#')) throw refuse(type, 'a fragment');
    if (hasDotDotSegment(raw)) throw refuse(type, 'a ".." segment');
    if (!answered && rest.length > 1 && rest.endsWith('/')) throw refuse(type, 'a trailing slash');
    return { reference: spelled, local: true, type };
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

/** The type with a custom `resolve()` that answers for `url`. */
function resolvedBy(types: ReferenceType[], url: string): ReferenceType | undefined {
  return types.find((type) => type.options.resolve && type.resolve(url) !== undefined);
}

/** The type whose route holds `rest` (the path under the base URL): `/route` or `/route/…`. */
function routed(types: ReferenceType[], rest: string): ReferenceType | undefined {
  return types.find((type) => rest === `/${type.name}` || rest.startsWith(`/${type.name}/`));
}
