import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { Queue as BullMqQueue } from 'bullmq';
import {
  getReferencesQueueToken,
  InlineCreateForbiddenError,
  ReferencesConfigurationError,
  ReferencesMaintenance,
  ReferencesModule,
  ReferencesService,
  REFERRER_INDEXER,
  referencesMigrations,
  type ReferencesOptionsFactory,
  type ReferrerIndexer,
} from 'nestjs-references';
import { connectionOptions } from '../support/databases.js';
// NOTE: an internal part, imported from the source: what a test of the library's own wiring replaces.
import { ReferenceIndex } from '../../libs/references/src/reverse-index/reference-index.service.js';
import { dialectFor } from '../../libs/references/src/sql/sql-dialect.provider.js';
import { MariaDbDialect } from '../../libs/references/src/sql/mariadb.dialect.js';
import { SqlDialect } from '../../libs/references/src/sql/sql.dialect.js';
import { BASE_URL, CreateFixtureTables1764000000001, TestNode, TestRecord } from '../support/fixtures.js';
import { until } from '../support/processes.js';
import { createNode, nodeUrl, reload } from '../support/records.js';
import { bootReferences, testQueueOptions, type TestContext } from '../support/test-app.js';

const typeorm = () =>
  TypeOrmModule.forRoot({
    ...connectionOptions('sqlite'),
    entities: [TestRecord, TestNode],
    autoLoadEntities: true,
    migrations: [...referencesMigrations, CreateFixtureTables1764000000001],
    migrationsRun: true,
  } as any);

@Injectable()
class ConfigService {
  readonly baseUrl = 'http://async.example';
}
@Module({ providers: [ConfigService], exports: [ConfigService] })
class ConfigModule {}

@Injectable()
class OptionsFactory implements ReferencesOptionsFactory {
  createReferencesOptions() {
    return { baseUrl: 'http://from-class.example' };
  }
}

