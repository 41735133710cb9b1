import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Creates the outbox of queue mode (harmless in sync mode, where it stays empty). */
export class CreateReferenceOutbox1764000000100 implements MigrationInterface {
  name = 'CreateReferenceOutbox1764000000100';

  async up(queryRunner: QueryRunner): Promise<void> {
    const postgres = queryRunner.connection.driver.options.type === 'postgres';
    await queryRunner.query(`
      CREATE TABLE "reference_outbox" (
        "id" ${postgres ? 'SERIAL PRIMARY KEY' : 'INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL'},
        "kind" varchar(8) NOT NULL,
        "reference" varchar(2048) NOT NULL,
        "new_reference" varchar(2048),
        "payload" text,
        "status" varchar(8) NOT NULL DEFAULT 'pending',
        "cursor" integer NOT NULL DEFAULT 0,
        "hops" integer NOT NULL DEFAULT 0,
        "error" text,
        "created_at" ${postgres ? 'TIMESTAMP NOT NULL DEFAULT now()' : "datetime NOT NULL DEFAULT (datetime('now'))"}
      )`);
    await queryRunner.query(`CREATE INDEX "IDX_reference_outbox_status" ON "reference_outbox" ("status", "id")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "reference_outbox"`);
  }
}
