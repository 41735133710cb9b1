import { parsePath, type JsonPath } from '../extraction/json-path.util.js';
import { fieldAt } from '../extraction/reference-schema.util.js';
import type { ReferenceFieldMetadata } from '../interfaces/reference-options.interface.js';
import type { ReferenceType } from '../registry/reference-type.model.js';
import type { IndexRow } from '../reverse-index/reference-index.service.js';

/** The referrers of one batch that hold the target at the same path: one statement updates them all. */
export interface PathGroup {
  /** The reference property the path stands in, at any depth; `undefined` when the schema has none there. */
  field: ReferenceFieldMetadata | undefined;
  path: JsonPath;
  inline: boolean;
  ids: string[];
}

/**
 * The rows of a batch grouped by referrer type, then by path (rows of types that are no longer
 * reference-enabled are left out). A batch's rows share a handful of paths (one per field, or per array
 * position), so each path is parsed once.
 */
export function groupByTypeAndPath(
  rows: Iterable<Pick<IndexRow, 'referrerType' | 'referrerId' | 'path' | 'inline'>>,
  typeNamed: (name: string) => ReferenceType | undefined,
): Map<ReferenceType, Map<string, PathGroup>> {
  const result = new Map<ReferenceType, Map<string, PathGroup>>();
  for (const row of rows) {
    const type = typeNamed(row.referrerType);
    if (!type) continue;
    const byPath = result.get(type) ?? result.set(type, new Map()).get(type)!;
    let group = byPath.get(row.path);
    if (!group) {
      const path = parsePath(row.path);
      group = { field: fieldAt(type.schema, path), path, inline: row.inline, ids: [] };
      byPath.set(row.path, group);
    }
    group.ids.push(row.referrerId);
  }
  return result;
}
