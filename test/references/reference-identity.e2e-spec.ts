import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import {
  BaseUrlMismatchError,
  NonCanonicalReferenceError,
  ReferenceContentMismatchError,
  ReferencedRecordError,
  UnknownReferenceError,
} from 'nestjs-references';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { POSTGRES_URL, DATABASES, type DatabaseKind } from '../support/databases.js';
import { BASE_URL, TestNode } from '../support/fixtures.js';
import { createNode, nodeCopy, nodeUrl, reload } from '../support/records.js';
import { bootReferences, type TestContext } from '../support/test-app.js';

const link = (url: string) => ({ links: { self: url } });
const host = new URL(BASE_URL).host;

/** Spellings of a node's URL that name the same record: stored as its canonical URL. */
const SAME = (id: string): Array<[string, string]> => [
  ['an upper-case host', `http://${host.toUpperCase()}/nodes/${id}`],
  ['an upper-case scheme', `HTTP://${host}/nodes/${id}`],
  ['the default port', `http://${host}:80/nodes/${id}`],
  ['a "." segment', `http://${host}/./nodes/${id}`],
  ['a trailing dot on the host', `http://${host}./nodes/${id}`],
  ['backslashes', `http:\\\\${host}\\nodes\\${id}`],
  ['a tab', `http://${host}/no\tdes/${id}`],
  ['an alias of the base URL', `http://127.0.0.1:3000/nodes/${id}`],
];

/** Spellings that cannot be a record's URL: refused with the reason. */
const REFUSED = (id: string): Array<[string, string, string]> => [
  ['a fragment', `${nodeUrl(id)}#f`, 'a fragment'],
  ['a query', `${nodeUrl(id)}?x=1`, 'a query'],
  ['an empty query', `${nodeUrl(id)}?`, 'a query'],
  ['user info', `http://user@${host}/nodes/${id}`, 'user info'],
  ['user and password', `http://user:pw@${host}/nodes/${id}`, 'user info'],
  ['a ".." segment', `http://${host}/records/../nodes/${id}`, 'a ".." segment'],
  ['a trailing slash', `${nodeUrl(id)}/`, 'a trailing slash'],
];

