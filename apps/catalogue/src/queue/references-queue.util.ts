import type { ModuleRef } from '@nestjs/core';
import type { Queue as BullQueue } from 'bull';
import type { Queue as BullMqQueue } from 'bullmq';
import type { Redis } from 'ioredis';
import { getReferencesQueueToken } from 'nestjs-references';

/** The library's propagation queue: Bull's or BullMQ's, per `QUEUE_DRIVER`. */
export type ReferencesQueue = BullQueue | BullMqQueue;

/** Whether `queue` is BullMQ's (Bull's has no `waitUntilReady`). */
export const isBullMqQueue = (queue: ReferencesQueue): queue is BullMqQueue => typeof (queue as BullMqQueue).waitUntilReady === 'function';

/** The library's propagation queue. NOTE: registered inside the library's module, so looked up rather than injected. */
export function referencesQueue(moduleRef: ModuleRef): ReferencesQueue {
  return moduleRef.get<ReferencesQueue>(getReferencesQueueToken(), { strict: false });
}

/**
 * The queue's own Redis connection: Bull's `client`, or the ioredis client under BullMQ's backend (which
 * BullMQ keeps out of its public interface, and hands out once it is connected).
 */
export async function queueRedis(queue: ReferencesQueue): Promise<Redis> {
  if (!isBullMqQueue(queue)) return queue.client as unknown as Redis;
  return (await (queue.getBackend() as unknown as { client: Promise<unknown> }).client) as Redis;
}
