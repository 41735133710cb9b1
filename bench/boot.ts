import 'reflect-metadata';
import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule, getDataSourceToken } from '@nestjs/typeorm';
import type { INestApplicationContext } from '@nestjs/common';
import type { DataSource, Logger as TypeOrmLogger } from 'typeorm';
import { ReferencesMaintenance, ReferencesModule, ReferencesService, referencesMigrations, type ReferencesModuleOptions } from 'nestjs-references';
import { Artwork, BASE_URL, CreateBenchTables1764000000100, Term } from './entities.js';

export type Kind = 'postgres' | 'sqlite';

export const PG_ADMIN_URL = process.env.BENCH_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const PG_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/bench';
/** The Redis of queue mode (the library's default server; a `/n` path picks database n). */
export const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface Bench {
  kind: Kind;
  app: INestApplicationContext;
  dataSource: DataSource;
  references: ReferencesService;
  maintenance: ReferencesMaintenance;
  close(): Promise<void>;
}

/** Captures the SQL of the statements TypeORM runs, when `capturing` is set (for EXPLAIN). */
export class CapturingLogger implements TypeOrmLogger {
  capturing = false;
  queries: Array<{ query: string; parameters?: unknown[] }> = [];
  logQuery(query: string, parameters?: unknown[]) {
    if (this.capturing) this.queries.push({ query, parameters });
  }
  logQueryError() {}
  logQuerySlow() {}
  logSchemaBuild() {}
  logMigration() {}
  log() {}
}

@Module({})
class BenchModule {
  static forRoot(typeorm: object, references: ReferencesModuleOptions): DynamicModule {
    return {
      module: BenchModule,
      imports: [TypeOrmModule.forRoot(typeorm as any), ReferencesModule.forRoot(references)],
    };
  }
}

/**
 * Boots the library on the bench database. `fresh` drops everything and runs the migrations;
 * otherwise it attaches to the tables a previous boot created (queue workers, second writer).
 */
export async function boot(
  kind: Kind,
  options: {
    fresh: boolean;
    sqliteFile?: string;
    logger?: TypeOrmLogger;
    references?: Partial<ReferencesModuleOptions>;
    /** More entities and the migrations of their tables (B6's normalised design). */
    extra?: { entities: Function[]; migrations: Function[] };
  },
): Promise<Bench> {
  const common = {
    entities: [Term, Artwork, ...(options.extra?.entities ?? [])],
    autoLoadEntities: true,
    migrations: [...referencesMigrations, CreateBenchTables1764000000100, ...(options.extra?.migrations ?? [])],
    migrationsRun: options.fresh,
    logging: options.logger ? true : false,
    logger: options.logger,
  };
  const typeorm =
    kind === 'postgres'
      ? { ...common, type: 'postgres', url: PG_URL, dropSchema: options.fresh }
      : { ...common, type: 'better-sqlite3', database: options.sqliteFile, dropSchema: options.fresh };
  const references: ReferencesModuleOptions = { baseUrl: BASE_URL, ...options.references };
  if (references.propagation === 'queue') {
    references.queue = { ...references.queue, bull: { redis: REDIS_URL, ...references.queue?.bull } };
  }
  const app = await NestFactory.createApplicationContext(
    BenchModule.forRoot(typeorm, references),
    { logger: ['error', 'warn'] },
  );
  await app.init();
  return {
    kind,
    app,
    dataSource: app.get<DataSource>(getDataSourceToken()),
    references: app.get(ReferencesService),
    maintenance: app.get(ReferencesMaintenance),
    close: () => app.close(),
  };
}
