import type { DynamicModule, INestApplication, Provider } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { Test } from '@nestjs/testing';
import { TypeOrmModule, getDataSourceToken } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ReferencesMaintenance, ReferencesModule, ReferencesService, ReferrerJobs, referencesMigrations, type ReferencesModuleOptions } from 'nestjs-references';
import { randomUUID } from 'node:crypto';
import { DATABASES, REDIS_URL, connectionOptions, type DatabaseKind } from './databases.js';
import { BASE_URL, CreateFixtureTables1764000000001, TestMirror, TestNode, TestRecord } from './fixtures.js';

export interface TestContext {
  app: INestApplication;
  dataSource: DataSource;
  references: ReferencesService;
  maintenance: ReferencesMaintenance;
  referrerJobs: ReferrerJobs;
  close(): Promise<void>;
  /** Waits until propagation has settled (at once in sync mode). */
  settle(): Promise<void>;
}

/** The propagation modes the shared scenarios run in. */
export const MODES = ['sync', 'queue'] as const;
export const DATABASES_AND_MODES = DATABASES.flatMap((db) => MODES.map((mode) => [db, mode] as const));

/** What a suite adds to the fixtures: another database to boot on, entities and their migrations. */
export interface TestSetup {
  /** The database to boot on (to boot twice on one database); a fresh, empty one by default. */
  connection?: object;
  entities?: Function[];
  migrations?: Function[];
  /** Modules the app imports besides the library (the explorer). */
  imports?: any[];
}

/** TypeORM on a fresh database of `kind` (or `setup.connection`), the fixture tables and what `setup` adds migrated at boot. */
function fixtureTypeOrm(kind: DatabaseKind, setup: TestSetup = {}, name?: string): DynamicModule {
  return TypeOrmModule.forRoot({
    ...(setup.connection ?? connectionOptions(kind)),
    ...(name ? { name } : {}),
    entities: [TestRecord, TestNode, TestMirror, ...(setup.entities ?? [])],
    autoLoadEntities: true,
    migrations: [...referencesMigrations, CreateFixtureTables1764000000001, ...(setup.migrations ?? [])],
    migrationsRun: true,
    logging: false,
  } as any);
}

/** Boots the library on a fresh database with the fixture entities (and what `setup` adds). */
export async function bootReferences(
  kind: DatabaseKind,
  options: Partial<ReferencesModuleOptions> = {},
  providers: Provider[] = [],
  setup: TestSetup = {},
): Promise<TestContext> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      EventEmitterModule.forRoot(),
      fixtureTypeOrm(kind, setup),
      ReferencesModule.forRoot({
        ...('baseUrl' in options || 'defaultBaseUrl' in options ? {} : { baseUrl: BASE_URL }),
        ...options,
        // Each app gets a queue of its own, so that suites never see each other's jobs.
        queue: { bull: { redis: REDIS_URL, prefix: `test-${randomUUID()}` }, sweepIntervalMs: 250, ...options.queue },
      }),
      ...(setup.imports ?? []),
    ],
    providers,
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  try {
    await app.init();
  } catch (error) {
    // NOTE: a start refused at init (a base URL mismatch) must still release the database connections.
    await app.close();
    throw error;
  }
  return {
    app,
    dataSource: app.get<DataSource>(getDataSourceToken()),
    references: app.get(ReferencesService),
    maintenance: app.get(ReferencesMaintenance),
    referrerJobs: app.get(ReferrerJobs),
    close: () => app.close(),
    settle: () => app.get(ReferencesMaintenance).waitForIdle(30_000),
  };
}

/** An app with two data sources, each with a ReferencesModule of its own. */
export interface TwoDataSources {
  app: INestApplication;
  /** The default data source: PostgreSQL, sync mode, base URL `http://main.test`. */
  main: DataSource;
  /** The data source named 'archive': SQLite, queue mode, base URL `http://archive.test`. */
  archive: DataSource;
}

/**
 * Boots the fixture tables on two data sources, each with `ReferencesModule.forRoot()` of its own: the default
 * one on PostgreSQL in sync mode and 'archive' on SQLite in queue mode (a queue of its own per app), with
 * what `main` and `archive` add to their options, and the app's own `providers` and `imports` (the explorer).
 */
export async function bootTwoDataSources(
  main: Partial<ReferencesModuleOptions> = {},
  archive: Partial<ReferencesModuleOptions> = {},
  { providers = [], imports = [] }: { providers?: Provider[]; imports?: any[] } = {},
): Promise<TwoDataSources> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      fixtureTypeOrm('postgres'),
      fixtureTypeOrm('sqlite', {}, 'archive'),
      ReferencesModule.forRoot({ baseUrl: 'http://main.test', ...main }),
      ReferencesModule.forRoot({
        dataSource: 'archive',
        baseUrl: 'http://archive.test',
        propagation: 'queue',
        queue: { bull: { redis: REDIS_URL, prefix: `archive-${randomUUID()}` }, sweepIntervalMs: 250 },
        ...archive,
      }),
      ...imports,
    ],
    providers,
  }).compile();
  const app = await moduleRef.createNestApplication({ logger: false }).init();
  return { app, main: app.get(getDataSourceToken()), archive: app.get(getDataSourceToken('archive')) };
}
