import type { MigrationInterface, QueryRunner } from 'typeorm';
import { run } from './mysql-family.util.js';

/**
 * What an operator needs of a propagation that sticks or fails, and what retries it: the referrer a
 * set-aside or failed row is about, how many runs it took, and when it may run again.
 */
export class AddOutboxRetries1764000000900 implements MigrationInterface {
  name = 'AddOutboxRetries1764000000900';

  async up(queryRunner: QueryRunner): Promise<void> {
    // NOTE: one column a statement: SQLite adds one at a time.
    await run(queryRunner, `ALTER TABLE "reference_outbox" ADD COLUMN "attempts" integer NOT NULL DEFAULT 0`);
    await run(queryRunner, `ALTER TABLE "reference_outbox" ADD COLUMN "retry_at" bigint`);
    await run(queryRunner, `ALTER TABLE "reference_outbox" ADD COLUMN "referrer_type" varchar(255)`);
    await run(queryRunner, `ALTER TABLE "reference_outbox" ADD COLUMN "referrer_id" varchar(255)`);
    await run(queryRunner, `ALTER TABLE "reference_outbox" ADD COLUMN "referrer_path" text`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const column of ['referrer_path', 'referrer_id', 'referrer_type', 'retry_at', 'attempts']) {
      await run(queryRunner, `ALTER TABLE "reference_outbox" DROP COLUMN "${column}"`);
    }
  }
}
