import type { EntityManager } from 'typeorm';
import type { JsonPath } from '../extraction/json-path.util.js';
import type { ReferenceType } from '../registry/reference-type.model.js';
import { SqlDialect, bookkeeping, errorCode, notSoftDeleted, type IndexRowValues, type WaitBounds, insertIndexRowsFromJson, prefixRange } from './sql.dialect.js';

/** `['styles', 2]` → `$."styles"[2]`, a path for SQLite's JSON functions. */
function sqlitePath(path: JsonPath): string {
  return '$' + path.map((s) => (typeof s === 'number' ? `[${s}]` : `.${JSON.stringify(s)}`)).join('');
}

/** TypeORM stores a `jsonb` column as SQLite's binary JSONB: write it back in the same form. */
const isJsonb = (type: ReferenceType) => type.sql.metadataType === 'jsonb';
const setFunction = (type: ReferenceType) => (isJsonb(type) ? 'jsonb_set' : 'json_set');

export class SqliteDialect extends SqlDialect {
  readonly rowLocks = false;
  readonly oneConnection = true;

  isWriteConflict(error: unknown): boolean {
    return errorCode(error)?.startsWith('SQLITE_BUSY') ?? false;
  }

  async beginTransaction(manager: EntityManager): Promise<void> {
    // NOTE: a write statement that changes nothing still takes the write lock, as BEGIN IMMEDIATE would
    // (TypeORM always begins DEFERRED): without it, a transaction that read first and writes later fails
    // with SQLITE_BUSY at once when another process wrote in between, whatever the busy timeout.
    await manager.query(`UPDATE "reference_index" SET "id" = "id" WHERE 0`);
  }

  async boundWaits(manager: EntityManager, bounds: WaitBounds): Promise<void> {
    // NOTE: SQLite locks the whole database, never a row: the busy timeout is its only lock wait.
    await manager.query(`PRAGMA busy_timeout = ${Math.trunc(bounds.lockTimeoutMs)}`);
  }

  isLockTimeout(): boolean {
    // NOTE: a busy database is retried like any collision: the writer holding it is another short transaction.
    return false;
  }

  async lockForDelete(): Promise<void> {
    // The transaction holds the database's write lock since it began.
  }

  async setAtPath(manager: EntityManager, type: ReferenceType, path: JsonPath, ids: string[], valueJson: string) {
    const { table, id, metadata } = type.sql;
    const at = sqlitePath(path);
    const rows: Array<{ id: string }> = await manager.query(
      `UPDATE ${table} SET ${metadata} = ${setFunction(type)}(${metadata}, ?, json(?))${bookkeeping(type)}
       WHERE ${id} IN (SELECT value FROM json_each(?)) AND (${metadata} -> ?) IS NOT json(?)
       RETURNING ${id} AS id`,
      [at, valueJson, JSON.stringify(ids), at, valueJson],
    );
    return rows.map((row) => String(row.id));
  }

  async replaceInDocuments(manager: EntityManager, type: ReferenceType, ids: string[], from: string, to: string) {
    if (!ids.length) return 0;
    const { table, id, metadata } = type.sql;
    const text = isJsonb(type) ? `json(${metadata})` : metadata;
    const rows: unknown[] = await manager.query(
      `UPDATE ${table} SET ${metadata} = ${isJsonb(type) ? 'jsonb' : ''}(replace(${text}, ?, ?))${bookkeeping(type)}
       WHERE ${id} IN (SELECT value FROM json_each(?)) AND instr(${text}, ?) > 0 RETURNING ${id}`,
      [from, to, JSON.stringify(ids), from],
    );
    return rows.length;
  }

  async writeDocuments(manager: EntityManager, type: ReferenceType, documents: Array<{ id: string; json: string }>) {
    if (!documents.length) return;
    const { table, id, metadata } = type.sql;
    await manager.query(
      `UPDATE ${table} SET ${metadata} = ${isJsonb(type) ? 'jsonb(v.doc)' : 'v.doc'}${bookkeeping(type)}
       FROM (SELECT value ->> '$[0]' AS id, value ->> '$[1]' AS doc FROM json_each(?)) AS v
       WHERE ${table}.${id} = v.id`,
      [JSON.stringify(documents.map((d) => [d.id, d.json]))],
    );
  }

  async selectRecords(manager: EntityManager, type: ReferenceType, ids: string[]) {
    const { table, id, metadata } = type.sql;
    const rows: Array<{ id: string; metadata: string }> = await manager.query(
      `SELECT ${id} AS id, json(${metadata}) AS metadata FROM ${table}
       WHERE ${id} IN (SELECT value FROM json_each(?))${notSoftDeleted(type)} ORDER BY ${id}`,
      [JSON.stringify(ids)],
    );
    return rows.map((row) => ({ id: String(row.id), metadata: JSON.parse(row.metadata) }));
  }

  orphanCondition(type: ReferenceType) {
    // NOTE: the column's affinity converts the text id for the comparison, so an integer key matches too.
    const { table, id } = type.sql;
    return `NOT EXISTS (SELECT 1 FROM ${table} AS t WHERE t.${id} = e."referrer_id")`;
  }

  insertIndexRows(manager: EntityManager, rows: IndexRowValues[]) {
    return insertIndexRowsFromJson(
      manager,
      this,
      rows,
      `SELECT value ->> '$[0]', value ->> '$[1]', value ->> '$[2]', value ->> '$[3]', value ->> '$[4]', value ->> '$[5]', value ->> '$[6]'
       FROM json_each(?)`,
    );
  }

  prefixCondition(column: string, prefix: string) {
    // NOTE: SQLite's LIKE ignores case; a range under the binary collation is exact and uses the index.
    return prefixRange(column, prefix);
  }

  orderByReference(column: string): string {
    return column;
  }

  inList(column: string, name: string, values: string[]) {
    return { sql: `${column} IN (SELECT value FROM json_each(:${name}))`, parameters: { [name]: JSON.stringify(values) } };
  }
}
