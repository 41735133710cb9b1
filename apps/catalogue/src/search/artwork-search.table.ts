/** Anything that runs SQL: an `EntityManager`, a `QueryRunner` (migrations) or the `DataSource`. */
export interface Queryable {
  query(sql: string, parameters?: unknown[]): Promise<any>;
}

/** One artwork's entry in the search index: its id and its folded words (`artworkSearchText`). */
export interface ArtworkSearchEntry {
  id: string;
  text: string;
}

// NOTE: SQLite allows 32,766 bound parameters per statement; two per row stays far below.
const SQLITE_ROWS_PER_STATEMENT = 500;

/** The longest word MariaDB's word table keeps (characters): longer words are cut, in the index and in queries alike. */
const MAX_WORD = 100;

/** Which SQL the search index speaks. */
export type SearchDatabase = 'postgres' | 'mariadb' | 'sqlite';

/** The search index's database, from TypeORM's data source type. */
export function searchDatabaseOf(type: string): SearchDatabase {
  return type === 'postgres' ? 'postgres' : type === 'mysql' || type === 'mariadb' ? 'mariadb' : 'sqlite';
}

/**
 * The SQL of the artwork search index, for each database.
 *
 * - PostgreSQL: `artwork_search (artwork_id uuid, document tsvector)` with a GIN index, filled with
 *   `to_tsvector('simple', …)` and queried with `plainto_tsquery('simple', …)`.
 * - SQLite: an FTS5 table `artwork_search` over the content table `artwork_search_doc`, kept in step by
 *   triggers (the external-content pattern of the FTS5 documentation), so that an entry is found,
 *   replaced and deleted by artwork id through an ordinary unique index.
 * - MariaDB and MySQL: a word table `artwork_search_word (word, artwork_id, hits)`, one row per distinct
 *   word of an entry. InnoDB's FULLTEXT index drops words under 3 characters and stop words ("the", "a")
 *   by server-wide settings, so a query for them would find nothing; the word table finds every word.
 *   Matches are ranked by how often their words occur.
 *
 * The rows go when the artwork goes (`ON DELETE CASCADE`). The created schema is in the migration
 * `CreateArtworkSearch1764200000000`.
 */
export class ArtworkSearchTable {
  constructor(private readonly database: SearchDatabase) {}

  private get postgres(): boolean {
    return this.database === 'postgres';
  }

  /** Adds or replaces the entries of these artworks. */
  async upsert(db: Queryable, entries: ArtworkSearchEntry[]): Promise<void> {
    if (!entries.length) return;
    if (this.postgres) {
      await db.query(
        `INSERT INTO "artwork_search" ("artwork_id", "document")
         SELECT e.id, to_tsvector('simple', e.text) FROM unnest($1::uuid[], $2::text[]) AS e(id, text)
         ON CONFLICT ("artwork_id") DO UPDATE SET "document" = EXCLUDED."document"`,
        [entries.map((e) => e.id), entries.map((e) => e.text)],
      );
      return;
    }
    if (this.database === 'mariadb') {
      await this.remove(db, entries.map((e) => e.id));
      const rows = entries.flatMap((e) => [...wordCounts(e.text)].map(([word, hits]) => [e.id, word, hits]));
      if (rows.length) {
        await db.query(
          `INSERT INTO \`artwork_search_word\` (\`artwork_id\`, \`word\`, \`hits\`)
           SELECT * FROM JSON_TABLE(?, '$[*]' COLUMNS (artwork_id VARCHAR(36) PATH '$[0]', word VARCHAR(${MAX_WORD}) PATH '$[1]', hits INT PATH '$[2]')) AS v`,
          [JSON.stringify(rows)],
        );
      }
      return;
    }
    for (let start = 0; start < entries.length; start += SQLITE_ROWS_PER_STATEMENT) {
      const chunk = entries.slice(start, start + SQLITE_ROWS_PER_STATEMENT);
      await db.query(
        `INSERT INTO "artwork_search_doc" ("artwork_id", "document") VALUES ${chunk.map(() => '(?, ?)').join(', ')}
         ON CONFLICT ("artwork_id") DO UPDATE SET "document" = excluded."document"`,
        chunk.flatMap((e) => [e.id, e.text]),
      );
    }
  }

