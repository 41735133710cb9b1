import { describe, expect, it } from '@jest/globals';
import { ReferenceEntry, ReferenceOutboxEntry, ReferenceReindexEntry, referencesMigrations } from 'nestjs-references';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { DATABASES, connectionOptions, type DatabaseKind } from '../support/databases.js';

const TABLES = ['reference_index', 'reference_outbox', 'reference_reindex'];

type Setup = Partial<Pick<DataSourceOptions, 'synchronize' | 'migrationsRun' | 'dropSchema'>> & { migrations?: Function[] };
const SYNCHRONIZE: Setup = { synchronize: true };
const MIGRATIONS: Setup = { migrations: referencesMigrations, migrationsRun: true };
const BOTH: Setup = { ...MIGRATIONS, synchronize: true };

/** Starts a data source with the library's entities as an app would, describes the library's tables, stops it. */
async function schemaAfter(kind: DatabaseKind, setup: Setup): Promise<Record<string, unknown>> {
  const dataSource = new DataSource({ ...connectionOptions(kind), entities: [ReferenceEntry, ReferenceOutboxEntry, ReferenceReindexEntry], ...setup } as DataSourceOptions);
  await dataSource.initialize();
  try {
    return kind === 'postgres' ? await describePostgres(dataSource) : kind === 'mariadb' ? await describeMariadb(dataSource) : await describeSqlite(dataSource);
  } finally {
    await dataSource.destroy();
  }
}

/** Columns with their types, nullability, defaults and collations; indexes with their columns and collations. */
async function describePostgres(dataSource: DataSource) {
  const columns = await dataSource.query(
    `SELECT table_name, column_name, data_type, character_maximum_length, is_nullable, column_default, collation_name
       FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ANY($1) ORDER BY 1, 2`,
    [TABLES],
  );
  const indexes = await dataSource.query(
    `SELECT t.relname AS table, ix.indisprimary AS primary, ix.indisunique AS unique, i.relname AS name, pg_get_indexdef(ix.indexrelid) AS definition
       FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid JOIN pg_class t ON t.oid = ix.indrelid
      WHERE t.relnamespace = current_schema()::regnamespace AND t.relname = ANY($1) ORDER BY 1, 2 DESC, 4`,
    [TABLES],
  );
  // NOTE: a primary key is named by its creator (PostgreSQL's "<table>_pkey", TypeORM's "PK_<hash>"); TypeORM
  // does not compare the names, so neither does this: a primary key is described by its columns.
  return {
    columns,
    indexes: indexes.map(({ name, definition, ...index }: Record<string, any>) =>
      index.primary ? { ...index, definition: definition.replace(/ INDEX \S+ ON /, ' INDEX <primary key> ON ') } : { ...index, name, definition },
    ),
  };
}

async function describeMariadb(dataSource: DataSource) {
  const columns = await dataSource.query(
    `SELECT table_name, column_name, column_type, is_nullable, column_default, collation_name, extra
       FROM information_schema.columns WHERE table_schema = database() AND table_name IN (?) ORDER BY 1, 2`,
    [TABLES],
  );
  const indexes = await dataSource.query(
    `SELECT table_name, index_name, non_unique, seq_in_index, column_name, sub_part, collation
       FROM information_schema.statistics WHERE table_schema = database() AND table_name IN (?) ORDER BY 1, 2, 4`,
    [TABLES],
  );
  return { columns, indexes };
}

async function describeSqlite(dataSource: DataSource) {
  // `(0)` and `0` are the same default, written by TypeORM and by the migration.
  const literal = (value: string | null) => value?.replace(/^\((.*)\)$/, '$1') ?? null;
  const schema: Record<string, unknown> = {};
  for (const table of TABLES) {
    const columns = await dataSource.query(`SELECT name, lower(type) AS type, "notnull", dflt_value, pk FROM pragma_table_xinfo(?) ORDER BY name`, [table]);
    const indexes = await dataSource.query(`SELECT name, "unique", origin FROM pragma_index_list(?) ORDER BY name`, [table]);
    for (const index of indexes) {
      index.columns = await dataSource.query(`SELECT name, coll, "desc" FROM pragma_index_xinfo(?) WHERE key = 1 ORDER BY seqno`, [index.name]);
    }
    schema[table] = { columns: columns.map((c: Record<string, any>) => ({ ...c, dflt_value: literal(c.dflt_value) })), indexes };
  }
  return schema;
}

describe.each(DATABASES)("the library's tables on %s", (kind) => {
  it('are the same from synchronize: true as from referencesMigrations', async () => {
    const migrated = await schemaAfter(kind, MIGRATIONS);
    expect(await schemaAfter(kind, SYNCHRONIZE)).toEqual(migrated);
  });

  it('start with synchronize: true and referencesMigrations together, again and again, and stay as migrated', async () => {
    const migrated = await schemaAfter(kind, MIGRATIONS);
    expect(await schemaAfter(kind, BOTH)).toEqual(migrated);
    if (kind !== 'sqlite') expect(await schemaAfter(kind, { ...BOTH, dropSchema: false })).toEqual(migrated); // SQLite's is in memory
  });

  it('order the reverse index by byte, so that one index serves exact and prefix lookups', async () => {
    const schema: any = await schemaAfter(kind, SYNCHRONIZE);
    if (kind === 'postgres') {
      const reference = schema.columns.find((c: any) => c.table_name === 'reference_index' && c.column_name === 'reference');
      expect(reference.collation_name).toBe('C');
    } else if (kind === 'mariadb') {
      // Bytes: 2,048 of them fit InnoDB's 3,072-byte index key, which 2,048 utf8mb4 characters would not.
      const reference = schema.columns.find((c: any) => c.table_name === 'reference_index' && c.column_name === 'reference');
      expect(reference.column_type).toBe('varbinary(2048)');
      const index = schema.indexes.filter((i: any) => i.index_name === 'IDX_reference_index_reference');
      expect(index.map((i: any) => [i.column_name, i.sub_part])).toEqual([
        ['reference', null],
        ['id', null],
      ]);
    } else {
      const index = schema.reference_index.indexes.find((i: any) => i.name === 'IDX_reference_index_reference');
      expect(index.columns).toEqual([
        { name: 'reference', coll: 'BINARY', desc: 0 },
        { name: 'id', coll: 'BINARY', desc: 0 },
      ]);
    }
  });
});
