import type { INestApplication, Provider } from '@nestjs/common';
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
      TypeOrmModule.forRoot({
        ...(setup.connection ?? connectionOptions(kind)),
        entities: [TestRecord, TestNode, TestMirror, ...(setup.entities ?? [])],
        autoLoadEntities: true,
        migrations: [...referencesMigrations, CreateFixtureTables1764000000001, ...(setup.migrations ?? [])],
        migrationsRun: true,
        logging: false,
      } as any),
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
