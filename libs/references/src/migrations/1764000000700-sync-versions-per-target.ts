import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Queue mode records the version its copies are synced to once per target (`reference_synced`) instead of
 * once per index row, which cost every batch a second write of its index rows.
 */
export class SyncVersionsPerTarget1764000000700 implements MigrationInterface {
  name = 'SyncVersionsPerTarget1764000000700';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "reference_synced" ("reference" varchar(2048) PRIMARY KEY NOT NULL, "version" integer NOT NULL)`,
    );
    await queryRunner.query(`ALTER TABLE "reference_index" DROP COLUMN "synced_version"`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "reference_index" ADD COLUMN "synced_version" integer`);
    await queryRunner.query(`DROP TABLE "reference_synced"`);
  }
}
