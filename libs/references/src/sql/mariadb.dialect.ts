import type { EntityManager } from 'typeorm';
import type { JsonPath } from '../extraction/json-path.util.js';
import type { ReferenceType } from '../registry/reference-type.model.js';
import { MAX_JSON_DEPTH } from '../references.constants.js';
import { SqlDialect, bookkeeping, notSoftDeleted, type IndexRowValues, type RowLock, type WaitBounds, insertIndexRowsFromJson, prefixRange } from './sql.dialect.js';

/** `['styles', 2]` → `$."styles"[2]`, a path for MariaDB's JSON functions. */
function jsonPath(path: JsonPath): string {
  return '$' + path.map((s) => (typeof s === 'number' ? `[${s}]` : `.${JSON.stringify(s)}`)).join('');
}

/** MariaDB has no key-share lock: a share lock also makes the target's writers wait (see ARCHITECTURE.md, "Concurrency"). */
const LOCK_CLAUSE: Record<RowLock, string> = { share: 'LOCK IN SHARE MODE', 'key-share': 'LOCK IN SHARE MODE', update: 'FOR UPDATE' };

/** InnoDB error numbers after which a new attempt of the transaction may succeed: deadlock, lock wait timeout. */
const LOCK_WAIT_TIMEOUT = 1205;
const CONFLICTS = new Set([1213, LOCK_WAIT_TIMEOUT]);

const isInteger = (id: string) => /^-?\d+$/.test(id);

/**
 * Ids in one order shared by every transaction (numbers by value, other ids by code unit), without
 * duplicates: the row locks of a statement are taken in the order of its id list (see `ids()`).
 */
function sortedIds(ids: string[]): string[] {
  return [...new Set(ids)].sort((a, b) =>
    isInteger(a) && isInteger(b) ? (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0) : a < b ? -1 : a > b ? 1 : 0,
  );
}

/**
 * MariaDB 10.6+ and MySQL 8 (tested on MariaDB; MySQL differs only where noted). Every join of an id list
 * with a table forces its primary key: on a small table the optimizer otherwise prefers a full scan, which
 * in a locking statement locks (and waits for) every row of the table, not just the listed ones. Lists travel as one JSON text parameter,
 * opened with `JSON_TABLE`. MariaDB's `UPDATE` has no `RETURNING`: a statement that must say which rows it
 * changed is a locking `SELECT` of those rows followed by an `UPDATE` of exactly them, in one transaction.
 */
export class MariaDbDialect extends SqlDialect {
  readonly rowLocks = true;
  readonly oneConnection = false;
  /** MariaDB's JSON functions (and the JSON_VALID check of a json column) refuse a document nested 32 levels deep. */
  override readonly maxJsonDepth: number;

  /**
   * @param mariadb whether the server is MariaDB (TypeORM's `mysql` type serves both).
   * @param noShareLockInFind whether TypeORM's share lock clause fails on this data source (`findLock`).
   */
  constructor(
    private readonly mariadb: boolean,
    private readonly noShareLockInFind = false,
  ) {
    super();
    this.maxJsonDepth = mariadb ? 31 : MAX_JSON_DEPTH;
  }

  isWriteConflict(error: unknown): boolean {
    const candidate = error as { errno?: unknown; driverError?: { errno?: unknown } } | undefined;
    return CONFLICTS.has(Number(candidate?.driverError?.errno ?? candidate?.errno));
  }

  async beginTransaction(): Promise<void> {}

  async boundWaits(manager: EntityManager, bounds: WaitBounds): Promise<void> {
    // NOTE: InnoDB's lock wait timeout is whole seconds, and only a session (or global) setting: it stays on
    // the pooled connection, and the next propagation or write transaction on it sets it again.
    const lockSeconds = Math.max(1, Math.ceil(bounds.lockTimeoutMs / 1000));
    // NOTE: max_statement_time is MariaDB's; MySQL's max_execution_time bounds only SELECTs, so it is left alone.
    const statement = bounds.statementTimeoutMs && this.mariadb ? `, SESSION max_statement_time = ${bounds.statementTimeoutMs / 1000}` : '';
    await manager.query(`SET SESSION innodb_lock_wait_timeout = ${lockSeconds}${statement}`);
  }

  isLockTimeout(error: unknown): boolean {
    const candidate = error as { errno?: unknown; driverError?: { errno?: unknown } } | undefined;
    return Number(candidate?.driverError?.errno ?? candidate?.errno) === LOCK_WAIT_TIMEOUT;
  }

  override identifiers(sql: string): string {
    // NOTE: the library's own SQL quotes names with double quotes and never uses one in a literal.
    return sql.replaceAll('"', '`');
  }

  override findLock(lock: RowLock) {
    // NOTE: TypeORM writes `FOR SHARE` for a `mysql` data source on any server of version 8 or later, and
    // MariaDB 10 (which knows only LOCK IN SHARE MODE) counts as one: there a share lock becomes an update
    // lock, which makes the target's writers wait just the same (and other readers too).
    return lock === 'update' || this.noShareLockInFind ? ('pessimistic_write' as const) : ('pessimistic_read' as const);
  }

  async lockForDelete(manager: EntityManager, type: ReferenceType, id: string): Promise<void> {
    await this.selectRecords(manager, type, [id], 'update');
  }

