import { describe, expect, it } from '@jest/globals';
import { Type } from 'class-transformer';
import { IsOptional, IsString, ValidateNested } from 'class-validator';
import { InlineReference } from '../decorators/inline-reference.decorator.js';
import { ReferenceByLink } from '../decorators/reference-by-link.decorator.js';
import {
  ForbiddenKeyError,
  InvalidReferenceUrlError,
  MissingReferenceLinkError,
  ReferencePathTooLongError,
} from '../errors/references.errors.js';
import { extractReferences } from './reference-extractor.util.js';
import { fieldAt } from './reference-schema.util.js';

class Schema {
  @ReferenceByLink() link?: string;
  @ReferenceByLink({ onDelete: 'detach' }) links?: string[];
  @InlineReference() inline?: Record<string, any>;
  @InlineReference({ url: (d) => d.href, uuid: (d) => d.key }) custom?: Array<Record<string, any>>;
  title?: string;
}

class ListsOfLists {
  @ReferenceByLink() deep?: string[][];
}

describe('extractReferences', () => {
  it('refuses a reference whose path is longer than the index can record', () => {
    let deep: unknown = 'https://h.example/deep';
    for (let i = 0; i < 200; i++) deep = [deep];
    expect(() => extractReferences(ListsOfLists, { deep })).toThrow(ReferencePathTooLongError);
    expect(() => extractReferences(ListsOfLists, { deep })).toThrow(/^deep\[0\]\[0\].*: a reference may sit at most 512 characters deep/);
  });

  it('finds every occurrence with its path, kind and uuid', () => {
    const specs = extractReferences(Schema, {
      title: 'not a reference',
      link: 'http://h.example/a/1',
      links: ['http://h.example/a/2', 'http://h.example/a/1'],
      inline: { id: '7', links: { self: 'http://h.example/t/7' } },
      custom: [{ key: 'k', href: 'https://h.example/c' }],
    });
    expect(specs.map(({ reference, referenceUuid, inline, path }) => ({ reference, referenceUuid, inline, path }))).toEqual([
      { reference: 'http://h.example/a/1', referenceUuid: null, inline: false, path: 'link' },
      { reference: 'http://h.example/a/2', referenceUuid: null, inline: false, path: 'links[0]' },
      { reference: 'http://h.example/a/1', referenceUuid: null, inline: false, path: 'links[1]' },
      { reference: 'http://h.example/t/7', referenceUuid: '7', inline: true, path: 'inline' },
      { reference: 'https://h.example/c', referenceUuid: 'k', inline: true, path: 'custom[0]' },
    ]);
    expect(specs[1].field.onDelete).toBe('detach');
  });

  it('names the path of a malformed link', () => {
    expect(() => extractReferences(Schema, { links: ['http://ok.example', 'mailto:x@y.z'] })).toThrow(
      new InvalidReferenceUrlError('links[1]', 'must use http or https'),
    );
  });

  it('names the path of an inline object without a link', () => {
    expect(() => extractReferences(Schema, { inline: { id: 1 } })).toThrow(MissingReferenceLinkError);
  });

  it('refuses forbidden keys at any depth', () => {
    expect(() => extractReferences(Schema, { deep: [{ prototype: {} }] })).toThrow(new ForbiddenKeyError('deep[0].prototype', 'prototype'));
  });
});

// The seed's own test schema: an inline taxonomy term at the top and one level down, a link under `$ref`,
// and a list of nested objects that hold links.
class NestedTaxonomy {
  @InlineReference() @IsOptional() taxo2?: Record<string, any>;
}

class UrlReference {
  @IsString() @IsOptional() title?: string;
  @ReferenceByLink() $ref: string;
}

class SeedSchema {
  @IsString() title: string;
  @InlineReference() @IsOptional() taxo1?: Record<string, any>;
  @ValidateNested() @Type(() => NestedTaxonomy) @IsOptional() sub?: NestedTaxonomy;
  @ReferenceByLink() @IsOptional() $ref?: string;
  @ValidateNested({ each: true }) @Type(() => UrlReference) @IsOptional() reflist?: UrlReference[];
}

