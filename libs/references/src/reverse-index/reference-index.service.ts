import { Injectable } from '@nestjs/common';
import type { EntityManager, SelectQueryBuilder } from 'typeorm';
import { In } from 'typeorm';
import type { ReferenceSpec } from '../extraction/reference-extractor.util.js';
import type { OnDeletePolicy } from '../interfaces/reference-options.interface.js';
import type {
  CountReferrersOptions,
  GetReferrersOptions,
  GetReferrersPageOptions,
  ReferenceMatch,
  ReferenceRow,
  ReferrersPage,
} from '../interfaces/reference-row.interface.js';
import type { ReferenceType } from '../registry/reference-type.model.js';
import { SqlDialect, asText, type IndexRowValues } from '../sql/sql.dialect.js';
import { ReferencePlaces } from './reference-places.service.js';
import { ReferenceEntry } from './reference-entry.entity.js';
import { FIRST_KEY, compareKeys, decodeCursor, encodeCursor, type ReferrersKey } from './referrers-cursor.util.js';

/** Urls checked per statement. */
const CHUNK = 10_000;

/** The largest id of an integer row id column. */
const MAX_ROW_ID = 2_147_483_647;

/** An index row as the library reads it: the public row, plus its row id and delete policy. */
export interface IndexRow extends ReferenceRow {
  id: number;
  onDelete: OnDeletePolicy;
}

/** A record and the references found in it. */
export interface IndexedRecord {
  referrerType: string;
  referrerId: string;
  specs: ReferenceSpec[];
}

/** What makes an index row of one record the same as a reference found in it. */
export const referenceKey = (r: { reference: string; path: string; inline: boolean }) => `${r.inline ? 'i' : 'l'} ${r.path} ${r.reference}`;
const key = referenceKey;

/**
 * Reads and writes of the reverse index. Every method takes the manager of the transaction it belongs to.
 * NOTE: reads are raw (no entity hydration) and writes set-based: they sit on every write and every batch.
 */
@Injectable()
export class ReferenceIndex {
  private readonly statements = new Map<string, { sql: string; values: (parameters: Record<string, unknown>) => unknown[] }>();

  constructor(
    private readonly dialect: SqlDialect,
    private readonly places: ReferencePlaces,
  ) {}

  /** Makes the index rows of one record equal to `specs`, writing only the difference. */
  async replace(manager: EntityManager, referrerType: string, referrerId: string, specs: ReferenceSpec[]): Promise<void> {
    await this.replaceMany(manager, [{ referrerType, referrerId, specs }]);
  }

  /**
   * Makes the index rows of many records equal to their specs, writing only the difference: one read per
   * referrer type, one delete and one insert for them all.
   */
  async replaceMany(manager: EntityManager, records: IndexedRecord[]): Promise<void> {
    const byType = new Map<string, string[]>();
    for (const r of records) (byType.get(r.referrerType) ?? byType.set(r.referrerType, []).get(r.referrerType)!).push(r.referrerId);
    const existing = new Map<string, IndexRow[]>();
    for (const [referrerType, ids] of byType) {
      const list = this.dialect.inList('e.referrerId', 'ids', ids);
      const rows = await this.select(manager)
        .where('e.referrerType = :referrerType', { referrerType })
        .andWhere(list.sql, list.parameters)
        .getRawMany();
      for (const row of rows.map(toIndexRow)) {
        const owner = `${row.referrerType} ${row.referrerId}`;
        (existing.get(owner) ?? existing.set(owner, []).get(owner)!).push(row);
      }
    }
    const stale: number[] = [];
    const added: IndexedRecord[] = [];
    for (const { referrerType, referrerId, specs } of records) {
      const wanted = new Map(specs.map((s) => [key(s), s]));
      for (const row of existing.get(`${referrerType} ${referrerId}`) ?? []) {
        const spec = wanted.get(key(row));
        if (spec && spec.referenceUuid === row.referenceUuid && spec.field.onDelete === row.onDelete) wanted.delete(key(row));
        else stale.push(row.id);
      }
      added.push({ referrerType, referrerId, specs: [...wanted.values()] });
    }
    if (stale.length) await manager.getRepository(ReferenceEntry).delete({ id: In(stale) });
    await this.insert(manager, added);
  }

  /** Inserts the rows of many records with one statement. */
  async insert(manager: EntityManager, records: IndexedRecord[]): Promise<void> {
    const rows: IndexRowValues[] = [];
    for (const { referrerType, referrerId, specs } of records) {
      for (const s of specs) {
        rows.push({
          referrerType,
          referrerId,
          reference: s.reference,
          referenceUuid: s.referenceUuid,
          inline: s.inline,
          path: s.path,
          onDelete: s.field.onDelete,
        });
      }
    }
    await this.dialect.insertIndexRows(manager, rows);
    await this.places.record(manager, rows);
  }

