import type { EntityManager } from 'typeorm';
import type { JsonPath } from '../extraction/json-path.js';
import type { ReferenceType } from '../registry/reference-type.js';

/** One value to write at one location of one record. */
export interface PathTarget {
  id: string;
  path: JsonPath;
}

/**
 * The set-based statements propagation needs, written once per database. Each one changes many records
 * in one statement and returns the ids of the records whose metadata really changed.
 */
export interface SqlDialect {
  /**
   * Writes `valueJson` at each (record, path), only where the value differs; bumps the version and
   * update-date columns of the rows it changes. Returns the ids of the changed records.
   */
  setAtPaths(manager: EntityManager, type: ReferenceType, targets: PathTarget[], valueJson: string): Promise<string[]>;
  /** Replaces whole metadata documents. */
  writeDocuments(manager: EntityManager, type: ReferenceType, documents: Array<{ id: string; json: string }>): Promise<void>;
  /** A WHERE condition on the index's `reference` column for "starts with `prefix`", wildcards taken literally. */
  prefixCondition(column: string, prefix: string): { sql: string; parameters: Record<string, string> };
}

/**
 * Splits targets into passes in which each record appears once: one UPDATE … FROM applies a single
 * matching row per record, so a record that holds the same reference at two paths needs two passes.
 */
export function passes(targets: PathTarget[]): PathTarget[][] {
  const result: PathTarget[][] = [];
  const seen = new Map<string, number>();
  for (const target of targets) {
    const n = seen.get(target.id) ?? 0;
    seen.set(target.id, n + 1);
    (result[n] ??= []).push(target);
  }
  return result;
}

/** Extra assignments for the version and update-date columns of a changed record. */
export function bookkeeping(type: ReferenceType): string {
  return (
    (type.sql.version ? `, ${type.sql.version} = ${type.sql.version} + 1` : '') +
    (type.sql.updatedAt ? `, ${type.sql.updatedAt} = CURRENT_TIMESTAMP` : '')
  );
}
