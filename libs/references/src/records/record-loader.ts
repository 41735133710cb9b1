import { Injectable } from '@nestjs/common';
import type { EntityManager, FindOptionsWhere } from 'typeorm';
import { In } from 'typeorm';
import type { ReferenceType } from '../registry/reference-type.js';
import { SqlDialect, type RowLock } from '../sql/sql-dialect.js';

/**
 * Loads reference-enabled records by id, many with one statement, in id order, leaving out soft-deleted
 * ones. With default canonical URLs the library reads nothing of a record but its id and metadata, so it
 * reads just those, raw (no entity hydration): this sits on every write (dereference) and every transitive step.
 */
@Injectable()
export class RecordLoader {
  constructor(private readonly dialect: SqlDialect) {}

  async loadMany(manager: EntityManager, type: ReferenceType, ids: string[], options: { lock?: RowLock } = {}): Promise<object[]> {
    if (!ids.length) return [];
    if (type.urlForId) {
      const rows = await this.dialect.selectRecords(manager, type, ids, options.lock);
      return rows.map((row) => type.partialRecord(row.id, typeof row.metadata === 'string' ? JSON.parse(row.metadata) : row.metadata));
    }
    const idProperty = type.entityMetadata.primaryColumns[0].propertyName;
    const mode = options.lock && this.dialect.findLock(options.lock);
    // NOTE: where TypeORM's lock clause does not fit the database, the dialect locks the rows with its own SQL.
    if (options.lock && this.dialect.rowLocks && !mode) await this.dialect.selectRecords(manager, type, ids, options.lock);
    return manager.find(type.entity as any, {
      where: { [idProperty]: In(ids) } as FindOptionsWhere<any>,
      order: { [idProperty]: 'ASC' },
      ...(mode ? { lock: { mode } } : {}),
    }) as Promise<object[]>;
  }

  async load(manager: EntityManager, type: ReferenceType, id: string, options: { lock?: RowLock } = {}): Promise<object | undefined> {
    return (await this.loadMany(manager, type, [id], options))[0];
  }
}