  async removeReferrer(manager: EntityManager, referrerType: string, referrerIds: string[]): Promise<void> {
    if (referrerIds.length) await manager.getRepository(ReferenceEntry).delete({ referrerType, referrerId: In(referrerIds) });
  }

  /**
   * The index rows that reference `reference` (exact, or every URL that starts with it), ordered by the
   * reference (by code point), then by row id: stable across pages.
   */
  async referrers(manager: EntityManager, reference: string, options: GetReferrersOptions = {}): Promise<ReferenceRow[]> {
    const rows = await this.after(manager, reference, options.match, FIRST_KEY, options.limit ?? MAX_ROW_ID, options.offset ?? 0);
    return rows.map(toReferenceRow);
  }

  /** A page of `referrers()` after the row `cursor` names (from the start without one), and the next page's cursor. */
  async referrersPage(manager: EntityManager, reference: string, options: GetReferrersPageOptions): Promise<ReferrersPage> {
    const after = options.cursor === undefined ? FIRST_KEY : decodeCursor(options.cursor);
    // NOTE: one row more than asked tells whether a next page exists, so the last page says so itself.
    const rows = await this.after(manager, reference, options.match, after, options.limit + 1, options.offset ?? 0);
    const more = rows.length > options.limit;
    if (more) rows.length = options.limit;
    const last = rows.at(-1);
    return { rows: rows.map(toReferenceRow), next: more && last ? encodeCursor({ reference: asText(last.reference), id: Number(last.id) }) : null };
  }

  /**
   * Every index row of `reference` (exact, or every URL that starts with it), a page of `size` rows at a
   * time, in the order of `referrers()`.
   */
  async *referrerPages(manager: EntityManager, reference: string, options: { match?: ReferenceMatch; size: number }): AsyncGenerator<ReferenceRow[]> {
    let after = FIRST_KEY;
    for (;;) {
      const rows = await this.after(manager, reference, options.match, after, options.size, 0);
      if (!rows.length) return;
      const last = rows.at(-1)!;
      after = { reference: asText(last.reference), id: Number(last.id) };
      yield rows.map(toReferenceRow);
      if (rows.length < options.size) return;
    }
  }

  /**
   * The rows of `reference` after the key `after`, in (reference, row id) order. Walks by key, never by
   * OFFSET: the row comparison is a bound of the (reference, id) index, so a page is one range scan
   * however far the walk has gone (`offset` skips rows that are read; keep it small).
   * NOTE: plain SQL, no query builder: this is the lookup an API serves on every request.
   */
  private async after(
    manager: EntityManager,
    reference: string,
    match: ReferenceMatch = 'exact',
    after: ReferrersKey,
    limit: number,
    offset: number,
  ): Promise<Array<Record<string, any>>> {
    const condition =
      match === 'prefix'
        ? this.dialect.prefixCondition('"reference"', reference)
        : { sql: '"reference" = :reference', parameters: { reference } };
    const ordered = this.dialect.orderByReference('"reference"');
    // NOTE: the walk starts at the first key the match can hold, never before it: a key bound below the
    // range (the empty one of a first page, or a cursor of another URL) would make the scan start at the
    // index's first entry and read every entry up to the range.
    const first = { reference, id: 0 };
    const from = compareKeys(after, first) > 0 ? after : first;
    const statement = this.prepared(manager, `referrers:${match}`, () =>
      `SELECT "id", "referrer_type" AS "referrerType", "referrer_id" AS "referrerId", "reference", "reference_uuid" AS "referenceUuid",
              "inline", "path"
       FROM "reference_index"
       WHERE ${condition.sql} AND (${ordered}, "id") > (:afterReference, :afterId)
       ORDER BY ${ordered}, "id" LIMIT :limit OFFSET :offset`,
    );
    return manager.query(
      statement.sql,
      statement.values({ ...condition.parameters, afterReference: from.reference, afterId: from.id, limit, offset }),
    );
  }

  /**
   * A statement with `:named` parameters turned into the driver's placeholders once, and a function that
   * lays the values out in their order (each name appears once in the template).
   */
  private prepared(manager: EntityManager, key: string, template: () => string) {
    let statement = this.statements.get(key);
    if (!statement) {
      const text = this.dialect.identifiers(template());
      const names = [...text.matchAll(/:(\w+)/g)].map((m) => m[1]);
      const [sql] = manager.connection.driver.escapeQueryWithParameters(text, Object.fromEntries(names.map((n) => [n, n])));
      statement = { sql, values: (parameters: Record<string, unknown>) => names.map((n) => parameters[n]) };
      this.statements.set(key, statement);
    }
    return statement;
  }

