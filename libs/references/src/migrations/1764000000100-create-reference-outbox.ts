import type { MigrationInterface, QueryRunner } from 'typeorm';
import { isMysqlFamily, run } from './mysql-family.util.js';

/** Creates the outbox of queue mode (harmless in sync mode, where it stays empty). */
export class CreateReferenceOutbox1764000000100 implements MigrationInterface {
  name = 'CreateReferenceOutbox1764000000100';

  async up(queryRunner: QueryRunner): Promise<void> {
    const postgres = queryRunner.connection.driver.options.type === 'postgres';
    const mysql = isMysqlFamily(queryRunner);
    const id = postgres ? 'SERIAL PRIMARY KEY' : mysql ? 'int NOT NULL AUTO_INCREMENT PRIMARY KEY' : 'INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL';
    const createdAt = postgres
      ? 'TIMESTAMP NOT NULL DEFAULT now()'
      : mysql
        ? 'datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)'
        : "datetime NOT NULL DEFAULT (datetime('now'))";
    await run(
      queryRunner,
      `
      CREATE TABLE "reference_outbox" (
        "id" ${id},
        "kind" varchar(8) NOT NULL,
        "reference" varchar(2048) NOT NULL,
        "new_reference" varchar(2048),
        "payload" text,
        "status" varchar(8) NOT NULL DEFAULT 'pending',
        "cursor" integer NOT NULL DEFAULT 0,
        "hops" integer NOT NULL DEFAULT 0,
        "error" text,
        "created_at" ${createdAt}
      )`,
    );
    await run(queryRunner, `CREATE INDEX "IDX_reference_outbox_status" ON "reference_outbox" ("status", "id")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await run(queryRunner, `DROP TABLE "reference_outbox"`);
  }
}
