import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { IsString } from 'class-validator';
import { NonCanonicalReferenceError, ReferenceEnabled, ReferencedRecordError, UnknownReferenceError } from 'nestjs-references';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { JsonDocument } from '../../apps/catalogue/src/database/json-document.js';
import { TestMirror, TestNode, TestRecord, testTablesMigration } from '../support/fixtures.js';
import { createMirror, createNode, createRecord, reload } from '../support/records.js';
import { DATABASES_AND_MODES, bootReferences, type TestContext } from '../support/test-app.js';

// The seed's own setting: the app and the taxonomy service share one host.
const BASE = 'http://localhost';
const ALIAS = 'http://127.0.0.1:5000';
const TAXONOMY_B = `${BASE}/api/taxonomies/requestors/a/b/`;
const TAXONOMY_B_MOVED = `${BASE}/api/taxonomies/requestors/a/b-moved/`;

class TermMetadata {
  @IsString() title: string;
}

const termUrl = (slug: string) => `${BASE}/vocabularies/${slug}/`;

/** A type whose canonical URL ends with a slash, named by a unique slug: its `resolve()` takes that form only. */
@Entity('test_term')
@ReferenceEnabled({
  route: 'vocabularies',
  key: 'slug',
  schema: TermMetadata,
  canonicalUrl: (term: TestTerm, baseUrl) => `${baseUrl}/vocabularies/${encodeURIComponent(term.slug)}/`,
  resolve: (url, baseUrl) => {
    const rest = url.startsWith(`${baseUrl}/vocabularies/`) ? url.slice(`${baseUrl}/vocabularies/`.length) : '';
    return /^[^/?#]+\/$/.test(rest) ? decodeURIComponent(rest.slice(0, -1)) : undefined;
  },
})
class TestTerm extends JsonDocument {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'varchar', length: 100, unique: true }) slug: string;
  @Column({ type: 'json' }) metadata: TermMetadata;
}

const CreateTerms1764000000003 = testTablesMigration(1764000000003, { test_term: ', "slug" varchar(100) NOT NULL UNIQUE' });

const link = (url: string) => ({ links: { self: url } });
const ids = (rows: Array<{ referrerId: string }>) => rows.map((r) => r.referrerId).sort();

