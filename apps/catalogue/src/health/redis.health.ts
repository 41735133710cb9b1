import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { REFERENCES_QUEUE } from 'nestjs-references';
import { queueRedis, referencesQueue } from '../queue/references-queue.util.js';

/** How long a PING may take before Redis counts as down. */
export const REDIS_PING_TIMEOUT_MS = 2000;

/** ioredis states in which a command waits for a connection that is not there. */
const DISCONNECTED = new Set(['reconnecting', 'close', 'end']);

/** Redis as the library's propagation queue sees it: a PING through that queue's own connection. */
@Injectable()
export class RedisHealthIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly moduleRef: ModuleRef,
  ) {}

  check(key: string): PromiseLike<HealthIndicatorResult> {
    return this.indicators
      .check(key)
      .attempt(async () => {
        const client = await queueRedis(referencesQueue(this.moduleRef));
        // NOTE: a client that lost its connection queues the PING until it is back: say so at once.
        if (DISCONNECTED.has(client.status)) throw new Error(`not connected (${client.status})`);
        const answer = await client.ping();
        if (answer !== 'PONG') throw new Error(`PING answered ${answer}`);
        return { queue: REFERENCES_QUEUE };
      })
      .withTimeout(REDIS_PING_TIMEOUT_MS);
  }
}
