import { MAX_JSON_DEPTH } from 'nestjs-references';
import type { DataSourceOptions } from 'typeorm';

/** The databases every suite runs against: all real, all on every development and CI machine. */
export const DATABASES = ['sqlite', 'postgres', 'mariadb'] as const;
export type DatabaseKind = (typeof DATABASES)[number];

export const POSTGRES_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const MARIADB_URL = process.env.TEST_MARIADB_URL ?? 'mysql://root@127.0.0.1:3306/test';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Connection options of a fresh, empty database of the given kind. */
export function connectionOptions(kind: DatabaseKind): DataSourceOptions {
  switch (kind) {
    case 'postgres':
      return { type: 'postgres', url: POSTGRES_URL, dropSchema: true };
    case 'mariadb':
      // NOTE: the library needs READ COMMITTED on MariaDB and MySQL (libs/references/README.md, "Concurrency").
      return { type: 'mariadb', url: MARIADB_URL, dropSchema: true, isolationLevel: 'READ COMMITTED' };
    case 'sqlite':
      return { type: 'better-sqlite3', database: ':memory:' };
  }
}

/**
 * The deepest JSON document the library stores on each database (the document itself is level 1):
 * `MAX_JSON_DEPTH`, or less where the database stores less (MariaDB's JSON functions stop at 31 levels).
 */
export const MAX_JSON_DEPTH_ON: Record<DatabaseKind, number> = { sqlite: MAX_JSON_DEPTH, postgres: MAX_JSON_DEPTH, mariadb: 31 };