describe('ReferencesModule', () => {
  it('takes its options from a factory with injected dependencies (forRootAsync useFactory)', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        typeorm(),
        ReferencesModule.forRootAsync({
          imports: [ConfigModule],
          inject: [ConfigService],
          useFactory: (config: ConfigService) => ({ baseUrl: config.baseUrl }),
        }),
      ],
    }).compile();
    const app = await moduleRef.createNestApplication({ logger: false }).init();
    try {
      const references = app.get(ReferencesService);
      const record = new TestNode();
      record.id = '00000000-0000-4000-8000-000000000001';
      expect(references.canonicalUrl(record)).toBe('http://async.example/nodes/00000000-0000-4000-8000-000000000001');
    } finally {
      await app.close();
    }
  });

  it('takes its options from a class (forRootAsync useClass)', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [typeorm(), ReferencesModule.forRootAsync({ useClass: OptionsFactory })],
    }).compile();
    const app = await moduleRef.createNestApplication({ logger: false }).init();
    try {
      const record = Object.assign(new TestNode(), { id: '00000000-0000-4000-8000-000000000002' });
      expect(app.get(ReferencesService).canonicalUrl(record)).toBe('http://from-class.example/nodes/00000000-0000-4000-8000-000000000002');
    } finally {
      await app.close();
    }
  });

  it.each([
    [{ baseUrl: 'not a url' }, 'baseUrl must be an absolute http(s) URL'],
    [{ baseUrl: 'http://x.example', propagation: 'later' }, "propagation must be 'sync' or 'queue'"],
    [{ baseUrl: 'http://x.example', batchSize: 0 }, 'batchSize must be a positive integer'],
    [{ baseUrl: 'http://x.example', propagation: 'queue', queue: { driver: 'kafka' } }, "queue.driver must be 'bull' or 'bullmq'"],
    [{ baseUrl: 'http://x.example', lockTimeoutMs: 0 }, 'lockTimeoutMs must be a positive integer'],
    [{ baseUrl: 'http://x.example', statementTimeoutMs: 1.5 }, 'statementTimeoutMs must be a positive integer'],
    [{ baseUrl: 'http://x.example', queue: { maxTransientRetryMs: -1 } }, 'queue.maxTransientRetryMs must be a positive integer'],
  ])('refuses bad options %j at start-up', async (options, message) => {
    expect(() => ReferencesModule.forRoot(options as any)).toThrow(ReferencesConfigurationError);
    expect(() => ReferencesModule.forRoot(options as any)).toThrow(message);
    const compile = Test.createTestingModule({
      imports: [typeorm(), ReferencesModule.forRootAsync({ useFactory: () => options as any })],
    }).compile();
    await expect(compile).rejects.toThrow(message);
  });

  it('refuses a forRootAsync factory whose mode differs from the one declared beside it', async () => {
    const compile = Test.createTestingModule({
      imports: [typeorm(), ReferencesModule.forRootAsync({ useFactory: () => ({ baseUrl: 'http://x.example', propagation: 'queue' }) })],
    }).compile();
    await expect(compile).rejects.toThrow("set propagation: 'queue' beside the factory too");
  });

  it('runs queue mode on BullMQ from a forRootAsync factory (queueDriver declared beside it), propagation jobs only', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        typeorm(),
        ReferencesModule.forRootAsync({
          propagation: 'queue',
          queueDriver: 'bullmq',
          useFactory: () => ({ baseUrl: BASE_URL, propagation: 'queue', queue: testQueueOptions({ driver: 'bullmq' }) }),
        }),
      ],
    }).compile();
    const app = await moduleRef.createNestApplication({ logger: false }).init();
    try {
      expect(app.get(getReferencesQueueToken())).toBeInstanceOf(BullMqQueue);
      const dataSource = app.get(DataSource);
      const target = await createNode(dataSource, { title: 'before' });
      const referrer = await createNode(dataSource, { title: 'r', parent: { links: { self: nodeUrl(target.id) } } });
      await dataSource.getRepository(TestNode).save(Object.assign(target, { metadata: { title: 'after' } }));
      await app.get(ReferencesMaintenance).waitForIdle();
      expect((await reload(dataSource, referrer)).metadata.parent?.title).toBe('after');

      // A BullMQ worker takes every job of its queue: one that is no propagation fails, and no change with it.
      const queue = app.get<BullMqQueue>(getReferencesQueueToken());
      const foreign = await queue.add('touch', { referrerId: referrer.id });
      await until(async () => (await foreign.getState()) === 'failed', 10_000, 'the foreign job to fail');
      expect((await queue.getJob(foreign.id!))?.failedReason).toContain('"touch" is no propagation job');
      expect((await app.get(ReferencesService).status()).failed).toBe(0);
    } finally {
      await app.close();
    }
  });

  it('refuses a forRootAsync factory whose queue driver differs from the one declared beside it', async () => {
    const compile = Test.createTestingModule({
      imports: [
        typeorm(),
        ReferencesModule.forRootAsync({
          propagation: 'queue',
          useFactory: () => ({ baseUrl: 'http://x.example', propagation: 'queue', queue: testQueueOptions({ driver: 'bullmq' }) }),
        }),
      ],
    }).compile();
    await expect(compile).rejects.toThrow("set queueDriver: 'bullmq' beside the factory too");
  });

  it("refuses a MariaDB / MySQL data source that does not read committed rows, naming the option", () => {
    const { isolationLevel: _readCommitted, ...repeatableRead } = connectionOptions('mariadb') as unknown as Record<string, unknown>;
    // NOTE: the dialect is chosen from the data source's options alone, before any connection is made.
    const refused = () => dialectFor(new DataSource({ ...repeatableRead, isolationLevel: undefined } as DataSourceOptions));
    expect(refused).toThrow(ReferencesConfigurationError);
    expect(refused).toThrow("nestjs-references on MariaDB and MySQL needs the data source option isolationLevel: 'READ COMMITTED' (got none)");
    expect(dialectFor(new DataSource(connectionOptions('mariadb')))).toEqual(expect.objectContaining({ maxJsonDepth: 31 }));
    expect(dialectFor(new DataSource(connectionOptions('mariadb')))).toBeInstanceOf(MariaDbDialect);
  });

  it("runs on MariaDB through TypeORM's mysql type too (MariaDB's SQL chosen by the server's version)", async () => {
    const ctx = await bootReferences('mariadb', {}, [], { connection: { ...connectionOptions('mariadb'), type: 'mysql' } });
    try {
      const target = await createNode(ctx.dataSource, { title: 'before' });
      const referrer = await createNode(ctx.dataSource, { title: 'r', parent: { links: { self: nodeUrl(target.id) } } });
      await ctx.dataSource.getRepository(TestNode).save(Object.assign(target, { metadata: { title: 'after' } }));
      expect((await reload(ctx.dataSource, referrer)).metadata.parent?.title).toBe('after');
      expect(ctx.app.get(SqlDialect)).toEqual(expect.objectContaining({ maxJsonDepth: 31 }));
    } finally {
      await ctx.close();
    }
  });

  it('builds its parts as providers, so that a test can replace one with overrideProvider', async () => {
    const inserted: string[] = [];
    @Injectable()
    class RecordingIndex extends ReferenceIndex {
      override async insert(...args: Parameters<ReferenceIndex['insert']>): Promise<void> {
        inserted.push(...args[1].map((record) => record.referrerId));
        await super.insert(...args);
      }
    }
    const moduleRef = await Test.createTestingModule({ imports: [typeorm(), ReferencesModule.forRoot({ baseUrl: BASE_URL })] })
      .overrideProvider(ReferenceIndex)
      .useClass(RecordingIndex)
      .compile();
    const app = await moduleRef.createNestApplication({ logger: false }).init();
    try {
      const dataSource = app.get(DataSource);
      const target = await createNode(dataSource, { title: 'target' });
      const referrer = await createNode(dataSource, { title: 'r', parent: { links: { self: nodeUrl(target.id) } } });
      expect(inserted).toEqual([target.id, referrer.id]);
      expect(await app.get(ReferencesService).getReferrers(nodeUrl(target.id))).toEqual([expect.objectContaining({ referrerId: referrer.id })]);
    } finally {
      await app.close();
    }
  });
});


