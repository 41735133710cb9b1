import type { INestApplication, Provider } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { Test } from '@nestjs/testing';
import { TypeOrmModule, getDataSourceToken } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ReferencesModule, ReferencesService, referencesMigrations, type ReferencesModuleOptions } from 'nestjs-references';
import { connectionOptions, type DatabaseKind } from './databases.js';
import { BASE_URL, CreateFixtureTables1764000000001, TestNode, TestRecord } from './fixtures.js';

export interface TestContext {
  app: INestApplication;
  dataSource: DataSource;
  references: ReferencesService;
  close(): Promise<void>;
}

/** Boots the library on a fresh database with the fixture entities. */
export async function bootReferences(
  kind: DatabaseKind,
  options: Partial<ReferencesModuleOptions> = {},
  providers: Provider[] = [],
): Promise<TestContext> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      EventEmitterModule.forRoot(),
      TypeOrmModule.forRoot({
        ...connectionOptions(kind),
        entities: [TestRecord, TestNode],
        autoLoadEntities: true,
        migrations: [...referencesMigrations, CreateFixtureTables1764000000001],
        migrationsRun: true,
        logging: false,
      } as any),
      ReferencesModule.forRoot({ baseUrl: BASE_URL, ...options }),
    ],
    providers,
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  return {
    app,
    dataSource: app.get<DataSource>(getDataSourceToken()),
    references: app.get(ReferencesService),
    close: () => app.close(),
  };
}
