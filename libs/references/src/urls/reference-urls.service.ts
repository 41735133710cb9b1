import { Inject, Injectable } from '@nestjs/common';
import type { ResolvedBaseUrl } from '../settings/base-url.provider.js';
import { NonCanonicalReferenceError } from '../errors/references.errors.js';
import { REFERENCE_TYPES, REFERENCES_BASE_URL } from '../references.constants.js';
import { remember } from './reference-url.util.js';
import type { ReferenceType } from '../registry/reference-type.model.js';
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
  /** The identity of URLs identified before (a function of the text, the base URL and the types): a write meets the same targets again and again. */
  private readonly identified = new Map<string, ReferenceIdentity>();

  constructor(
    @Inject(REFERENCES_BASE_URL) private readonly base: ResolvedBaseUrl,
    @Inject(REFERENCE_TYPES) private readonly registry: Pick<ReferenceTypesRegistry, 'types'>,
  ) {
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
    let identity = this.identified.get(raw);
    if (!identity) {
      // NOTE: a refused spelling throws and is not kept; its error names the path it was written at.
      identity = this.parse(raw, path);
      remember(this.identified, raw, identity);
    }
    return identity;
  }

  private parse(raw: string, path: string): ReferenceIdentity {
    const url = new URL(raw);
    const origin = `${url.protocol}//${url.host.replace(/\.(?=$|:)/, '')}`;
    const base = this.bases.find((b) => b.origin === origin && (url.pathname === b.path || url.pathname.startsWith(`${b.path}/`)));
    if (!base) return { reference: raw, local: false };
    const rest = url.pathname.slice(base.path.length);
    const spelled = this.base.url + rest;
    // The query and fragment as written (an empty `?` too), after the path; user info is never part of it.
    const bare = new URL(url);
    bare.username = bare.password = '';
    const suffix = bare.href.slice(bare.origin.length + bare.pathname.length);
    const types = this.registry.types;
    // NOTE: a custom resolve() decides its own form (a trailing slash, a query): the longest spelling it takes is kept.
    let type: ReferenceType | undefined;
    let accepted = spelled;
    for (const candidate of [spelled + suffix, spelled + suffix.split('#')[0], spelled, spelled.replace(/\/$/, '')]) {
      type = resolvedBy(types, candidate);
      if (type) {
        accepted = candidate;
        break;
      }
    }
    if (!type) {
      type = routed(types, rest);
      accepted = spelled.replace(/\/$/, '');
    }
    if (!type) return { reference: raw, local: false };
    const refuse = (reason: string) => new NonCanonicalReferenceError(raw, path, reason, type.name);
    const acceptedPath = accepted.split(/[?#]/)[0];
    if (url.username || url.password) throw refuse('user info');
    if (url.href.includes('?') && !accepted.includes('?')) throw refuse('a query');
    if (url.href.includes('#') && !accepted.includes('#')) throw refuse('a fragment');
    if (hasDotDotSegment(raw)) throw refuse('a ".." segment');
    if (rest.length > 1 && rest.endsWith('/') && !acceptedPath.endsWith('/')) throw refuse('a trailing slash');
    return { reference: accepted, local: true, type };
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
