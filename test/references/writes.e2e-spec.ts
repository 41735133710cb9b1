import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  ForbiddenKeyError,
  InvalidReferenceUrlError,
  InvalidReferenceUuidError,
  JsonTooDeepError,
  MissingReferenceLinkError,
  ReferencedRecordError,
  UnknownReferenceError,
  UnstorableStringError,
} from 'nestjs-references';
import type { EntityManager } from 'typeorm';
import { DATABASES, MAX_JSON_DEPTH_ON } from '../support/databases.js';
import { BASE_URL, TestNode, TestRecord } from '../support/fixtures.js';
import { createNode, createRecord, nodeCopy, nodeUrl, recordUrl, reload } from '../support/records.js';
import { bootReferences, type TestContext } from '../support/test-app.js';

const link = (url: string) => ({ links: { self: url } });
const MISSING = `${BASE_URL}/nodes/00000000-0000-4000-8000-000000000000`;
const EXTERNAL = 'https://vocab.getty.example/aat/300';
/** `n` distinct CJK characters, 3 bytes each in UTF-8. */
const cjk = (n: number) => Array.from({ length: n }, (_, i) => String.fromCodePoint(0x4e00 + i)).join('');
const nestedArrays = (n: number): unknown => (n === 0 ? 1 : [nestedArrays(n - 1)]);

