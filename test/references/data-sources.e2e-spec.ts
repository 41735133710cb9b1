import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Injectable, type INestApplication } from '@nestjs/common';
import type { Queue } from 'bull';
import {
  InjectReferencesService,
  ReferenceEntry,
  ReferencesMaintenance,
  ReferencesService,
  InjectReferencesMaintenance,
  ReferrerIndexerFor,
  type ReferrerIndexer,
  getReferencesQueueToken,
} from 'nestjs-references';
import { ReferencesExplorerModule } from 'nestjs-references/explorer';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import { TestNode } from '../support/fixtures.js';
import { until } from '../support/processes.js';
import { createNode, reload } from '../support/records.js';
import { bootTwoDataSources } from '../support/test-app.js';

const link = (url: string) => ({ links: { self: url } });

/** What an indexer was handed: `type:id` per referrer. */
abstract class RecordingIndexer implements ReferrerIndexer {
  readonly seen: string[] = [];
  reindex(referrerType: string, referrerIds: string[]) {
    this.seen.push(...referrerIds.map((id) => `${referrerType}:${id}`));
  }
}

@Injectable()
@ReferrerIndexerFor()
class MainIndexer extends RecordingIndexer {}

@Injectable()
@ReferrerIndexerFor('archive')
class ArchiveIndexer extends RecordingIndexer {}

@Injectable()
class BothServices {
  constructor(
    readonly main: ReferencesService,
    @InjectReferencesService('archive') readonly archive: ReferencesService,
    readonly mainMaintenance: ReferencesMaintenance,
    @InjectReferencesMaintenance('archive') readonly archiveMaintenance: ReferencesMaintenance,
  ) {}
}

// Two data sources, each with ReferencesModule.forRoot() of its own: a PostgreSQL one in sync mode and a
// SQLite one ('archive') in queue mode. Each has its own service, index tables, base URL and queue.
describe('several data sources', () => {
  let app: INestApplication;
  let main: DataSource;
  let archive: DataSource;
  let services: BothServices;

  beforeAll(async () => {
    ({ app, main, archive } = await bootTwoDataSources({}, {}, {
      providers: [BothServices, MainIndexer, ArchiveIndexer],
      imports: [
        ReferencesExplorerModule.forRoot({ path: '/explorer' }),
        ReferencesExplorerModule.forRoot({ path: '/archive/explorer', dataSource: 'archive' }),
      ],
    }));
    services = app.get(BothServices);
  });
  afterAll(() => app.close());

  it('gives each data source its own service, base URL and queue', () => {
    expect(services.main).not.toBe(services.archive);
    expect(services.main.baseUrl).toBe('http://main.test');
    expect(services.archive.baseUrl).toBe('http://archive.test');
    expect(app.get<Queue>(getReferencesQueueToken('archive')).name).toBe('references-archive');
  });

  it('indexes, propagates and verifies each data source on its own', async () => {
    const mainTarget = await createNode(main, { title: 'main' });
    const mainReferrer = await createNode(main, { title: 'r', parent: link(`http://main.test/nodes/${mainTarget.id}`) });
    const archiveTarget = await createNode(archive, { title: 'archive' });
    const archiveReferrer = await createNode(archive, { title: 'r', parent: link(`http://archive.test/nodes/${archiveTarget.id}`) });

    expect(await main.getRepository(ReferenceEntry).count()).toBe(1);
    expect(await archive.getRepository(ReferenceEntry).count()).toBe(1);
    expect(await services.main.getReferrers(`http://main.test/nodes/${mainTarget.id}`)).toEqual([
      expect.objectContaining({ referrerId: mainReferrer.id }),
    ]);
    expect(await services.main.getReferrers(`http://archive.test/nodes/${archiveTarget.id}`)).toEqual([]);
    expect(await services.archive.getReferrers(`http://archive.test/nodes/${archiveTarget.id}`)).toEqual([
      expect.objectContaining({ referrerId: archiveReferrer.id }),
    ]);

    await main.getRepository(TestNode).save(Object.assign(mainTarget, { metadata: { title: 'main 2' } }));
    await archive.getRepository(TestNode).save(Object.assign(archiveTarget, { metadata: { title: 'archive 2' } }));
    await services.archiveMaintenance.waitForIdle();
    expect((await reload(main, mainReferrer)).metadata.parent?.title).toBe('main 2');
    expect((await reload(archive, archiveReferrer)).metadata.parent?.title).toBe('archive 2');
    expect((await services.mainMaintenance.verify()).ok).toBe(true);
    expect((await services.archiveMaintenance.verify()).ok).toBe(true);
    expect(await services.main.status()).toMatchObject({ pending: 0, running: 0 });
  });

  it("hands each data source's changed referrers to its own @ReferrerIndexerFor() indexer", async () => {
    const mainIndexer = app.get(MainIndexer);
    const archiveIndexer = app.get(ArchiveIndexer);
    const mainTarget = await createNode(main, { title: 'main' });
    const mainReferrer = await createNode(main, { title: 'r', parent: link(`http://main.test/nodes/${mainTarget.id}`) });
    const archiveTarget = await createNode(archive, { title: 'archive' });
    const archiveReferrer = await createNode(archive, { title: 'r', parent: link(`http://archive.test/nodes/${archiveTarget.id}`) });
    mainIndexer.seen.length = 0;
    archiveIndexer.seen.length = 0;

    await main.getRepository(TestNode).save(Object.assign(mainTarget, { metadata: { title: 'main 3' } }));
    await archive.getRepository(TestNode).save(Object.assign(archiveTarget, { metadata: { title: 'archive 3' } }));
    await services.archiveMaintenance.waitForIdle();
    await until(async () => archiveIndexer.seen.length > 0, 20_000, 'the archive indexer');

    expect(new Set(mainIndexer.seen)).toEqual(new Set([`nodes:${mainReferrer.id}`]));
    expect(new Set(archiveIndexer.seen)).toEqual(new Set([`nodes:${archiveReferrer.id}`]));
  });

  it("gives each data source an explorer of its own, showing that data source's records", async () => {
    const mainNode = await createNode(main, { title: 'main explored' });
    const archiveNode = await createNode(archive, { title: 'archive explored' });
    const page = (path: string, url: string) => request(app.getHttpServer()).get(`${path}/record?${new URLSearchParams({ url })}`);
    const [mainUrl, archiveUrl] = [`http://main.test/nodes/${mainNode.id}`, `http://archive.test/nodes/${archiveNode.id}`];
    expect((await page('/explorer', mainUrl)).text).toContain('main explored');
    expect((await page('/archive/explorer', archiveUrl)).text).toContain('archive explored');
    expect((await page('/explorer', archiveUrl)).status).toBe(404);
    expect((await page('/archive/explorer', mainUrl)).status).toBe(404);
  });
});
