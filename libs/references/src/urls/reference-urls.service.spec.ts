import { describe, expect, it } from '@jest/globals';
import { NonCanonicalReferenceError } from '../errors/references.errors.js';
import type { ReferenceType } from '../registry/reference-type.model.js';
import { ReferenceUrls } from './reference-urls.service.js';

const BASE = 'http://site.example/app';

/** A type named by its route alone (the default `resolve()`). */
const routedType = (name: string) => ({ name, options: { route: name }, resolve: () => undefined }) as unknown as ReferenceType;

/** A type with a custom `resolve()`: the form `pattern` matches (after the base URL) is its canonical URL. */
const customType = (name: string, pattern: RegExp) =>
  ({
    name,
    options: { route: name, resolve: () => undefined },
    resolve: (url: string) => (url.startsWith(`${BASE}/`) ? pattern.exec(url.slice(BASE.length))?.[1] : undefined),
  }) as unknown as ReferenceType;

const types = [
  routedType('artworks'),
  customType('terms', /^\/vocab\/([a-z]+)\/$/),
  customType('lookups', /^\/lookup\?id=(\d+)$/),
];
const urls = new ReferenceUrls({ url: BASE, aliases: ['http://127.0.0.1:8080/app'] }, { types });

const refusal = (raw: string): NonCanonicalReferenceError => {
  try {
    urls.identify(raw, 'field');
  } catch (error) {
    return error as NonCanonicalReferenceError;
  }
  throw new Error(`${raw} was not refused`);
};

describe('ReferenceUrls: which URLs are ours', () => {
  it.each([
    ['a path of another service', `${BASE}/api/taxonomies/requestors/a/b/`],
    ['the same, spelled otherwise', 'HTTP://SITE.EXAMPLE:80/app/api/taxonomies/requestors/a/b/?x=1#top'],
    ['a path under an alias', 'http://127.0.0.1:8080/app/api/taxonomies/a/'],
    ['a route that only starts like one of ours', `${BASE}/artworks-archive/1`],
    ['the base URL itself', `${BASE}/`],
    ['the site outside the base path', 'http://site.example/artworks/1'],
    ['another host', 'https://elsewhere.example/app/artworks/1/'],
  ])('keeps %s as sent: foreign', (_what, raw) => {
    expect(urls.identify(raw, 'field')).toEqual({ reference: raw, local: false });
  });

  it('takes a path under a route as ours, and every base URL spelling to the canonical one', () => {
    expect(urls.identify('HTTP://Site.Example.:80/app/./artworks/1', 'field')).toEqual({ reference: `${BASE}/artworks/1`, local: true, type: types[0] });
    expect(urls.identify('http://127.0.0.1:8080/app/artworks/1/files', 'field')).toMatchObject({ reference: `${BASE}/artworks/1/files`, local: true });
  });

  it.each([
    ['user info', `http://me@site.example/app/artworks/1`],
    ['a query', `${BASE}/artworks/1?`],
    ['a fragment', `${BASE}/artworks/1#f`],
    ['a ".." segment', `${BASE}/x/../artworks/1`],
    ['a trailing slash', `${BASE}/artworks/1/`],
  ])('refuses a spelling of a routed type with %s, naming the type', (reason, raw) => {
    const error = refusal(raw);
    expect(error).toBeInstanceOf(NonCanonicalReferenceError);
    expect(error).toMatchObject({ reason, type: 'artworks' });
    expect(error.message).toBe(`field: ${JSON.stringify(raw)} names a local record of the type "artworks" with ${reason}; send its canonical URL`);
  });

  it("keeps the form a custom resolve() accepts: a trailing slash, a query, in the base URL's spelling", () => {
    expect(urls.identify('http://127.0.0.1:8080/app/vocab/ochre/', 'field')).toMatchObject({ reference: `${BASE}/vocab/ochre/`, local: true, type: types[1] });
    expect(urls.identify('HTTP://SITE.EXAMPLE/app/lookup?id=42', 'field')).toMatchObject({ reference: `${BASE}/lookup?id=42`, local: true, type: types[2] });
  });

  it('refuses what a custom resolve() does not accept beyond its form, naming the type', () => {
    expect(refusal(`${BASE}/vocab/ochre/?x=1`)).toMatchObject({ reason: 'a query', type: 'terms' });
    expect(refusal(`${BASE}/lookup?id=42#top`)).toMatchObject({ reason: 'a fragment', type: 'lookups' });
    expect(refusal(`http://me@site.example/app/vocab/ochre/`)).toMatchObject({ reason: 'user info', type: 'terms' });
    expect(refusal(`${BASE}/artworks/../vocab/ochre/`)).toMatchObject({ reason: 'a ".." segment', type: 'terms' });
  });

  it('takes a URL under the route of a custom type as ours even when its resolve() does not answer (it names no record)', () => {
    expect(urls.identify(`${BASE}/terms/ochre`, 'field')).toMatchObject({ reference: `${BASE}/terms/ochre`, local: true, type: types[1] });
  });

  it('canonical() leaves a value that is not an absolute URL as it is', () => {
    expect(urls.canonical('/artworks/1')).toBe('/artworks/1');
    expect(urls.canonical('HTTP://SITE.EXAMPLE/app/artworks/1')).toBe(`${BASE}/artworks/1`);
  });
});
