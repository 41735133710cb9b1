import type { EntityManager } from 'typeorm';
import { MAX_JSON_DEPTH } from '../references.constants.js';
import type { JsonPath } from '../extraction/json-path.util.js';
import type { ReferenceRow } from '../interfaces/reference-row.interface.js';
import type { ReferenceType } from '../registry/reference-type.model.js';

/**
 * A row lock taken while reading records (see ARCHITECTURE.md, "Concurrency"): `share` while copying a
 * target (its writers wait), `key-share` while checking that a linked target exists (its deletion waits),
 * `update` on a record about to be deleted (new references to it wait).
 */
export type RowLock = 'share' | 'key-share' | 'update';

/** One row of the reverse index, as written: the public row and the referrer field's delete policy. */
export type IndexRowValues = ReferenceRow & { onDelete: string };

/** How long statements may wait for row locks, and run (`SqlDialect.boundWaits`). */
export interface WaitBounds {
  lockTimeoutMs: number;
  statementTimeoutMs?: number;
}

/** TypeORM's lock modes for the library's row locks (`find({ lock })`). */
export type FindLockMode = 'pessimistic_read' | 'for_key_share' | 'pessimistic_write';
const FIND_LOCK_MODE: Record<RowLock, FindLockMode> = { share: 'pessimistic_read', 'key-share': 'for_key_share', update: 'pessimistic_write' };

/**
 * The set-based statements of the library, written once per database. Each one changes many rows in one
 * statement; the hot ones take their lists as one array (PostgreSQL) or one JSON text (SQLite, MariaDB) parameter,
 * so that a statement's text never depends on how many rows it touches.
 * A provider of the core module, chosen by `dialectFor()` from the data source's type; parts inject it by this class.
 */
export abstract class SqlDialect {
  /** Whether the database locks rows (`FOR SHARE`); SQLite locks the whole database on write instead. */
  abstract readonly rowLocks: boolean;
  /**
   * Whether TypeORM runs every transaction of a process on one connection (SQLite): concurrent
   * transactions would then nest as savepoints of one another, so the library runs them one at a time.
   */
  abstract readonly oneConnection: boolean;
  /** The deepest nesting of objects and arrays the database stores (the document itself is level 1). */
  readonly maxJsonDepth: number = MAX_JSON_DEPTH;
  /** Whether an error is a collision with concurrent writers that a new attempt of the transaction may not meet. */
  abstract isWriteConflict(error: unknown): boolean;
  /**
   * Run at the start of every transaction: SQLite takes the database's write lock at once (waiting up to
   * its busy timeout), since a transaction that read first cannot take it later without failing.
   */
  abstract beginTransaction(manager: EntityManager): Promise<void>;
  /**
   * Bounds the waits of the statements that follow in the transaction of `manager`: a row lock waited for
   * longer than `lockTimeoutMs` fails the statement (`isLockTimeout`), and so does a statement running longer
   * than `statementTimeoutMs` when given. PostgreSQL sets both for the transaction only; MariaDB for the
   * connection's session (the next transaction on it sets them again); SQLite sets its busy timeout.
   */
  abstract boundWaits(manager: EntityManager, bounds: WaitBounds): Promise<void>;
  /** Whether an error is a lock wait that ran out of time (`boundWaits`), rather than a deadlock. */
  abstract isLockTimeout(error: unknown): boolean;
  /** Locks a record before it is deleted, so that no new reference to it commits until the delete does. */
  abstract lockForDelete(manager: EntityManager, type: ReferenceType, id: string): Promise<void>;
  /**
   * Writes `valueJson` at `path` in each of the records `ids`, only where the value differs; bumps the
   * version and update-date columns of the rows it changes. Returns the ids of the changed records.
   */
  abstract setAtPath(manager: EntityManager, type: ReferenceType, path: JsonPath, ids: string[], valueJson: string): Promise<string[]>;
  /**
   * Replaces the text `from` by `to` in the JSON text of the metadata of records `ids` (one statement);
   * returns how many records changed. What `rebase` does to the URLs stored in documents.
   */
  abstract replaceInDocuments(manager: EntityManager, type: ReferenceType, ids: string[], from: string, to: string): Promise<number>;
  /** Replaces whole metadata documents. */
  abstract writeDocuments(manager: EntityManager, type: ReferenceType, documents: Array<{ id: string; json: string }>): Promise<void>;
  /**
   * Reads the id and the metadata (parsed) of records that are not soft-deleted, with one statement,
   * in id order; `lock` locks them in that order (PostgreSQL).
   */
  abstract selectRecords(manager: EntityManager, type: ReferenceType, ids: string[], lock?: RowLock): Promise<Array<{ id: string; metadata: unknown }>>;
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

