import type { EntityManager } from 'typeorm';
import { In } from 'typeorm';
import type { ReferenceSpec } from '../extraction/reference-extractor.js';
import type { GetReferrersOptions, ReferenceRow } from '../interfaces/reference-row.interface.js';
import type { SqlDialect } from '../sql/sql-dialect.js';
import { ReferenceEntry } from './reference-entry.entity.js';

/** Rows inserted per statement (well under SQLite's and PostgreSQL's parameter limits). */
const INSERT_CHUNK = 500;

/** Reads and writes of the reverse index. Every method takes the manager of the transaction it belongs to. */
export class ReferenceIndex {
  constructor(private readonly dialect: SqlDialect) {}

  /** Makes the index rows of one record equal to `specs`, writing only the difference. */
  async replace(manager: EntityManager, referrerType: string, referrerId: string, specs: ReferenceSpec[]): Promise<void> {
    const repository = manager.getRepository(ReferenceEntry);
    const existing = await repository.find({ where: { referrerType, referrerId } });
    const key = (r: { reference: string; path: string; inline: boolean }) => `${r.inline ? 'i' : 'l'} ${r.path} ${r.reference}`;
    const wanted = new Map(specs.map((s) => [key(s), s]));
    const stale: number[] = [];
    for (const row of existing) {
      const spec = wanted.get(key(row));
      if (spec && spec.referenceUuid === row.referenceUuid && spec.field.onDelete === row.onDelete) wanted.delete(key(row));
      else stale.push(row.id);
    }
    if (stale.length) await repository.delete({ id: In(stale) });
    await this.insert(manager, referrerType, referrerId, [...wanted.values()]);
  }

  async insert(manager: EntityManager, referrerType: string, referrerId: string, specs: ReferenceSpec[]): Promise<void> {
    const rows = specs.map((s) => ({
      referrerType,
      referrerId,
      reference: s.reference,
      referenceUuid: s.referenceUuid,
      inline: s.inline,
      path: s.path,
      onDelete: s.field.onDelete,
    }));
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
      await manager
        .createQueryBuilder()
        .insert()
        .into(ReferenceEntry)
        .values(rows.slice(i, i + INSERT_CHUNK))
        .updateEntity(false)
        .execute();
    }
  }

  async removeReferrer(manager: EntityManager, referrerType: string, referrerIds: string[]): Promise<void> {
    if (referrerIds.length) await manager.getRepository(ReferenceEntry).delete({ referrerType, referrerId: In(referrerIds) });
  }

  /** The records that reference `reference`, ordered by (reference, row id): stable across pages. */
  async referrers(manager: EntityManager, reference: string, options: GetReferrersOptions = {}): Promise<ReferenceRow[]> {
    const query = this.matching(manager, reference, options.match)
      .orderBy('e.reference', 'ASC')
      .addOrderBy('e.id', 'ASC');
    if (options.limit !== undefined) query.limit(options.limit);
    if (options.offset) query.offset(options.offset);
    return (await query.getMany()).map(toReferenceRow);
  }

  async countReferrers(manager: EntityManager, reference: string, options: GetReferrersOptions = {}): Promise<number> {
    return this.matching(manager, reference, options.match).getCount();
  }

  async references(manager: EntityManager, referrerType: string, referrerId: string): Promise<ReferenceRow[]> {
    const rows = await manager
      .getRepository(ReferenceEntry)
      .find({ where: { referrerType, referrerId }, order: { id: 'ASC' } });
    return rows.map(toReferenceRow);
  }

  /** The next batch of index rows of `reference` after row id `after`, in keyset order. */
  async batchAfter(
    manager: EntityManager,
    reference: string,
    after: number,
    limit: number,
    filter: { inline?: boolean; onDelete?: string; olderThan?: number } = {},
  ): Promise<ReferenceEntry[]> {
    const query = manager
      .getRepository(ReferenceEntry)
      .createQueryBuilder('e')
      .where('e.reference = :reference AND e.id > :after', { reference, after })
      .orderBy('e.id', 'ASC')
      .limit(limit);
    if (filter.inline !== undefined) query.andWhere('e.inline = :inline', { inline: filter.inline });
    if (filter.onDelete !== undefined) query.andWhere('e.onDelete = :onDelete', { onDelete: filter.onDelete });
    if (filter.olderThan !== undefined) {
      query.andWhere('(e.syncedVersion IS NULL OR e.syncedVersion < :version)', { version: filter.olderThan });
    }
    return query.getMany();
  }

  /** Records that these rows' inline copies were synced to a target version. */
  async markSynced(manager: EntityManager, rowIds: number[], version: number): Promise<void> {
    if (rowIds.length) await manager.getRepository(ReferenceEntry).update({ id: In(rowIds) }, { syncedVersion: version });
  }

  /** Those of `urls` that some record holds an inline copy of. */
  async inlineReferenced(manager: EntityManager, urls: string[]): Promise<Set<string>> {
    const found = new Set<string>();
    for (let i = 0; i < urls.length; i += INSERT_CHUNK) {
      const rows: Array<{ reference: string }> = await manager
        .getRepository(ReferenceEntry)
        .createQueryBuilder('e')
        .select('DISTINCT e.reference', 'reference')
        .where('e.reference IN (:...urls) AND e.inline = :inline', { urls: urls.slice(i, i + INSERT_CHUNK), inline: true })
        .getRawMany();
      for (const row of rows) found.add(row.reference);
    }
    return found;
  }

  async renameReference(manager: EntityManager, oldUrl: string, newUrl: string): Promise<void> {
    await manager.getRepository(ReferenceEntry).update({ reference: oldUrl }, { reference: newUrl });
  }

  async clear(manager: EntityManager): Promise<void> {
    await manager.getRepository(ReferenceEntry).clear();
  }

  private matching(manager: EntityManager, reference: string, match: GetReferrersOptions['match'] = 'exact') {
    const query = manager.getRepository(ReferenceEntry).createQueryBuilder('e');
    if (match === 'prefix') {
      const condition = this.dialect.prefixCondition('e.reference', reference);
      return query.where(condition.sql, condition.parameters);
    }
    return query.where('e.reference = :reference', { reference });
  }
}

/** The public shape of an index row. */
export function toReferenceRow(entry: ReferenceEntry): ReferenceRow {
  return {
    referrerType: entry.referrerType,
    referrerId: entry.referrerId,
    reference: entry.reference,
    referenceUuid: entry.referenceUuid,
    inline: entry.inline,
    path: entry.path,
  };
}
