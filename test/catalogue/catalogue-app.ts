import { afterAll, beforeAll } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { CatalogueModule } from '../../apps/catalogue/src/app.module.js';
import { setupCatalogue } from '../../apps/catalogue/src/app.setup.js';
import type { CatalogueConfig, CatalogueDatabase } from '../../apps/catalogue/src/config/catalogue.config.js';
import { connectionOptions, type DatabaseKind } from '../support/databases.js';

export const BASE_URL = 'http://catalogue.test';
export const TOKEN = 'test-token-0123456789';
export const AUTH = { Authorization: `Bearer ${TOKEN}` };

export const termUrl = (id: string) => `${BASE_URL}/terms/${id}`;
export const artworkUrl = (id: string) => `${BASE_URL}/artworks/${id}`;
export const agentUrl = (id: string) => `${BASE_URL}/agents/${id}`;
export const linkTo = (url: string) => ({ links: { self: url } });

/**
 * The catalogue's connection options on a database of the given kind. On MariaDB, TypeORM's `mysql` type, as
 * `DATABASE_URL=mysql://…` gives (the library's suites use its `mariadb` type): both are tested.
 */
function catalogueDatabase(kind: DatabaseKind): CatalogueDatabase {
  const options = connectionOptions(kind) as CatalogueDatabase;
  return kind === 'mariadb' ? ({ ...options, type: 'mysql' } as CatalogueDatabase) : options;
}

/** The catalogue booted on a fresh, empty database of the given kind, as `main.ts` boots it. */
export async function bootCatalogue(kind: DatabaseKind, overrides: Partial<CatalogueConfig> = {}): Promise<INestApplication> {
  const config: CatalogueConfig = {
    database: catalogueDatabase(kind),
    port: 0,
    baseUrl: BASE_URL,
    defaultBaseUrl: BASE_URL,
    baseUrlAliases: [],
    token: TOKEN,
    tokenGenerated: false,
    demo: false,
    healthMaxPendingAgeMs: 300_000,
    ...overrides,
  };
  const moduleRef = await Test.createTestingModule({ imports: [CatalogueModule.forRoot(config)] }).compile();
  const app = setupCatalogue(moduleRef.createNestApplication({ logger: false }));
  await app.init();
  return app;
}

/**
 * The catalogue of a suite: booted (on a fresh database of the given kind) before the enclosing describe's
 * tests and closed after them. `app` is there once they run; `api` may be taken at once.
 */
export function catalogueForSuite(kind: DatabaseKind, overrides: Partial<CatalogueConfig> = {}) {
  let app: INestApplication | undefined;
  beforeAll(async () => {
    app = await bootCatalogue(kind, overrides);
  });
  afterAll(async () => {
    await app?.close();
  });
  const booted = () => {
    if (!app) throw new Error('the catalogue boots in beforeAll: use it from a test or a hook');
    return app;
  };
  return {
    get app(): INestApplication {
      return booted();
    },
    api: client(booted),
  };
}

/** A client for one booted app (or for the app a suite boots): reads are open, writes carry the token. */
export function client(app: INestApplication | (() => INestApplication)) {
  const http = () => request((typeof app === 'function' ? app() : app).getHttpServer());
  return {
    get: (path: string) => http().get(path),
    post: (path: string, body: object) => http().post(path).set(AUTH).send(body),
    put: (path: string, body: object) => http().put(path).set(AUTH).send(body),
    delete: (path: string) => http().delete(path).set(AUTH),
    anonymous: http,
    /** POST that must succeed: returns the created representation. */
    async create(route: 'terms' | 'agents' | 'artworks', body: object): Promise<Record<string, any>> {
      const response = await http().post(`/${route}`).set(AUTH).send(body);
      if (response.status !== 201) throw new Error(`POST /${route} answered ${response.status}: ${JSON.stringify(response.body)}`);
      return response.body;
    },
  };
}

/**
 * A root term, a child term under it and an artwork filed under the child (`stylePeriod`): the chain that a
 * change of the root travels, to the child and on to the artwork.
 */
export async function termChain(
  api: ReturnType<typeof client>,
  root: { slug: string; title: string },
  child: { slug: string; title: string },
  artworkTitle: string,
) {
  const rootTerm = await api.create('terms', { ...root, level: 1 });
  const childTerm = await api.create('terms', { ...child, level: 2, parent: linkTo(rootTerm.links.self) });
  const artwork = await api.create('artworks', { title: artworkTitle, stylePeriod: linkTo(childTerm.links.self) });
  return { root: rootTerm, child: childTerm, artwork };
}