describe.each(DATABASES)('writes on %s', (kind) => {
  let ctx: TestContext;

  beforeAll(async () => {
    ctx = await bootReferences(kind, { strict: true });
  });
  afterAll(() => ctx.close());

  const nodes = () => ctx.dataSource.getRepository(TestNode);
  const indexRows = () => ctx.dataSource.query('SELECT COUNT(*) AS n FROM reference_index').then((r) => Number(r[0].n));

  describe('a save() of many records', () => {
    /** Runs `work` in a transaction and answers the statements it sent, beside its result. */
    async function statementsOf<T>(work: (manager: EntityManager) => Promise<T>): Promise<{ result: T; statements: string[] }> {
      const statements: string[] = [];
      const result = await ctx.dataSource.transaction(async (manager) => {
        const runner = manager.queryRunner!;
        const query = runner.query;
        // NOTE: an own property over the prototype's method, removed after: SQLite's query runner is shared.
        runner.query = ((sql: string, ...rest: any[]) => {
          statements.push(sql);
          return query.call(runner, sql, ...rest);
        }) as typeof runner.query;
        try {
          return await work(manager);
        } finally {
          delete (runner as { query?: unknown }).query;
        }
      });
      return { result, statements };
    }

    it('copies every target and indexes every record, reading the targets and inserting the index rows with one statement each', async () => {
      const targets = [await createNode(ctx.dataSource, { title: 'Many 0' }), await createNode(ctx.dataSource, { title: 'Many 1' })];
      const before = await indexRows();
      const { result: saved, statements } = await statementsOf((manager) =>
        manager.save(
          Array.from({ length: 20 }, (_, i) =>
            manager.create(TestNode, { metadata: { title: `m${i}`, parent: link(nodeUrl(targets[i % 2].id)), kept: nodeUrl(targets[1 - (i % 2)].id) } }),
          ),
        ),
      );
      for (const [i, node] of saved.entries()) {
        const stored = await reload(ctx.dataSource, node);
        expect(stored.metadata.parent).toEqual(nodeCopy(targets[i % 2], { title: `Many ${i % 2}` }));
        expect((await ctx.references.getReferences(stored)).map((r) => r.path).sort()).toEqual(['kept', 'parent']);
      }
      expect(await indexRows()).toBe(before + 40);
      expect(statements.filter((sql) => /INSERT INTO ["`]reference_index["`]/.test(sql))).toHaveLength(1);
      // The targets' content (TypeORM's own reads after an insert on SQLite fetch generated columns only; MariaDB joins the ids' JSON_TABLE).
      expect(statements.filter((sql) => /SELECT .*metadata.* FROM (JSON_TABLE.* STRAIGHT_JOIN )?["`]test_node["`]/s.test(sql))).toHaveLength(1);
    });

    it('fails as a whole, with the error of its bad record, and writes nothing', async () => {
      const target = await createNode(ctx.dataSource, { title: 'Many ok' });
      const [nodesBefore, rowsBefore] = [await nodes().count(), await indexRows()];
      const records = [
        { title: 'good', parent: link(nodeUrl(target.id)) },
        { title: 'bad', parent: link(MISSING) },
        { title: 'good too', parent: link(nodeUrl(target.id)) },
      ].map((metadata) => nodes().create({ metadata }));
      await expect(ctx.references.transaction((manager) => manager.save(records))).rejects.toThrow(UnknownReferenceError);
      await expect(ctx.references.transaction((manager) => manager.save(records))).rejects.toThrow(/parent/);
      expect([await nodes().count(), await indexRows()]).toEqual([nodesBefore, rowsBefore]);
    });

    it('updates many records at once: the index rows of each replaced, only the difference written', async () => {
      const [a, b] = [await createNode(ctx.dataSource, { title: 'Upd a' }), await createNode(ctx.dataSource, { title: 'Upd b' })];
      const saved = await nodes().save(Array.from({ length: 6 }, (_, i) => nodes().create({ metadata: { title: `u${i}`, parent: link(nodeUrl(a.id)) } })));
      for (const node of saved) node.metadata = { title: node.metadata.title, parent: link(nodeUrl(b.id)), kept: nodeUrl(a.id) };
      const { statements } = await statementsOf((manager) => manager.save(saved));
      for (const node of saved) {
        const stored = await reload(ctx.dataSource, node);
        expect(stored.metadata.parent!.title).toBe('Upd b');
        expect((await ctx.references.getReferences(stored)).map((r) => [r.path, r.reference]).sort()).toEqual([
          ['kept', nodeUrl(a.id)],
          ['parent', nodeUrl(b.id)],
        ]);
      }
      expect(statements.filter((sql) => /INSERT INTO ["`]reference_index["`]/.test(sql))).toHaveLength(1);
      expect(statements.filter((sql) => /DELETE FROM ["`]reference_index["`]/.test(sql))).toHaveLength(1);
    });
  });

  describe('dereference on write', () => {
    it('stores the full copy when the client sends only the link', async () => {
      const target = await createNode(ctx.dataSource, { title: 'Renaissance' });
      const referrer = await createNode(ctx.dataSource, { title: 'r', parent: link(nodeUrl(target.id)) });
      expect((await reload(ctx.dataSource, referrer)).metadata.parent).toEqual(nodeCopy(target, { title: 'Renaissance' }));
    });

    it('replaces a forged copy by the real one', async () => {
      const target = await createNode(ctx.dataSource, { title: 'Real' });
      const referrer = await createNode(ctx.dataSource, {
        title: 'r',
        parent: { title: 'Forged', id: 'forged', secret: 'injected', links: { self: nodeUrl(target.id) } },
      });
      expect((await reload(ctx.dataSource, referrer)).metadata.parent).toEqual(nodeCopy(target, { title: 'Real' }));
    });

    it('keeps the content of an external inline reference as sent', async () => {
      const external = { title: 'Getty AAT', id: '300', links: { self: 'https://vocab.getty.example/aat/300' } };
      const referrer = await createNode(ctx.dataSource, { title: 'r', parent: external });
      expect((await reload(ctx.dataSource, referrer)).metadata.parent).toEqual(external);
    });
  });

  describe('strict mode', () => {
    it('rejects an inline reference to a local record that does not exist, naming URL and path', async () => {
      const before = await indexRows();
      const count = await nodes().count();
      const attempt = createNode(ctx.dataSource, { title: 'r', parent: link(MISSING) });
      await expect(attempt).rejects.toThrow(UnknownReferenceError);
      await expect(createNode(ctx.dataSource, { title: 'r', parent: link(MISSING) })).rejects.toThrow(`parent: ${MISSING} does not exist`);
      expect(await nodes().count()).toBe(count);
      expect(await indexRows()).toBe(before);
    });

    it('rejects a link to a local record that does not exist', async () => {
      await expect(createNode(ctx.dataSource, { title: 'r', seeAlso: [MISSING] })).rejects.toThrow('seeAlso[0]');
    });
  });

  describe('bad input changes nothing', () => {
    const cases: Array<[string, Record<string, any>, Function, string]> = [
      ['a non-URL link', { title: 'x', primary: 'not a url' }, InvalidReferenceUrlError, 'primary: the reference is not an absolute URL'],
      ['a non-http link', { title: 'x', seeAlso: ['ftp://files.example/x'] }, InvalidReferenceUrlError, 'seeAlso[0]: the reference must use http or https'],
      ['a URL over 2,048 characters', { title: 'x', primary: `http://x.example/${'a'.repeat(2048)}` }, InvalidReferenceUrlError, 'longer than 2048'],
      ['a URL of 700 multibyte characters (over 2,048 bytes)', { title: 'x', primary: `http://x.example/${cjk(700)}` }, InvalidReferenceUrlError, 'primary: the reference is longer than 2048 bytes (UTF-8)'],
      ['a NUL character', { title: 'a\u0000b' }, UnstorableStringError, 'title: the string holds a NUL character'],
      ['a lone surrogate in an external copy', { title: 'x', parent: { links: { self: EXTERNAL }, note: 'x\ud800' } }, UnstorableStringError, 'parent.note: the string holds a lone UTF-16 surrogate'],
      ['a NUL character in a key', { title: 'x', parent: { links: { self: EXTERNAL }, ['a\u0000']: 1 } }, UnstorableStringError, 'parent["a\\u0000"]: the key holds a NUL character'],
      ['JSON nested over 64 levels', { title: 'x', parent: { links: { self: EXTERNAL }, deep: nestedArrays(70) } }, JsonTooDeepError, `nested deeper than ${MAX_JSON_DEPTH_ON[kind]} levels`],
      ['an external copy whose id is over 64 characters', { title: 'x', parent: { links: { self: EXTERNAL }, id: 'x'.repeat(65) } }, InvalidReferenceUuidError, 'parent: the id of the copied record is longer than 64 characters'],
      ['an inline object without a link', { title: 'x', parent: { title: 'no link' } }, MissingReferenceLinkError, 'parent: an inline reference needs links.self'],
      ['the key __proto__', JSON.parse('{"title":"x","nested":{"__proto__":{"polluted":true}}}'), ForbiddenKeyError, 'nested.__proto__'],
      ['the key constructor', { title: 'x', constructor: 'x' }, ForbiddenKeyError, 'constructor'],
      ['the key prototype', { title: 'x', parent: { prototype: 1, links: { self: 'http://a.example/b' } } }, ForbiddenKeyError, 'parent.prototype'],
    ];

    it.each(cases)('rejects %s with a dedicated error naming the field', async (_name, metadata, errorClass, message) => {
      const count = await nodes().count();
      const rows = await indexRows();
      const attempt = createNode(ctx.dataSource, metadata as any);
      await expect(attempt).rejects.toThrow(errorClass as any);
      await expect(createNode(ctx.dataSource, metadata as any)).rejects.toThrow(message);
      expect(await nodes().count()).toBe(count);
      expect(await indexRows()).toBe(rows);
    });

    it('leaves record and index as they were when an update fails', async () => {
      const target = await createNode(ctx.dataSource, { title: 't' });
      const referrer = await createNode(ctx.dataSource, { title: 'r', parent: link(nodeUrl(target.id)) });
      const references = await ctx.references.getReferences(referrer);
      referrer.metadata = { title: 'changed', parent: link(nodeUrl(target.id)), primary: 'bad' };
      await expect(nodes().save(referrer)).rejects.toThrow(InvalidReferenceUrlError);
      expect((await reload(ctx.dataSource, referrer)).metadata.title).toBe('r');
      expect(await ctx.references.getReferences(referrer)).toEqual(references);
    });

    it('rolls back the index with the record when the transaction fails after the write', async () => {
      const rows = await indexRows();
      const count = await nodes().count();
      const target = await createNode(ctx.dataSource, { title: 't2' });
      await expect(
        ctx.dataSource.transaction(async (manager) => {
          await manager.save(manager.create(TestNode, { metadata: { title: 'r', parent: link(nodeUrl(target.id)) } }));
          throw new Error('later failure');
        }),
      ).rejects.toThrow('later failure');
      expect(await nodes().count()).toBe(count + 1);
      expect(await indexRows()).toBe(rows);
    });
  });

  describe('index follows updates', () => {
    it('tracks the same URL at each path, and writes only the difference on update', async () => {
      const target = await createRecord(ctx.dataSource, { title: 't' });
      const referrer = await createRecord(ctx.dataSource, { title: 'r', link: recordUrl(target.id), links: [recordUrl(target.id), recordUrl(target.id)] });
      expect((await ctx.references.getReferrers(recordUrl(target.id))).map((r) => r.path)).toEqual(['link', 'links[0]', 'links[1]']);
      referrer.metadata = { title: 'r', links: [recordUrl(target.id)] };
      await ctx.dataSource.getRepository(TestRecord).save(referrer);
      expect((await ctx.references.getReferrers(recordUrl(target.id))).map((r) => r.path)).toEqual(['links[0]']);
    });
  });

  describe('delete policies', () => {
    it("restrict: refuses the delete, lists the referrers, and deletes nothing", async () => {
      const owner = await createNode(ctx.dataSource, { title: 'owner' });
      const owned = await createNode(ctx.dataSource, { title: 'owned', owner: link(nodeUrl(owner.id)) });
      const error = await nodes().remove(owner).catch((e) => e);
      expect(error).toBeInstanceOf(ReferencedRecordError);
      expect(error.referrers).toEqual([expect.objectContaining({ referrerId: owned.id, path: 'owner' })]);
      expect(await nodes().findOneBy({ id: owner.id })).not.toBeNull();
      expect(await ctx.references.getReferences(owned)).toEqual([expect.objectContaining({ reference: nodeUrl(owner.id), path: 'owner' })]);
      expect(await ctx.references.getReferrers(nodeUrl(owner.id))).toHaveLength(1);
    });

    it('detach: removes the array element and unsets the single property, reindexing the referrer', async () => {
      const gone = await createNode(ctx.dataSource, { title: 'gone' });
      const other = await createNode(ctx.dataSource, { title: 'other' });
      const referrer = await createNode(ctx.dataSource, {
        title: 'r',
        seeAlso: [nodeUrl(gone.id), nodeUrl(other.id), nodeUrl(gone.id)],
        primary: nodeUrl(gone.id),
      });
      await nodes().remove(gone);
      const stored = (await reload(ctx.dataSource, referrer)).metadata;
      expect(stored.seeAlso).toEqual([nodeUrl(other.id)]);
      expect(stored).not.toHaveProperty('primary');
      expect((await ctx.references.getReferences(referrer)).map((r) => [r.path, r.reference])).toEqual([['seeAlso[0]', nodeUrl(other.id)]]);
    });

    it('keep: leaves the referrer as it is, and verify() reports it dangling', async () => {
      const gone = await createNode(ctx.dataSource, { title: 'kept target' });
      const referrer = await createNode(ctx.dataSource, { title: 'r', kept: nodeUrl(gone.id), parent: link(nodeUrl(gone.id)) });
      const before = (await reload(ctx.dataSource, referrer)).metadata;
      await nodes().remove(gone);
      expect((await reload(ctx.dataSource, referrer)).metadata).toEqual(before);
      const report = await ctx.maintenance.verify();
      expect(report.dangling.filter((r) => r.referrerId === referrer.id).map((r) => r.path).sort()).toEqual(['kept', 'parent']);
    });

    it("removes the deleted record's own index rows", async () => {
      const target = await createNode(ctx.dataSource, { title: 't' });
      const referrer = await createNode(ctx.dataSource, { title: 'r', parent: link(nodeUrl(target.id)) });
      const id = referrer.id;
      await nodes().remove(referrer);
      expect(await ctx.references.getReferrers(nodeUrl(target.id))).toEqual([]);
      expect((await ctx.maintenance.verify()).extra.filter((r) => r.referrerId === id)).toEqual([]);
    });
  });
});
