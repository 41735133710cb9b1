import type { MigrationInterface, QueryRunner } from 'typeorm';
import { isMysqlFamily, run } from './mysql-family.util.js';

/**
 * Queue mode records the version its copies are synced to once per target (`reference_synced`) instead of
 * once per index row, which cost every batch a second write of its index rows.
 */
export class SyncVersionsPerTarget1764000000700 implements MigrationInterface {
  name = 'SyncVersionsPerTarget1764000000700';

  async up(queryRunner: QueryRunner): Promise<void> {
    // NOTE: bytes on MariaDB and MySQL, as the index's reference column (2,048 utf8mb4 characters would not fit a key).
    const reference = isMysqlFamily(queryRunner) ? 'varbinary(2048)' : 'varchar(2048)';
    await run(queryRunner, `CREATE TABLE "reference_synced" ("reference" ${reference} PRIMARY KEY NOT NULL, "version" integer NOT NULL)`);
    await run(queryRunner, `ALTER TABLE "reference_index" DROP COLUMN "synced_version"`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await run(queryRunner, `ALTER TABLE "reference_index" ADD COLUMN "synced_version" integer`);
    await run(queryRunner, `DROP TABLE "reference_synced"`);
  }
}
