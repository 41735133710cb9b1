import { describe, expect, it } from '@jest/globals';
import { formatPath, parsePath, removeAt, setAt, withValuesAt } from './json-path.util.js';

describe('JSON paths', () => {
  it.each([
    [['stylePeriod'], 'stylePeriod'],
    [['styles', 2], 'styles[2]'],
    [['parent', 'links', 'self'], 'parent.links.self'],
    [['odd key', 0, 'x'], '["odd key"][0].x'],
    [['sub', 'reflist', 0, '$ref'], 'sub.reflist[0].$ref'],
    [['creators', 2, 'agent'], 'creators[2].agent'],
    [['grid', 1, 0], 'grid[1][0]'],
  ])('formats %j as %s and parses it back', (path, text) => {
    expect(formatPath(path)).toBe(text);
    expect(parsePath(text)).toEqual(path);
  });

  it('removes array elements highest index first, and unsets properties', () => {
    const doc = { related: ['a', 'b', 'c', 'd'], primary: 'x', title: 't' };
    removeAt(doc, [['related', 0], ['related', 2], ['primary']]);
    expect(doc).toEqual({ related: ['b', 'd'], title: 't' });
  });

  it('removes at any depth: elements of nested arrays, properties of array elements, both in one array', () => {
    const doc = {
      creators: [{ agent: 'a0' }, { agent: 'a1', role: 'r' }, { agent: 'a2' }, { agent: 'a3' }],
      sub: { reflist: [{ $ref: 'x' }, { $ref: 'y', title: 'f' }] },
      grid: [['p', 'q'], ['r', 's', 't']],
    };
    removeAt(doc, [['creators', 1, 'agent'], ['creators', 0], ['creators', 3, 'agent'], ['creators', 2], ['sub', 'reflist', 1, '$ref'], ['grid', 1, 0], ['grid', 1, 2]]);
    expect(doc).toEqual({
      creators: [{ role: 'r' }, {}],
      sub: { reflist: [{ $ref: 'x' }, { title: 'f' }] },
      grid: [['p', 'q'], ['s']],
    });
  });

  it('sets a value at a nested path in place', () => {
    const doc = { sub: { reflist: [{ $ref: 'x' }] } };
    setAt(doc, ['sub', 'reflist', 0, '$ref'], 'y');
    expect(doc).toEqual({ sub: { reflist: [{ $ref: 'y' }] } });
  });

  it('replaces values in a copy, sharing what it does not change and leaving the original alone', () => {
    const doc = { a: { b: [1, 2, 3], c: { big: true } }, d: { e: 1 } };
    const copy = withValuesAt(doc, [
      [['a', 'b', 0], 10],
      [['a', 'b', 2], 30],
    ]);
    expect(copy).toEqual({ a: { b: [10, 2, 30], c: { big: true } }, d: { e: 1 } });
    expect(doc).toEqual({ a: { b: [1, 2, 3], c: { big: true } }, d: { e: 1 } });
    expect(copy.d).toBe(doc.d);
    expect(copy.a.c).toBe(doc.a.c);
  });
});
