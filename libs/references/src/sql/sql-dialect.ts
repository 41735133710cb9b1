import type { EntityManager } from 'typeorm';
import type { JsonPath } from '../extraction/json-path.js';
import type { ReferenceRow } from '../interfaces/reference-row.interface.js';
import type { ReferenceType } from '../registry/reference-type.js';

/** One row of the reverse index, as written: the public row and the referrer field's delete policy. */
export type IndexRowValues = ReferenceRow & { onDelete: string };

/**
 * The set-based statements of the library, written once per database. Each one changes many rows in one
 * statement; the hot ones take their lists as one array (PostgreSQL) or one JSON text (SQLite) parameter,
 * so that a statement's text never depends on how many rows it touches.
 * A provider of the core module, chosen by `dialectFor()` from the data source's type; parts inject it by this class.
 */
export abstract class SqlDialect {
  /** Whether the database locks rows (`FOR SHARE`); SQLite locks the whole database on write instead. */
  abstract readonly rowLocks: boolean;
  /**
   * Writes `valueJson` at `path` in each of the records `ids`, only where the value differs; bumps the
   * version and update-date columns of the rows it changes. Returns the ids of the changed records.
   */
  abstract setAtPath(manager: EntityManager, type: ReferenceType, path: JsonPath, ids: string[], valueJson: string): Promise<string[]>;
  /** Replaces whole metadata documents. */
  abstract writeDocuments(manager: EntityManager, type: ReferenceType, documents: Array<{ id: string; json: string }>): Promise<void>;
  /**
   * Reads the id and the metadata (parsed) of records, with one statement; `share` takes a share lock
   * on them (PostgreSQL), so that their writers wait for the reading transaction.
   */
  abstract selectRecords(manager: EntityManager, type: ReferenceType, ids: string[], share?: boolean): Promise<Array<{ id: string; metadata: unknown }>>;
  /** A condition on index rows (alias `e`) of `type` whose referrer record no longer exists. */
  abstract orphanCondition(type: ReferenceType): string;
  /** Inserts index rows with one statement. */
  abstract insertIndexRows(manager: EntityManager, rows: IndexRowValues[]): Promise<void>;
  /**
   * A WHERE condition on the index's `reference` column for "starts with `prefix`", wildcards taken
   * literally, that an ordered index scan can serve.
   */
  abstract prefixCondition(column: string, prefix: string): { sql: string; parameters: Record<string, unknown> };
  /** The ORDER BY expression of the reference column that matches `prefixCondition` and the index. */
  abstract orderByReference(column: string): string;
  /** A WHERE condition "`column` is one of `values`", with a single parameter named `name`. */
  abstract inList(column: string, name: string, values: string[]): { sql: string; parameters: Record<string, unknown> };
}

/** The rows of an `UPDATE … RETURNING`: TypeORM answers one on PostgreSQL with `[rows, rowCount]`. */
export function returnedRows<T>(result: unknown): T[] {
  return (Array.isArray(result) && Array.isArray(result[0]) ? result[0] : result) as T[];
}

/** Extra assignments for the version and update-date columns of a changed record. */
export function bookkeeping(type: ReferenceType): string {
  return (
    (type.sql.version ? `, ${type.sql.version} = ${type.sql.version} + 1` : '') +
    (type.sql.updatedAt ? `, ${type.sql.updatedAt} = CURRENT_TIMESTAMP` : '')
  );
}

/** The highest code point: every string that starts with p sorts in [p, p + MAX_CHAR) by code point. */
export const MAX_CHAR = String.fromCodePoint(0x10ffff);
