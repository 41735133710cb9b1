import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { ReferencesHealthIndicator } from 'nestjs-references/terminus';
import { HealthController } from './health.controller.js';
import { MetricsController } from './metrics.controller.js';
import { RedisHealthIndicator } from './redis.health.js';

/** `/health` (the database, Redis in queue mode and the propagation backlog) and `/metrics` (Prometheus). */
@Module({
  imports: [TerminusModule.forRoot()],
  controllers: [HealthController, MetricsController],
  providers: [RedisHealthIndicator, ReferencesHealthIndicator],
})
export class HealthModule {}
