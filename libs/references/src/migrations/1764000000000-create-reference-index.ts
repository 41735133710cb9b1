import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Creates the reverse index. On PostgreSQL `reference` uses the "C" collation, so that one b-tree index
 * serves exact lookups, prefix lookups (`LIKE 'x%'`) and their ordering, whatever the database's collation.
 */
export class CreateReferenceIndex1764000000000 implements MigrationInterface {
  name = 'CreateReferenceIndex1764000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const postgres = queryRunner.connection.driver.options.type === 'postgres';
    await queryRunner.query(`
      CREATE TABLE "reference_index" (
        "id" ${postgres ? 'SERIAL PRIMARY KEY' : 'INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL'},
        "referrer_type" varchar(64) NOT NULL,
        "referrer_id" varchar(64) NOT NULL,
        "reference" varchar(2048) ${postgres ? 'COLLATE "C" ' : ''}NOT NULL,
        "reference_uuid" varchar(64),
        "inline" boolean NOT NULL,
        "path" varchar(512) NOT NULL,
        "on_delete" varchar(8) NOT NULL DEFAULT 'keep',
        "synced_version" integer
      )`);
    await queryRunner.query(`CREATE INDEX "IDX_reference_index_reference" ON "reference_index" ("reference", "id")`);
    await queryRunner.query(
      `CREATE INDEX "IDX_reference_index_referrer" ON "reference_index" ("referrer_type", "referrer_id")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "reference_index"`);
  }
}
