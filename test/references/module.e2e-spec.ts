import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import {
  InlineCreateForbiddenError,
  ReferencesConfigurationError,
  ReferencesModule,
  ReferencesService,
  REFERRER_INDEXER,
  referencesMigrations,
  type ReferencesOptionsFactory,
  type ReferrerIndexer,
} from 'nestjs-references';
import { connectionOptions } from '../support/databases.js';
import { CreateFixtureTables1764000000001, TestNode, TestRecord } from '../support/fixtures.js';
import { createNode, nodeUrl, reload } from '../support/records.js';
import { bootReferences, type TestContext } from '../support/test-app.js';

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
  ])('refuses bad options %j at start-up', async (options, message) => {
    expect(() => ReferencesModule.forRoot(options as any)).toThrow(ReferencesConfigurationError);
    expect(() => ReferencesModule.forRoot(options as any)).toThrow(message);
    const compile = Test.createTestingModule({
      imports: [typeorm(), ReferencesModule.forRootAsync({ useFactory: () => options as any })],
    }).compile();
    await expect(compile).rejects.toThrow(message);
  });
});

it("forRootAsync refuses a factory whose mode differs from the one declared beside it", async () => {
  const compile = Test.createTestingModule({
    imports: [typeorm(), ReferencesModule.forRootAsync({ useFactory: () => ({ baseUrl: 'http://x.example', propagation: 'queue' }) })],
  }).compile();
  await expect(compile).rejects.toThrow("set propagation: 'queue' beside the factory too");
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
    target.metadata = { title: 'indexed 2' };
    await ctx.dataSource.getRepository(TestNode).save(target);
    expect(reindexed).toEqual([['nodes', [referrer.id]]]);
    reindexed.length = 0;
    expect(await ctx.references.reindexReferrers(nodeUrl(target.id))).toBe(1);
    expect(reindexed).toEqual([['nodes', [referrer.id]]]);
  });
});

