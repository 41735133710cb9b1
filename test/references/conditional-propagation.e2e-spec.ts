import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { IsOptional, IsString } from 'class-validator';
import { InlineReference, REFERRERS_UPDATED_EVENT, ReferenceEnabled, type ReferrersUpdatedEvent } from 'nestjs-references';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { JsonDocument } from '../../apps/catalogue/src/database/json-document.js';
import { TestNode, TestRecord, testTablesMigration } from '../support/fixtures.js';
import { createNode, createRecord, nodeUrl, recordUrl, reload } from '../support/records.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReferenceIndex } from '../../libs/references/src/reverse-index/reference-index.service.js';
import { DATABASES, connectionOptions, type DatabaseKind } from '../support/databases.js';
import { DATABASES_AND_MODES, bootReferences, type TestContext } from '../support/test-app.js';

const link = (url: string) => ({ links: { self: url } });

/** Stands in for other records a `postprocess` reads: what it returns may change when its target does not. */
const shelfLabel = { current: 'first' };
const labelled = (content: Record<string, any>) => ({ ...content, label: `${content.title} (${shelfLabel.current})` });

class ShelfMetadata {
  @IsString() title: string;
  /** Reads "other records": opts out of the comparison. */
  @InlineReference({ fields: ['title'], postprocess: labelled, comparable: false }) @IsOptional() labelled?: Record<string, any>;
  /** The same postprocess, compared (as if it read nothing else). */
  @InlineReference({ fields: ['title'], postprocess: labelled }) @IsOptional() compared?: Record<string, any>;
}

@Entity('test_shelf')
@ReferenceEnabled({ route: 'shelves', schema: ShelfMetadata })
class TestShelf extends JsonDocument {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'json' }) metadata: ShelfMetadata;
}

const CreateShelves1764000000003 = testTablesMigration(1764000000003, { test_shelf: '' });

