import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ReferenceOutboxEntry } from 'nestjs-references';
import { DATABASES, REDIS_URL } from '../support/databases.js';
import { IDLE_REFERENCES_CHECK } from '../support/health.js';
import { QUEUE_DRIVERS, type QueueDriverName } from '../support/queues.js';
import { bootCatalogue, client } from './catalogue-app.js';

// Terminus adds how long each timed check took.
const up = { status: 'up', responseTime: expect.any(Number) };
const redisUp = { ...up, queue: 'references' };
const idleOutbox = { status: 'up', ...IDLE_REFERENCES_CHECK };

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
          failedReference: 'http://elsewhere.test/things/1',
          message:
            "1 propagation(s) failed, the first of http://elsewhere.test/things/1; run references failed, then 'references retry --all' once the cause is fixed",
        });
      } finally {
        await outbox.delete({ id: failed.id });
      }
      expect((await client(app).get('/health')).status).toBe(200);
    });

    it('answers 503 naming the reference while a propagation is held up longer than the configured age, and 200 after', async () => {
      const outbox = app.get(DataSource).getRepository(ReferenceOutboxEntry);
      // A referrer set aside (its row held by another client), not due for an hour, written ten minutes ago.
      const held = await outbox.save(
        outbox.create({ kind: 'content', reference: 'http://elsewhere.test/things/2', status: 'pending', retryAt: Date.now() + 3_600_000 }),
      );
      await outbox.update({ id: held.id }, { createdAt: new Date(Date.now() - 600_000) });
      try {
        const response = await client(app).get('/health');
        expect(response.status).toBe(503);
        expect(response.body.error.outbox).toMatchObject({
          status: 'down',
          pending: 1,
          oldestPendingReference: 'http://elsewhere.test/things/2',
          message: expect.stringMatching(/^the oldest pending propagation, of http:\/\/elsewhere\.test\/things\/2, waits for \d+ ms \(1 pending, 0 running\)$/),
        });
      } finally {
        await outbox.delete({ id: held.id });
      }
      expect((await client(app).get('/health')).status).toBe(200);
    });
  });
});
