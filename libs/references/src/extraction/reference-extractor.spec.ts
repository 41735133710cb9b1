import { describe, expect, it } from '@jest/globals';
import { InlineReference } from '../decorators/inline-reference.decorator.js';
import { ReferenceByLink } from '../decorators/reference-by-link.decorator.js';
import { ForbiddenKeyError, InvalidReferenceUrlError, MissingReferenceLinkError } from '../errors/references.errors.js';
import { extractReferences } from './reference-extractor.js';

class Schema {
  @ReferenceByLink() link?: string;
  @ReferenceByLink({ onDelete: 'detach' }) links?: string[];
  @InlineReference() inline?: Record<string, any>;
  @InlineReference({ url: (d) => d.href, uuid: (d) => d.key }) custom?: Array<Record<string, any>>;
  title?: string;
}

describe('extractReferences', () => {
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
