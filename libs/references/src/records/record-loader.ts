import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { In } from 'typeorm';
import { SqlDialect } from '../sql/sql-dialect.js';
import type { ReferenceType } from '../registry/reference-type.js';

/**
 * Loads reference-enabled records by id, many with one statement. With default canonical URLs the library
 * reads nothing of a record but its id and metadata, so it reads just those, raw (no entity hydration):
 * this sits on every write (dereference) and every transitive step.
 */
@Injectable()
export class RecordLoader {
  constructor(private readonly dialect: SqlDialect) {}

  async loadMany(manager: EntityManager, type: ReferenceType, ids: string[], options: { share?: boolean } = {}): Promise<object[]> {
    if (!ids.length) return [];
    if (type.urlForId) {
      const rows = await this.dialect.selectRecords(manager, type, ids, options.share);
      return rows.map((row) => type.partialRecord(row.id, typeof row.metadata === 'string' ? JSON.parse(row.metadata) : row.metadata));
    }
    const idProperty = type.entityMetadata.primaryColumns[0].propertyName;
    return manager.find(type.entity as any, {
      where: { [idProperty]: In(ids) },
      ...(options.share && this.dialect.rowLocks ? { lock: { mode: 'pessimistic_read' as const } } : {}),
    }) as Promise<object[]>;
  }

  async load(manager: EntityManager, type: ReferenceType, id: string, options: { share?: boolean } = {}): Promise<object | undefined> {
    return (await this.loadMany(manager, type, [id], options))[0];
  }
}
