import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { IsOptional, IsString } from 'class-validator';
import { InlineReference, ReferenceEnabled, ReferencesConfigurationError, UnknownReferenceError } from 'nestjs-references';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { JsonDocument } from '../../apps/catalogue/src/database/json-document.js';
import { BASE_URL, testTablesMigration } from '../support/fixtures.js';
import { createNode, reload } from '../support/records.js';
import { DATABASES_AND_MODES, bootReferences, type TestContext } from '../support/test-app.js';

class BookMetadata {
  @IsString() title: string;
  @InlineReference() @IsOptional() series?: Record<string, any>;
}

/** A record named in its URL by a unique slug, not by its uuid primary key. */
@Entity('test_book')
@ReferenceEnabled({ route: 'books', key: 'slug', schema: BookMetadata })
class TestBook extends JsonDocument {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'varchar', length: 100, unique: true }) slug: string;
  @Column({ type: 'json' }) metadata: BookMetadata;
}

/** The same, without a unique constraint on the slug: a URL could name two records. */
@Entity('test_book')
@ReferenceEnabled({ route: 'books', key: 'slug', schema: BookMetadata })
class AmbiguousBook extends JsonDocument {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'varchar', length: 100 }) slug: string;
  @Column({ type: 'json' }) metadata: BookMetadata;
}

const CreateBooks1764000000002 = testTablesMigration(1764000000002, { test_book: ', "slug" varchar(100) NOT NULL UNIQUE' });

const bookUrl = (slug: string) => `${BASE_URL}/books/${slug}`;
const link = (url: string) => ({ links: { self: url } });

describe.each(DATABASES_AND_MODES)('canonical URLs keyed by a unique column on %s, %s mode', (kind, mode) => {
  let ctx: TestContext;
  const books = () => ctx.dataSource.getRepository(TestBook);
  const createBook = (slug: string, title: string) => books().save(books().create({ slug, metadata: { title } }));

  beforeAll(async () => {
    ctx = await bootReferences(kind, { propagation: mode, strict: true }, [], { entities: [TestBook], migrations: [CreateBooks1764000000002] });
  });
  afterAll(() => ctx.close());

  it('names a record by its key, copies it, and refreshes the copy', async () => {
    const book = await createBook('dune', 'Dune');
    expect(ctx.references.canonicalUrl(book)).toBe(bookUrl('dune'));
    const node = await createNode(ctx.dataSource, { title: 'r', parent: link(bookUrl('dune')) });
    expect((await reload(ctx.dataSource, node)).metadata.parent).toEqual({ title: 'Dune', id: book.id, links: { self: bookUrl('dune') } });
    await books().save(Object.assign(book, { metadata: { title: 'Dune (1965)' } }));
    await ctx.settle();
    expect((await reload(ctx.dataSource, node)).metadata.parent?.title).toBe('Dune (1965)');
    expect((await ctx.maintenance.verify()).ok).toBe(true);
  });

  it('refuses a key that names no record in strict mode', async () => {
    await expect(createNode(ctx.dataSource, { title: 'r', parent: link(bookUrl('no-such-book')) })).rejects.toThrow(UnknownReferenceError);
  });

  it('moves every reference when the key changes', async () => {
    const book = await createBook('solaris', 'Solaris');
    const node = await createNode(ctx.dataSource, { title: 'r', parent: link(bookUrl('solaris')) });
    await books().save(Object.assign(book, { slug: 'solaris-1961' }));
    await ctx.settle();
    expect((await reload(ctx.dataSource, node)).metadata.parent?.links.self).toBe(bookUrl('solaris-1961'));
    expect(await ctx.references.getReferrers(bookUrl('solaris-1961'))).toEqual([expect.objectContaining({ referrerId: node.id })]);
    expect(await ctx.references.getReferrers(bookUrl('solaris'))).toEqual([]);
    expect((await ctx.maintenance.verify()).ok).toBe(true);
  });
});

describe('a key that is not a unique column', () => {
  it('is refused at start-up', async () => {
    await expect(bootReferences('sqlite', {}, [], { entities: [AmbiguousBook], migrations: [CreateBooks1764000000002] })).rejects.toThrow(
      ReferencesConfigurationError,
    );
  });
});
