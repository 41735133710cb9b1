import type { Provider } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { ReferencesConfigurationError } from '../errors/references.errors.js';
import { REFERENCES_DATA_SOURCE } from '../references.constants.js';
import { PostgresDialect } from './postgres.dialect.js';
import { SqlDialect } from './sql-dialect.js';
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

/** The core module's provider of the `SqlDialect`, chosen by the type of the library's data source. */
export const sqlDialectProvider: Provider = { provide: SqlDialect, useFactory: dialectFor, inject: [REFERENCES_DATA_SOURCE] };