  /** Removes the entries of these artworks (absent ones are ignored). */
  async remove(db: Queryable, ids: string[]): Promise<void> {
    if (!ids.length) return;
    if (this.postgres) {
      await db.query(`DELETE FROM "artwork_search" WHERE "artwork_id" = ANY($1::uuid[])`, [ids]);
      return;
    }
    if (this.database === 'mariadb') {
      await db.query(
        `DELETE w FROM JSON_TABLE(?, '$[*]' COLUMNS (id VARCHAR(36) PATH '$')) AS v
         STRAIGHT_JOIN \`artwork_search_word\` AS w ON w.\`artwork_id\` = v.id`,
        [JSON.stringify(ids)],
      );
      return;
    }
    for (let start = 0; start < ids.length; start += SQLITE_ROWS_PER_STATEMENT) {
      const chunk = ids.slice(start, start + SQLITE_ROWS_PER_STATEMENT);
      await db.query(`DELETE FROM "artwork_search_doc" WHERE "artwork_id" IN (${chunk.map(() => '?').join(', ')})`, chunk);
    }
  }

  /**
   * Ids of the artworks whose entry holds every word (folded words, see `searchWords`), best match first
   * (`ts_rank` / FTS5 `bm25`), then by id so that pages are stable.
   */
  async find(db: Queryable, words: string[], limit: number, offset: number): Promise<string[]> {
    if (!words.length) return [];
    const rows: Array<{ id: string }> = this.database === 'mariadb'
      ? await db.query(
          `SELECT \`artwork_id\` AS id FROM \`artwork_search_word\`
           WHERE \`word\` IN (SELECT v.word FROM JSON_TABLE(?, '$[*]' COLUMNS (word VARCHAR(${MAX_WORD}) PATH '$')) AS v)
           GROUP BY \`artwork_id\` HAVING COUNT(*) = ? ORDER BY SUM(\`hits\`) DESC, \`artwork_id\` LIMIT ? OFFSET ?`,
          [JSON.stringify(cut(words)), cut(words).length, limit, offset],
        )
      : this.postgres
      ? await db.query(
          `SELECT s."artwork_id" AS id FROM "artwork_search" s, plainto_tsquery('simple', $1) q
           WHERE s."document" @@ q ORDER BY ts_rank(s."document", q) DESC, s."artwork_id" LIMIT $2 OFFSET $3`,
          [words.join(' '), limit, offset],
        )
      : await db.query(
          `SELECT d."artwork_id" AS id FROM "artwork_search" JOIN "artwork_search_doc" d ON d."id" = "artwork_search"."rowid"
           WHERE "artwork_search" MATCH ? ORDER BY "artwork_search"."rank", d."artwork_id" LIMIT ? OFFSET ?`,
          [ftsQuery(words), limit, offset],
        );
    return rows.map((row) => String(row.id));
  }

  /** How many artworks `find` matches over all pages. */
  async count(db: Queryable, words: string[]): Promise<number> {
    if (!words.length) return 0;
    const [row]: Array<{ n: string | number }> = this.database === 'mariadb'
      ? await db.query(
          `SELECT COUNT(*) AS n FROM (SELECT \`artwork_id\` FROM \`artwork_search_word\`
           WHERE \`word\` IN (SELECT v.word FROM JSON_TABLE(?, '$[*]' COLUMNS (word VARCHAR(${MAX_WORD}) PATH '$')) AS v)
           GROUP BY \`artwork_id\` HAVING COUNT(*) = ?) AS m`,
          [JSON.stringify(cut(words)), cut(words).length],
        )
      : this.postgres
      ? await db.query(`SELECT count(*) AS n FROM "artwork_search" WHERE "document" @@ plainto_tsquery('simple', $1)`, [
          words.join(' '),
        ])
      : await db.query(`SELECT count(*) AS n FROM "artwork_search" WHERE "artwork_search" MATCH ?`, [ftsQuery(words)]);
    return Number(row.n);
  }
}

// NOTE: each word quoted is an FTS5 string, never query syntax (AND, OR, NOT, NEAR, *, column filters);
// words hold letters and digits only, so they contain no quote to escape.
function ftsQuery(words: string[]): string {
  return words.map((word) => `"${word}"`).join(' ');
}

/** Distinct words, cut to the word table's length. */
function cut(words: string[]): string[] {
  return [...new Set(words.map((word) => [...word].slice(0, MAX_WORD).join('')))];
}

/** How often each word (cut) occurs in an entry's text. */
function wordCounts(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const word of cut(text.split(' ').filter(Boolean))) counts.set(word, 0);
  for (const word of text.split(' ').filter(Boolean)) {
    const key = [...word].slice(0, MAX_WORD).join('');
    counts.set(key, counts.get(key)! + 1);
  }
  return counts;
}
