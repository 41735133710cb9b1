import type { EntityManager } from 'typeorm';
import type { JsonPath } from '../extraction/json-path.js';
import type { ReferenceType } from '../registry/reference-type.js';
import { bookkeeping, passes, type PathTarget, type SqlDialect } from './sql-dialect.js';

/** `['styles', 2]` → `{"styles","2"}`, a text[] literal for `jsonb_set` and `#>`. */
function textArray(path: JsonPath): string {
  return `{${path.map((s) => `"${String(s).replace(/["\\]/g, '\\$&')}"`).join(',')}}`;
}

export class PostgresDialect implements SqlDialect {
  async setAtPaths(manager: EntityManager, type: ReferenceType, targets: PathTarget[], valueJson: string) {
    const { table, id, idType, metadata, metadataType } = type.sql;
    const asJsonb = metadataType === 'jsonb' ? `t.${metadata}` : `t.${metadata}::jsonb`;
    const back = metadataType === 'jsonb' ? '' : `::${metadataType}`;
    const changed: string[] = [];
    for (const pass of passes(targets)) {
      const result = await manager.query(
        `UPDATE ${table} AS t SET ${metadata} = jsonb_set(${asJsonb}, v.path::text[], $1::jsonb)${back}${bookkeeping(type)}
         FROM unnest($2::text[], $3::text[]) AS v(id, path)
         WHERE t.${id} = v.id::${idType} AND (${asJsonb} #> v.path::text[]) IS DISTINCT FROM $1::jsonb
         RETURNING t.${id}::text AS id`,
        [valueJson, pass.map((t) => t.id), pass.map((t) => textArray(t.path))],
      );
      // NOTE: TypeORM answers an UPDATE … RETURNING on PostgreSQL with [rows, rowCount].
      const rows: Array<{ id: string }> = Array.isArray(result[0]) ? result[0] : result;
      for (const row of rows) changed.push(row.id);
    }
    return changed;
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

  prefixCondition(column: string, prefix: string) {
    return {
      sql: `${column} LIKE :pattern ESCAPE '\\'`,
      parameters: { pattern: prefix.replace(/[\\%_]/g, '\\$&') + '%' },
    };
  }
}
