import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { Redis } from 'ioredis';
import { queueRedis, referencesQueue } from './references-queue.util.js';

/**
 * Queue mode: one warning when the propagation queue loses Redis and one line when it is back, instead of
 * silence (ioredis retries without a word) or a line per reconnection attempt.
 */
@Injectable()
export class RedisConnectionLogger implements OnApplicationBootstrap {
  private readonly logger = new Logger('Redis');
  private lost = false;

  constructor(private readonly moduleRef: ModuleRef) {}

  onApplicationBootstrap(): void {
    // NOTE: not awaited: BullMQ hands out its client once connected, and the app starts without waiting for it.
    void queueRedis(referencesQueue(this.moduleRef)).then((client) => this.watch(client));
  }

  private watch(client: Redis): void {
    client.on('error', (error: Error) => {
      if (this.lost) return;
      this.lost = true;
      this.logger.warn(`connection lost: ${error.message}; changes wait in the outbox until Redis is back`);
    });
    client.on('ready', () => {
      if (!this.lost) return;
      this.lost = false;
      this.logger.log('connection back; the queue goes on');
    });
  }
}
