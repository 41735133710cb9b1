import type { DynamicModule, INestApplication, Provider } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { Test } from '@nestjs/testing';
import { TypeOrmModule, getDataSourceToken } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ReferencesMaintenance, ReferencesModule, ReferencesService, ReferrerJobs, referencesMigrations, type ReferencesModuleOptions } from 'nestjs-references';
import { randomUUID } from 'node:crypto';
import { DATABASES, REDIS_URL, connectionOptions, type DatabaseKind } from './databases.js';
import { queueOn } from './queues.js';
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

/**
 * A test's mode: a propagation mode, or `queue-bullmq`, queue mode on BullMQ (`queue` runs on Bull, the
 * default driver).
 */
export type TestMode = (typeof MODES)[number] | 'queue-bullmq';

/**
 * Every database in every mode, and queue mode on BullMQ on PostgreSQL: the driver changes what runs the jobs,
 * not what the database sees, so one database covers it without running every suite a third time.
 */
export const DATABASES_AND_MODES: ReadonlyArray<readonly [DatabaseKind, TestMode]> = [
  ...DATABASES.flatMap((db) => MODES.map((mode) => [db, mode] as const)),
  ['postgres', 'queue-bullmq'] as const,
];


/** The module options of a test's mode: `queue-bullmq` is queue mode with `queue.driver: 'bullmq'`. */
export function modeOptions(mode: TestMode): Pick<ReferencesModuleOptions, 'propagation'> & { queue?: { driver: 'bullmq' } } {
  return mode === 'queue-bullmq' ? { propagation: 'queue', queue: { driver: 'bullmq' } } : { propagation: mode };
}

/**
 * The queue options of a test app: a queue of its own on the test Redis (so that suites never see each
 * other's jobs), for the driver `options` name, with `options` on top.
 */
export function testQueueOptions(options: ReferencesModuleOptions['queue'] = {}): NonNullable<ReferencesModuleOptions['queue']> {
  return { ...queueOn(options.driver ?? 'bull', `test-${randomUUID()}`), sweepIntervalMs: 250, ...options };
}

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
  { propagation, ...rest }: Omit<Partial<ReferencesModuleOptions>, 'propagation'> & { propagation?: TestMode } = {},
  providers: Provider[] = [],
  setup: TestSetup = {},
): Promise<TestContext> {
  const mode = propagation ? modeOptions(propagation) : {};
  const options: Partial<ReferencesModuleOptions> = { ...rest, ...mode, queue: { ...mode.queue, ...rest.queue } };
  const moduleRef = await Test.createTestingModule({
    imports: [
      EventEmitterModule.forRoot(),
      fixtureTypeOrm(kind, setup),
      ReferencesModule.forRoot({
        ...('baseUrl' in options || 'defaultBaseUrl' in options ? {} : { baseUrl: BASE_URL }),
        ...options,
        queue: testQueueOptions(options.queue),
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
