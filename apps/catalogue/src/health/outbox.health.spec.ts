import { describe, expect, it } from '@jest/globals';
import { HealthIndicatorService } from '@nestjs/terminus';
import type { ReferencesService, ReferencesStatus } from 'nestjs-references';
import type { CatalogueConfig } from '../config/catalogue.config.js';
import { OutboxHealthIndicator } from './outbox.health.js';

// The verdict on a backlog; the numbers come from ReferencesService.status() (tested against real queues in
// test/catalogue/health.e2e-spec.ts). Here the status is given, to pin the threshold exactly.
const indicatorFor = (status: ReferencesStatus, maxPendingAgeMs = 60_000) =>
  new OutboxHealthIndicator(
    new HealthIndicatorService(),
    { status: async () => status } as Pick<ReferencesService, 'status'> as ReferencesService,
    { healthMaxPendingAgeMs: maxPendingAgeMs } as CatalogueConfig,
  );

const idle: ReferencesStatus = {
  pending: 0,
  running: 0,
  failed: 0,
  blocked: 0,
  stalled: 0,
  oldestPendingMs: null,
  oldestPendingReference: null,
  failedReference: null,
  reindexFailed: 0,
};

describe('OutboxHealthIndicator', () => {
  it('is up when nothing waits', async () => {
    expect(await indicatorFor(idle).check('outbox')).toEqual({ outbox: { status: 'up', ...idle, maxPendingAgeMs: 60_000 } });
  });

  it('is up while the oldest pending change is within the threshold', async () => {
    const result = await indicatorFor({ ...idle, pending: 3, running: 1, oldestPendingMs: 60_000 }).check('outbox');
    expect(result.outbox.status).toBe('up');
  });

  it('is down once the oldest pending change is older than the threshold', async () => {
    const held = { ...idle, pending: 3, oldestPendingMs: 60_001, oldestPendingReference: 'http://x.test/terms/1' };
    const result = await indicatorFor(held).check('outbox');
    expect(result.outbox).toEqual({
      ...held,
      status: 'down',
      maxPendingAgeMs: 60_000,
      message: 'the oldest pending propagation, of http://x.test/terms/1, waits for 60001 ms (3 pending, 0 running)',
    });
  });

  it('is down, not failing, when the outbox cannot be read (the database is down), without the driver’s words', async () => {
    const indicator = new OutboxHealthIndicator(
      new HealthIndicatorService(),
      { status: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432')) } as Pick<ReferencesService, 'status'> as ReferencesService,
      { healthMaxPendingAgeMs: 60_000 } as CatalogueConfig,
    );
    expect(await indicator.check('outbox')).toEqual({
      outbox: { status: 'down', maxPendingAgeMs: 60_000, message: 'cannot read the outbox' },
    });
  });

  it('is down when a propagation has failed for good, naming the reference and the command that retries it', async () => {
    const result = await indicatorFor({ ...idle, failed: 2, failedReference: 'http://x.test/terms/1' }).check('outbox');
    expect(result.outbox).toMatchObject({
      status: 'down',
      failed: 2,
      message: "2 propagation(s) failed, the first of http://x.test/terms/1; run references failed, then 'references retry --all' once the cause is fixed",
    });
  });

  it('is down while a propagation is blocked', async () => {
    const result = await indicatorFor({ ...idle, blocked: 1, oldestPendingMs: 10, oldestPendingReference: 'http://x.test/terms/2' }).check('outbox');
    expect(result.outbox).toMatchObject({ status: 'down', blocked: 1, message: expect.stringContaining('1 propagation(s) blocked') });
  });

  it('is down, within its own timeout, when the outbox does not answer', async () => {
    const indicator = new OutboxHealthIndicator(
      new HealthIndicatorService(),
      { status: () => new Promise(() => undefined) } as Pick<ReferencesService, 'status'> as ReferencesService,
      { healthMaxPendingAgeMs: 60_000 } as CatalogueConfig,
    );
    expect(await indicator.check('outbox')).toEqual({ outbox: { status: 'down', maxPendingAgeMs: 60_000, message: 'cannot read the outbox' } });
  });
});
