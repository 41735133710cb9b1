import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * PostgreSQL: the outbox's `created_at` becomes `timestamp with time zone`. Without a zone, node-postgres
 * reads the stored wall-clock time in the app's time zone while `now()` wrote it in the session's (the
 * server's `TimeZone`), so an app in Asia/Tokyo on a server in UTC saw every change nine hours old. Existing
 * rows were written in the server's time zone, which this migration's session has too, and are converted
 * from it. SQLite stores UTC text (`datetime('now')`), which TypeORM reads as UTC: nothing to do there.
 */
export class OutboxCreatedAtWithTimeZone1764000000300 implements MigrationInterface {
  name = 'OutboxCreatedAtWithTimeZone1764000000300';

  async up(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.driver.options.type !== 'postgres') return;
    await queryRunner.query(
      `ALTER TABLE "reference_outbox" ALTER COLUMN "created_at" TYPE timestamp with time zone USING "created_at" AT TIME ZONE current_setting('TimeZone')`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.driver.options.type !== 'postgres') return;
    await queryRunner.query(
      `ALTER TABLE "reference_outbox" ALTER COLUMN "created_at" TYPE timestamp without time zone USING "created_at" AT TIME ZONE current_setting('TimeZone')`,
    );
  }
}