  async setAtPath(manager: EntityManager, type: ReferenceType, path: JsonPath, ids: string[], valueJson: string) {
    const { table, id, metadata } = type.sql;
    const at = jsonPath(path);
    // NOTE: compared as JSON values (MariaDB stores JSON as text, whose spacing and key order vary:
    // JSON_EQUALS; MySQL compares its JSON type by value); a missing path (NULL) differs from every value.
    const equal = this.mariadb ? `JSON_EQUALS(JSON_EXTRACT(t.${metadata}, ?), ?)` : `JSON_EXTRACT(t.${metadata}, ?) = CAST(? AS JSON)`;
    const rows: Array<{ id: unknown }> = await manager.query(
      `SELECT t.${id} AS id FROM ${this.ids(type)} STRAIGHT_JOIN ${table} AS t FORCE INDEX (PRIMARY) ON t.${id} = v.id
       WHERE NOT COALESCE(${equal}, 0) FOR UPDATE`,
      [JSON.stringify(sortedIds(ids)), at, valueJson],
    );
    const changed = rows.map((row) => String(row.id));
    if (!changed.length) return [];
    const value = path.length ? `JSON_SET(t.${metadata}, ?, JSON_EXTRACT(?, '$'))` : `?`;
    await manager.query(
      `UPDATE ${this.ids(type)} STRAIGHT_JOIN ${table} AS t FORCE INDEX (PRIMARY) ON t.${id} = v.id SET t.${metadata} = ${value}${bookkeeping(type, 't.')}`,
      [JSON.stringify(changed), ...(path.length ? [at, valueJson] : [valueJson])],
    );
    return changed;
  }

  async replaceInDocuments(manager: EntityManager, type: ReferenceType, ids: string[], from: string, to: string) {
    if (!ids.length) return 0;
    const { table, id, metadata } = type.sql;
    // NOTE: MariaDB keeps a json column as the text written, so the text replace sees each URL as stored.
    const result: { affectedRows?: number } = await manager.query(
      `UPDATE ${this.ids(type)} STRAIGHT_JOIN ${table} AS t FORCE INDEX (PRIMARY) ON t.${id} = v.id
       SET t.${metadata} = REPLACE(t.${metadata}, ?, ?)${bookkeeping(type, 't.')} WHERE INSTR(t.${metadata}, ?) > 0`,
      [JSON.stringify(sortedIds(ids)), from, to, from],
    );
    return Number(result?.affectedRows ?? 0);
  }

  async writeDocuments(manager: EntityManager, type: ReferenceType, documents: Array<{ id: string; json: string }>) {
    if (!documents.length) return;
    const { table, id, metadata } = type.sql;
    const idColumn = this.idColumn(type);
    await manager.query(
      `UPDATE JSON_TABLE(?, '$[*]' COLUMNS (id ${idColumn} PATH '$[0]', doc LONGTEXT PATH '$[1]')) AS v
       STRAIGHT_JOIN ${table} AS t FORCE INDEX (PRIMARY) ON t.${id} = v.id SET t.${metadata} = v.doc${bookkeeping(type, 't.')}`,
      [JSON.stringify(documents.map((d) => [d.id, d.json]))],
    );
  }

  async selectRecords(manager: EntityManager, type: ReferenceType, ids: string[], lock?: RowLock) {
    const { table, id, metadata } = type.sql;
    // NOTE: InnoDB locks rows as the join reads them, in the order of the id list: sorted, so that two
    // transactions lock the same records in the same order. The result is then sorted by id.
    const rows: Array<{ id: unknown; metadata: unknown }> = await manager.query(
      `SELECT t.${id} AS id, t.${metadata} AS metadata FROM ${this.ids(type)} STRAIGHT_JOIN ${table} AS t FORCE INDEX (PRIMARY) ON t.${id} = v.id
       WHERE 1 = 1${notSoftDeleted(type, 't.')} ORDER BY t.${id}${lock ? ` ${LOCK_CLAUSE[lock]}` : ''}`,
      [JSON.stringify(sortedIds(ids))],
    );
    return rows.map((row) => ({
      id: String(row.id),
      metadata: typeof row.metadata === 'string' ? JSON.parse(row.metadata) : row.metadata,
    }));
  }

  orphanCondition(type: ReferenceType) {
    const { table, id } = type.sql;
    return `NOT EXISTS (SELECT 1 FROM ${table} AS t WHERE t.${id} = e.\`referrer_id\`)`;
  }

  insertIndexRows(manager: EntityManager, rows: IndexRowValues[]) {
    return insertIndexRowsFromJson(
      manager,
      this,
      rows,
      `SELECT * FROM JSON_TABLE(?, '$[*]' COLUMNS (
         referrer_type VARCHAR(64) PATH '$[0]', referrer_id VARCHAR(64) PATH '$[1]', reference VARCHAR(2048) PATH '$[2]',
         reference_uuid VARCHAR(64) PATH '$[3]', inline INT PATH '$[4]', path VARCHAR(512) PATH '$[5]', on_delete VARCHAR(8) PATH '$[6]')) AS v`,
    );
  }

  prefixCondition(column: string, prefix: string) {
    // NOTE: the migration makes the column VARBINARY: bytes of UTF-8 compare in code point order, so a
    // range is exact for "starts with" and an ordered scan of the (reference, id) index.
    return prefixRange(column, prefix);
  }

  orderByReference(column: string): string {
    return column;
  }

  inList(column: string, name: string, values: string[]) {
    return {
      sql: `${column} IN (SELECT v.value FROM JSON_TABLE(:${name}, '$[*]' COLUMNS (value VARCHAR(2048) PATH '$')) AS v)`,
      parameters: { [name]: JSON.stringify(values) },
    };
  }

  /** The id list parameter as a table `v(id)`, typed like the primary key so that the join uses it. */
  private ids(type: ReferenceType): string {
    return `JSON_TABLE(?, '$[*]' COLUMNS (id ${this.idColumn(type)} PATH '$')) AS v`;
  }

  private idColumn(type: ReferenceType): string {
    return /int/.test(type.sql.idType) ? 'BIGINT' : 'VARCHAR(255)';
  }
}
