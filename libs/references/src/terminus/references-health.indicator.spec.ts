import { describe, expect, it } from '@jest/globals';
import type { ModuleRef } from '@nestjs/core';
import { HealthIndicatorService } from '@nestjs/terminus';
import type { ReferencesStatus } from '../interfaces/references-reports.interface.js';
import { IDLE_STATUS } from '../outbox/reference-outbox.service.js';
import { getReferencesServiceToken } from '../references.tokens.js';
import type { ReferencesHealthCheckOptions } from './references-health-options.interface.js';
import { ReferencesHealthIndicator } from './references-health.indicator.js';

// The verdict on a backlog; the numbers come from ReferencesService.status() (tested against real outboxes in
// test/references/health-indicator.e2e-spec.ts). Here the status is given, to pin each threshold exactly.
const indicatorFor = (status: () => Promise<ReferencesStatus>) =>
  new ReferencesHealthIndicator(new HealthIndicatorService(), { get: () => ({ status }) } as unknown as ModuleRef);
const check = (status: ReferencesStatus, options: ReferencesHealthCheckOptions = { maxPendingAgeMs: 60_000 }) =>
  indicatorFor(async () => status).check('outbox', options);

const idle: ReferencesStatus = { ...IDLE_STATUS };

describe('ReferencesHealthIndicator', () => {
  it('is up when nothing waits', async () => {
    expect(await check(idle)).toEqual({ outbox: { status: 'up', ...idle, maxPendingAgeMs: 60_000 } });
  });

  it('waits five minutes for the oldest pending change by default', async () => {
    expect((await check({ ...idle, pending: 1, oldestPendingMs: 300_000 }, {})).outbox).toMatchObject({ status: 'up', maxPendingAgeMs: 300_000 });
    expect((await check({ ...idle, pending: 1, oldestPendingMs: 300_001 }, {})).outbox.status).toBe('down');
  });

  it('is up while the oldest pending change is within the threshold', async () => {
    const result = await check({ ...idle, pending: 3, running: 1, oldestPendingMs: 60_000 });
    expect(result.outbox.status).toBe('up');
  });

  it('is down once the oldest pending change is older than the threshold, naming its target', async () => {
    const held = { ...idle, pending: 3, oldestPendingMs: 60_001, oldestPendingReference: 'http://x.test/terms/1' };
    const result = await check(held);
    expect(result.outbox).toEqual({
      ...held,
      status: 'down',
      maxPendingAgeMs: 60_000,
      message: 'the oldest pending propagation, of http://x.test/terms/1, waits for 60001 ms (3 pending, 0 running)',
    });
  });

  it('is down when a propagation has failed for good, naming the target and the command that retries it, or more than maxFailed have', async () => {
    const result = await check({ ...idle, failed: 2, failedReference: 'http://x.test/terms/1' });
    expect(result.outbox).toMatchObject({
      status: 'down',
      failed: 2,
      message: "2 propagation(s) failed, the first of http://x.test/terms/1; run references failed, then 'references retry --all' once the cause is fixed",
    });
    expect((await check({ ...idle, failed: 2 }, { maxFailed: 2 })).outbox.status).toBe('up');
  });

  it('is down while a propagation is blocked', async () => {
    const result = await check({ ...idle, blocked: 1, oldestPendingMs: 10, oldestPendingReference: 'http://x.test/terms/2' });
    expect(result.outbox).toMatchObject({ status: 'down', blocked: 1, message: expect.stringContaining('1 propagation(s) blocked') });
  });

  it('is down past the limits on pending and stalled changes, when they are set', async () => {
    expect((await check({ ...idle, pending: 11 })).outbox.status).toBe('up');
    expect((await check({ ...idle, pending: 11 }, { maxPending: 10 })).outbox).toMatchObject({ status: 'down', message: '11 propagation(s) pending' });
    expect((await check({ ...idle, running: 2, stalled: 2 })).outbox.status).toBe('up');
    expect((await check({ ...idle, running: 2, stalled: 2 }, { maxStalled: 1 })).outbox).toMatchObject({
      status: 'down',
      message: '2 propagation(s) stalled: their workers are gone',
    });
  });

  it('is down, not failing, when the outbox cannot be read (the database is down), without the driver’s words', async () => {
    const indicator = indicatorFor(() => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432')));
    expect(await indicator.check('outbox', { maxPendingAgeMs: 60_000 })).toEqual({
      outbox: { status: 'down', maxPendingAgeMs: 60_000, message: 'cannot read the outbox' },
    });
  });

  it("reads the outbox of the data source it is asked about: that data source's ReferencesService", async () => {
    const asked: unknown[] = [];
    const moduleRef = { get: (token: unknown) => (asked.push(token), { status: async () => idle }) } as unknown as ModuleRef;
    const indicator = new ReferencesHealthIndicator(new HealthIndicatorService(), moduleRef);
    await indicator.check('archive', { dataSource: 'archive' });
    await indicator.check('outbox');
    expect(asked).toEqual([getReferencesServiceToken('archive'), getReferencesServiceToken()]);
  });

  it('is down when the outbox does not answer within the timeout', async () => {
    const indicator = indicatorFor(() => new Promise<never>(() => undefined));
    expect(await indicator.check('outbox', { timeoutMs: 20 })).toEqual({
      outbox: { status: 'down', maxPendingAgeMs: 300_000, message: 'cannot read the outbox' },
    });
  });
});
