import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { REFERENCES_QUEUE } from 'nestjs-references';
import { REDIS_URL } from '../support/databases.js';
import { AUTH, BASE_URL, TOKEN, bootCatalogue } from './catalogue-app.js';

// Bull Board at /admin/queues: queue mode only, behind the write token (header, or ?token= that sets a cookie).
describe('queue dashboard in queue mode', () => {
  let app: INestApplication;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    app = await bootCatalogue('sqlite', { redisUrl: REDIS_URL, queuePrefix: `catalogue-${randomUUID()}` });
  });
  afterAll(async () => {
    await app.close();
  });

  it('answers 401 without the token, for the page and for its API', async () => {
    for (const path of ['/admin/queues', '/admin/queues/api/queues']) {
      const response = await http().get(path);
      expect(response.status).toBe(401);
      expect(response.headers['www-authenticate']).toBe('Bearer');
      expect(response.body.message).toContain('the queue dashboard needs the write token');
    }
  });

  it('answers 401 with a wrong token, in the header, the query or the cookie', async () => {
    expect((await http().get('/admin/queues').set('Authorization', 'Bearer wrong-token-0000')).status).toBe(401);
    expect((await http().get('/admin/queues?token=wrong-token-0000')).status).toBe(401);
    expect((await http().get('/admin/queues').set('Cookie', 'catalogue_dashboard=forged')).status).toBe(401);
  });

  it('is linked from GET /', async () => {
    const response = await http().get('/');
    expect(response.body.links.queues).toBe(`${BASE_URL}/admin/queues`);
  });

  it('serves the dashboard with Authorization: Bearer <token>', async () => {
    const response = await http().get('/admin/queues').set(AUTH);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
  });

  it('shows the library\'s queue through its API', async () => {
    const response = await http().get('/admin/queues/api/queues').set(AUTH);
    expect(response.status).toBe(200);
    expect(response.body.queues.map((queue: { name: string }) => queue.name)).toEqual([REFERENCES_QUEUE]);
  });

  it('lets a browser in with ?token= once: a cookie, and the address without the token', async () => {
    const login = await http().get(`/admin/queues?token=${TOKEN}`);
    expect(login.status).toBe(303);
    expect(login.headers.location).toBe('/admin/queues');
    const cookie = String(login.headers['set-cookie']);
    expect(cookie).toMatch(/^catalogue_dashboard=[\w-]+; Path=\/; HttpOnly; SameSite=Strict$/);
    expect(cookie).not.toContain(TOKEN);

    const session = cookie.split(';')[0];
    expect((await http().get('/admin/queues').set('Cookie', session)).status).toBe(200);
    expect((await http().get('/admin/queues/api/queues').set('Cookie', session)).status).toBe(200);
  });

  it('does not let the dashboard cookie write', async () => {
    const login = await http().get(`/admin/queues?token=${TOKEN}`);
    const session = String(login.headers['set-cookie']).split(';')[0];
    const value = session.split('=')[1];
    const response = await http().post('/terms').set('Authorization', `Bearer ${value}`).send({ slug: 'x', title: 'X' });
    expect(response.status).toBe(401);
  });
});

describe('queue dashboard in sync mode', () => {
  it('is not there', async () => {
    const app = await bootCatalogue('sqlite');
    try {
      expect((await request(app.getHttpServer()).get('/admin/queues').set(AUTH)).status).toBe(404);
    } finally {
      await app.close();
    }
  });
});
