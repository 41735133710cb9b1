import type { MigrationInterface, QueryRunner } from 'typeorm';
import { run } from './mysql-family.util.js';

/** Creates the library's settings (the base URL the stored references use, recorded at the first start). */
export class CreateReferenceSettings1764000000400 implements MigrationInterface {
  name = 'CreateReferenceSettings1764000000400';

  async up(queryRunner: QueryRunner): Promise<void> {
    await run(queryRunner, `CREATE TABLE "reference_settings" ("key" varchar(64) PRIMARY KEY NOT NULL, "value" varchar(2048) NOT NULL)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await run(queryRunner, `DROP TABLE "reference_settings"`);
  }
}
