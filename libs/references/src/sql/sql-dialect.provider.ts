import type { Provider } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { ReferencesConfigurationError } from '../errors/references.errors.js';
import { REFERENCES_DATA_SOURCE } from '../references.constants.js';
import { MariaDbDialect } from './mariadb.dialect.js';
import { PostgresDialect } from './postgres.dialect.js';
import { SqlDialect } from './sql.dialect.js';
import { SqliteDialect } from './sqlite.dialect.js';

/**
 * The dialect of the data source's database: PostgreSQL, MariaDB or MySQL (mysql2), or SQLite (better-sqlite3).
 * `serverVersion`, the server's `VERSION()`, tells MariaDB from MySQL behind TypeORM's `mysql` type.
 */
export function dialectFor(dataSource: DataSource, serverVersion?: string): SqlDialect {
  switch (dataSource.options.type) {
    case 'postgres':
      return new PostgresDialect();
    case 'better-sqlite3':
      return new SqliteDialect();
    case 'mysql':
    case 'mariadb':
      assertReadCommitted(dataSource);
      return dataSource.options.type === 'mariadb'
        ? new MariaDbDialect(true)
        : new MariaDbDialect(/mariadb/i.test(serverVersion ?? ''), /mariadb/i.test(serverVersion ?? ''));
    default:
      throw new ReferencesConfigurationError(
        `nestjs-references supports PostgreSQL, MariaDB, MySQL and SQLite (better-sqlite3), not "${dataSource.options.type}"`,
      );
  }
}

/**
 * InnoDB's default isolation, REPEATABLE READ, reads every plain SELECT of a transaction from one snapshot:
 * a target's fan-out would miss the index rows of a referrer that committed while the target's writer
 * waited for its lock (see ARCHITECTURE.md, "Concurrency"). READ COMMITTED reads the committed rows at each
 * statement, as PostgreSQL does; SERIALIZABLE makes every read a locking one.
 */
function assertReadCommitted(dataSource: DataSource): void {
  const level = (dataSource.options as { isolationLevel?: string }).isolationLevel;
  if (level === 'READ COMMITTED' || level === 'SERIALIZABLE') return;
  throw new ReferencesConfigurationError(
    `nestjs-references on MariaDB and MySQL needs the data source option isolationLevel: 'READ COMMITTED' (got ${level ? `'${level}'` : 'none'})`,
  );
}

/**
 * The core module's provider of the `SqlDialect`, chosen by the type of the library's data source; a `mysql`
 * data source may be MariaDB or MySQL, which the server's version tells ("10.11.19-MariaDB-…").
 */
export const sqlDialectProvider: Provider = {
  provide: SqlDialect,
  useFactory: async (dataSource: DataSource) => {
    if (dataSource.options.type !== 'mysql') return dialectFor(dataSource);
    const [{ version }]: Array<{ version: string }> = await dataSource.query('SELECT VERSION() AS version');
    return dialectFor(dataSource, version);
  },
  inject: [REFERENCES_DATA_SOURCE],
};