describe.each(DATABASES)('reference identity on %s', (kind) => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await bootReferences(kind, { aliases: ['http://127.0.0.1:3000'] });
  });
  afterAll(() => ctx.close());

  it.each(SAME('ID'))('stores a local reference written with %s under its canonical URL, copied from the target', async (_how, spelling) => {
    const target = await createNode(ctx.dataSource, { title: 'the real title' });
    const forged = { title: 'FORGED', links: { self: spelling.replace('ID', target.id) } };
    const referrer = await createNode(ctx.dataSource, { title: 'r', parent: forged, seeAlso: [spelling.replace('ID', target.id)] });
    const stored = (await reload(ctx.dataSource, referrer)).metadata;
    expect(stored.parent).toEqual(nodeCopy(target, { title: 'the real title' }));
    expect(stored.seeAlso).toEqual([nodeUrl(target.id)]);
    expect((await ctx.references.getReferrers(nodeUrl(target.id))).map((r) => r.path).sort()).toEqual(['parent', 'seeAlso[0]']);
    // The delete policies see it: restrict is not needed here, detach is.
    await ctx.dataSource.getRepository(TestNode).remove(target);
    expect((await reload(ctx.dataSource, referrer)).metadata.seeAlso).toEqual([]);
  });

  it.each(REFUSED('ID'))('refuses a local reference written with %s, naming the field, and writes nothing', async (_how, spelling, reason) => {
    const target = await createNode(ctx.dataSource, { title: 'target' });
    const count = await ctx.dataSource.getRepository(TestNode).count();
    const write = createNode(ctx.dataSource, { title: 'r', parent: { title: 'FORGED', links: { self: spelling.replace('ID', target.id) } } });
    await expect(write).rejects.toThrow(NonCanonicalReferenceError);
    await expect(createNode(ctx.dataSource, { title: 'r', seeAlso: [spelling.replace('ID', target.id)] })).rejects.toThrow(
      `seeAlso[0]: ${JSON.stringify(spelling.replace('ID', target.id))} names a local record of the type "nodes" with ${reason}`,
    );
    expect(await ctx.dataSource.getRepository(TestNode).count()).toBe(count);
  });

  it('a restrict reference written in another spelling still restricts the delete', async () => {
    const owner = await createNode(ctx.dataSource, { title: 'owner' });
    await createNode(ctx.dataSource, { title: 'owned', owner: link(`http://${host.toUpperCase()}:80/nodes/${owner.id}`) });
    await expect(ctx.dataSource.getRepository(TestNode).remove(owner)).rejects.toThrow(ReferencedRecordError);
  });

  it('treats a URL of one of our types that names no record as unknown (restrict and detach references, strict mode)', async () => {
    for (const url of [`${BASE_URL}/nodes/not-a-uuid`, `${BASE_URL}/nodes/ID/files`.replace('ID', (await createNode(ctx.dataSource, { title: 't' })).id)]) {
      await expect(createNode(ctx.dataSource, { title: 'r', seeAlso: [url] })).rejects.toThrow(UnknownReferenceError);
    }
    // A `keep` link outside strict mode may name nothing, as it may name a record not written yet.
    const kept = await createNode(ctx.dataSource, { title: 'r', kept: `${BASE_URL}/nodes/not-a-uuid` });
    expect((await reload(ctx.dataSource, kept)).metadata.kept).toBe(`${BASE_URL}/nodes/not-a-uuid`);
  });

  it('keeps a URL under the base URL that names none of our types as sent, as a remote one, whatever its spelling', async () => {
    const foreign = [`${BASE_URL}/nothing/1`, `http://${host.toUpperCase()}/nothing/2/`, `${BASE_URL}/api/records/3?v=1#files`, 'http://127.0.0.1:3000/nothing/4'];
    const referrer = await createNode(ctx.dataSource, { title: 'r', seeAlso: foreign });
    expect((await reload(ctx.dataSource, referrer)).metadata.seeAlso).toEqual(foreign);
    for (const url of foreign) expect((await ctx.references.getReferrers(url)).map((r) => r.referrerId)).toEqual([referrer.id]);
    expect((await ctx.maintenance.verify()).nonCanonical).toEqual([]);
  });

  it('verify reports a reference stored in another spelling and a record it cannot read, without throwing; repair rewrites what it can', async () => {
    const target = await createNode(ctx.dataSource, { title: 'target' });
    const spelled = await createNode(ctx.dataSource, { title: 'spelled' });
    const unreadable = await createNode(ctx.dataSource, { title: 'unreadable' });
    // Written behind the library's back (listeners off), as data from before it canonicalised URLs.
    const write = (id: string, metadata: object) =>
      ctx.dataSource.createQueryBuilder().update(TestNode).set({ metadata }).where('id = :id', { id }).callListeners(false).execute();
    await write(spelled.id, { title: 'spelled', seeAlso: [`http://${host.toUpperCase()}:80/nodes/${target.id}`] });
    await write(unreadable.id, { title: 'unreadable', parent: { title: 'a copy without its link' } });
    // synchronize indexes what it can read and reports the rest, as verify does.
    const synchronized = await ctx.maintenance.synchronize();
    expect(synchronized.invalid).toEqual([{ referrerType: 'nodes', referrerId: unreadable.id, reason: expect.stringContaining('parent') }]);

    const report = await ctx.maintenance.verify();
    expect(report.nonCanonical).toEqual([expect.objectContaining({ referrerId: spelled.id, path: 'seeAlso[0]' })]);
    expect(report.invalid).toEqual([{ referrerType: 'nodes', referrerId: unreadable.id, reason: expect.stringContaining('parent') }]);
    expect(report.ok).toBe(false);

    const repaired = await ctx.maintenance.repair();
    expect(repaired).toEqual({ repaired: [{ referrerType: 'nodes', referrerId: spelled.id }], failed: [] });
    expect((await reload(ctx.dataSource, spelled)).metadata.seeAlso).toEqual([nodeUrl(target.id)]);
    expect((await ctx.maintenance.verify()).nonCanonical).toEqual([]);
    await ctx.dataSource.getRepository(TestNode).delete({ id: unreadable.id }).catch(() => undefined);
    await ctx.dataSource.query(`DELETE FROM test_node WHERE id = ${kind === 'postgres' ? '$1' : '?'}`, [unreadable.id]);
  });

  it('referenceContentChanged fills links.self from the URL, and refuses content that names another record', async () => {
    const url = 'https://vocab.example.org/styles/42';
    const referrer = await createNode(ctx.dataSource, { title: 'r', parent: { title: 'old', id: '42', links: { self: url } } });
    await ctx.references.referenceContentChanged({ title: 'from a webhook' }, { url, uuid: '42' });
    await ctx.settle();
    expect((await reload(ctx.dataSource, referrer)).metadata.parent).toEqual({ title: 'from a webhook', id: '42', links: { self: url } });
    await expect(
      ctx.references.referenceContentChanged({ title: 'x', links: { self: 'https://vocab.example.org/styles/43' } }, { url }),
    ).rejects.toThrow(ReferenceContentMismatchError);
    const report = await ctx.maintenance.verify();
    expect([...report.stale, ...report.missing, ...report.extra].filter((row) => row.referrerId === referrer.id)).toEqual([]);
  });
});

