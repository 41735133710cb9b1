import type { MigrationInterface, QueryRunner } from 'typeorm';
import { isMysqlFamily, run } from './mysql-family.util.js';

/** Referrers waiting for the app's `ReferrerIndexer`, recorded with the change that needs them reindexed. */
export class CreateReferenceReindex1764000000600 implements MigrationInterface {
  name = 'CreateReferenceReindex1764000000600';

  async up(queryRunner: QueryRunner): Promise<void> {
    const postgres = queryRunner.connection.driver.options.type === 'postgres';
    const id = postgres ? 'SERIAL PRIMARY KEY' : isMysqlFamily(queryRunner) ? 'int NOT NULL AUTO_INCREMENT PRIMARY KEY' : 'INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL';
    await run(
      queryRunner,
      `
      CREATE TABLE "reference_reindex" (
        "id" ${id},
        "referrer_type" varchar(64) NOT NULL,
        "referrer_ids" text NOT NULL,
        "attempts" integer NOT NULL DEFAULT 0,
        "due_at" bigint NOT NULL,
        "error" text
      )`,
    );
    await run(queryRunner, `CREATE INDEX "IDX_reference_reindex_due" ON "reference_reindex" ("due_at")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await run(queryRunner, `DROP TABLE "reference_reindex"`);
  }
}
