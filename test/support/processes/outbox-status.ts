// Prints ReferencesService.status() as JSON, from a process of its own, so that a test can give the app a
// time zone (TZ) and the database session another (STATUS_PG_TIMEZONE) than its own; on the SQLite file
// STATUS_SQLITE_FILE when set.
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ReferencesModule, ReferencesService } from 'nestjs-references';
import { BASE_URL, TestNode, TestRecord } from '../fixtures.js';

@Module({
  imports: [
    TypeOrmModule.forRoot({
      ...(process.env.STATUS_SQLITE_FILE
        ? { type: 'better-sqlite3' as const, database: process.env.STATUS_SQLITE_FILE }
        : {
            type: 'postgres' as const,
            url: process.env.STATUS_DATABASE_URL,
            extra: { options: `-c TimeZone=${process.env.STATUS_PG_TIMEZONE ?? 'UTC'}` },
          }),
      entities: [TestRecord, TestNode],
      autoLoadEntities: true,
    }),
    ReferencesModule.forRoot({
      baseUrl: BASE_URL,
      propagation: 'queue',
      queue: { bull: { redis: process.env.STATUS_REDIS_URL, prefix: process.env.STATUS_QUEUE_PREFIX }, worker: false, sweep: false },
    }),
  ],
})
class StatusModule {}

const app = await NestFactory.createApplicationContext(StatusModule, { logger: ['error'] });
process.stdout.write(JSON.stringify(await app.get(ReferencesService).status()) + '\n');
await app.close();
