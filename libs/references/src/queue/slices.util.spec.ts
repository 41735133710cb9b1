import { describe, expect, it } from '@jest/globals';
import { slicesOf } from './slices.util.js';

describe('slicesOf: a large fan-out cut into slices that workers take in parallel', () => {
  it('cuts at each boundary, each slice starting after the previous one ends', () => {
    expect(slicesOf(0, [100, 200])).toEqual([
      { cursor: 0, untilId: 100 },
      { cursor: 100, untilId: 200 },
      { cursor: 200, untilId: null },
    ]);
  });

  it('leaves the last slice open-ended, so that referrers indexed after the split are covered', () => {
    expect(slicesOf(40, [90]).at(-1)).toEqual({ cursor: 90, untilId: null });
  });

  it('starts where a resumed change left off', () => {
    expect(slicesOf(500, [600])[0]).toEqual({ cursor: 500, untilId: 600 });
  });

  it('is one open slice without boundaries', () => {
    expect(slicesOf(7, [])).toEqual([{ cursor: 7, untilId: null }]);
  });
});
