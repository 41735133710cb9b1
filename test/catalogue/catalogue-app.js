import { Test } from '@nestjs/testing';
import request from 'supertest';
import { CatalogueModule } from '../../apps/catalogue/src/app.module.js';
import { setupCatalogue } from '../../apps/catalogue/src/app.setup.js';
import { connectionOptions } from '../support/databases.js';
export const BASE_URL = 'http://catalogue.test';
export const TOKEN = 'test-token-0123456789';
export const AUTH = { Authorization: `Bearer ${TOKEN}` };
export const termUrl = (id) => `${BASE_URL}/terms/${id}`;
export const artworkUrl = (id) => `${BASE_URL}/artworks/${id}`;
export const linkTo = (url) => ({ links: { self: url } });
/** The catalogue booted on a fresh, empty database of the given kind, as `main.ts` boots it. */
export async function bootCatalogue(kind, overrides = {}) {
    const config = {
        database: connectionOptions(kind),
        port: 0,
        baseUrl: BASE_URL,
        token: TOKEN,
        tokenGenerated: false,
        demo: false,
        ...overrides,
    };
    const moduleRef = await Test.createTestingModule({ imports: [CatalogueModule.forRoot(config)] }).compile();
    const app = setupCatalogue(moduleRef.createNestApplication({ logger: false }));
    await app.init();
    return app;
}
/** A client for one booted app: reads are open, writes carry the token. */
export function client(app) {
    const http = () => request(app.getHttpServer());
    return {
        get: (path) => http().get(path),
        post: (path, body) => http().post(path).set(AUTH).send(body),
        put: (path, body) => http().put(path).set(AUTH).send(body),
        delete: (path) => http().delete(path).set(AUTH),
        anonymous: http,
        /** POST that must succeed: returns the created representation. */
        async create(route, body) {
            const response = await http().post(`/${route}`).set(AUTH).send(body);
            if (response.status !== 201)
                throw new Error(`POST /${route} answered ${response.status}: ${JSON.stringify(response.body)}`);
            return response.body;
        },
    };
}
