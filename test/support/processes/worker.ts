// A propagation worker in a process of its own, for the reliability tests: it connects to the database
// and Redis given in its environment and processes the references queue until it is killed.
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ReferencesModule } from 'nestjs-references';
import { BASE_URL, TestMirror, TestNode, TestRecord } from '../fixtures.js';
import { queueOn } from '../queues.js';

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

@Module({
  imports: [
    TypeOrmModule.forRoot({ type: 'postgres', url: env('WORKER_DATABASE_URL'), entities: [TestRecord, TestNode, TestMirror], autoLoadEntities: true }),
    ReferencesModule.forRoot({
      baseUrl: BASE_URL,
      propagation: 'queue',
      batchSize: Number(process.env.WORKER_BATCH_SIZE ?? 1000),
      queue: {
        // NOTE: the lock and stalled-job settings are the library's defaults: the crash tests test them.
        ...queueOn(process.env.WORKER_QUEUE_DRIVER === 'bullmq' ? 'bullmq' : 'bull', env('WORKER_QUEUE_PREFIX'), env('WORKER_REDIS_URL')),
        sweepIntervalMs: 500,
        concurrency: Number(process.env.WORKER_CONCURRENCY ?? 1),
        leaseMs: Number(process.env.WORKER_LEASE_MS ?? 30_000),
      },
    }),
  ],
})
class WorkerModule {}

const app = await NestFactory.createApplicationContext(WorkerModule, { logger: ['error'] });
app.enableShutdownHooks();
process.send?.('ready');
