import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Creates the `agent` table (artists and workshops), for PostgreSQL, MariaDB (and MySQL) and SQLite. */
export class CreateAgentTable1764300000000 implements MigrationInterface {
  name = 'CreateAgentTable1764300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const type = queryRunner.connection.driver.options.type;
    if (type === 'mysql' || type === 'mariadb') {
      const uuid = type === 'mariadb' ? 'uuid' : 'varchar(36)';
      await queryRunner.query(`CREATE TABLE \`agent\` (\`id\` ${uuid} PRIMARY KEY NOT NULL, \`metadata\` json NOT NULL, \`version\` int NOT NULL)`);
      return;
    }
    const postgres = type === 'postgres';
    // NOTE: on SQLite the uuid is made by TypeORM on insert; PostgreSQL makes its own.
    const id = postgres ? 'uuid PRIMARY KEY DEFAULT gen_random_uuid()' : 'varchar PRIMARY KEY NOT NULL';
    const json = postgres ? 'jsonb' : 'text';
    await queryRunner.query(`CREATE TABLE "agent" ("id" ${id}, "metadata" ${json} NOT NULL, "version" integer NOT NULL)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE ${queryRunner.connection.driver.escape('agent')}`);
  }
}
