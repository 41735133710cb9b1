import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator, type HealthCheckResult } from '@nestjs/terminus';
import { ReferencesHealthIndicator } from 'nestjs-references/terminus';
import { CATALOGUE_CONFIG, type CatalogueConfig } from '../config/catalogue.config.js';
import { HealthReport } from './health-report.dto.js';
import { RedisHealthIndicator } from './redis.health.js';

/** How long the database ping may take. */
const DATABASE_PING_TIMEOUT_MS = 2000;

/** `/health`: the database, Redis (queue mode only) and the propagation backlog, in Terminus' format. */
@ApiTags('health')
@Controller('health')
export class HealthController {
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
      () => this.database.pingCheck('database', { timeout: DATABASE_PING_TIMEOUT_MS }),
      ...(this.config.redisUrl ? [() => this.redis.check('redis')] : []),
      () => this.outbox.check('outbox', { maxPendingAgeMs: this.config.healthMaxPendingAgeMs }),
    ]);
  }
}