describe.each(DATABASES_AND_MODES)('conditional propagation on %s in %s mode', (kind, mode) => {
  let ctx: TestContext;
  const events: ReferrersUpdatedEvent[] = [];

  beforeAll(async () => {
    ctx = await bootReferences(kind, { propagation: mode }, [], { entities: [TestShelf], migrations: [CreateShelves1764000000003] });
    ctx.app.get(EventEmitter2).on(REFERRERS_UPDATED_EVENT, (e: ReferrersUpdatedEvent) => events.push(e));
  });
  afterAll(() => ctx.close());
  beforeEach(async () => {
    await ctx.settle();
    events.length = 0;
  });

  const nodes = () => ctx.dataSource.getRepository(TestNode);
  const save = async (node: TestNode) => {
    await nodes().save(node);
    await ctx.settle();
  };
  const outboxRows = async () => Number((await ctx.dataSource.query('SELECT COUNT(*) AS n FROM reference_outbox'))[0].n);
  const heard = () => events.flatMap((e) => e.referrerIds);

  /**
   * Writes a referrer's metadata behind the library's back: a copy that a propagation would rewrite (any
   * run over the referrer's path group sets it to the target's copy again), so that it shows whether one ran.
   */
  async function plant(record: TestNode | TestRecord | TestShelf, metadata: object): Promise<void> {
    const table = ctx.dataSource.getMetadata(record.constructor).tableName;
    const [sql, parameters] = ctx.dataSource.driver.escapeQueryWithParameters(
      `UPDATE ${ctx.dataSource.driver.escape(table)} SET metadata = :metadata WHERE id = :id`,
      { metadata: JSON.stringify(metadata), id: record.id },
    );
    await ctx.dataSource.query(sql, parameters);
  }

  describe('a change outside the copied fields', () => {
    it('writes no copy and no outbox row, and announces nothing', async () => {
      const target = await createNode(ctx.dataSource, { title: 'Gothic', kept: 'https://elsewhere.example/1' });
      const referrers = await Promise.all([1, 2].map((i) => createNode(ctx.dataSource, { title: `r${i}`, titled: link(nodeUrl(target.id)) })));
      const drifted = { title: 'r1', titled: { title: 'drifted', id: target.id, links: { self: nodeUrl(target.id) } } };
      await plant(referrers[0], drifted);
      const rowsBefore = await outboxRows();
      target.metadata = { title: 'Gothic', kept: 'https://elsewhere.example/2' };
      await save(target);
      // A walk of the referrers would have set the drifted copy right: none ran.
      expect((await reload(ctx.dataSource, referrers[0])).metadata).toEqual(drifted);
      expect((await reload(ctx.dataSource, referrers[1])).metadata.titled).toEqual({ title: 'Gothic', id: target.id, links: { self: nodeUrl(target.id) } });
      expect(await outboxRows()).toBe(rowsBefore);
      expect(heard()).toEqual([]);
    });

    it('still reaches the fields that copy what changed, and only those', async () => {
      const target = await createNode(ctx.dataSource, { title: 'Baroque' });
      const titled = await createNode(ctx.dataSource, { title: 'titled', titled: link(nodeUrl(target.id)) });
      const whole = await createNode(ctx.dataSource, { title: 'whole', parent: link(nodeUrl(target.id)) });
      const drifted = { title: 'titled', titled: { title: 'drifted', id: target.id, links: { self: nodeUrl(target.id) } } };
      await plant(titled, drifted);
      target.metadata = { title: 'Baroque', kept: 'https://elsewhere.example/3' };
      await save(target);
      expect((await reload(ctx.dataSource, whole)).metadata.parent).toEqual({
        title: 'Baroque',
        kept: 'https://elsewhere.example/3',
        id: target.id,
        links: { self: nodeUrl(target.id) },
      });
      expect((await reload(ctx.dataSource, titled)).metadata).toEqual(drifted);
      expect(heard()).toEqual([whole.id]);
    });

    it('still hands the link referrers to the event: their documents may show the target', async () => {
      const target = await createNode(ctx.dataSource, { title: 'Mannerism' });
      await createNode(ctx.dataSource, { title: 'titled', titled: link(nodeUrl(target.id)) });
      const linking = await createNode(ctx.dataSource, { title: 'linking', kept: nodeUrl(target.id) });
      target.metadata = { title: 'Mannerism', kept: 'https://elsewhere.example/4' };
      await save(target);
      expect(heard()).toEqual([linking.id]);
    });
  });

  describe('a change inside the copied fields', () => {
    it('reaches every copy, at any depth and in arrays', async () => {
      const target = await createNode(ctx.dataSource, { title: 'Rococo' });
      const url = nodeUrl(target.id);
      const titled = await createNode(ctx.dataSource, { title: 'titled', titled: link(url) });
      const credited = await createNode(ctx.dataSource, { title: 'credited', creators: [{ role: 'a' }, { role: 'b', agent: link(url) }] });
      const record = await createRecord(ctx.dataSource, {
        title: 'record',
        sub: { taxo2: link(url) },
        inlinedList: [link('https://elsewhere.example/x'), link(url)],
      });
      const transitive = await createRecord(ctx.dataSource, { title: 'two levels down', inlined: link(nodeUrl(credited.id)) });
      target.metadata = { title: 'Rococo (1730–1770)' };
      await save(target);
      expect((await reload(ctx.dataSource, titled)).metadata.titled!.title).toBe('Rococo (1730–1770)');
      expect((await reload(ctx.dataSource, credited)).metadata.creators![1].agent!.title).toBe('Rococo (1730–1770)');
      const stored = (await reload(ctx.dataSource, record)).metadata;
      expect(stored.sub!.taxo2!.title).toBe('Rococo (1730–1770)');
      expect(stored.inlinedList!.map((c) => c.title)).toEqual([undefined, 'Rococo (1730–1770)']);
      expect((await reload(ctx.dataSource, transitive)).metadata.inlined!.creators[1].agent.title).toBe('Rococo (1730–1770)');
      expect(heard()).toEqual(expect.arrayContaining([titled.id, credited.id, record.id, transitive.id]));
    });

    it('reaches the copies of references moved to a record of another type', async () => {
      const node = await createNode(ctx.dataSource, { title: 'moving' });
      const record = await createRecord(ctx.dataSource, { title: 'destination' });
      const referrer = await createNode(ctx.dataSource, { title: 'r', titled: link(nodeUrl(node.id)) });
      await ctx.references.referenceChanged(nodeUrl(node.id), recordUrl(record.id));
      await ctx.settle();
      record.metadata = { title: 'destination 2' };
      await ctx.dataSource.getRepository(TestRecord).save(record);
      await ctx.settle();
      expect((await reload(ctx.dataSource, referrer)).metadata.titled).toEqual({ title: 'destination 2', id: record.id, links: { self: recordUrl(record.id) } });
    });

    it('writes an outbox row for it in queue mode', async () => {
      const target = await createNode(ctx.dataSource, { title: 'Neoclassicism' });
      await createNode(ctx.dataSource, { title: 'titled', titled: link(nodeUrl(target.id)) });
      const rowsBefore = await outboxRows();
      target.metadata = { title: 'Neoclassicism (1760–1830)' };
      await save(target);
      expect(await outboxRows()).toBe(rowsBefore + (mode === 'sync' ? 0 : 1));
    });
  });

  describe('a change with few referrers', () => {
    it('reads its inline referrers in one batch, and never looks for slices', async () => {
      const target = await createNode(ctx.dataSource, { title: 'Mannerism' });
      const referrers = await Promise.all([1, 2, 3].map((i) => createNode(ctx.dataSource, { title: `m${i}`, parent: link(nodeUrl(target.id)) })));
      const index = ctx.app.get(ReferenceIndex);
      const batches: number[] = [];
      let sliceChecks = 0;
      // NOTE: own properties over the prototype's methods, removed after: every call still reaches the database.
      const { batchAfter, boundaries } = index;
      index.batchAfter = (async (manager, reference, after, limit, filter = {}) => {
        if (reference === nodeUrl(target.id) && filter.inline === true) batches.push(after);
        return batchAfter.call(index, manager, reference, after, limit, filter);
      }) as typeof index.batchAfter;
      index.boundaries = (async (...args: Parameters<typeof index.boundaries>) => {
        sliceChecks++;
        return boundaries.apply(index, args);
      }) as typeof index.boundaries;
      try {
        target.metadata = { title: 'Mannerism (1520–1600)' };
        await save(target);
      } finally {
        delete (index as { batchAfter?: unknown }).batchAfter;
        delete (index as { boundaries?: unknown }).boundaries;
      }
      for (const referrer of referrers) expect((await reload(ctx.dataSource, referrer)).metadata.parent!.title).toBe('Mannerism (1520–1600)');
      expect(batches).toEqual([0]);
      expect(sliceChecks).toBe(0);
    });
  });

  describe('a concurrent pair of changes', () => {
    it('ends with every copy current, when one was loaded before the other committed', async () => {
      const target = await createNode(ctx.dataSource, { title: 'A', kept: 'https://elsewhere.example/a' });
      const referrer = await createNode(ctx.dataSource, { title: 'r', titled: link(nodeUrl(target.id)) });
      // The second writer's save() loads the target (TypeORM's databaseEntity, title A), then waits while the
      // first writer changes the title to B and commits; it then writes title A back with another link.
      const stale = await nodes().findOneByOrFail({ id: target.id });
      stale.metadata = { title: 'A', kept: 'https://elsewhere.example/b' };
      let paused!: () => void;
      const loaded = new Promise<void>((resolve) => (paused = resolve));
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const restore = pauseAfterLoading(ctx, target.id, paused, gate);
      const second = nodes().save(stale);
      try {
        await loaded;
        const first = await nodes().findOneByOrFail({ id: target.id });
        first.metadata = { title: 'B', kept: 'https://elsewhere.example/a' };
        await nodes().save(first);
        await ctx.settle();
        expect((await reload(ctx.dataSource, referrer)).metadata.titled!.title).toBe('B');
      } finally {
        release();
        await second.finally(restore);
      }
      await ctx.settle();
      expect((await reload(ctx.dataSource, target)).metadata.title).toBe('A');
      expect((await reload(ctx.dataSource, referrer)).metadata.titled).toEqual({ title: 'A', id: target.id, links: { self: nodeUrl(target.id) } });
      expect((await ctx.maintenance.verify()).stale.filter((row) => row.referrerId === referrer.id)).toEqual([]);
    });
  });

  describe('a postprocess that cannot be compared (comparable: false)', () => {
    it('is refreshed on every change of its target; a compared one only when its copy changes', async () => {
      const target = await createNode(ctx.dataSource, { title: 'Romanticism' });
      const shelves = ctx.dataSource.getRepository(TestShelf);
      shelfLabel.current = 'first';
      const shelf = await shelves.save(
        shelves.create({ metadata: { title: 'shelf', labelled: link(nodeUrl(target.id)), compared: link(nodeUrl(target.id)) } }),
      );
      expect((await reload(ctx.dataSource, shelf as any)).metadata.labelled.label).toBe('Romanticism (first)');
      shelfLabel.current = 'second';
      target.metadata = { title: 'Romanticism', kept: 'https://elsewhere.example/5' };
      await save(target);
      const stored = (await reload(ctx.dataSource, shelf as any)).metadata;
      expect(stored.labelled.label).toBe('Romanticism (second)');
      expect(stored.compared.label).toBe('Romanticism (first)');
      expect(heard()).toEqual([shelf.id]);
    });
  });
});