class Agent {
  @InlineReference({ onDelete: 'restrict' }) agent: Record<string, any>;
  @ReferenceByLink({ onDelete: 'detach' }) @IsOptional() attributedBy?: string;
  // Declared type only, no @Type: found all the same.
  @ValidateNested() @IsOptional() sub?: NestedTaxonomy;
  // No @ValidateNested(): walked all the same, a reference is never ignored for want of validation.
  @Type(() => NestedTaxonomy) @IsOptional() loose?: NestedTaxonomy;
}

class Deep {
  @ValidateNested({ each: true }) @Type(() => Agent) creators?: Agent[][];
  @ReferenceByLink() grid?: string[][];
  @ValidateNested() @Type(() => Deep) @IsOptional() next?: Deep;
}

const rows = (specs: ReturnType<typeof extractReferences>) =>
  specs.map(({ reference, referenceUuid, inline, path }) => ({ reference, referenceUuid, inline, path }));

describe('extractReferences at any depth', () => {
  it("finds the seed's nested references with their full paths", () => {
    const specs = extractReferences(SeedSchema, {
      title: 'rec1',
      taxo1: { links: { self: 'http://localhost/api/taxonomies/requestors/a/b/' }, slug: 'b' },
      sub: { taxo2: { links: { self: 'http://localhost/api/taxonomies/requestors/a/c/' }, slug: 'c' } },
      $ref: 'http://localhost/records/1',
      reflist: [{ $ref: 'http://localhost/records/2' }, { title: 'f', $ref: 'http://localhost/records/1' }],
    });
    expect(rows(specs)).toEqual([
      { reference: 'http://localhost/api/taxonomies/requestors/a/b/', referenceUuid: null, inline: true, path: 'taxo1' },
      { reference: 'http://localhost/api/taxonomies/requestors/a/c/', referenceUuid: null, inline: true, path: 'sub.taxo2' },
      { reference: 'http://localhost/records/1', referenceUuid: null, inline: false, path: '$ref' },
      { reference: 'http://localhost/records/2', referenceUuid: null, inline: false, path: 'reflist[0].$ref' },
      { reference: 'http://localhost/records/1', referenceUuid: null, inline: false, path: 'reflist[1].$ref' },
    ]);
    expect(specs.map((s) => s.segments)).toContainEqual(['reflist', 1, '$ref']);
  });

  it('goes through arrays of arrays, recursive classes and declared types, keeping each field\'s options', () => {
    const term = (id: string) => ({ id, links: { self: `http://h.example/terms/${id}` } });
    const specs = extractReferences(Deep, {
      creators: [[{ agent: term('1') }], [{ agent: term('2'), attributedBy: 'http://h.example/works/9', sub: { taxo2: term('3') }, loose: { taxo2: term('5') } }]],
      grid: [['http://h.example/a'], [], ['http://h.example/b', 'http://h.example/c']],
      next: { next: { creators: [[{ agent: term('4') }]] } },
    });
    expect(specs.map((s) => [s.path, s.field.onDelete])).toEqual([
      ['creators[0][0].agent', 'restrict'],
      ['creators[1][0].agent', 'restrict'],
      ['creators[1][0].attributedBy', 'detach'],
      ['creators[1][0].sub.taxo2', 'keep'],
      ['creators[1][0].loose.taxo2', 'keep'],
      ['grid[0][0]', 'keep'],
      ['grid[2][0]', 'keep'],
      ['grid[2][1]', 'keep'],
      ['next.next.creators[0][0].agent', 'restrict'],
    ]);
    expect(specs[3].referenceUuid).toBe('3');
    expect(specs[4].referenceUuid).toBe('5');
  });

  it("lists a parent class's references before the subclass's own", () => {
    class Child extends SeedSchema {
      @ReferenceByLink() @IsOptional() extra?: string;
    }
    const specs = extractReferences(Child, { title: 't', extra: 'http://h.example/x', $ref: 'http://h.example/r', sub: { taxo2: { links: { self: 'http://h.example/t' } } } });
    expect(specs.map((s) => s.path)).toEqual(['sub.taxo2', '$ref', 'extra']);
  });

  it('ignores nested values that are not objects, and missing ones', () => {
    expect(extractReferences(SeedSchema, { title: 't', sub: 'text' as any, reflist: [null as any, 7 as any] })).toEqual([]);
  });

  it('names the full path of a malformed nested link', () => {
    expect(() => extractReferences(SeedSchema, { title: 't', reflist: [{ $ref: 'http://ok.example' }, { $ref: 'not a url' }] })).toThrow(
      new InvalidReferenceUrlError('reflist[1].$ref', 'is not an absolute URL'),
    );
  });

  it("names the link inside a nested inline copy: the copy's path and links.self", () => {
    expect(() => extractReferences(Deep, { creators: [[], [{ agent: { links: { self: 'ftp://x.example' } } }]] })).toThrow(
      new InvalidReferenceUrlError('creators[1][0].agent.links.self', 'must use http or https'),
    );
  });

  it('names the full path of a nested inline object without a link', () => {
    expect(() => extractReferences(SeedSchema, { title: 't', sub: { taxo2: { slug: 'c' } } })).toThrow(new MissingReferenceLinkError('sub.taxo2'));
  });
});

