import { BaseEntity, type DataSource } from 'typeorm';

/**
 * The base of an entity whose JSON columns are declared `json`, the one JSON type that every supported
 * database accepts, and become `jsonb` where there is one: on PostgreSQL (stored parsed, compared by value)
 * and on SQLite (TypeORM 1 stores SQLite's binary JSONB). MariaDB and MySQL have no `jsonb` (TypeORM
 * refuses the type there): their `json` stays. A column's type cannot depend on the database, so it is
 * changed here: TypeORM calls this for a BaseEntity once per data source, after checking the entity and
 * before migrations and `synchronize` run. The classes are never used as active records.
 */
export abstract class JsonDocument extends BaseEntity {
  static override useDataSource(dataSource: DataSource | null): void {
    super.useDataSource(dataSource);
    const type = dataSource?.driver.options.type;
    if (!dataSource || type === 'mysql' || type === 'mariadb') return;
    for (const column of dataSource.getMetadata(this).columns) if (column.type === 'json') column.type = 'jsonb';
  }
}
