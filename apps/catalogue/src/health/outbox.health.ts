import { Inject, Injectable, Logger } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { ReferencesService, type ReferencesStatus } from 'nestjs-references';
import { CATALOGUE_CONFIG, type CatalogueConfig } from '../config/catalogue.config.js';

/** How long reading the outbox may take before it counts as down. */
export const OUTBOX_CHECK_TIMEOUT_MS = 2000;

/** What fixes failed propagations, named in the health message. */
const RETRY_COMMAND = "references failed, then 'references retry --all' once the cause is fixed";

/**
 * The propagation backlog from `ReferencesService.status()`: pending, running, blocked and failed changes and
 * the age of the oldest open one (all zero in sync mode). Down when a change has failed for good or is blocked,
 * when the oldest open change is older than `healthMaxPendingAgeMs` (workers stopped, falling behind, or a
 * referrer held by another client), naming the reference, or when the outbox cannot be read within 2 s (an
 * indicator that throws would make Terminus answer 500 instead of the 503 with every check's details). The
 * public body never carries a driver's error: that goes to the log.
 */
@Injectable()
export class OutboxHealthIndicator {
  private readonly logger = new Logger('Health');

  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly references: ReferencesService,
    @Inject(CATALOGUE_CONFIG) private readonly config: CatalogueConfig,
  ) {}

  async check(key: string): Promise<HealthIndicatorResult> {
    const maxPendingAgeMs = this.config.healthMaxPendingAgeMs;
    const indicator = this.indicators.check(key);
    let status: ReferencesStatus;
    try {
      status = await withTimeout(this.references.status(), OUTBOX_CHECK_TIMEOUT_MS);
    } catch (error) {
      this.logger.error(`/health cannot read the outbox: ${(error as Error).message}`);
      return indicator.down({ maxPendingAgeMs, message: 'cannot read the outbox' });
    }
    const data = { ...status, maxPendingAgeMs };
    if (status.failed > 0) {
      return indicator.down({ ...data, message: `${status.failed} propagation(s) failed, the first of ${status.failedReference}; run ${RETRY_COMMAND}` });
    }
    if (status.blocked > 0) {
      return indicator.down({
        ...data,
        message: `${status.blocked} propagation(s) blocked by transient errors (the database or Redis), the oldest of ${status.oldestPendingReference}; the sweep retries them`,
      });
    }
    if (status.oldestPendingMs !== null && status.oldestPendingMs > maxPendingAgeMs) {
      return indicator.down({
        ...data,
        message: `the oldest pending propagation, of ${status.oldestPendingReference}, waits for ${status.oldestPendingMs} ms (${status.pending} pending, ${status.running} running)`,
      });
    }
    return indicator.up(data);
  }
}

/** `promise`, or a rejection after `ms`. */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
