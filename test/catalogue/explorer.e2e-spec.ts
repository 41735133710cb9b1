import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { REDIS_URL } from '../support/databases.js';
import { AUTH, TOKEN, bootCatalogue, client, linkTo, termUrl } from './catalogue-app.js';

// The catalogue mounts the references explorer at /explorer (the pages are tested in a browser in
// test/references/explorer.e2e-spec.ts); its actions take the write token, as a header or the dashboard's cookie.
describe('the catalogue at /explorer', () => {
  let app: INestApplication;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    app = await bootCatalogue('sqlite', { redisUrl: REDIS_URL, queuePrefix: `catalogue-${randomUUID()}` });
  });
  afterAll(() => app.close());

  it('is linked from GET /', async () => {
    expect((await http().get('/')).body.links.explorer).toMatch(/\/explorer$/);
  });

  it("shows a term with the artwork that holds a copy of it", async () => {
    const term = await client(app).create('terms', { slug: 'baroque', title: 'Baroque' });
    const artwork = await client(app).create('artworks', { title: 'Judith', stylePeriod: linkTo(term.links.self) });
    const response = await http().get(`/explorer/record?${new URLSearchParams({ url: termUrl(term.id) })}`);
    expect(response.status).toBe(200);
    expect(response.headers['content-security-policy']).toContain("default-src 'none'");
    expect(response.text).toContain(`data-referrer="artworks/${artwork.id}"`);
  });

  it('refuses the refresh action without the write token (403), and runs it with the token or the dashboard cookie', async () => {
    const term = await client(app).create('terms', { slug: 'rococo', title: 'Rococo' });
    const action = `/explorer/actions/refresh?${new URLSearchParams({ url: term.links.self })}`;
    expect((await http().post(action)).status).toBe(403);
    expect((await http().post(action).set('Cookie', 'catalogue_dashboard=forged')).status).toBe(403);
    const withToken = await http().post(action).set(AUTH);
    expect(withToken.status).toBe(303);
    expect(withToken.headers.location).toContain('/explorer/record?');
    const login = await http().get(`/admin/queues?token=${TOKEN}`);
    const session = String(login.headers['set-cookie']).split(';')[0];
    expect((await http().post(action).set('Cookie', session)).status).toBe(303);
  });
});
