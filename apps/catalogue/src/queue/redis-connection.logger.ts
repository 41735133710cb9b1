import { getQueueToken } from '@nestjs/bull';
import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { Queue } from 'bull';
import { REFERENCES_QUEUE } from 'nestjs-references';

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
    // NOTE: the queue is registered inside the library's module, so it is looked up rather than injected.
    const queue = this.moduleRef.get<Queue>(getQueueToken(REFERENCES_QUEUE), { strict: false });
    queue.client.on('error', (error: Error) => {
      if (this.lost) return;
      this.lost = true;
      this.logger.warn(`connection lost: ${error.message}; changes wait in the outbox until Redis is back`);
    });
    queue.client.on('ready', () => {
      if (!this.lost) return;
      this.lost = false;
      this.logger.log('connection back; the queue goes on');
    });
  }
}