describe.each(DATABASES)('the places of copies of an index written before they were recorded, on %s', (kind: DatabaseKind) => {
  let dir: string;
  // NOTE: one database that outlives each boot: a file for SQLite.
  const database = (fresh: boolean) =>
    kind === 'sqlite' ? { type: 'better-sqlite3', database: join(dir, 'db.sqlite') } : { ...connectionOptions(kind), dropSchema: fresh };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'references-copy-fields-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('are found again from the index at the next start, so that a change still reaches every copy', async () => {
    const first = await bootReferences(kind, {}, [], { connection: database(true) });
    let target: TestNode;
    let referrer: TestNode;
    try {
      target = await createNode(first.dataSource, { title: 'Cubism' });
      referrer = await createNode(first.dataSource, { title: 'r', titled: link(nodeUrl(target.id)) });
      await first.dataSource.query('DELETE FROM reference_place');
      await first.dataSource.query(`DELETE FROM reference_settings WHERE ${first.dataSource.driver.escape('key')} = 'reference-places'`);
    } finally {
      await first.close();
    }
    const second = await bootReferences(kind, {}, [], { connection: database(false) });
    try {
      target.metadata = { title: 'Cubism (1907–1914)' };
      await second.dataSource.getRepository(TestNode).save(target);
      expect((await reload(second.dataSource, referrer)).metadata.titled!.title).toBe('Cubism (1907–1914)');
    } finally {
      await second.close();
    }
  });
});

