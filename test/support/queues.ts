import type { ReferencesModuleOptions } from 'nestjs-references';
import { REDIS_URL } from './databases.js';

/** The queue options of queue mode. */
type QueueOptions = NonNullable<ReferencesModuleOptions['queue']>;

/** A queue library queue mode runs on. */
export type QueueDriverName = NonNullable<QueueOptions['driver']>;

/** The queue drivers the queue suites run on. */
export const QUEUE_DRIVERS: readonly QueueDriverName[] = ['bull', 'bullmq'];

/** The queue options that put an app on the queue `prefix` of the Redis at `redisUrl`, with `driver`. */
export function queueOn(driver: QueueDriverName, prefix: string, redisUrl = REDIS_URL): QueueOptions {
  return driver === 'bullmq' ? { driver, bullmq: { connection: { url: redisUrl }, prefix } } : { driver, bull: { redis: redisUrl, prefix } };
}
