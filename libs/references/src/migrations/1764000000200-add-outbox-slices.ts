import type { MigrationInterface, QueryRunner } from 'typeorm';
import { run } from './mysql-family.util.js';

/** Lets queue mode split a large fan-out into slices: where a slice ends, and the version it syncs to. */
export class AddOutboxSlices1764000000200 implements MigrationInterface {
  name = 'AddOutboxSlices1764000000200';

  async up(queryRunner: QueryRunner): Promise<void> {
    await run(queryRunner, `ALTER TABLE "reference_outbox" ADD COLUMN "until_id" integer`);
    await run(queryRunner, `ALTER TABLE "reference_outbox" ADD COLUMN "version" integer`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await run(queryRunner, `ALTER TABLE "reference_outbox" DROP COLUMN "version"`);
    await run(queryRunner, `ALTER TABLE "reference_outbox" DROP COLUMN "until_id"`);
  }
}
