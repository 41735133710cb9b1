import { describe, expect, it } from '@jest/globals';
import { InlineReference } from '../decorators/inline-reference.decorator.js';
import { ReferenceByLink } from '../decorators/reference-by-link.decorator.js';
import type { ReferenceType } from '../registry/reference-type.model.js';
import { groupByTypeAndPath, type PathGroup } from './path-groups.util.js';

class ArtworkSchema {
  @InlineReference() stylePeriod?: object;
  @InlineReference() styles?: object[];
  @ReferenceByLink() related?: string[];
}

class TermSchema {
  @InlineReference() parent?: object;
}

const artworks = { name: 'artworks', schema: ArtworkSchema } as unknown as ReferenceType;
const terms = { name: 'terms', schema: TermSchema } as unknown as ReferenceType;
const typeNamed = (name: string) => ({ artworks, terms })[name as 'artworks' | 'terms'];
const row = (referrerType: string, referrerId: string, path: string, inline = true) => ({ referrerType, referrerId, path, inline });
/** A group as the test reads it: the field by its property name. */
const plain = (group: PathGroup) => ({ ...group, field: group.field?.propertyKey });

describe('groupByTypeAndPath: one statement per referrer type and path', () => {
  it('puts the referrers that hold the target at the same path of the same type in one group, in row order', () => {
    const groups = groupByTypeAndPath(
      [row('artworks', 'a1', 'stylePeriod'), row('terms', 't1', 'parent'), row('artworks', 'a2', 'stylePeriod'), row('artworks', 'a3', 'styles[1]')],
      typeNamed,
    );
    expect([...groups.keys()]).toEqual([artworks, terms]);
    expect([...groups.get(artworks)!.values()].map(plain)).toEqual([
      { field: 'stylePeriod', path: ['stylePeriod'], inline: true, ids: ['a1', 'a2'] },
      { field: 'styles', path: ['styles', 1], inline: true, ids: ['a3'] },
    ]);
    expect([...groups.get(terms)!.values()].map(plain)).toEqual([{ field: 'parent', path: ['parent'], inline: true, ids: ['t1'] }]);
  });

  it('keeps each array position a group of its own, since each is a different path to write', () => {
    const groups = groupByTypeAndPath([row('artworks', 'a1', 'styles[0]'), row('artworks', 'a1', 'styles[2]')], typeNamed);
    expect([...groups.get(artworks)!.keys()]).toEqual(['styles[0]', 'styles[2]']);
  });

  it('carries whether the reference is a link or an inline copy, and the field behind the path', () => {
    const group = groupByTypeAndPath([row('artworks', 'a1', 'related[0]', false)], typeNamed).get(artworks)!.get('related[0]')!;
    expect(plain(group)).toMatchObject({ field: 'related', inline: false });
    expect(group.field?.kind).toBe('link');
  });

  it('leaves out the rows of a type that is no longer reference-enabled', () => {
    expect(groupByTypeAndPath([row('gone', 'g1', 'x')], typeNamed).size).toBe(0);
  });
});
