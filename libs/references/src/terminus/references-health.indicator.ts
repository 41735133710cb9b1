import { Injectable, Logger } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import type { ReferencesStatus } from '../interfaces/references-reports.interface.js';
import type { ReferencesService } from '../references.service.js';
import { getReferencesServiceToken } from '../references.tokens.js';
import type { ReferencesHealthCheckOptions } from './references-health-options.interface.js';

/** @default 300000 — milliseconds the oldest pending change may wait before the check is down. */
export const DEFAULT_MAX_PENDING_AGE_MS = 300_000;
/** @default 2000 — milliseconds the outbox may take to answer. */
export const DEFAULT_HEALTH_TIMEOUT_MS = 2000;

/** What fixes failed propagations, named in the health message. */
const RETRY_COMMAND = "references failed, then 'references retry --all' once the cause is fixed";

/** The outbox could not be read in time. */
class OutboxTimeoutError extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
  }
}

/**
 * A `@nestjs/terminus` indicator of propagation, per data source, from `ReferencesService.status()`: the
 * backlog (pending, running), failed, blocked and stalled changes and the age of the oldest open one (all zero
 * in sync mode). Down when a change has failed for good (naming its target and the command that retries it),
 * when one is blocked by transient errors, when the oldest open change is older than `maxPendingAgeMs`
 * (workers stopped, falling behind, or a referrer held by another client; naming its target), past the
 * optional limits on pending and stalled changes, or when the outbox cannot be read within `timeoutMs` (an
 * indicator that threw would make Terminus answer 500 instead of the 503 with every check's details). The
 * public body never carries a driver's error (it names hosts and ports): that goes to the log. Provide it
 * beside `TerminusModule`.
 *
 * @example
 * providers: [ReferencesHealthIndicator],
 * // in a HealthController:
 * this.health.check([() => this.references.check('outbox', { maxPendingAgeMs: 60_000 })]);
 */
@Injectable()
export class ReferencesHealthIndicator {
  private readonly logger = new Logger('ReferencesHealth');

  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly moduleRef: ModuleRef,
  ) {}

  async check(key: string, options: ReferencesHealthCheckOptions = {}): Promise<HealthIndicatorResult> {
    const maxPendingAgeMs = options.maxPendingAgeMs ?? DEFAULT_MAX_PENDING_AGE_MS;
    const indicator = this.indicators.check(key);
    let status: ReferencesStatus;
    try {
      status = await this.status(options.dataSource, options.timeoutMs ?? DEFAULT_HEALTH_TIMEOUT_MS);
    } catch (error) {
      this.logger.error(`${key}: cannot read the outbox: ${(error as Error).message}`);
      return indicator.down({ maxPendingAgeMs, message: 'cannot read the outbox' });
    }
    const data = { ...status, maxPendingAgeMs };
    const problem = this.problem(status, maxPendingAgeMs, options);
    return problem ? indicator.down({ ...data, message: problem }) : indicator.up(data);
  }

  /** What is wrong with this status, if anything. */
  private problem(status: ReferencesStatus, maxPendingAgeMs: number, options: ReferencesHealthCheckOptions): string | undefined {
    if (status.failed > (options.maxFailed ?? 0)) {
      return `${status.failed} propagation(s) failed, the first of ${status.failedReference}; run ${RETRY_COMMAND}`;
    }
    if (status.blocked > 0) {
      return `${status.blocked} propagation(s) blocked by transient errors (the database or Redis), the oldest of ${status.oldestPendingReference}; the sweep retries them`;
    }
    if (status.oldestPendingMs !== null && status.oldestPendingMs > maxPendingAgeMs) {
      return `the oldest pending propagation, of ${status.oldestPendingReference}, waits for ${status.oldestPendingMs} ms (${status.pending} pending, ${status.running} running)`;
    }
    if (options.maxPending !== undefined && status.pending > options.maxPending) return `${status.pending} propagation(s) pending`;
    if (options.maxStalled !== undefined && status.stalled > options.maxStalled) {
      return `${status.stalled} propagation(s) stalled: their workers are gone`;
    }
    return undefined;
  }

  private async status(dataSource: string | undefined, timeoutMs: number): Promise<ReferencesStatus> {
    // NOTE: looked up, not injected: the service is the data source's own, registered by its ReferencesModule.
    const references = this.moduleRef.get<ReferencesService>(getReferencesServiceToken(dataSource), { strict: false });
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new OutboxTimeoutError(timeoutMs)), timeoutMs);
    });
    try {
      return await Promise.race([references.status(), late]);
    } finally {
      clearTimeout(timer);
    }
  }
}