/**
 * Makes the next load of the node `id` outside a transaction (what `save()` reads first: TypeORM's
 * databaseEntity) call `paused` once it has its answer, then wait for `gate`. Answers a function that undoes it.
 */
function pauseAfterLoading(ctx: TestContext, id: string, paused: () => void, gate: Promise<void>): () => void {
  const dataSource = ctx.dataSource;
  const create = dataSource.createQueryRunner;
  let done = false;
  const wrapped = new Set<any>();
  dataSource.createQueryRunner = function (this: typeof dataSource, mode?: 'master' | 'slave') {
    const runner = create.call(this, mode);
    if (!wrapped.has(runner)) {
      wrapped.add(runner);
      const query = runner.query;
      // NOTE: an own property over the prototype's method, removed after: SQLite's query runner is shared.
      runner.query = (async (sql: string, parameters?: unknown[], ...rest: any[]) => {
        const result = await (query as (...args: any[]) => Promise<any>).call(runner, sql, parameters, ...rest);
        if (!done && !runner.isTransactionActive && /FROM ["`]test_node["`]/.test(sql) && JSON.stringify(parameters ?? []).includes(id)) {
          done = true;
          paused();
          await gate;
        }
        return result;
      }) as typeof runner.query;
    }
    return runner;
  } as typeof dataSource.createQueryRunner;
  return () => {
    dataSource.createQueryRunner = create;
    for (const runner of wrapped) delete runner.query;
  };
}
