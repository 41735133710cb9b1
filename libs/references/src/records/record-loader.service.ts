import { Injectable } from '@nestjs/common';
import type { EntityManager, FindOptionsWhere } from 'typeorm';
import { In } from 'typeorm';
import type { ReferenceType } from '../registry/reference-type.model.js';
import { SqlDialect, type RowLock } from '../sql/sql.dialect.js';

/** How records are asked for: by id (referrers, from the index), or by the key their URL holds (targets). */
export interface LoadOptions {
  lock?: RowLock;
  /** @default 'id' */
  by?: 'id' | 'key';
}

/**
 * Loads reference-enabled records, many with one statement, in order, leaving out soft-deleted ones. With
 * default canonical URLs and representation the library reads nothing of a record but its id and metadata,
 * so it reads just those, raw (no entity hydration): this sits on every write (dereference) and every
 * transitive step.
 */
@Injectable()
export class RecordLoader {
  constructor(private readonly dialect: SqlDialect) {}

  async loadMany(manager: EntityManager, type: ReferenceType, values: string[], options: LoadOptions = {}): Promise<object[]> {
    if (!values.length) return [];
    // NOTE: a type with its own `representation` may read any column of the record: it gets whole entities.
    if (type.urlForId && !type.options.representation) {
      // NOTE: here the key is the id.
      const rows = await this.dialect.selectRecords(manager, type, values, options.lock);
      return rows.map((row) => type.partialRecord(row.id, typeof row.metadata === 'string' ? JSON.parse(row.metadata) : row.metadata));
    }
    const property = options.by === 'key' ? type.keyProperty : type.entityMetadata.primaryColumns[0].propertyName;
    const mode = options.lock && this.dialect.findLock(options.lock);
    return manager.find(type.entity as any, {
      where: { [property]: In(values) } as FindOptionsWhere<any>,
      order: { [property]: 'ASC' },
      ...(mode ? { lock: { mode } } : {}),
    }) as Promise<object[]>;
  }

  async load(manager: EntityManager, type: ReferenceType, value: string, options: LoadOptions = {}): Promise<object | undefined> {
    return (await this.loadMany(manager, type, [value], options))[0];
  }
}