describe('inline create and the referrer indexer', () => {
  let ctx: TestContext;
  const reindexed: Array<[string, string[]]> = [];
  const indexer: ReferrerIndexer = { reindex: (type, ids) => void reindexed.push([type, ids]) };

  beforeAll(async () => {
    ctx = await bootReferences('sqlite', {}, [{ provide: REFERRER_INDEXER, useValue: indexer }]);
  });
  afterAll(() => ctx.close());

  it('creates a target sent without a link, and stores the copy of the new record', async () => {
    const node = await createNode(ctx.dataSource, { title: 'tagged', tags: [{ title: 'new tag' }] });
    const tag = (await reload(ctx.dataSource, node)).metadata.tags![0];
    expect(tag).toEqual({ title: 'new tag', id: expect.any(String), links: { self: nodeUrl(tag.id) } });
    expect((await ctx.dataSource.getRepository(TestNode).findOneByOrFail({ id: tag.id })).metadata).toEqual({ title: 'new tag' });
    expect(await ctx.references.getReferrers(nodeUrl(tag.id))).toEqual([expect.objectContaining({ referrerId: node.id, path: 'tags[0]' })]);
  });

  it('refuses a create the permission check denies, and writes nothing', async () => {
    const count = await ctx.dataSource.getRepository(TestNode).count();
    await expect(createNode(ctx.dataSource, { title: 'x', tags: [{ title: 'forbidden' }] })).rejects.toThrow(InlineCreateForbiddenError);
    await expect(createNode(ctx.dataSource, { title: 'x', tags: [{ title: 'forbidden' }] })).rejects.toThrow('tags[0]: you may not create');
    expect(await ctx.dataSource.getRepository(TestNode).count()).toBe(count);
  });

  it('hands the updated referrers to the ReferrerIndexer after commit, and reindexReferrers hands them all', async () => {
    const target = await createNode(ctx.dataSource, { title: 'indexed' });
    const referrer = await createNode(ctx.dataSource, { title: 'r', parent: { links: { self: nodeUrl(target.id) } } });
    reindexed.length = 0;
    await ctx.dataSource.transaction(async (manager) => {
      target.metadata = { title: 'indexed 2' };
      await manager.save(target);
      // The referrer is updated in this transaction, but nobody may see that before it commits.
      expect(reindexed).toEqual([]);
    });
    expect(reindexed).toEqual([['nodes', [referrer.id]]]);
    reindexed.length = 0;
    expect(await ctx.maintenance.reindexReferrers(nodeUrl(target.id))).toBe(1);
    expect(reindexed).toEqual([['nodes', [referrer.id]]]);
  });
});

