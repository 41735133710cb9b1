import { describe, expect, it } from '@jest/globals';
import type { ReferenceType } from '../registry/reference-type.js';
import { groupByTypeAndPath } from './path-groups.js';

const artworks = { name: 'artworks' } as ReferenceType;
const terms = { name: 'terms' } as ReferenceType;
const typeNamed = (name: string) => ({ artworks, terms })[name as 'artworks' | 'terms'];
const row = (referrerType: string, referrerId: string, path: string, inline = true) => ({ referrerType, referrerId, path, inline });

describe('groupByTypeAndPath: one statement per referrer type and path', () => {
  it('puts the referrers that hold the target at the same path of the same type in one group, in row order', () => {
    const groups = groupByTypeAndPath(
      [row('artworks', 'a1', 'stylePeriod'), row('terms', 't1', 'parent'), row('artworks', 'a2', 'stylePeriod'), row('artworks', 'a3', 'styles[1]')],
      typeNamed,
    );
    expect([...groups.keys()]).toEqual([artworks, terms]);
    expect([...groups.get(artworks)!.values()]).toEqual([
      { field: 'stylePeriod', path: ['stylePeriod'], inline: true, ids: ['a1', 'a2'] },
      { field: 'styles', path: ['styles', 1], inline: true, ids: ['a3'] },
    ]);
    expect([...groups.get(terms)!.values()]).toEqual([{ field: 'parent', path: ['parent'], inline: true, ids: ['t1'] }]);
  });

  it('keeps each array position a group of its own, since each is a different path to write', () => {
    const groups = groupByTypeAndPath([row('artworks', 'a1', 'styles[0]'), row('artworks', 'a1', 'styles[2]')], typeNamed);
    expect([...groups.get(artworks)!.keys()]).toEqual(['styles[0]', 'styles[2]']);
  });

  it('carries whether the reference is a link or an inline copy', () => {
    const groups = groupByTypeAndPath([row('artworks', 'a1', 'related[0]', false)], typeNamed);
    expect(groups.get(artworks)!.get('related[0]')).toMatchObject({ field: 'related', inline: false });
  });

  it('leaves out the rows of a type that is no longer reference-enabled', () => {
    expect(groupByTypeAndPath([row('gone', 'g1', 'x')], typeNamed).size).toBe(0);
  });
});
