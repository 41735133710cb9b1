import type { MigrationInterface, QueryRunner } from 'typeorm';
import { run } from './mysql-family.util.js';

/** A lease on running outbox rows: a row whose worker died is seen (`stalled`) and enqueued again. */
export class AddOutboxLease1764000000500 implements MigrationInterface {
  name = 'AddOutboxLease1764000000500';

  async up(queryRunner: QueryRunner): Promise<void> {
    await run(queryRunner, `ALTER TABLE "reference_outbox" ADD COLUMN "lease_until" bigint`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await run(queryRunner, `ALTER TABLE "reference_outbox" DROP COLUMN "lease_until"`);
  }
}
