import type { DataSource } from 'typeorm';
import { ReferencesConfigurationError } from '../errors/references.errors.js';
import { PostgresDialect } from './postgres.dialect.js';
import type { SqlDialect } from './sql-dialect.js';
import { SqliteDialect } from './sqlite.dialect.js';

/** The dialect of the data source's database: PostgreSQL or SQLite (better-sqlite3). */
export function dialectFor(dataSource: DataSource): SqlDialect {
  switch (dataSource.options.type) {
    case 'postgres':
      return new PostgresDialect();
    case 'better-sqlite3':
      return new SqliteDialect();
    default:
      throw new ReferencesConfigurationError(
        `nestjs-references supports PostgreSQL and SQLite (better-sqlite3), not "${dataSource.options.type}"`,
      );
  }
}