  /** How many rows `referrers()` would return without `limit`, counting at most `options.limit`. */
  async countReferrers(manager: EntityManager, reference: string, options: CountReferrersOptions = {}): Promise<number> {
    const query = this.matching(manager.getRepository(ReferenceEntry).createQueryBuilder('e'), reference, options.match);
    if (options.limit === undefined) return query.getCount();
    // NOTE: the count of a bounded subquery stops reading the index after `limit` entries.
    const bounded = query.select('1').limit(options.limit);
    const [sql, parameters] = bounded.getQueryAndParameters();
    const [row] = await manager.query(this.dialect.identifiers(`SELECT count(*) AS "n" FROM (`) + sql + ') AS bounded', parameters);
    return Number(row.n);
  }

  /** The index rows of many records of one type. */
  async rowsOf(manager: EntityManager, referrerType: string, referrerIds: string[]): Promise<ReferenceRow[]> {
    if (!referrerIds.length) return [];
    const list = this.dialect.inList('e.referrerId', 'ids', referrerIds);
    const rows = await this.select(manager)
      .where('e.referrerType = :referrerType', { referrerType })
      .andWhere(list.sql, list.parameters)
      .getRawMany();
    return rows.map(toReferenceRow);
  }

  async references(manager: EntityManager, referrerType: string, referrerId: string): Promise<ReferenceRow[]> {
    const rows = await this.select(manager)
      .where('e.referrerType = :referrerType AND e.referrerId = :referrerId', { referrerType, referrerId })
      .orderBy('e.id', 'ASC')
      .getRawMany();
    return rows.map(toReferenceRow);
  }

  /**
   * The next batch of index rows of `reference` after row id `after`, in keyset order: the columns that
   * propagation needs (`reference` is the one asked for; `referenceUuid` is left out).
   */
  async batchAfter(
    manager: EntityManager,
    reference: string,
    after: number,
    limit: number,
    filter: { inline?: boolean; onDelete?: string; until?: number } = {},
  ): Promise<IndexRow[]> {
    const query = manager
      .getRepository(ReferenceEntry)
      .createQueryBuilder('e')
      .select('e.id', 'id')
      .addSelect('e.referrerType', 'referrerType')
      .addSelect('e.referrerId', 'referrerId')
      .addSelect('e.inline', 'inline')
      .addSelect('e.path', 'path')
      .addSelect('e.onDelete', 'onDelete')
      .where('e.reference = :reference AND e.id > :after', { reference, after })
      .orderBy('e.id', 'ASC')
      .limit(limit);
    if (filter.inline !== undefined) query.andWhere('e.inline = :inline', { inline: filter.inline });
    if (filter.onDelete !== undefined) query.andWhere('e.onDelete = :onDelete', { onDelete: filter.onDelete });
    if (filter.until !== undefined) query.andWhere('e.id <= :until', { until: filter.until });
    return asBatchRows(await query.getRawMany(), reference);
  }

  /**
   * Index row ids that cut the inline referrers of `reference` after row `after` into slices of `size`
   * rows (the last slice, past the last boundary, is open-ended). Empty when one slice holds them all.
   */
  async boundaries(manager: EntityManager, reference: string, after: number, size: number): Promise<number[]> {
    const [sql, parameters] = manager.connection.driver.escapeQueryWithParameters(
      this.dialect.identifiers(`SELECT "id" FROM (
         SELECT "id", row_number() OVER (ORDER BY "id") AS "n" FROM "reference_index"
         WHERE "reference" = :reference AND "inline" = :inline AND "id" > :after) AS "s"
       WHERE "n" % :size = 0 ORDER BY "id"`),
      { reference, inline: true, after, size },
    );
    const rows: Array<{ id: number | string }> = await manager.query(sql, parameters);
    return rows.map((r) => Number(r.id));
  }

  /** Those of `urls` that some record references (inline or by link). */
  async referenced(manager: EntityManager, urls: string[]): Promise<Set<string>> {
    const found = new Set<string>();
    for (let i = 0; i < urls.length; i += CHUNK) {
      const list = this.dialect.inList('e.reference', 'urls', urls.slice(i, i + CHUNK));
      const rows: Array<{ reference: string }> = await manager
        .getRepository(ReferenceEntry)
        .createQueryBuilder('e')
        .select('DISTINCT e.reference', 'reference')
        .where(list.sql, list.parameters)
        .getRawMany();
      for (const row of rows) found.add(asText(row.reference));
    }
    return found;
  }

  /** Whether any record references (inline or by link) a URL that starts with `prefix`. */
  async anyUnder(manager: EntityManager, prefix: string): Promise<boolean> {
    const condition = this.dialect.prefixCondition('e.reference', prefix);
    const row = await manager
      .getRepository(ReferenceEntry)
      .createQueryBuilder('e')
      .select('e.id', 'id')
      .where(condition.sql, condition.parameters)
      .limit(1)
      .getRawOne();
    return row !== undefined;
  }