describe.each(DATABASES_AND_MODES)('URLs under the base URL that name none of our types, on %s in %s mode', (kind, mode) => {
  let ctx: TestContext;
  const terms = () => ctx.dataSource.getRepository(TestTerm);
  const createTerm = (slug: string, title: string) => terms().save(terms().create({ slug, metadata: { title } }));

  beforeAll(async () => {
    ctx = await bootReferences(kind, { baseUrl: BASE, aliases: [ALIAS], propagation: mode, strict: true }, [], {
      entities: [TestTerm],
      migrations: [CreateTerms1764000000003],
    });
  });
  afterAll(() => ctx.close());

  describe('the seed taxonomy scenario: terms of another service of the same host', () => {
    let mirror: TestMirror;
    let rec: TestRecord;
    let holder: TestRecord;
    let owner: TestNode;

    beforeAll(async () => {
      mirror = await createMirror(ctx.dataSource, { links: { self: TAXONOMY_B }, slug: 'b' });
      rec = await createRecord(ctx.dataSource, { title: 'rec', taxo1: { links: { self: TAXONOMY_B }, slug: 'b' } });
      holder = await createRecord(ctx.dataSource, { title: 'holder', inlined: link(`${BASE}/taxonomies/${mirror.id}`) });
      // A restrict reference in strict mode: a record of another service is not ours to check.
      owner = await createNode(ctx.dataSource, { title: 'owner', owner: link(TAXONOMY_B) });
      await ctx.settle();
    });

    it('stores them as sent, with their trailing slash, and indexes them exactly', async () => {
      expect((await reload(ctx.dataSource, mirror)).metadata).toEqual({ links: { self: TAXONOMY_B }, slug: 'b' });
      expect((await reload(ctx.dataSource, rec)).metadata.taxo1).toEqual({ links: { self: TAXONOMY_B }, slug: 'b' });
      expect((await reload(ctx.dataSource, owner)).metadata.owner).toEqual(link(TAXONOMY_B));
      expect(ids(await ctx.references.getReferrers(TAXONOMY_B))).toEqual([mirror.id, rec.id, owner.id].sort());
      expect(await ctx.references.getReferrers(TAXONOMY_B.slice(0, -1))).toEqual([]);
    });

    it('matches them by prefix', async () => {
      expect(ids(await ctx.references.getReferrers(`${BASE}/api/taxonomies/requestors/`, { match: 'prefix' }))).toEqual(
        [mirror.id, rec.id, owner.id].sort(),
      );
    });

    it('referenceContentChanged reaches the mirror, the records inlining the term, and the records inlining the mirror', async () => {
      const content = { links: { self: TAXONOMY_B }, slug: 'b', title: 'new title' };
      const updated = await ctx.references.referenceContentChanged(content, { url: TAXONOMY_B });
      await ctx.settle();
      if (mode === 'sync') expect(ids(updated)).toEqual(expect.arrayContaining([mirror.id, rec.id, holder.id].sort()));
      expect((await reload(ctx.dataSource, mirror)).metadata).toEqual(content);
      expect((await reload(ctx.dataSource, rec)).metadata.taxo1).toEqual(content);
      expect((await reload(ctx.dataSource, holder)).metadata.inlined).toEqual({
        slug: 'b',
        title: 'new title',
        id: mirror.id,
        links: { self: `${BASE}/taxonomies/${mirror.id}` },
      });
    });

    it('verify finds them clean: a foreign URL is never reported in another spelling', async () => {
      const report = await ctx.maintenance.verify();
      expect(report.nonCanonical).toEqual([]);
      expect(report.ok).toBe(true);
    });

    it('referenceChanged moves them, in the documents and in the index', async () => {
      await ctx.references.referenceChanged(TAXONOMY_B, TAXONOMY_B_MOVED);
      await ctx.settle();
      expect((await reload(ctx.dataSource, mirror)).metadata.links.self).toBe(TAXONOMY_B_MOVED);
      expect((await reload(ctx.dataSource, rec)).metadata.taxo1?.links.self).toBe(TAXONOMY_B_MOVED);
      expect((await reload(ctx.dataSource, owner)).metadata.owner?.links.self).toBe(TAXONOMY_B_MOVED);
      expect(ids(await ctx.references.getReferrers(TAXONOMY_B_MOVED))).toEqual([mirror.id, rec.id, owner.id].sort());
      expect(await ctx.references.getReferrers(TAXONOMY_B)).toEqual([]);
      expect((await ctx.maintenance.verify()).ok).toBe(true);
    });
  });

  it('keeps every spelling of a foreign URL as sent: a query, a fragment, an upper-case host', async () => {
    const spellings = [`${BASE}/api/records/abc-123?version=2`, `${BASE}/api/records/abc-123#files`, 'HTTP://LOCALHOST/api/communities/c1/', `${BASE}/`];
    const node = await createNode(ctx.dataSource, { title: 'r', seeAlso: spellings, primary: `${BASE}/nodes-archive/1` });
    const stored = (await reload(ctx.dataSource, node)).metadata;
    expect(stored.seeAlso).toEqual(spellings);
    expect(stored.primary).toBe(`${BASE}/nodes-archive/1`);
    expect(ids(await ctx.references.getReferrers('HTTP://LOCALHOST/api/communities/c1/'))).toEqual([node.id]);
  });

  it('keeps a foreign path under an alias as sent, while a record of ours under the alias is stored under the base URL', async () => {
    const target = await createNode(ctx.dataSource, { title: 'target' });
    const foreign = `${ALIAS}/api/vocabularies/languages/cs/`;
    const node = await createNode(ctx.dataSource, { title: 'r', seeAlso: [foreign, `${ALIAS}/nodes/${target.id}`] });
    expect((await reload(ctx.dataSource, node)).metadata.seeAlso).toEqual([foreign, `${BASE}/nodes/${target.id}`]);
    expect(ids(await ctx.references.getReferrers(foreign))).toEqual([node.id]);
    expect(await ctx.references.getReferrers(`${BASE}/api/vocabularies/languages/cs/`)).toEqual([]);
  });

  it('still refuses a spelling of one of our records, naming the type the URL matched', async () => {
    const target = await createNode(ctx.dataSource, { title: 'target' });
    const spelled = `${BASE}/nodes/${target.id}/`;
    const write = createNode(ctx.dataSource, { title: 'r', seeAlso: [spelled] });
    await expect(write).rejects.toThrow(NonCanonicalReferenceError);
    await expect(createNode(ctx.dataSource, { title: 'r', seeAlso: [spelled] })).rejects.toThrow(
      `seeAlso[0]: ${JSON.stringify(spelled)} names a local record of the type "nodes" with a trailing slash; send its canonical URL`,
    );
    // And a path under a record of ours is ours: it names no record.
    await expect(createNode(ctx.dataSource, { title: 'r', seeAlso: [`${BASE}/nodes/${target.id}/files`] })).rejects.toThrow(UnknownReferenceError);
  });

  describe('a type whose canonical URL ends with a slash', () => {
    it('is dereferenced on write, from any spelling its resolve() accepts, and stored canonical', async () => {
      const term = await createTerm('ochre', 'Ochre');
      const spellings = [termUrl('ochre'), 'HTTP://LOCALHOST:80/vocabularies/ochre/', `${ALIAS}/vocabularies/./ochre/`];
      for (const spelling of spellings) {
        const node = await createNode(ctx.dataSource, { title: 'r', parent: { title: 'FORGED', links: { self: spelling } }, seeAlso: [spelling] });
        const stored = (await reload(ctx.dataSource, node)).metadata;
        expect(stored.parent).toEqual({ title: 'Ochre', id: term.id, links: { self: termUrl('ochre') } });
        expect(stored.seeAlso).toEqual([termUrl('ochre')]);
      }
      expect(ctx.references.resolveReference(termUrl('ochre'))).toEqual({ type: 'vocabularies', id: 'ochre' });
    });

    it('refuses a spelling its resolve() does not accept, naming the type, and a missing term in strict mode', async () => {
      await createTerm('umber', 'Umber');
      await expect(createNode(ctx.dataSource, { title: 'r', seeAlso: [`${termUrl('umber')}?x=1`] })).rejects.toThrow(
        `names a local record of the type "vocabularies" with a query`,
      );
      await expect(createNode(ctx.dataSource, { title: 'r', seeAlso: [`${BASE}/vocabularies/umber`] })).rejects.toThrow(UnknownReferenceError);
      await expect(createNode(ctx.dataSource, { title: 'r', seeAlso: [termUrl('no-such-term')] })).rejects.toThrow(UnknownReferenceError);
    });

    it('refreshes the copies when the term changes', async () => {
      const term = await createTerm('sienna', 'Sienna');
      const node = await createNode(ctx.dataSource, { title: 'r', parent: link(termUrl('sienna')) });
      await terms().save(Object.assign(term, { metadata: { title: 'Raw sienna' } }));
      await ctx.settle();
      expect((await reload(ctx.dataSource, node)).metadata.parent).toEqual({ title: 'Raw sienna', id: term.id, links: { self: termUrl('sienna') } });
      expect((await ctx.maintenance.verify()).ok).toBe(true);
    });

    it('moves every reference when the slug changes', async () => {
      const term = await createTerm('azure', 'Azure');
      const node = await createNode(ctx.dataSource, { title: 'r', parent: link(termUrl('azure')), seeAlso: [termUrl('azure')] });
      await terms().save(Object.assign(term, { slug: 'azure-blue' }));
      await ctx.settle();
      const stored = (await reload(ctx.dataSource, node)).metadata;
      expect(stored.parent?.links.self).toBe(termUrl('azure-blue'));
      expect(stored.seeAlso).toEqual([termUrl('azure-blue')]);
      expect(await ctx.references.getReferrers(termUrl('azure'))).toEqual([]);
      expect((await ctx.maintenance.verify()).ok).toBe(true);
    });

    it('holds the delete policies: restrict refuses the delete, detach removes the link', async () => {
      const term = await createTerm('indigo', 'Indigo');
      const restricting = await createNode(ctx.dataSource, { title: 'r', owner: link(`${ALIAS}/vocabularies/indigo/`) });
      await expect(terms().remove(term)).rejects.toThrow(ReferencedRecordError);
      await ctx.dataSource.getRepository(TestNode).remove(restricting);
      const detaching = await createNode(ctx.dataSource, { title: 'r', seeAlso: [termUrl('indigo')] });
      await terms().remove(term);
      await ctx.settle();
      expect((await reload(ctx.dataSource, detaching)).metadata.seeAlso).toEqual([]);
    });
  });
});
