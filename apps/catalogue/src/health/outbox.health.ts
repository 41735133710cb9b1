import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { ReferencesService, type ReferencesStatus } from 'nestjs-references';
import { CATALOGUE_CONFIG, type CatalogueConfig } from '../config/catalogue.config.js';

/**
 * The propagation backlog from `ReferencesService.status()`: pending, running and failed changes and the age
 * of the oldest pending one (all zero in sync mode). Down when a change has failed for good, or when the
 * oldest pending change is older than `healthMaxPendingAgeMs` (workers stopped, or falling behind), or
 * when the outbox cannot be read (the database is down: an indicator that throws would make Terminus
 * answer 500 instead of the 503 with every check's details).
 */
@Injectable()
export class OutboxHealthIndicator {
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
      status = await this.references.status();
    } catch (error) {
      return indicator.down({ maxPendingAgeMs, message: `cannot read the outbox: ${(error as Error).message}` });
    }
    const data = { ...status, maxPendingAgeMs };
    if (status.failed > 0) {
      return indicator.down({ ...data, message: `${status.failed} propagation(s) failed; see the queue dashboard` });
    }
    if (status.oldestPendingMs !== null && status.oldestPendingMs > maxPendingAgeMs) {
      return indicator.down({ ...data, message: `the oldest pending propagation waits for ${status.oldestPendingMs} ms` });
    }
    return indicator.up(data);
  }
}