  async renameReference(manager: EntityManager, oldUrl: string, newUrl: string): Promise<void> {
    await manager.getRepository(ReferenceEntry).update({ reference: oldUrl }, { reference: newUrl });
    // NOTE: references moved to a record of another type are places of that type now.
    if (this.places.typeOf(newUrl) !== this.places.typeOf(oldUrl)) {
      const rows: Array<{ referrerType: string; path: string }> = await manager
        .getRepository(ReferenceEntry)
        .createQueryBuilder('e')
        .select('e.referrerType', 'referrerType')
        .addSelect('e.path', 'path')
        .distinct(true)
        .where('e.reference = :reference', { reference: newUrl })
        .getRawMany();
      await this.places.record(manager, rows.map((row) => ({ ...row, reference: newUrl })));
    }
  }

  /**
   * Index rows whose referrer no longer exists, or whose type is no longer reference-enabled: the first
   * `limit` of them, and how many there are.
   */
  async orphans(manager: EntityManager, types: ReferenceType[], limit = Number.MAX_SAFE_INTEGER): Promise<{ rows: ReferenceRow[]; total: number }> {
    const parameters: Record<string, unknown> = { names: types.map((t) => t.name) };
    const conditions = types.map((type, i) => {
      parameters[`type${i}`] = type.name;
      return `(e."referrer_type" = :type${i} AND ${this.dialect.orphanCondition(type)})`;
    });
    const unknownType = types.length ? `e."referrer_type" NOT IN (:...names)` : '1 = 1';
    const where = [unknownType, ...conditions].join(' OR ');
    const [sql, values] = manager.connection.driver.escapeQueryWithParameters(
      this.dialect.identifiers(`SELECT e."referrer_type" AS "referrerType", e."referrer_id" AS "referrerId", e."reference", e."reference_uuid" AS "referenceUuid",
              e."inline", e."path"
       FROM "reference_index" AS e WHERE ${where} ORDER BY e."id" LIMIT ${Math.trunc(limit)}`),
      parameters,
    );
    const rows = ((await manager.query(sql, values)) as Array<Record<string, any>>).map(toReferenceRow);
    if (rows.length < limit) return { rows, total: rows.length };
    const [countSql, countValues] = manager.connection.driver.escapeQueryWithParameters(
      this.dialect.identifiers(`SELECT COUNT(*) AS "n" FROM "reference_index" AS e WHERE ${where}`),
      parameters,
    );
    const [{ n }] = await manager.query(countSql, countValues);
    return { rows, total: Number(n) };
  }

  private select(manager: EntityManager): SelectQueryBuilder<ReferenceEntry> {
    return manager
      .getRepository(ReferenceEntry)
      .createQueryBuilder('e')
      .select('e.id', 'id')
      .addSelect('e.referrerType', 'referrerType')
      .addSelect('e.referrerId', 'referrerId')
      .addSelect('e.reference', 'reference')
      .addSelect('e.referenceUuid', 'referenceUuid')
      .addSelect('e.inline', 'inline')
      .addSelect('e.path', 'path')
      .addSelect('e.onDelete', 'onDelete');
  }

  private matching<T extends SelectQueryBuilder<ReferenceEntry>>(query: T, reference: string, match: GetReferrersOptions['match'] = 'exact'): T {
    if (match === 'prefix') {
      const condition = this.dialect.prefixCondition('e.reference', reference);
      return query.where(condition.sql, condition.parameters) as T;
    }
    return query.where('e.reference = :reference', { reference }) as T;
  }
}

/**
 * Raw rows of one reference's batch, completed in place (one pass, no copies: a batch holds thousands).
 * `referenceUuid` is not read for batches.
 */
function asBatchRows(rows: Array<Record<string, any>>, reference: string): IndexRow[] {
  for (const raw of rows) {
    raw.id = Number(raw.id);
    raw.inline = Boolean(raw.inline);
    raw.reference = reference;
    raw.referenceUuid = null;
  }
  return rows as IndexRow[];
}

function toIndexRow(raw: Record<string, any>): IndexRow {
  return { ...toReferenceRow(raw), id: Number(raw.id), onDelete: raw.onDelete };
}

/** The public shape of an index row (raw row or entity). */
export function toReferenceRow(raw: Record<string, any>): ReferenceRow {
  return {
    referrerType: raw.referrerType,
    referrerId: raw.referrerId,
    reference: asText(raw.reference),
    referenceUuid: raw.referenceUuid ?? null,
    inline: Boolean(raw.inline),
    path: raw.path,
  };
}
