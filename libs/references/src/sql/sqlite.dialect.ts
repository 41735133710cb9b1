import type { EntityManager } from 'typeorm';
import type { JsonPath } from '../extraction/json-path.js';
import type { ReferenceType } from '../registry/reference-type.js';
import { bookkeeping, passes, type PathTarget, type SqlDialect } from './sql-dialect.js';

/** `['styles', 2]` → `$."styles"[2]`, a path for SQLite's JSON functions. */
function sqlitePath(path: JsonPath): string {
  return '$' + path.map((s) => (typeof s === 'number' ? `[${s}]` : `.${JSON.stringify(s)}`)).join('');
}

/** The highest code point: every string that starts with p sorts between p and p + MAX (binary collation). */
const MAX_CHAR = String.fromCodePoint(0x10ffff);

export class SqliteDialect implements SqlDialect {
  async setAtPaths(manager: EntityManager, type: ReferenceType, targets: PathTarget[], valueJson: string) {
    const { table, id, metadata } = type.sql;
    const changed: string[] = [];
    for (const pass of passes(targets)) {
      const rows: Array<{ id: string }> = await manager.query(
        `UPDATE ${table} SET ${metadata} = json_set(${metadata}, v.path, json(?))${bookkeeping(type)}
         FROM (SELECT value ->> '$[0]' AS id, value ->> '$[1]' AS path FROM json_each(?)) AS v
         WHERE ${table}.${id} = v.id AND (${table}.${metadata} -> v.path) IS NOT json(?)
         RETURNING ${table}.${id} AS id`,
        [valueJson, JSON.stringify(pass.map((t) => [t.id, sqlitePath(t.path)])), valueJson],
      );
      for (const row of rows) changed.push(String(row.id));
    }
    return changed;
  }

  async writeDocuments(manager: EntityManager, type: ReferenceType, documents: Array<{ id: string; json: string }>) {
    if (!documents.length) return;
    const { table, id, metadata } = type.sql;
    await manager.query(
      `UPDATE ${table} SET ${metadata} = v.doc${bookkeeping(type)}
       FROM (SELECT value ->> '$[0]' AS id, value ->> '$[1]' AS doc FROM json_each(?)) AS v
       WHERE ${table}.${id} = v.id`,
      [JSON.stringify(documents.map((d) => [d.id, d.json]))],
    );
  }

  prefixCondition(column: string, prefix: string) {
    return {
      sql: `${column} >= :low AND ${column} < :high`,
      parameters: { low: prefix, high: prefix + MAX_CHAR },
    };
  }
}
