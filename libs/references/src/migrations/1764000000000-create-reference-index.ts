import type { MigrationInterface, QueryRunner } from 'typeorm';
import { isMysqlFamily, run } from './mysql-family.util.js';

/**
 * Creates the reverse index. `reference` compares by byte (by code point), so that one b-tree index serves
 * exact lookups, prefix lookups and their ordering, whatever the database's collation: the "C" collation on
 * PostgreSQL; VARBINARY on MariaDB and MySQL (2,048 bytes fit InnoDB's 3,072-byte index key, 2,048 utf8mb4
 * characters would not); SQLite's default BINARY collation.
 */
export class CreateReferenceIndex1764000000000 implements MigrationInterface {
  name = 'CreateReferenceIndex1764000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const postgres = queryRunner.connection.driver.options.type === 'postgres';
    const mysql = isMysqlFamily(queryRunner);
    const id = postgres ? 'SERIAL PRIMARY KEY' : mysql ? 'int NOT NULL AUTO_INCREMENT PRIMARY KEY' : 'INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL';
    const reference = postgres ? 'varchar(2048) COLLATE "C"' : mysql ? 'varbinary(2048)' : 'varchar(2048)';
    await run(
      queryRunner,
      `CREATE TABLE "reference_index" (
        "id" ${id},
        "referrer_type" varchar(64) NOT NULL,
        "referrer_id" varchar(64) NOT NULL,
        "reference" ${reference} NOT NULL,
        "reference_uuid" varchar(64),
        "inline" ${mysql ? 'tinyint' : 'boolean'} NOT NULL,
        "path" varchar(512) NOT NULL,
        "on_delete" varchar(8) NOT NULL DEFAULT 'keep',
        "synced_version" integer
      )`,
    );
    await run(queryRunner, `CREATE INDEX "IDX_reference_index_reference" ON "reference_index" ("reference", "id")`);
    await run(queryRunner, `CREATE INDEX "IDX_reference_index_referrer" ON "reference_index" ("referrer_type", "referrer_id")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await run(queryRunner, `DROP TABLE "reference_index"`);
  }
}
