import type { EntityManager } from 'typeorm';
import type { ReferenceType } from '../registry/reference-type.model.js';

/** Every record of a type, in primary-key order, a batch at a time (keyset: never an OFFSET scan). */
export async function* recordBatches(manager: EntityManager, type: ReferenceType, batchSize: number): AsyncGenerator<object[]> {
  const idProperty = type.entityMetadata.primaryColumns[0].propertyName;
  let last: unknown;
  for (;;) {
    const query = manager
      .createQueryBuilder(type.entity as any, 'r')
      .orderBy(`r.${idProperty}`, 'ASC')
      .take(batchSize);
    if (last !== undefined) query.where(`r.${idProperty} > :last`, { last });
    const records = (await query.getMany()) as object[];
    if (!records.length) return;
    yield records;
    last = (records.at(-1) as any)[idProperty];
  }
}

/** The ids of every record of a type (soft-deleted ones too), in primary-key order, a batch at a time. */
export async function* recordIdBatches(manager: EntityManager, type: ReferenceType, batchSize: number): AsyncGenerator<string[]> {
  const idProperty = type.entityMetadata.primaryColumns[0].propertyName;
  let last: unknown;
  for (;;) {
    const query = manager
      .createQueryBuilder(type.entity as any, 'r')
      .withDeleted()
      .select(`r.${idProperty}`, 'id')
      .orderBy(`r.${idProperty}`, 'ASC')
      .limit(batchSize);
    if (last !== undefined) query.where(`r.${idProperty} > :last`, { last });
    const rows: Array<{ id: unknown }> = await query.getRawMany();
    if (!rows.length) return;
    yield rows.map((row) => String(row.id));
    last = rows.at(-1)!.id;
  }
}
