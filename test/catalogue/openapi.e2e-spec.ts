import { beforeAll, describe, expect, it } from '@jest/globals';
import { Validator } from '@seriousme/openapi-schema-validator';
import { DATABASES } from '../support/databases.js';
import { catalogueForSuite } from './catalogue-app.js';

type Schema = { type?: string; properties: Record<string, { example?: unknown; writeOnly?: boolean }>; required?: string[] };

/** The POST routes of the document and the schema of their bodies, e.g. `/terms` → TermMetadata. */
function postBodies(document: Record<string, any>): Array<{ path: string; name: string; schema: Schema }> {
  return Object.entries<Record<string, any>>(document.paths)
    .filter(([, operations]) => operations.post?.requestBody)
    .map(([path, operations]) => {
      const name = String(operations.post.requestBody.content['application/json'].schema.$ref).replace('#/components/schemas/', '');
      return { path, name, schema: document.components.schemas[name] };
    });
}

/** A body made of the document's own examples: of every property, or of the required ones only. */
function exampleBody(schema: Schema, only?: string[]): Record<string, unknown> {
  const keys = only ?? Object.keys(schema.properties);
  return Object.fromEntries(keys.map((key) => [key, schema.properties[key].example]));
}

describe.each(DATABASES)('the catalogue OpenAPI document on %s', (kind) => {
  const { api } = catalogueForSuite(kind);
  let document: Record<string, any>;

  beforeAll(async () => {
    const response = await api.get('/docs-json');
    expect(response.status).toBe(200);
    document = response.body;
  });

  it('is a valid OpenAPI document', async () => {
    const result = await new Validator().validate(document);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
  });

  it('shows the Authorization header as written (Markdown code, not an HTML tag) and does not call the token a JWT', () => {
    expect(document.info.description).toContain('`Authorization: Bearer <token>`');
    expect(document.components.securitySchemes.bearer).toEqual({
      type: 'http',
      scheme: 'bearer',
      description: expect.stringContaining('CATALOGUE_TOKEN'),
    });
    for (const operation of [document.paths['/terms'].post, document.paths['/artworks/{id}'].delete]) {
      expect(operation.security).toEqual([{ bearer: [] }]);
      expect(operation.responses['401'].description).toContain('`Authorization: Bearer <token>`');
    }
  });

  it('says what PUT guarantees about the referrers in sync mode and in queue mode', () => {
    for (const path of ['/terms/{id}', '/agents/{id}', '/artworks/{id}']) {
      const description: string = document.paths[path].put.responses['200'].description;
      expect(description).toMatch(/In sync mode .* every referrer is already updated when this answers/);
      expect(description).toMatch(/In queue mode .* the referrers are updated afterwards/);
    }
  });

  it('marks as required exactly the fields the API cannot do without', () => {
    const required = Object.fromEntries(postBodies(document).map(({ name, schema }) => [name, schema.required]));
    expect(required).toEqual({ TermMetadata: ['slug', 'title'], AgentMetadata: ['name', 'kind'], ArtworkMetadata: ['title'] });
  });

  it('describes an array of inline copies as an array, with an array as its example', () => {
    const styles = document.components.schemas.ArtworkMetadata.properties.styles;
    expect(styles).toMatchObject({ type: 'array', items: { type: 'object', additionalProperties: true } });
    expect(Array.isArray(styles.example)).toBe(true);
  });

  it('marks as required exactly the query parameters a GET cannot do without', async () => {
    const gets = Object.entries<Record<string, any>>(document.paths).filter(([path, operations]) => operations.get && !path.includes('{'));
    expect(gets.length).toBeGreaterThan(3);
    for (const [path, operations] of gets) {
      const required: string[] = (operations.get.parameters ?? [])
        .filter((parameter: Record<string, any>) => parameter.in === 'query' && parameter.required)
        .map((parameter: Record<string, any>) => parameter.name);
      const response = await api.get(path);
      if (required.length === 0) {
        expect({ path, status: response.status }).toEqual({ path, status: 200 });
      } else {
        expect({ path, status: response.status }).toEqual({ path, status: 400 });
        for (const name of required) expect(JSON.stringify(response.body.message)).toContain(name);
      }
    }
  });

  describe('response schemas, for a client generator', () => {
    const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
    // NOTE: JSON where a route answers JSON; /metrics answers Prometheus' text format.
    const schemaOf = (response: Record<string, any>) =>
      response?.content?.['application/json']?.schema ?? (Object.values(response?.content ?? {})[0] as any)?.schema;
    const operations = () =>
      Object.entries<Record<string, any>>(document.paths).flatMap(([path, methods]) =>
        Object.entries<Record<string, any>>(methods).map(([method, operation]) => ({ path, method, operation })),
      );

    it.each([
      ['terms', 'Term', 'TermMetadata'],
      ['agents', 'Agent', 'AgentMetadata'],
      ['artworks', 'Artwork', 'ArtworkMetadata'],
    ])('describes a record of /%s as its metadata with id and links, and refers to it from each of its routes', (route, name, metadata) => {
      const record = document.components.schemas[name];
      expect(Object.keys(record.properties)).toEqual(
        expect.arrayContaining([...Object.keys(document.components.schemas[metadata].properties), 'id', 'links']),
      );
      expect(record.required).toEqual(expect.arrayContaining([...document.components.schemas[metadata].required, 'id', 'links']));
      expect(record.properties.links).toEqual(ref('RecordLinks'));
      expect(document.components.schemas.RecordLinks.required).toEqual(['self']);

      expect(schemaOf(document.paths[`/${route}`].get.responses['200'])).toEqual(ref(`${name}Page`));
      expect(document.components.schemas[`${name}Page`].properties.items).toEqual({ type: 'array', items: ref(name) });
      expect(schemaOf(document.paths[`/${route}`].post.responses['201'])).toEqual(ref(name));
      expect(schemaOf(document.paths[`/${route}/{id}`].get.responses['200'])).toEqual(ref(name));
      expect(schemaOf(document.paths[`/${route}/{id}`].put.responses['200'])).toEqual(ref(name));
      expect(schemaOf(document.paths[`/${route}/{id}/referrers`].get.responses['200'])).toEqual(ref('ReferrerPage'));
    });

    it('describes every page as { items, next, total, totalExact }, the referrers of /references included', () => {
      expect(schemaOf(document.paths['/references'].get.responses['200'])).toEqual(ref('ReferrerPage'));
      for (const name of ['TermPage', 'AgentPage', 'ArtworkPage', 'ReferrerPage']) {
        const page = document.components.schemas[name];
        expect({ name, keys: Object.keys(page.properties) }).toEqual({ name, keys: ['items', 'next', 'total', 'totalExact'] });
        expect(page.required).toEqual(['items']);
        expect(page.properties).toMatchObject({
          next: { type: 'string', nullable: true },
          total: { type: 'integer' },
          totalExact: { type: 'boolean' },
        });
      }
      expect(document.components.schemas.ReferrerPage.properties.items).toEqual({ type: 'array', items: ref('ReferenceIndexRow') });
      expect(Object.keys(document.components.schemas.ReferenceIndexRow.properties)).toEqual([
        'referrerType',
        'referrerId',
        'reference',
        'referenceUuid',
        'inline',
        'path',
      ]);
    });

    it('documents limit, offset and cursor on every list route, and q on /artworks only', () => {
      const lists = ['/terms', '/agents', '/artworks', '/references', '/terms/{id}/referrers', '/agents/{id}/referrers', '/artworks/{id}/referrers'];
      for (const path of lists) {
        const names = document.paths[path].get.parameters.filter((p: Record<string, any>) => p.in === 'query').map((p: Record<string, any>) => p.name);
        expect({ path, names }).toEqual({ path, names: expect.arrayContaining(['limit', 'offset', 'cursor']) });
        expect({ path, q: names.includes('q') }).toEqual({ path, q: path === '/artworks' });
      }
    });

    it('refers every error response to the error schema { statusCode, error, message }', () => {
      const errors = operations().flatMap(({ path, method, operation }) =>
        Object.entries<Record<string, any>>(operation.responses)
          .filter(([status]) => status.startsWith('4'))
          .map(([status, response]) => ({ at: `${method} ${path} ${status}`, schema: schemaOf(response) })),
      );
      expect(errors.length).toBeGreaterThan(20);
      for (const { at, schema } of errors) expect({ at, schema }).toEqual({ at, schema: ref('ErrorBody') });
      expect(document.components.schemas.ErrorBody.required).toEqual(['statusCode', 'error', 'message']);
    });

    it('gives every response that has a body a schema', () => {
      for (const { path, method, operation } of operations()) {
        for (const [status, response] of Object.entries<Record<string, any>>(operation.responses)) {
          const at = `${method} ${path} ${status}`;
          expect({ at, schema: status === '204' ? 'none' : typeof schemaOf(response) }).toEqual({ at, schema: status === '204' ? 'none' : 'object' });
        }
      }
      expect(schemaOf(document.paths['/'].get.responses['200'])).toEqual(ref('Home'));
    });
  });

  describe.each(['/terms', '/agents', '/artworks'])('POST %s', (path) => {
    let body: ReturnType<typeof postBodies>[number];
    const total = async () => (await api.get(path)).body.total as number;

    beforeAll(() => {
      body = postBodies(document).find((candidate) => candidate.path === path)!;
    });

    it('answers 201 to the examples of the required fields alone', async () => {
      const response = await api.post(path, exampleBody(body.schema, body.schema.required));
      expect(response.status).toBe(201);
    });

    it('answers 201 to the examples of every field', async () => {
      const sent = exampleBody(body.schema);
      expect(Object.entries(sent).filter(([, example]) => example === undefined)).toEqual([]);
      const response = await api.post(path, sent);
      expect(response.status).toBe(201);
      // NOTE: a write-only field (an agent's private email) is stored, and never in a response.
      const shown = Object.keys(sent).filter((key) => !body.schema.properties[key].writeOnly);
      expect(Object.keys(response.body)).toEqual(expect.arrayContaining(shown));
      for (const hidden of Object.keys(sent).filter((key) => !shown.includes(key))) expect(response.body).not.toHaveProperty(hidden);
    });

    it('answers 400 naming each required field that is missing, and writes nothing', async () => {
      for (const missing of body.schema.required!) {
        const before = await total();
        const response = await api.post(path, exampleBody(body.schema, body.schema.required!.filter((key) => key !== missing)));
        expect({ missing, status: response.status }).toEqual({ missing, status: 400 });
        expect(JSON.stringify(response.body.message)).toContain(missing);
        expect(await total()).toBe(before);
      }
    });
  });
});
