import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  InvalidReferenceUrlError,
  ReferencesConfigurationError,
  UnknownReferenceError,
  VERSION,
} from 'nestjs-references';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { BASE_URL, TestNode, TestRecord } from '../support/fixtures.js';
import { createNode, createRecord, nodeUrl, recordUrl, reload } from '../support/records.js';
import { DATABASES_AND_MODES, bootReferences, type TestContext } from '../support/test-app.js';

const link = (url: string) => ({ links: { self: url } });

// The seed's helpers (get_reference_uuid, the references of a record not yet stored, update_inlined_ref),
// through the public API.
describe.each(DATABASES_AND_MODES)('the seed helpers on %s in %s mode', (kind, mode) => {
  let ctx: TestContext;

  beforeAll(async () => {
    // Raw writes let a test make a copy stale behind the library's back, as an import script would.
    ctx = await bootReferences(kind, { propagation: mode, rawWrites: 'allow' });
    // NOTE: one propagation through the worker before the tests, most of which touch no queue: a queue-mode
    // app closed within a second of its boot leaves Bull's worker half started, and Jest never exits.
    const target = await createRecord(ctx.dataSource, { title: 'warm-up' });
    await createRecord(ctx.dataSource, { title: 'warm-up referrer', inlined: link(recordUrl(target.id)) });
    target.metadata = { title: 'warmed up' };
    await ctx.dataSource.getRepository(TestRecord).save(target);
    await ctx.settle();
  });
  afterAll(() => ctx.close());

  const indexRows = () => ctx.dataSource.query('SELECT COUNT(*) AS n FROM reference_index').then((r) => Number(r[0].n));

  describe('resolveReference (get_reference_uuid)', () => {
    it('names the type and id of the local record a URL names, whether it exists or not', () => {
      const id = randomUUID();
      expect(ctx.references.resolveReference(recordUrl(id))).toEqual({ type: 'records', id });
      expect(ctx.references.resolveReference(nodeUrl(id))).toEqual({ type: 'nodes', id });
    });

    it.each([
      ['another site', `https://elsewhere.example/records/${randomUUID()}`],
      ['a route no type has', `${BASE_URL}/people/${randomUUID()}`],
      ['a route without an id', `${BASE_URL}/records/`],
      ['a path under a record', `${BASE_URL}/records/${randomUUID()}/files`],
    ])('answers undefined for %s', (_what, url) => {
      expect(ctx.references.resolveReference(url)).toBeUndefined();
    });
  });

  describe('referencesOf', () => {
    it('lists the references a metadata object holds, at any depth, and stores nothing', async () => {
      const target = randomUUID();
      const rows = await indexRows();
      const found = ctx.references.referencesOf(TestNode, {
        title: 'unsaved',
        parent: { title: 'p', id: target, links: { self: nodeUrl(target) } },
        seeAlso: ['https://elsewhere.example/a'],
        creators: [{ role: 'painter', agent: link(nodeUrl(target)) }, { role: 'after', attributedBy: recordUrl(target) }],
      });
      expect(found).toEqual([
        { reference: nodeUrl(target), referenceUuid: target, inline: true, path: 'parent', onDelete: 'keep' },
        { reference: 'https://elsewhere.example/a', referenceUuid: null, inline: false, path: 'seeAlso[0]', onDelete: 'detach' },
        { reference: nodeUrl(target), referenceUuid: null, inline: true, path: 'creators[0].agent', onDelete: 'restrict' },
        { reference: recordUrl(target), referenceUuid: null, inline: false, path: 'creators[1].attributedBy', onDelete: 'detach' },
      ]);
      expect(await indexRows()).toBe(rows);
    });

    it('refuses a reference that is not a URL, naming its path', () => {
      expect(() => ctx.references.referencesOf(TestRecord, { title: 'x', reflist: [{ $ref: 'not a url' }] })).toThrow(
        new InvalidReferenceUrlError('reflist[0].$ref', 'is not an absolute URL'),
      );
    });

    it('refuses a class that is not a reference-enabled entity', () => {
      class Plain {}
      expect(() => ctx.references.referencesOf(Plain, {})).toThrow(ReferencesConfigurationError);
    });
  });

  describe('refreshReferences (update_inlined_ref)', () => {
    it("takes a record's stale copies again from their targets, at any depth, and saves it", async () => {
      const agent = await createNode(ctx.dataSource, { title: 'Rembrandt' });
      const external = { title: 'as sent', links: { self: 'https://vocab.example.org/x' } };
      const record = await createNode(ctx.dataSource, {
        title: 'Night Watch',
        parent: external,
        creators: [{ role: 'painter', agent: link(nodeUrl(agent.id)) }],
      });
      await ctx.settle();
      // Behind the library's back: the target changes, and no copy hears of it.
      await ctx.dataSource.getRepository(TestNode).update(agent.id, { metadata: { title: 'Rembrandt van Rijn' } });
      expect((await reload(ctx.dataSource, record)).metadata.creators?.[0].agent?.title).toBe('Rembrandt');

      const refreshed = await ctx.maintenance.refreshReferences(record);

      const expected = { title: 'Rembrandt van Rijn', id: agent.id, links: { self: nodeUrl(agent.id) } };
      expect(refreshed.metadata.creators?.[0].agent).toEqual(expected);
      const stored = (await reload(ctx.dataSource, record)).metadata;
      expect(stored.creators?.[0].agent).toEqual(expected);
      // A copy of a remote target has no source here: it stays as it was.
      expect(stored.parent).toEqual(external);
      await ctx.settle();
      expect((await ctx.maintenance.verify()).stale).toEqual([]);
    });

    it('writes nothing when every copy is current', async () => {
      const target = await createRecord(ctx.dataSource, { title: 'current' });
      const record = await createRecord(ctx.dataSource, { title: 'r', inlined: link(recordUrl(target.id)) });
      const version = (await reload(ctx.dataSource, record)).version;
      const refreshed = await ctx.maintenance.refreshReferences(record);
      expect(refreshed.version).toBe(version);
      expect((await reload(ctx.dataSource, record)).version).toBe(version);
    });

    it('refuses a record that is not stored', async () => {
      const record = ctx.dataSource.getRepository(TestRecord).create({ id: randomUUID(), metadata: { title: 'never saved' } });
      await expect(ctx.maintenance.refreshReferences(record)).rejects.toThrow(UnknownReferenceError);
    });
  });

  it("exports the library's version, from its package.json", () => {
    const manifest = JSON.parse(readFileSync(new URL('../../libs/references/package.json', import.meta.url), 'utf8'));
    expect(VERSION).toBe(manifest.version);
    expect(VERSION).toMatch(/^\d+\.\d+\.\d+/);
  });
});
