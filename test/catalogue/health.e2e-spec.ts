import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ReferenceOutboxEntry } from 'nestjs-references';
import { DATABASES, REDIS_URL } from '../support/databases.js';
import { QUEUE_DRIVERS, type QueueDriverName } from '../support/queues.js';
import { bootCatalogue, client } from './catalogue-app.js';

// Terminus adds how long each timed check took.
const up = { status: 'up', responseTime: expect.any(Number) };
const redisUp = { ...up, queue: 'references' };
const idleOutbox = { status: 'up', pending: 0, running: 0, failed: 0, stalled: 0, oldestPendingMs: null, maxPendingAgeMs: 300_000 };

describe.each(DATABASES)('GET /health on %s', (kind) => {
  describe('in sync mode', () => {
    let app: INestApplication;
    beforeAll(async () => {
      app = await bootCatalogue(kind);
    });
    afterAll(async () => {
      await app.close();
    });

    it('answers 200 with the database and the (empty) outbox, and no Redis', async () => {
      const response = await client(app).get('/health');
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        status: 'ok',
        info: { database: up, outbox: idleOutbox },
        error: {},
        details: { database: up, outbox: idleOutbox },
      });
    });
  });

  // NOTE: BullMQ on PostgreSQL only: the driver changes how Redis is reached, not the database.
  const drivers: readonly QueueDriverName[] = kind === 'postgres' ? QUEUE_DRIVERS : ['bull'];
  describe.each(drivers)('in queue mode on %s', (queueDriver) => {
    let app: INestApplication;
    beforeAll(async () => {
      app = await bootCatalogue(kind, { redisUrl: REDIS_URL, queueDriver, queuePrefix: `catalogue-${randomUUID()}` });
    });
    afterAll(async () => {
      await app.close();
    });

    it('answers 200 with the database, Redis and the outbox backlog', async () => {
      const response = await client(app).get('/health');
      expect(response.status).toBe(200);
      const expected = { database: up, redis: redisUp, outbox: idleOutbox };
      expect(response.body).toEqual({ status: 'ok', info: expected, error: {}, details: expected });
    });

    it('answers 503 with the outbox down while a propagation has failed for good', async () => {
      const outbox = app.get(DataSource).getRepository(ReferenceOutboxEntry);
      const failed = await outbox.save(
        outbox.create({ kind: 'content', reference: 'http://elsewhere.test/things/1', status: 'failed', error: 'gave up' }),
      );
      try {
        const response = await client(app).get('/health');
        expect(response.status).toBe(503);
        expect(response.body.status).toBe('error');
        expect(response.body.info).toEqual({ database: up, redis: redisUp });
        expect(response.body.error.outbox).toEqual({
          ...idleOutbox,
          status: 'down',
          failed: 1,
          message: '1 propagation(s) failed; their outbox rows hold the reason',
        });
      } finally {
        await outbox.delete({ id: failed.id });
      }
      expect((await client(app).get('/health')).status).toBe(200);
    });
  });
});
