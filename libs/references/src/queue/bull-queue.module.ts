import { BullModule, getQueueToken } from '@nestjs/bull';
import { Module, type DynamicModule } from '@nestjs/common';
import type { Queue } from 'bull';
import { BullQueueDriver } from './bull-queue.driver.js';
import { queueDriverModule, type QueueLibrary } from './driver-module.util.js';

/**
 * Bull's settings that decide how soon a killed worker's job runs again, and how soon a worker resumes
 * after Redis comes back. A worker renews its job's lock every `lockRenewTime`; a job whose lock expired
 * (its worker died) is moved back to the waiting jobs by the next stalled-job check of any worker: at most
 * `lockDuration + stalledInterval` = 7.5 s after the kill. A job that stalls is not failed before it
 * stalled `maxStalledCount` times (and even then its outbox row is enqueued again by the sweep).
 * The cost: a worker whose event loop is blocked longer than `lockDuration` loses its job to another,
 * which then runs the same change at once; that is harmless (a run skips what is synced and reads the
 * target under a share lock), only wasteful. The app's `queue.bull.settings` take precedence.
 */
export const DEFAULT_BULL_SETTINGS = {
  lockDuration: 5000,
  lockRenewTime: 1500,
  stalledInterval: 2500,
  maxStalledCount: 10,
  // NOTE: Bull's default (5 s) is how long a worker waits after a Redis error before it fetches again.
  retryProcessDelay: 1000,
};

/** Bull (`@nestjs/bull`), with the app's `queue.bull` over `DEFAULT_BULL_SETTINGS`. */
const BULL: QueueLibrary<Queue> = {
  register: (queue) => BullModule.registerQueueAsync(queue),
  token: getQueueToken,
  queueOptions: (moduleOptions) => ({
    redis: 'redis://127.0.0.1:6379',
    ...moduleOptions.queue?.bull,
    settings: { ...DEFAULT_BULL_SETTINGS, ...moduleOptions.queue?.bull?.settings },
  }),
  driver: (queue) => new BullQueueDriver(queue),
};

/**
 * The Bull queue of one data source in queue mode (`queue.driver: 'bull'`), configured from its module
 * options (so it works with `forRootAsync` too), and its `QueueDriver`. The only module that loads
 * `@nestjs/bull` and `bull`.
 */
@Module({})
export class BullQueueModule {
  static register(name: string, options: DynamicModule): DynamicModule {
    return queueDriverModule(BullQueueModule, name, options, BULL);
  }
}
