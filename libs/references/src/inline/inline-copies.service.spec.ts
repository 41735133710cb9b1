import { describe, expect, it } from '@jest/globals';
import type { EntityManager } from 'typeorm';
import { InlineReference } from '../decorators/inline-reference.decorator.js';
import { ReferencesMetadataAccessor } from '../decorators/references-metadata.accessor.js';
import type { ReferenceFieldMetadata } from '../interfaces/reference-options.interface.js';
import type { ReferenceType } from '../registry/reference-type.model.js';
import type { ReferenceTypesRegistry } from '../registry/reference-types.registry.js';
import { InlineCopies } from './inline-copies.service.js';

class TermSchema {
  @InlineReference() parent?: object;
}

class ArtworkSchema {
  @InlineReference() stylePeriod?: object;
  @InlineReference({ depth: 1 }) shallow?: object;
  @InlineReference({ fields: ['title'] }) titled?: object;
  @InlineReference({ fields: ['title'], postprocess: (c) => c, comparable: false }) opaque?: object;
}

const terms = { name: 'terms', schema: TermSchema } as unknown as ReferenceType;
const artworks = { name: 'artworks', schema: ArtworkSchema } as unknown as ReferenceType;
// NOTE: a registry that knows the terms (what the depth rule asks of it) and the artworks that copy them.
const registry = {
  resolve: (url: string) => (url.includes('/terms/') ? { type: terms, id: url.split('/').pop()! } : undefined),
  forName: (name: string) => (name === 'artworks' ? artworks : name === 'terms' ? terms : undefined),
};
const copies = new InlineCopies(registry as unknown as ReferenceTypesRegistry);
const field = (name: string) => ReferencesMetadataAccessor.getFields(ArtworkSchema).find((f) => f.propertyKey === name) as ReferenceFieldMetadata;
const context = { reference: 'http://x/terms/c', manager: {} as EntityManager };

const link = (id: string) => ({ self: `http://x/terms/${id}` });
const grandparent = { title: 'Baroque', id: 'a', links: link('a') };
const parent = { title: 'High Baroque', id: 'b', links: link('b'), parent: grandparent };
const child = { title: 'Roman High Baroque', id: 'c', links: link('c'), parent };

describe('InlineCopies: the depth rule of nested copies', () => {
  it('keeps two levels in full by default; the third is reduced to { id, links }', () => {
    expect(copies.build(child, terms, field('stylePeriod'), context)).toEqual({
      ...child,
      parent: { ...parent, parent: { id: 'a', links: link('a') } },
    });
  });

  it('reduces the nested copies of the first level with depth 1', () => {
    expect(copies.build(child, terms, field('shallow'), context)).toEqual({ ...child, parent: { id: 'b', links: link('b') } });
  });

  it('keeps only the listed fields, and always id and links', () => {
    expect(copies.build(child, terms, field('titled'), context)).toEqual({ title: child.title, id: 'c', links: link('c') });
  });

  it('copies the content of a target outside the database as it is', () => {
    expect(copies.build(child, undefined, field('shallow'), context)).toEqual(child);
  });

  it('never changes the representation it copies', () => {
    const before = structuredClone(child);
    copies.build(child, terms, field('shallow'), context);
    expect(child).toEqual(before);
  });
});

describe('InlineCopies: which copies a change alters', () => {
  const every = ['artworks stylePeriod', 'artworks shallow', 'artworks titled', 'artworks opaque'];

  it('names the fields whose copy differs, and only those', () => {
    const described = { ...child, description: 'new' };
    expect(copies.changed(child, described, terms, every, context)).toEqual(new Set(['artworks stylePeriod', 'artworks shallow', 'artworks opaque']));
  });

  it('follows the depth rule: a change below the depth of a field alters nothing there', () => {
    const renamed = { ...child, parent: { ...parent, parent: { ...grandparent, title: 'Baroque (1600–1750)' } } };
    expect(copies.changed(child, renamed, terms, every, context)).toEqual(new Set(['artworks opaque']));
  });

  it('compares JSON values: key order and undefined keys do not make a copy differ', () => {
    const reordered = { links: child.links, id: child.id, parent, title: child.title, note: undefined };
    expect(copies.changed(child, reordered, terms, every, context)).toEqual(new Set(['artworks opaque']));
  });

  it('leaves out the places the schemas no longer have', () => {
    expect(copies.changed(child, { ...child, title: 'x' }, terms, ['artworks gone', 'paintings stylePeriod'], context)).toEqual(new Set());
  });
});
