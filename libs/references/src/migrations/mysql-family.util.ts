import type { QueryRunner } from 'typeorm';

/** Whether the migration runs on MariaDB or MySQL (TypeORM's `mysql` and `mariadb` data sources). */
export function isMysqlFamily(queryRunner: QueryRunner): boolean {
  const type = queryRunner.connection.driver.options.type;
  return type === 'mysql' || type === 'mariadb';
}

/** Runs a statement written with standard double-quoted names; MariaDB and MySQL quote names with backticks. */
export function run(queryRunner: QueryRunner, sql: string): Promise<unknown> {
  return queryRunner.query(isMysqlFamily(queryRunner) ? sql.replaceAll('"', '`') : sql);
}
