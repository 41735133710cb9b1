import type { DataSourceOptions } from 'typeorm';

/** The databases every suite runs against: both real, both on every development and CI machine. */
export const DATABASES = ['sqlite', 'postgres'] as const;
export type DatabaseKind = (typeof DATABASES)[number];

export const POSTGRES_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Connection options of a fresh, empty database of the given kind. */
export function connectionOptions(kind: DatabaseKind): DataSourceOptions {
  return kind === 'postgres'
    ? { type: 'postgres', url: POSTGRES_URL, dropSchema: true }
    : { type: 'better-sqlite3', database: ':memory:' };
}
