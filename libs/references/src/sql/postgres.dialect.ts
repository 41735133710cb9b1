import type { EntityManager } from 'typeorm';
import type { JsonPath } from '../extraction/json-path.util.js';
import type { ReferenceType } from '../registry/reference-type.model.js';
import { MAX_CHAR, SqlDialect, bookkeeping, errorCode, isPostgresConflict, notSoftDeleted, returnedRows, type IndexRowValues, type RowLock, type WaitBounds } from './sql.dialect.js';

/** `['styles', 2]` → `{"styles","2"}`, a text[] literal for `jsonb_set` and `#>`. */
function textArray(path: JsonPath): string {
  return `{${path.map((s) => `"${String(s).replace(/["\\]/g, '\\$&')}"`).join(',')}}`;
}

const LOCK_CLAUSE: Record<RowLock, string> = { share: 'SHARE', 'key-share': 'KEY SHARE', update: 'UPDATE' };

export class PostgresDialect extends SqlDialect {
  readonly rowLocks = true;
  readonly oneConnection = false;

  isWriteConflict(error: unknown): boolean {
    return isPostgresConflict(error);
  }

  async beginTransaction(): Promise<void> {}

  async boundWaits(manager: EntityManager, bounds: WaitBounds): Promise<void> {
    // NOTE: set_config(…, true) is SET LOCAL: the bounds end with the transaction.
    if (!bounds.statementTimeoutMs) {
      await manager.query(`SELECT set_config('lock_timeout', $1, true)`, [`${bounds.lockTimeoutMs}ms`]);
      return;
    }
    await manager.query(`SELECT set_config('lock_timeout', $1, true), set_config('statement_timeout', $2, true)`, [
      `${bounds.lockTimeoutMs}ms`,
      `${bounds.statementTimeoutMs}ms`,
    ]);
  }

  isLockTimeout(error: unknown): boolean {
    return errorCode(error) === '55P03';
  }

  async lockForDelete(manager: EntityManager, type: ReferenceType, id: string): Promise<void> {
    await this.selectRecords(manager, type, [id], 'update');
  }

  async setAtPath(manager: EntityManager, type: ReferenceType, path: JsonPath, ids: string[], valueJson: string) {
    const { table, id, idType, metadata, metadataType } = type.sql;
    const asJsonb = metadataType === 'jsonb' ? metadata : `${metadata}::jsonb`;
    const back = metadataType === 'jsonb' ? '' : `::${metadataType}`;
    // NOTE: jsonb_set does nothing at the empty path (a mirror's whole document): that is the value itself.
    const value = path.length ? `jsonb_set(${asJsonb}, $2::text[], $1::jsonb)` : '$1::jsonb';
    // NOTE: a `json` column (text kept as written) is compared at the path alone, without turning the whole
    // document into jsonb first; a document that changes is written back in jsonb's form (keys reordered).
    const current = metadataType === 'json' ? `(${metadata} #> $2::text[])::jsonb` : `(${asJsonb} #> $2::text[])`;
    // NOTE: ids as one array and no join: the fastest form measured (DESIGN.md, performance notes).
    const result = await manager.query(
      `UPDATE ${table} SET ${metadata} = ${value}${back}${bookkeeping(type)}
       WHERE ${id} = ANY($3::${idType}[]) AND ${current} IS DISTINCT FROM $1::jsonb
       RETURNING ${id}::text AS id`,
      [valueJson, textArray(path), ids],
    );
    return returnedRows<{ id: string }>(result).map((row) => row.id);
  }

  async replaceInDocuments(manager: EntityManager, type: ReferenceType, ids: string[], from: string, to: string) {
    if (!ids.length) return 0;
    const { table, id, idType, metadata, metadataType } = type.sql;
    const result = await manager.query(
      `UPDATE ${table} SET ${metadata} = replace(${metadata}::text, $1, $2)::${metadataType}${bookkeeping(type)}
       WHERE ${id} = ANY($3::${idType}[]) AND strpos(${metadata}::text, $1) > 0 RETURNING ${id}`,
      [from, to, ids],
    );
    return returnedRows(result).length;
  }

  async writeDocuments(manager: EntityManager, type: ReferenceType, documents: Array<{ id: string; json: string }>) {
    if (!documents.length) return;
    const { table, id, idType, metadata, metadataType } = type.sql;
    await manager.query(
      `UPDATE ${table} AS t SET ${metadata} = v.doc::${metadataType}${bookkeeping(type)}
       FROM unnest($1::text[], $2::text[]) AS v(id, doc) WHERE t.${id} = v.id::${idType}`,
      [documents.map((d) => d.id), documents.map((d) => d.json)],
    );
  }

  async selectRecords(manager: EntityManager, type: ReferenceType, ids: string[], lock?: RowLock) {
    const { table, id, idType, metadata } = type.sql;
    // NOTE: in id order, so that two transactions lock the same records in the same order.
    return manager.query(
      `SELECT ${id}::text AS id, ${metadata} AS metadata FROM ${table}
       WHERE ${id} = ANY($1::${idType}[])${notSoftDeleted(type)} ORDER BY ${id}${lock ? ` FOR ${LOCK_CLAUSE[lock]}` : ''}`,
      [ids],
    );
  }

  orphanCondition(type: ReferenceType) {
    const { table, id, idType } = type.sql;
    return `NOT EXISTS (SELECT 1 FROM ${table} AS t WHERE t.${id} = e."referrer_id"::${idType})`;
  }

  async insertIndexRows(manager: EntityManager, rows: IndexRowValues[]) {
    if (!rows.length) return;
    await manager.query(
      `INSERT INTO "reference_index" ("referrer_type", "referrer_id", "reference", "reference_uuid", "inline", "path", "on_delete")
       SELECT * FROM unnest($1::varchar[], $2::varchar[], $3::varchar[], $4::varchar[], $5::boolean[], $6::varchar[], $7::varchar[])`,
      [
        rows.map((r) => r.referrerType),
        rows.map((r) => r.referrerId),
        rows.map((r) => r.reference),
        rows.map((r) => r.referenceUuid),
        rows.map((r) => r.inline),
        rows.map((r) => r.path),
        rows.map((r) => r.onDelete),
      ],
    );
  }

  prefixCondition(column: string, prefix: string) {
    // NOTE: a range by code point is exact for "starts with" (no wildcard to escape), and under the "C"
    // collation that the migration gives the column it is an ordered scan of the reference index.
    return {
      sql: `${column} COLLATE "C" >= :low AND ${column} COLLATE "C" < :high`,
      parameters: { low: prefix, high: prefix + MAX_CHAR },
    };
  }

  orderByReference(column: string): string {
    return `${column} COLLATE "C"`;
  }

  inList(column: string, name: string, values: string[]) {
    return { sql: `${column} = ANY(:${name})`, parameters: { [name]: values } };
  }
}
