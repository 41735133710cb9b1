import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Type } from 'class-transformer';
import { IsOptional, IsString, ValidateNested } from 'class-validator';
import { InlineReference, ReferenceByLink, ReferenceEnabled } from 'nestjs-references';
import { Column, Entity, PrimaryGeneratedColumn, VersionColumn, type MigrationInterface, type QueryRunner } from 'typeorm';
import { BASE_URL } from '../support/fixtures.js';
import { MODES, bootReferences, type TestContext } from '../support/test-app.js';

class JsonCredit {
  @IsString() role: string;
  @InlineReference() @IsOptional() agent?: Record<string, any>;
}

class JsonPageMetadata {
  @IsString() title: string;
  @IsString() @IsOptional() note?: string;
  @InlineReference() @IsOptional() parent?: Record<string, any>;
  @InlineReference({ onDelete: 'detach' }) @IsOptional() tags?: Array<Record<string, any>>;
  @ReferenceByLink({ onDelete: 'detach' }) @IsOptional() seeAlso?: string[];
  @ValidateNested({ each: true }) @Type(() => JsonCredit) @IsOptional() credits?: JsonCredit[];
}

/**
 * A record whose metadata is a PostgreSQL `json` column (text kept as written), not `jsonb`: the entity
 * does not extend the fixtures' `JsonDocument`, which turns `json` into `jsonb` on PostgreSQL.
 */
@Entity('test_json_page')
@ReferenceEnabled({ route: 'pages', schema: JsonPageMetadata })
class JsonPage {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'json' }) metadata: JsonPageMetadata;
  @VersionColumn() version: number;
}

class CreateJsonPages1764000000003 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "test_json_page" ("id" uuid PRIMARY KEY DEFAULT gen_random_uuid(), "metadata" json NOT NULL, "version" integer NOT NULL)`,
    );
  }
  async down(): Promise<void> {}
}

const pageUrl = (id: string) => `${BASE_URL}/pages/${id}`;
const link = (url: string) => ({ links: { self: url } });

// NOTE: PostgreSQL alone has both types; on SQLite and MariaDB a `json` column is the only kind the others suites use.
describe.each(MODES)('a json (not jsonb) metadata column on PostgreSQL, %s mode', (mode) => {
  let ctx: TestContext;
  const pages = () => ctx.dataSource.getRepository(JsonPage);
  const create = (metadata: JsonPageMetadata) => pages().save(pages().create({ metadata }));
  const reload = async (page: JsonPage) => (await pages().findOneByOrFail({ id: page.id })).metadata;

  beforeAll(async () => {
    ctx = await bootReferences('postgres', { propagation: mode }, [], { entities: [JsonPage], migrations: [CreateJsonPages1764000000003] });
  });
  afterAll(() => ctx.close());

  it('stores the metadata in a json column', async () => {
    const [{ type }] = await ctx.dataSource.query(
      `SELECT data_type AS type FROM information_schema.columns WHERE table_name = 'test_json_page' AND column_name = 'metadata'`,
    );
    expect(type).toBe('json');
  });

  it('refreshes copies at the top level, in arrays and nested in a list, and leaves the rest of each document as it was', async () => {
    const target = await create({ title: 'Baroque' });
    const referrer = await create({
      title: 'r',
      note: 'kept',
      parent: link(pageUrl(target.id)),
      tags: [link(pageUrl(target.id))],
      credits: [{ role: 'author', agent: link(pageUrl(target.id)) }],
    });
    const version = (await pages().findOneByOrFail({ id: referrer.id })).version;
    await pages().save(Object.assign(target, { metadata: { title: 'Baroque (1600–1750)' } }));
    await ctx.settle();
    const copy = { title: 'Baroque (1600–1750)', id: target.id, links: { self: pageUrl(target.id) } };
    expect(await reload(referrer)).toEqual({ title: 'r', note: 'kept', parent: copy, tags: [copy], credits: [{ role: 'author', agent: copy }] });
    expect((await pages().findOneByOrFail({ id: referrer.id })).version).toBeGreaterThan(version);
    expect((await ctx.maintenance.verify()).ok).toBe(true);
  });

  it('propagates transitively and writes nothing where the copy is already current', async () => {
    const top = await create({ title: 'period' });
    const middle = await create({ title: 'style', parent: link(pageUrl(top.id)) });
    const bottom = await create({ title: 'sub-style', parent: link(pageUrl(middle.id)) });
    await pages().save(Object.assign(top, { metadata: { title: 'period, renamed' } }));
    await ctx.settle();
    expect((await reload(bottom)).parent?.parent?.title).toBe('period, renamed');
    const version = (await pages().findOneByOrFail({ id: bottom.id })).version;
    await ctx.maintenance.refresh(pageUrl(top.id));
    await ctx.settle();
    expect((await pages().findOneByOrFail({ id: bottom.id })).version).toBe(version);
  });

  it('rewrites the links of moved references (referenceChanged)', async () => {
    const target = await create({ title: 'moving' });
    const referrer = await create({ title: 'r', parent: link(pageUrl(target.id)), seeAlso: [pageUrl(target.id)] });
    const external = 'https://elsewhere.example/moved';
    await ctx.references.referenceChanged(pageUrl(target.id), external);
    await ctx.settle();
    const stored = await reload(referrer);
    expect(stored.parent?.links.self).toBe(external);
    expect(stored.seeAlso).toEqual([external]);
    expect(await ctx.references.getReferrers(external)).toHaveLength(2);
  });

  it('detaches the copies and links of a deleted target', async () => {
    const gone = await create({ title: 'gone' });
    const other = await create({ title: 'other' });
    const referrer = await create({
      title: 'r',
      tags: [link(pageUrl(gone.id)), link(pageUrl(other.id))],
      seeAlso: [pageUrl(gone.id), pageUrl(other.id)],
    });
    await pages().remove(gone);
    await ctx.settle();
    const stored = await reload(referrer);
    expect(stored.tags).toEqual([{ title: 'other', id: other.id, links: { self: pageUrl(other.id) } }]);
    expect(stored.seeAlso).toEqual([pageUrl(other.id)]);
    expect((await ctx.references.getReferences(referrer)).map((r) => r.path).sort()).toEqual(['seeAlso[0]', 'tags[0]']);
  });

  // Last: the stored base URL changes, and the suite's app keeps the old one.
  it('rebases the URLs held in the documents', async () => {
    const target = await create({ title: 't' });
    const referrer = await create({ title: 'r', parent: link(pageUrl(target.id)), seeAlso: [pageUrl(target.id)] });
    const result = await ctx.maintenance.rebase('http://rebased.example');
    expect(result).toMatchObject({ to: 'http://rebased.example', done: true });
    const stored = await reload(referrer);
    expect(stored.parent?.links.self).toBe(`http://rebased.example/pages/${target.id}`);
    expect(stored.seeAlso).toEqual([`http://rebased.example/pages/${target.id}`]);
  });
});
