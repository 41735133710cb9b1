import { Controller, Get, Inject, Logger } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator, type HealthCheckResult, type HealthIndicatorResult } from '@nestjs/terminus';
import { ReferencesHealthIndicator } from 'nestjs-references/terminus';
import { CATALOGUE_CONFIG, type CatalogueConfig } from '../config/catalogue.config.js';
import { HealthReport } from './health-report.dto.js';
import { RedisHealthIndicator } from './redis.health.js';

/** How long the database ping may take. */
const DATABASE_PING_TIMEOUT_MS = 2000;

/**
 * `/health`: the database, Redis (queue mode only) and the propagation backlog, in Terminus' format. Each
 * check has its own timeout (2 s); a check that is down says so in words of its own, and the driver's error
 * (which names hosts and ports) goes to the log, not into the public body.
 */
@ApiTags('health')
@Controller('health')
export class HealthController {
  private readonly logger = new Logger('Health');

  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly redis: RedisHealthIndicator,
    private readonly outbox: ReferencesHealthIndicator,
    @Inject(CATALOGUE_CONFIG) private readonly config: CatalogueConfig,
  ) {}

  @Get()
  // NOTE: the responses below, with their schema, stand instead of Terminus' own.
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  @ApiOkResponse({ description: '{ status: "ok", info, error: {}, details } — database, redis (queue mode), outbox', type: HealthReport })
  @ApiServiceUnavailableResponse({ description: '{ status: "error", info, error, details }: a check is down', type: HealthReport })
  check(): Promise<HealthCheckResult> {
    return this.health.check([
      () => this.publicly('database', this.database.pingCheck('database', { timeout: DATABASE_PING_TIMEOUT_MS }), 'the database does not answer'),
      ...(this.config.redisUrl ? [() => this.publicly('redis', this.redis.check('redis'), 'Redis does not answer')] : []),
      () => this.outbox.check('outbox', { maxPendingAgeMs: this.config.healthMaxPendingAgeMs }),
    ]);
  }

  /** A check's result with the driver's message of a down check replaced by `message` (the original is logged). */
  private async publicly(key: string, check: PromiseLike<HealthIndicatorResult>, message: string): Promise<HealthIndicatorResult> {
    const result = await check;
    const detail = result[key];
    if (detail?.status !== 'down') return result;
    this.logger.error(`/health: ${key} is down: ${detail.message ?? 'no message'}`);
    return { [key]: { ...detail, message } };
  }
}
