import { beforeAll, describe, expect, it } from '@jest/globals';
import { MAX_JSON_DEPTH, MAX_REFERENCE_URL_BYTES, ReferenceEntry } from 'nestjs-references';
import type { Response } from 'supertest';
import { DataSource } from 'typeorm';
import { Artwork } from '../../apps/catalogue/src/artworks/artwork.entity.js';
import { Term } from '../../apps/catalogue/src/terms/term.entity.js';
import { DATABASES, MAX_JSON_DEPTH_ON } from '../support/databases.js';
import { AUTH, catalogueForSuite, linkTo } from './catalogue-app.js';

// Every kind of bad input the catalogue can meet gets a 4xx whose message names the field, writes nothing,
// and leaves the server answering: the same answer on SQLite and on PostgreSQL (which cannot store some of
// what SQLite takes). README "What a client gets for bad input" lists the same cases.

const REMOTE = 'http://remote.example/terms/1';

/** `n` distinct CJK characters (3 bytes each in UTF-8): distinct, so that PostgreSQL cannot compress them away. */
const cjk = (n: number) => Array.from({ length: n }, (_, i) => String.fromCodePoint(0x4e00 + i)).join('');

/** JSON text of `{ links, x: <arrays nested so that the whole body reaches `levels` levels> }` under `stylePeriod`. */
function nestedBody(levels: number): string {
  // body (1) → stylePeriod (2) → x's arrays (3 …): levels - 2 arrays.
  const arrays = levels - 2;
  return `{"title":"Deep","stylePeriod":{"links":{"self":"${REMOTE}"},"x":${'['.repeat(arrays)}${']'.repeat(arrays)}}}`;
}