  /**
   * The library's SQL text, written with standard double-quoted names, for this database (MariaDB and
   * MySQL quote names with backticks).
   */
  identifiers(sql: string): string {
    return sql;
  }

  /** TypeORM's lock mode for a row lock taken with `find()`, or none where the database has no row locks. */
  findLock(lock: RowLock): FindLockMode | undefined {
    return this.rowLocks ? FIND_LOCK_MODE[lock] : undefined;
  }
}

/** The rows of an `UPDATE … RETURNING`: TypeORM answers one on PostgreSQL with `[rows, rowCount]`. */
export function returnedRows<T>(result: unknown): T[] {
  return (Array.isArray(result) && Array.isArray(result[0]) ? result[0] : result) as T[];
}

/** A text column's value; the index's `reference` is VARBINARY on MariaDB and MySQL, read as a Buffer of UTF-8. */
export function asText(value: unknown): string {
  return Buffer.isBuffer(value) ? value.toString('utf8') : (value as string);
}

/** Extra assignments for the version and update-date columns of a changed record. */
export function bookkeeping(type: ReferenceType, alias = ''): string {
  const { version, updatedAt } = type.sql;
  return (
    (version ? `, ${alias}${version} = ${alias}${version} + 1` : '') + (updatedAt ? `, ${alias}${updatedAt} = CURRENT_TIMESTAMP` : '')
  );
}

/** The highest code point: every string that starts with p sorts in [p, p + MAX_CHAR) by code point. */
export const MAX_CHAR = String.fromCodePoint(0x10ffff);

/** `AND <delete date column> IS NULL` for a type with soft delete. */
export function notSoftDeleted(type: ReferenceType, alias = ''): string {
  return type.sql.deletedAt ? ` AND ${alias}${type.sql.deletedAt} IS NULL` : '';
}

/** SQLSTATE codes of PostgreSQL errors after which a new attempt may succeed. */
const POSTGRES_CONFLICTS = new Set(['40001', '40P01', '55P03']);

/** The SQLSTATE or SQLite code of a driver error, as TypeORM's QueryFailedError carries it. */
export function errorCode(error: unknown): string | undefined {
  const candidate = error as { code?: unknown; driverError?: { code?: unknown } } | undefined;
  const code = candidate?.driverError?.code ?? candidate?.code;
  return typeof code === 'string' ? code : undefined;
}

export const isPostgresConflict = (error: unknown) => POSTGRES_CONFLICTS.has(errorCode(error) ?? '');

/** Index rows as one JSON text of tuples, in the column order of `insertIndexRowsFromJson`. */
function indexRowsJson(rows: IndexRowValues[]): string {
  return JSON.stringify(rows.map((r) => [r.referrerType, r.referrerId, r.reference, r.referenceUuid, r.inline ? 1 : 0, r.path, r.onDelete]));
}

/**
 * `insertIndexRows` where lists travel as one JSON text (SQLite, MariaDB): the rows go as one parameter of
 * tuples, and `tuples` is the database's SELECT that opens it (`?`) into the columns, in their order.
 */
export async function insertIndexRowsFromJson(manager: EntityManager, dialect: SqlDialect, rows: IndexRowValues[], tuples: string): Promise<void> {
  if (!rows.length) return;
  await manager.query(
    dialect.identifiers(
      `INSERT INTO "reference_index" ("referrer_type", "referrer_id", "reference", "reference_uuid", "inline", "path", "on_delete") ${tuples}`,
    ),
    [indexRowsJson(rows)],
  );
}

/** "Starts with `prefix`" as a range of `column`, exact where the column compares by code point. */
export function prefixRange(column: string, prefix: string): { sql: string; parameters: Record<string, unknown> } {
  return { sql: `${column} >= :low AND ${column} < :high`, parameters: { low: prefix, high: prefix + MAX_CHAR } };
}