describe('fieldAt', () => {
  it.each([
    [['taxo1'], 'taxo1'],
    [['sub', 'taxo2'], 'taxo2'],
    [['reflist', 3, '$ref'], '$ref'],
    [['creators', 0, 1, 'agent'], 'agent'],
    [['next', 'next', 'creators', 0, 0, 'sub', 'taxo2'], 'taxo2'],
    [['grid', 2, 1], 'grid'],
  ])('finds the reference property at %j', (path, key) => {
    const schema = path[0] === 'taxo1' || path[0] === 'sub' || path[0] === 'reflist' ? SeedSchema : Deep;
    expect(fieldAt(schema, path)?.propertyKey).toBe(key);
  });

  it.each([[['title']], [['sub']], [['reflist', 0]], [['taxo1', 'links', 'self']], [['unknown', 'x']]])('finds none at %j', (path) => {
    expect(fieldAt(SeedSchema, path)).toBeUndefined();
  });
});

/** An inline reference type: every property typed with it holds copies. */
@InlineReference({ onDelete: 'restrict', depth: 1 })
class AgentCopy {
  @IsString() @IsOptional() name?: string;
}

class CreditWithTypes {
  @ValidateNested() @Type(() => AgentCopy) agent: AgentCopy;
  @InlineReference({ onDelete: 'detach' }) @ValidateNested() @Type(() => AgentCopy) @IsOptional() previous?: AgentCopy;
  @ValidateNested({ each: true }) @Type(() => AgentCopy) @IsOptional() helpers?: AgentCopy[];
  @ReferenceByLink() @ValidateNested() @Type(() => AgentCopy) @IsOptional() asLink?: string;
}

class WorkWithTypes {
  @ValidateNested({ each: true }) @Type(() => CreditWithTypes) creators: CreditWithTypes[];
}

describe('inline reference types (@InlineReference() on a class)', () => {
  const copy = (id: string) => ({ id, name: id, links: { self: `http://h.example/agents/${id}` } });

  it('make every property typed with the class an inline reference, at any depth, with the class options', () => {
    const specs = extractReferences(WorkWithTypes, {
      creators: [{ agent: copy('1'), previous: copy('2'), helpers: [copy('3'), copy('4')], asLink: 'http://h.example/x' }],
    });
    expect(specs.map((s) => [s.path, s.inline, s.referenceUuid, s.field.onDelete, s.field.depth])).toEqual([
      ['creators[0].agent', true, '1', 'restrict', 1],
      ['creators[0].previous', true, '2', 'detach', 1],
      ['creators[0].helpers[0]', true, '3', 'restrict', 1],
      ['creators[0].helpers[1]', true, '4', 'restrict', 1],
      ['creators[0].asLink', false, null, 'keep', 0],
    ]);
    expect(fieldAt(WorkWithTypes, ['creators', 5, 'helpers', 2])?.onDelete).toBe('restrict');
  });

  it("name the link of a copy of such a class by its full path", () => {
    expect(() => extractReferences(WorkWithTypes, { creators: [{ agent: { links: { self: 'nope' } } }] })).toThrow(
      new InvalidReferenceUrlError('creators[0].agent.links.self', 'is not an absolute URL'),
    );
  });
});
