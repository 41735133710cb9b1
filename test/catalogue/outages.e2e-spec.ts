import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { until } from '../support/processes.js';
import { outage, startPrivatePostgres, startPrivateRedis, type PrivateServer } from '../support/servers.js';
import { bootCatalogue, client } from './catalogue-app.js';

const OUTAGE_TIMEOUT_MS = 30_000;

// The catalogue in queue mode on a PostgreSQL cluster and a redis-server of the test's own, which it stops
// and starts again: what clients and /health see while one is down, and that it recovers by itself.
describe('the catalogue during outages (queue mode, private PostgreSQL and Redis)', () => {
  let postgres: PrivateServer;
  let redis: PrivateServer;
  let app: INestApplication;
  let api: ReturnType<typeof client>;
  const health = async () => (await api.get('/health')).status;

  beforeAll(async () => {
    postgres = await startPrivatePostgres();
    redis = await startPrivateRedis();
    app = await bootCatalogue('postgres', { database: { type: 'postgres', url: postgres.url }, redisUrl: redis.url });
    api = client(app);
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await redis?.destroy();
    await postgres?.destroy();
  }, 60_000);

  it('answers 503 with the failing checks while PostgreSQL is down, and 200 again once it is back', async () => {
    const term = await api.create('terms', { slug: 'baroque', title: 'Baroque' });
    expect(await health()).toBe(200);

    await outage(postgres, async () => {
      const response = await api.get('/health');
      expect(response.status).toBe(503);
      expect(response.body.status).toBe('error');
      expect(response.body.error.database).toMatchObject({ status: 'down', message: 'the database does not answer' });
      expect(response.body.error.outbox).toEqual({ status: 'down', maxPendingAgeMs: 300_000, message: 'cannot read the outbox' });
      // The public body names no driver error, host or port (those are logged).
      expect(JSON.stringify(response.body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|localhost|:\d{4,5}\b/);
      expect(response.body.info).toEqual({ redis: expect.objectContaining({ status: 'up' }) });
    });
    await until(async () => (await health()) === 200, OUTAGE_TIMEOUT_MS, '/health to answer 200 after the outage');
    expect((await api.get(`/terms/${term.id}`)).body.title).toBe('Baroque');
  });

  it('answers every other request with 503 and Retry-After while PostgreSQL is down, and writes nothing', async () => {
    const before = (await api.get('/terms')).body.total;
    await outage(postgres, async () => {
      for (const response of [await api.get('/terms'), await api.post('/terms', { slug: 'gothic', title: 'Gothic' })]) {
        expect(response.status).toBe(503);
        expect(response.headers['retry-after']).toBe('5');
        expect(response.body).toEqual({
          statusCode: 503,
          error: 'Service Unavailable',
          message: 'The database is unavailable; try again later',
        });
      }
    });
    await until(async () => (await api.get('/terms')).status === 200, OUTAGE_TIMEOUT_MS, 'GET /terms to answer 200 after the outage');
    expect((await api.get('/terms')).body.total).toBe(before);
  });

  it('answers 503 with Redis down while Redis is down, serves reads and writes meanwhile, and 200 once it is back', async () => {
    await outage(redis, async () => {
      const response = await api.get('/health');
      expect(response.status).toBe(503);
      expect(response.body.error).toEqual({ redis: expect.objectContaining({ status: 'down', message: 'Redis does not answer' }) });
      expect(JSON.stringify(response.body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|localhost|:\d{4,5}\b/);
      expect(response.body.info).toEqual({
        database: expect.objectContaining({ status: 'up' }),
        outbox: expect.objectContaining({ status: 'up' }),
      });
      // The database holds the truth (and the outbox): the API goes on without Redis.
      expect((await api.post('/terms', { slug: 'mannerism', title: 'Mannerism' })).status).toBe(201);
    });
    await until(async () => (await health()) === 200, OUTAGE_TIMEOUT_MS, '/health to answer 200 after the Redis outage');
  });
});
