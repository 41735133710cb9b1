import { describe, expect, it } from '@jest/globals';
import { formatPath, parsePath, removeAt } from './json-path.js';

describe('JSON paths', () => {
  it.each([
    [['stylePeriod'], 'stylePeriod'],
    [['styles', 2], 'styles[2]'],
    [['parent', 'links', 'self'], 'parent.links.self'],
    [['odd key', 0, 'x'], '["odd key"][0].x'],
  ])('formats %j as %s and parses it back', (path, text) => {
    expect(formatPath(path)).toBe(text);
    expect(parsePath(text)).toEqual(path);
  });

  it('removes array elements highest index first, and unsets properties', () => {
    const doc = { related: ['a', 'b', 'c', 'd'], primary: 'x', title: 't' };
    removeAt(doc, [['related', 0], ['related', 2], ['primary']]);
    expect(doc).toEqual({ related: ['b', 'd'], title: 't' });
  });
});
