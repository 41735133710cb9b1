import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Creates the `term` and `artwork` tables, for PostgreSQL, MariaDB (and MySQL) and SQLite. */
export class CreateCatalogueTables1764100000000 implements MigrationInterface {
  name = 'CreateCatalogueTables1764100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const type = queryRunner.connection.driver.options.type;
    if (type === 'mysql' || type === 'mariadb') {
      // NOTE: TypeORM makes the uuid on insert; MariaDB 10.7+ has a uuid type, MySQL (TypeORM's `mysql`) a varchar(36).
      const id = type === 'mariadb' ? 'uuid' : 'varchar(36)';
      for (const table of ['term', 'artwork']) {
        await queryRunner.query(`CREATE TABLE \`${table}\` (\`id\` ${id} PRIMARY KEY NOT NULL, \`metadata\` json NOT NULL, \`version\` int NOT NULL)`);
      }
      return;
    }
    const postgres = type === 'postgres';
    // NOTE: on SQLite the uuid is made by TypeORM on insert; PostgreSQL makes its own.
    const id = postgres ? 'uuid PRIMARY KEY DEFAULT gen_random_uuid()' : 'varchar PRIMARY KEY NOT NULL';
    const json = postgres ? 'jsonb' : 'text';
    for (const table of ['term', 'artwork']) {
      await queryRunner.query(
        `CREATE TABLE "${table}" ("id" ${id}, "metadata" ${json} NOT NULL, "version" integer NOT NULL)`,
      );
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['artwork', 'term']) await queryRunner.query(`DROP TABLE ${queryRunner.connection.driver.escape(table)}`);
  }
}