describe.each(DATABASES)('the stored base URL on %s', (kind: DatabaseKind) => {
  let dir: string;
  let ctx: TestContext | undefined;
  // NOTE: one database that outlives each boot: a file for SQLite, the suite's database for PostgreSQL.
  const database = () => (kind === 'sqlite' ? { type: 'better-sqlite3', database: join(dir, 'db.sqlite') } : { type: 'postgres', url: POSTGRES_URL });
  const boot = (options: object, fresh = false) => bootReferences(kind, options, [], { connection: { ...database(), dropSchema: fresh } });

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'references-base-url-'));
  });
  afterEach(async () => {
    await ctx?.close();
    ctx = undefined;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is recorded at the first start; another one is refused at start, the stored one used without one', async () => {
    ctx = await boot({ baseUrl: 'http://one.example' }, true);
    const target = await createNode(ctx.dataSource, { title: 'target' });
    await createNode(ctx.dataSource, { title: 'r', parent: link(`http://one.example/nodes/${target.id}`) });
    await ctx.close();
    ctx = undefined;

    await expect(boot({ baseUrl: 'http://two.example' })).rejects.toThrow(BaseUrlMismatchError);
    await expect(boot({ baseUrl: 'http://two.example' })).rejects.toThrow(
      'the stored references use the base URL http://one.example, but this process was started with http://two.example',
    );
    ctx = await boot({ defaultBaseUrl: 'http://two.example' });
    expect(ctx.references.baseUrl).toBe('http://one.example');
    expect(await ctx.references.getReferrers(`http://one.example/nodes/${target.id}`)).toHaveLength(1);
  });

  it('moves to a new base URL with rebase: documents, copies, index; verify is clean and the new base is stored', async () => {
    ctx = await boot({ baseUrl: 'http://one.example' }, true);
    const target = await createNode(ctx.dataSource, { title: 'target' });
    const child = await createNode(ctx.dataSource, { title: 'child', parent: link(`http://one.example/nodes/${target.id}`) });
    const referrer = await createNode(ctx.dataSource, {
      title: 'r',
      parent: link(`http://one.example/nodes/${child.id}`),
      seeAlso: [`http://one.example/nodes/${target.id}`, 'http://one.example.org/elsewhere'],
    });
    const progress: number[] = [];
    const result = await ctx.maintenance.rebase('http://two.example/', { batchSize: 1, onProgress: (done) => progress.push(done) });
    expect(result).toMatchObject({ from: 'http://one.example', to: 'http://two.example', records: 2, references: 3, done: true });
    expect(progress).toEqual([1, 2, 3]);
    await ctx.close();
    ctx = undefined;

    ctx = await boot({ baseUrl: 'http://two.example' });
    const stored = (await reload(ctx.dataSource, referrer)).metadata;
    expect(stored.parent?.links.self).toBe(`http://two.example/nodes/${child.id}`);
    expect(stored.parent?.parent?.links.self).toBe(`http://two.example/nodes/${target.id}`);
    expect(stored.seeAlso).toEqual([`http://two.example/nodes/${target.id}`, 'http://one.example.org/elsewhere']);
    expect(await ctx.references.getReferrers(`http://two.example/nodes/${target.id}`)).toHaveLength(2);
    expect(await ctx.references.getReferrers(`http://one.example/nodes/${target.id}`)).toEqual([]);
    expect((await ctx.maintenance.verify()).ok).toBe(true);
    // And propagation follows the moved URLs.
    await ctx.dataSource.getRepository(TestNode).save(Object.assign(target, { metadata: { title: 'renamed' } }));
    await ctx.settle();
    expect((await reload(ctx.dataSource, referrer)).metadata.parent?.parent?.title).toBe('renamed');
  });

  it('a stopped rebase leaves the old base stored, and running it again finishes', async () => {
    ctx = await boot({ baseUrl: 'http://one.example' }, true);
    const target = await createNode(ctx.dataSource, { title: 'target' });
    for (let i = 0; i < 5; i++) await createNode(ctx.dataSource, { title: `n${i}`, kept: `http://one.example/nodes/${target.id}` });
    const controller = new AbortController();
    const stopped = await ctx.maintenance.rebase('http://two.example', {
      batchSize: 2,
      signal: controller.signal,
      onProgress: () => controller.abort(),
    });
    expect(stopped.done).toBe(false);
    expect(stopped.records).toBeLessThanOrEqual(2);
    await ctx.close();
    ctx = await boot({ defaultBaseUrl: 'http://two.example' });
    expect(ctx.references.baseUrl).toBe('http://one.example');
    expect(await ctx.maintenance.rebase('http://two.example')).toMatchObject({ records: 5 - stopped.records, references: 5, done: true });
    await ctx.close();
    ctx = await boot({ baseUrl: 'http://two.example' });
    expect((await ctx.maintenance.verify()).ok).toBe(true);
  });
});
