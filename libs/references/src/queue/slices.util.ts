/** One slice of a large fan-out: the index rows after `cursor`, up to `untilId` (open-ended when `null`). */
export interface Slice {
  cursor: number;
  untilId: number | null;
}

/**
 * The slices that cut a fan-out starting after index row `start` at the given boundaries (ascending index
 * row ids, each the last row of its slice); the last slice is open-ended, so rows added later are covered.
 */
export function slicesOf(start: number, boundaries: number[]): Slice[] {
  const slices: Slice[] = [];
  let cursor = start;
  for (const end of boundaries) {
    slices.push({ cursor, untilId: end });
    cursor = end;
  }
  slices.push({ cursor, untilId: null });
  return slices;
}
