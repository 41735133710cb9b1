import { Redis } from 'ioredis';
import { redact } from '../config/catalogue.config.js';
import { StartupCheckError } from './startup-check.error.js';

/** How long Redis may take to accept the check's connection. */
const CONNECT_TIMEOUT_MS = 5000;

/**
 * Connects to Redis once (and PINGs it) before the app starts in queue mode: with Redis unreachable the
 * queue's clients would retry for ever, the app would say it started, and every write's enqueue would wait.
 * One line and exit code 1 instead.
 */
export async function checkRedis(url: string): Promise<void> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  // NOTE: connect() rejects with "Connection is closed."; the reason comes as an 'error' event first.
  let reason: Error | undefined;
  redis.on('error', (error: Error) => (reason ??= error));
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    const why = (reason ?? (error as Error)).message;
    throw new StartupCheckError(`cannot reach Redis at ${redact(url)} (REDIS_URL): ${why}; start Redis, or unset REDIS_URL to run in sync mode`);
  } finally {
    redis.disconnect();
  }
}
