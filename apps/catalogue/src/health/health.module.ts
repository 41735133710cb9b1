import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller.js';
import { OutboxHealthIndicator } from './outbox.health.js';
import { RedisHealthIndicator } from './redis.health.js';

/** `/health`: the database, Redis (queue mode) and the propagation backlog. */
@Module({
  imports: [TerminusModule.forRoot()],
  controllers: [HealthController],
  providers: [RedisHealthIndicator, OutboxHealthIndicator],
})
export class HealthModule {}
