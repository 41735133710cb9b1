import type { EntityManager, SelectQueryBuilder } from 'typeorm';
import type { ReferenceType } from '../registry/reference-type.model.js';

/**
 * Pages of a type's records in primary-key order (keyset: never an OFFSET scan): `page` completes the query
 * (`r`, ordered by the primary key, after the last key when there is one) and reads a page; `keyOf` gives an
 * item's key. Ends at the first empty page.
 */
async function* keysetPages<T>(
  manager: EntityManager,
  type: ReferenceType,
  page: (query: SelectQueryBuilder<any>, idProperty: string) => Promise<T[]>,
  keyOf: (item: T, idProperty: string) => unknown,
): AsyncGenerator<T[]> {
  const idProperty = type.entityMetadata.primaryColumns[0].propertyName;
  let last: unknown;
  for (;;) {
    const query = manager.createQueryBuilder(type.entity as any, 'r').orderBy(`r.${idProperty}`, 'ASC');
    if (last !== undefined) query.where(`r.${idProperty} > :last`, { last });
    const items = await page(query, idProperty);
    if (!items.length) return;
    yield items;
    last = keyOf(items.at(-1)!, idProperty);
  }
}

/** Every record of a type, in primary-key order, a batch at a time. */
export function recordBatches(manager: EntityManager, type: ReferenceType, batchSize: number): AsyncGenerator<object[]> {
  return keysetPages<object>(
    manager,
    type,
    (query) => query.take(batchSize).getMany(),
    (record, idProperty) => (record as any)[idProperty],
  );
}

/** The ids of every record of a type (soft-deleted ones too), in primary-key order, a batch at a time. */
export async function* recordIdBatches(manager: EntityManager, type: ReferenceType, batchSize: number): AsyncGenerator<string[]> {
  const pages = keysetPages<{ id: unknown }>(
    manager,
    type,
    (query, idProperty) => query.withDeleted().select(`r.${idProperty}`, 'id').limit(batchSize).getRawMany(),
    (row) => row.id,
  );
  for await (const rows of pages) yield rows.map((row) => String(row.id));
}