describe.each(DATABASES)('catalogue bad input on %s', (kind) => {
  const maxDepth = MAX_JSON_DEPTH_ON[kind];
  const catalogue = catalogueForSuite(kind);
  const { api } = catalogue;
  let term: Record<string, any>;
  let artwork: Record<string, any>;

  beforeAll(async () => {
    term = await api.create('terms', { slug: 'baroque', title: 'Baroque', level: 1 });
    artwork = await api.create('artworks', { title: 'Las Meninas', stylePeriod: linkTo(term.links.self) });
  });

  /** A write with a body sent as is (a JSON text, a form), with the token. */
  const send = (method: 'post' | 'put', path: string, body: string, contentType = 'application/json') =>
    api.anonymous()[method](path).set(AUTH).set('Content-Type', contentType).send(body);

  /** What a write could change: the rows of the records and of the reverse index, and the records themselves. */
  async function snapshot() {
    const dataSource = catalogue.app.get(DataSource);
    return {
      terms: await dataSource.getRepository(Term).count(),
      artworks: await dataSource.getRepository(Artwork).count(),
      indexRows: await dataSource.getRepository(ReferenceEntry).count(),
      term: (await api.get(`/terms/${term.id}`)).body,
      artwork: (await api.get(`/artworks/${artwork.id}`)).body,
    };
  }

  /** Sends a bad request; checks its answer, that nothing was written, and that the server still answers. */
  async function refused(request: () => PromiseLike<Response>, status: number, error: string, field: string) {
    const before = await snapshot();
    const response = await request();
    expect({ status: response.status, error: response.body.error }).toEqual({ status, error });
    expect(JSON.stringify(response.body.message)).toContain(field);
    expect(await snapshot()).toEqual(before);
    expect(before.term).toEqual(term);
    expect((await api.get('/terms?limit=1')).status).toBe(200);
    return response.body;
  }

  describe('strings and numbers no database can store as sent', () => {
    it.each([
      ['a NUL character in a field', () => send('post', '/artworks', '{"title":"Nul\\u0000here"}'), 'title', 'NUL'],
      ['a lone surrogate in a field', () => send('post', '/terms', '{"slug":"lone","title":"Lone \\ud800"}'), 'title', 'surrogate'],
      ['a lone low surrogate on PUT', () => send('put', `/terms/${term.id}`, '{"slug":"baroque","title":"\\udc00 Baroque"}'), 'title', 'surrogate'],
      [
        'a NUL character in a key of a remote copy',
        () => send('post', '/artworks', `{"title":"Copy","stylePeriod":{"links":{"self":"${REMOTE}"},"a\\u0000b":1}}`),
        'stylePeriod["a\\u0000b"]',
        'NUL',
      ],
      [
        'a lone surrogate deep in a remote copy on PUT',
        () => send('put', `/artworks/${artwork.id}`, `{"title":"Copy","styles":[{"links":{"self":"${REMOTE}"},"notes":["ok","\\ud83d"]}]}`),
        'styles[0].notes[1]',
        'surrogate',
      ],
    ])('%s: 400 UnstorableStringError naming the path', async (_name, request, path, what) => {
      const body = await refused(request, 400, 'UnstorableStringError', what);
      expect(body.path).toBe(path);
      expect(body.message.startsWith(`${body.path}: `)).toBe(true);
    });

    it('a number past the range of a double (1e400, which JSON would store as null): 400 UnstorableNumberError naming the path', async () => {
      const body = await refused(
        () => send('post', '/artworks', `{"title":"Huge","stylePeriod":{"links":{"self":"${REMOTE}"},"size":1e400}}`),
        400,
        'UnstorableNumberError',
        'stylePeriod.size',
      );
      expect(body.path).toBe('stylePeriod.size');
    });

    it.each([
      ['/references?target=', `/references?target=${encodeURIComponent('http://catalogue.test/terms/\0')}`, 'target'],
      ['/artworks?q=', '/artworks?q=baroque%00', 'q'],
    ])('a NUL character in %s: 400 naming the parameter', async (_name, path, field) => {
      const body = await refused(() => api.get(path), 400, 'UnstorableStringError', field);
      expect(body.path).toBe(field);
    });
  });

  describe('lengths checked against the columns that store them', () => {
    it('a remote copy whose id is longer than reference_uuid (64 characters): 400 naming the copy', async () => {
      const copy = { links: { self: REMOTE }, id: 'x'.repeat(65), title: 'Remote' };
      const body = await refused(() => api.post('/artworks', { title: 'Long id', stylePeriod: copy }), 400, 'InvalidReferenceUuidError', 'stylePeriod');
      expect(body).toMatchObject({ path: 'stylePeriod', message: 'stylePeriod: the id of the copied record is longer than 64 characters' });
      const inArray = await refused(
        () => api.put(`/artworks/${artwork.id}`, { title: 'Long id', styles: [linkTo(term.links.self), copy] }),
        400,
        'InvalidReferenceUuidError',
        'styles[1]',
      );
      expect(inArray.path).toBe('styles[1]');
    });

    it('takes a remote copy whose id fills the column', async () => {
      const response = await api.post('/artworks', { title: 'Id of 64', stylePeriod: { links: { self: REMOTE }, id: 'y'.repeat(64) } });
      expect(response.status).toBe(201);
      await api.delete(`/artworks/${response.body.id}`);
    });

    it.each([
      ['a link', (url: string) => ({ title: 'Long link', related: [url] }), 'each value in related must be an absolute http(s) URL'],
      ["an inline copy's links.self", (url: string) => ({ title: 'Long copy', stylePeriod: linkTo(url) }), 'stylePeriod.links.self must be an absolute http(s) URL'],
    ])('%s of 2,000 multibyte characters (6,000 bytes, past the b-tree limit): 400 naming the field', async (_name, body, rule) => {
      const url = `http://remote.example/${cjk(2000)}`;
      expect(url.length).toBeLessThan(2048);
      const answer = await refused(() => api.post('/artworks', body(url)), 400, 'InvalidFieldsError', rule);
      expect(answer.message).toEqual([`${rule} of at most ${MAX_REFERENCE_URL_BYTES} bytes`]);
    });

    it('stores a link of exactly 2,048 bytes of multibyte characters, and finds its referrer by it', async () => {
      const prefix = 'http://remote.example/';
      const url = `${prefix}${cjk(675)}${'a'.repeat(MAX_REFERENCE_URL_BYTES - prefix.length - 675 * 3)}`;
      expect(Buffer.byteLength(url)).toBe(MAX_REFERENCE_URL_BYTES);
      const created = await api.post('/artworks', { title: 'Longest link', related: [url] });
      expect(created.status).toBe(201);
      const referrers = await api.get(`/references?target=${encodeURIComponent(url)}`);
      expect(referrers.body.items).toEqual([expect.objectContaining({ referrerId: created.body.id, reference: url, path: 'related[0]' })]);
      await api.delete(`/artworks/${created.body.id}`);
    });
  });

  describe(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`, () => {
    it.each([
      ['10,000 levels in a remote copy', () => send('post', '/artworks', nestedBody(10_000)), 'stylePeriod.x'],
      ['1,000 levels (SQLite\'s own limit)', () => send('put', `/artworks/${artwork.id}`, nestedBody(1_000)), 'stylePeriod.x'],
      [`${MAX_JSON_DEPTH + 1} levels`, () => send('post', '/artworks', nestedBody(MAX_JSON_DEPTH + 1)), 'stylePeriod.x'],
      ['10,000 levels of objects in a term', () => send('post', '/terms', `{"slug":"d","title":"D","parent":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`), 'parent.a'],
    ])('%s: 400 JsonTooDeepError naming where', async (_name, request, path) => {
      const body = await refused(request, 400, 'JsonTooDeepError', path);
      expect(body.path.startsWith(path)).toBe(true);
      expect(body.message).toContain(`nested deeper than ${MAX_JSON_DEPTH} levels`);
    });

    it(`refuses ${maxDepth + 1} levels, past what the database stores: 400 JsonTooDeepError naming where`, async () => {
      const body = await refused(() => send('post', '/artworks', nestedBody(maxDepth + 1)), 400, 'JsonTooDeepError', 'stylePeriod.x');
      expect(body.message).toContain(`nested deeper than ${maxDepth} levels`);
    });

    it(`takes ${maxDepth} levels`, async () => {
      const response = await send('post', '/artworks', nestedBody(maxDepth));
      expect(response.status).toBe(201);
      await api.delete(`/artworks/${response.body.id}`);
    });
  });

  describe('limit and offset on every list endpoint', () => {
    const lists = [
      '/terms',
      '/agents',
      '/artworks',
      '/artworks?q=baroque',
      `/references?target=${encodeURIComponent('http://catalogue.test/terms/')}&match=prefix`,
      '/terms/{term}/referrers',
    ];
    /** The list's path, with the id of the term written in beforeAll. */
    const at = (list: string) => list.replace('{term}', term.id);
    const bad = [
      ['offset=1e20', 'offset must not be greater than 10000: page further by cursor'],
      ['offset=10001', 'offset must not be greater than 10000: page further by cursor'],
      ['offset=-1', 'offset must not be less than 0'],
      ['offset=1.5', 'offset must be an integer number'],
      ['limit=1e20', 'limit must not be greater than 1000'],
      ['limit=1001', 'limit must not be greater than 1000'],
      ['limit=0', 'limit must not be less than 1'],
      ['limit=-5', 'limit must not be less than 1'],
      ['limit=2.5', 'limit must be an integer number'],
    ];
    it.each(lists.flatMap((list) => bad.map(([query, message]) => [list, query, message])))(
      'GET %s with %s: 400 naming the parameter',
      async (list, query, message) => {
        const body = await refused(() => api.get(`${at(list)}${list.includes('?') ? '&' : '?'}${query}`), 400, 'InvalidFieldsError', message);
        expect(body.message).toContain(message);
      },
    );

    it.each(lists)('GET %s takes the largest offset and answers an empty page', async (list) => {
      const response = await api.get(`${at(list)}${list.includes('?') ? '&' : '?'}offset=10000&limit=1000`);
      expect(response.status).toBe(200);
      expect(response.body.items).toEqual([]);
    });

    const cursorLists = lists.filter((list) => !list.includes('q='));
    it.each(cursorLists)('GET %s with a cursor and an offset: 400 naming both, nothing written', async (list) => {
      const first = await api.get(`${at(list)}${list.includes('?') ? '&' : '?'}limit=1`);
      const cursor = first.body.next ?? '00000000-0000-4000-8000-000000000000';
      const body = await refused(
        () => api.get(`${at(list)}${list.includes('?') ? '&' : '?'}offset=1&cursor=${encodeURIComponent(cursor)}`),
        400,
        'InvalidFieldsError',
        'cursor cannot be combined with offset',
      );
      expect(JSON.stringify(body.message)).toContain('offset');
    });

    it.each([
      ['/terms', 'cursor=not-a-uuid', 'InvalidFieldsError', 'cursor must be a UUID'],
      ['/agents', 'cursor=not-a-uuid', 'InvalidFieldsError', 'cursor must be a UUID'],
      ['/artworks', 'cursor=not-a-uuid', 'InvalidFieldsError', 'cursor must be a UUID'],
      ['/artworks', 'q=baroque&cursor=00000000-0000-4000-8000-000000000000', 'InvalidFieldsError', 'q cannot be combined with cursor'],
      [`/references?target=x`, 'cursor=not%20a%20cursor', 'InvalidCursorError', 'cursor'],
      [`/references?target=x`, `cursor=${Buffer.from('["\u0000",1]').toString('base64url')}`, 'InvalidCursorError', 'cursor'],
      [`/references?target=x`, 'cursor=', 'InvalidFieldsError', 'cursor should not be empty'],
    ])('GET %s with %s: 400 %s naming the parameter', async (list, query, error, message) => {
      await refused(() => api.get(`${at(list)}${list.includes('?') ? '&' : '?'}${query}`), 400, error, message);
    });
  });

  describe('writes take application/json only', () => {
    it.each([
      ['a form with a __proto__ key', () => send('post', '/terms', 'slug=form&title=Form&__proto__=x', 'application/x-www-form-urlencoded'), 'application/x-www-form-urlencoded'],
      ['a form on PUT', () => send('put', `/terms/${term.id}`, 'slug=baroque&title=Form', 'application/x-www-form-urlencoded'), 'application/x-www-form-urlencoded'],
      ['JSON labelled text/plain', () => send('post', '/artworks', '{"title":"Text"}', 'text/plain'), 'text/plain'],
      ['JSON labelled application/vnd.api+json', () => send('post', '/artworks', '{"title":"Vendor"}', 'application/vnd.api+json'), 'application/vnd.api+json'],
      ['no body at all', () => api.anonymous().post('/artworks').set(AUTH), 'none'],
    ])('%s: 415 naming Content-Type', async (_name, request, got) => {
      const body = await refused(request, 415, 'UnsupportedContentTypeError', 'Content-Type must be application/json');
      expect(body.message).toContain(got);
    });

    it('still asks for the token first', async () => {
      const response = await api.anonymous().post('/terms').type('form').send('slug=anon&title=Anon');
      expect(response.status).toBe(401);
    });

    it('takes application/json with a charset', async () => {
      const response = await send('post', '/artworks', '{"title":"Charset"}', 'application/json; charset=utf-8');
      expect(response.status).toBe(201);
      await api.delete(`/artworks/${response.body.id}`);
    });
  });

  describe('unknown and forbidden keys', () => {
    const lists = ['/terms', '/artworks', `/references?target=${encodeURIComponent('http://catalogue.test/terms/')}`];
    it.each(lists.flatMap((list) => ['__proto__', 'constructor', 'prototype'].map((key) => [list, key])))(
      'GET %s with the key %s: 400 ForbiddenKeyError naming it',
      async (list, key) => {
        const body = await refused(() => api.get(`${list}${list.includes('?') ? '&' : '?'}${key}=1`), 400, 'ForbiddenKeyError', key);
        expect(body.path).toBe(key);
      },
    );

    it.each(lists.flatMap((list) => ['foo', 'hasOwnProperty', 'isPrototypeOf', 'toString'].map((key) => [list, key])))(
      'GET %s with the key %s: 400 UnknownKeyError naming it',
      async (list, key) => {
        const body = await refused(() => api.get(`${list}${list.includes('?') ? '&' : '?'}${key}=1`), 400, 'UnknownKeyError', key);
        expect(body.message).toEqual([`property ${key} should not exist`]);
      },
    );

    it('a body key named after an Object.prototype member (which class-validator lets through): 400 naming each', async () => {
      const body = await refused(
        () => send('post', '/artworks', '{"title":"Keys","hasOwnProperty":1,"__defineGetter__":2}'),
        400,
        'UnknownKeyError',
        'hasOwnProperty',
      );
      expect(body.message).toEqual(['property hasOwnProperty should not exist', 'property __defineGetter__ should not exist']);
    });
  });
});
