import type { MigrationInterface, QueryRunner } from 'typeorm';
import type { ArtworkMetadata } from '../artworks/artwork-metadata.dto.js';
import { artworkSearchText } from '../search/artwork-search-text.js';
import { ArtworkSearchTable, searchDatabaseOf, type SearchDatabase } from '../search/artwork-search.table.js';

const BACKFILL_BATCH = 500;

/**
 * The full-text index of artworks behind `GET /artworks?q=` (see `ArtworkSearchTable`), filled from the
 * artworks already stored, so that an existing database is searchable as soon as it is migrated.
 */
export class CreateArtworkSearch1764200000000 implements MigrationInterface {
  name = 'CreateArtworkSearch1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const database = searchDatabaseOf(queryRunner.connection.driver.options.type);
    if (database === 'mariadb') {
      // NOTE: words are folded by the app; the binary collation compares them as they are.
      const id = queryRunner.connection.driver.options.type === 'mariadb' ? 'uuid' : 'varchar(36)';
      await queryRunner.query(
        `CREATE TABLE \`artwork_search_word\` (
           \`word\` varchar(100) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
           \`artwork_id\` ${id} NOT NULL,
           \`hits\` int NOT NULL,
           PRIMARY KEY (\`word\`, \`artwork_id\`),
           KEY \`IDX_artwork_search_word_artwork\` (\`artwork_id\`),
           CONSTRAINT \`FK_artwork_search_word_artwork\` FOREIGN KEY (\`artwork_id\`) REFERENCES \`artwork\` (\`id\`) ON DELETE CASCADE)`,
      );
    } else if (database === 'postgres') {
      await queryRunner.query(
        `CREATE TABLE "artwork_search" (
           "artwork_id" uuid PRIMARY KEY REFERENCES "artwork" ("id") ON DELETE CASCADE,
           "document" tsvector NOT NULL)`,
      );
      await queryRunner.query(`CREATE INDEX "IDX_artwork_search_document" ON "artwork_search" USING GIN ("document")`);
    } else {
      await queryRunner.query(
        `CREATE TABLE "artwork_search_doc" (
           "id" integer PRIMARY KEY,
           "artwork_id" varchar NOT NULL UNIQUE REFERENCES "artwork" ("id") ON DELETE CASCADE,
           "document" text NOT NULL)`,
      );
      // NOTE: the app folds and splits the words itself (artworkSearchText); the tokenizer only meets plain words.
      await queryRunner.query(
        `CREATE VIRTUAL TABLE "artwork_search" USING fts5("document", content='artwork_search_doc', content_rowid='id',
           tokenize='unicode61 remove_diacritics 0')`,
      );
      await queryRunner.query(
        `CREATE TRIGGER "artwork_search_doc_ai" AFTER INSERT ON "artwork_search_doc" BEGIN
           INSERT INTO "artwork_search" ("rowid", "document") VALUES (new."id", new."document");
         END`,
      );
      await queryRunner.query(
        `CREATE TRIGGER "artwork_search_doc_ad" AFTER DELETE ON "artwork_search_doc" BEGIN
           INSERT INTO "artwork_search" ("artwork_search", "rowid", "document") VALUES ('delete', old."id", old."document");
         END`,
      );
      await queryRunner.query(
        `CREATE TRIGGER "artwork_search_doc_au" AFTER UPDATE ON "artwork_search_doc" BEGIN
           INSERT INTO "artwork_search" ("artwork_search", "rowid", "document") VALUES ('delete', old."id", old."document");
           INSERT INTO "artwork_search" ("rowid", "document") VALUES (new."id", new."document");
         END`,
      );
    }
    await backfill(queryRunner, new ArtworkSearchTable(database), database);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const database = searchDatabaseOf(queryRunner.connection.driver.options.type);
    if (database !== 'sqlite') {
      await queryRunner.query(database === 'mariadb' ? 'DROP TABLE `artwork_search_word`' : `DROP TABLE "artwork_search"`);
      return;
    }
    await queryRunner.query(`DROP TABLE "artwork_search"`);
    await queryRunner.query(`DROP TABLE "artwork_search_doc"`);
  }
}

const BACKFILL_PAGE: Record<SearchDatabase, string> = {
  postgres: `SELECT "id", "metadata" FROM "artwork" WHERE "id"::text > $1 ORDER BY "id"::text LIMIT ${BACKFILL_BATCH}`,
  // NOTE: MariaDB's uuid type cannot compare with '' (the first page).
  mariadb: `SELECT \`id\`, \`metadata\` FROM \`artwork\` WHERE ? = '' OR \`id\` > ? ORDER BY \`id\` LIMIT ${BACKFILL_BATCH}`,
  // NOTE: TypeORM 1 stores a jsonb column as SQLite's binary JSONB; json() turns it back into text.
  sqlite: `SELECT "id", json("metadata") AS "metadata" FROM "artwork" WHERE "id" > ? ORDER BY "id" LIMIT ${BACKFILL_BATCH}`,
};

async function backfill(queryRunner: QueryRunner, table: ArtworkSearchTable, database: SearchDatabase): Promise<void> {
  // NOTE: keyset pages by id, so a large collection is never read at once.
  for (let after = ''; ; ) {
    const rows: Array<{ id: string; metadata: ArtworkMetadata | string }> = await queryRunner.query(
      BACKFILL_PAGE[database],
      database === 'mariadb' ? [after, after] : [after],
    );
    await table.upsert(
      queryRunner,
      rows.map((row) => ({
        id: row.id,
        text: artworkSearchText(typeof row.metadata === 'string' ? JSON.parse(row.metadata) : row.metadata),
      })),
    );
    if (rows.length < BACKFILL_BATCH) return;
    after = rows[rows.length - 1].id;
  }
}
