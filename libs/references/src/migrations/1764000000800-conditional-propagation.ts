import type { MigrationInterface, QueryRunner } from 'typeorm';
import { run } from './mysql-family.util.js';

/**
 * Conditional propagation: where the references to each type live (`reference_place`, filled from the index at
 * the first start, see `ReferencePlaces`), and which fields a queued content change refreshes (`reference_outbox.fields`).
 */
export class ConditionalPropagation1764000000800 implements MigrationInterface {
  name = 'ConditionalPropagation1764000000800';

  async up(queryRunner: QueryRunner): Promise<void> {
    await run(
      queryRunner,
      `CREATE TABLE "reference_place" (
        "target_type" varchar(64) NOT NULL,
        "referrer_type" varchar(64) NOT NULL,
        "path" varchar(512) NOT NULL,
        PRIMARY KEY ("target_type", "referrer_type", "path")
      )`,
    );
    await run(queryRunner, `ALTER TABLE "reference_outbox" ADD COLUMN "fields" text`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await run(queryRunner, `ALTER TABLE "reference_outbox" DROP COLUMN "fields"`);
    await run(queryRunner, `DROP TABLE "reference_place"`);
  }
}
