import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { ReferenceOutboxEntry, referencesMigrations } from 'nestjs-references';
import { POSTGRES_URL } from '../support/databases.js';
import { buildProcesses, statusFromProcess } from '../support/processes.js';
import { bootReferences, type TestContext } from '../support/test-app.js';

const HOUR_MS = 3_600_000;

/** A data source on the test database whose sessions run in `timeZone` (PostgreSQL's TimeZone setting). */
const inTimeZone = (timeZone: string, options: Partial<{ dropSchema: boolean; migrations: any[]; entities: any[] }> = {}) =>
  new DataSource({ type: 'postgres', url: POSTGRES_URL, extra: { options: `-c TimeZone=${timeZone}` }, ...options }).initialize();

describe('the outbox migration to timestamps with a time zone (PostgreSQL)', () => {
  it('keeps the instant of the rows written before it', async () => {
    const before = await inTimeZone('America/New_York', { dropSchema: true, migrations: referencesMigrations.slice(0, 3) });
    let written: { id: number; ms: number };
    try {
      await before.runMigrations();
      const [row] = await before.query(
        `INSERT INTO reference_outbox (kind, reference) VALUES ('content', 'http://elsewhere.test/1')
         RETURNING id, extract(epoch FROM now()) * 1000 AS ms`,
      );
      written = { id: row.id, ms: Number(row.ms) };
    } finally {
      await before.destroy();
    }

    const after = await inTimeZone('America/New_York', { migrations: referencesMigrations, entities: [ReferenceOutboxEntry] });
    try {
      await after.runMigrations();
      const [column] = await after.query(
        `SELECT data_type FROM information_schema.columns WHERE table_name = 'reference_outbox' AND column_name = 'created_at'`,
      );
      expect(column.data_type).toBe('timestamp with time zone');
      const row = await after.getRepository(ReferenceOutboxEntry).findOneByOrFail({ id: written.id });
      expect(Math.abs(row.createdAt.getTime() - written.ms)).toBeLessThan(1);
    } finally {
      await after.destroy();
    }
  });
});

// The age of the oldest pending change, as status() reports it (and /health judges it), from a process whose
// time zone differs from the database session's: the issue saw nine hours for a change two seconds old.
describe('the age of pending changes whatever the time zones of app and database (PostgreSQL)', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    buildProcesses();
    ctx = await bootReferences('postgres', { propagation: 'queue', queue: { worker: false, sweep: false } });
  });
  afterAll(() => ctx.close());

  it.each([
    ['Asia/Tokyo', 'UTC'],
    ['America/Los_Angeles', 'Asia/Kolkata'],
    ['UTC', 'Pacific/Chatham'],
  ])('an app in %s, the database in %s: a change written an hour ago is an hour old', async (tz, pgTimeZone) => {
    await ctx.dataSource.query(`DELETE FROM reference_outbox`);
    const writer = await inTimeZone(pgTimeZone);
    const start = Date.now();
    try {
      // As the library writes it (created_at by the database's default), an hour earlier.
      await writer.query(
        `INSERT INTO reference_outbox (kind, reference, created_at) VALUES ('content', 'http://elsewhere.test/1', now() - interval '1 hour')`,
      );
    } finally {
      await writer.destroy();
    }
    const status = await statusFromProcess(tz, { pgTimeZone });
    const elapsed = Date.now() - start;
    expect(status.pending).toBe(1);
    expect(status.oldestPendingMs).toBeGreaterThanOrEqual(HOUR_MS);
    expect(status.oldestPendingMs).toBeLessThanOrEqual(HOUR_MS + elapsed);
  });
});

// SQLite stores datetime('now') as UTC text, which TypeORM reads as UTC: the same answer in any time zone.
describe('the age of pending changes whatever the time zone of the app (SQLite)', () => {
  let dir: string;
  let file: string;
  beforeAll(async () => {
    buildProcesses();
    dir = mkdtempSync(join(tmpdir(), 'references-outbox-'));
    file = join(dir, 'outbox.sqlite');
    const db = await new DataSource({ type: 'better-sqlite3', database: file, migrations: referencesMigrations }).initialize();
    await db.runMigrations();
    await db.destroy();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(['Asia/Tokyo', 'America/Los_Angeles'])('an app in %s: a change written an hour ago is an hour old', async (tz) => {
    const writer = await new DataSource({ type: 'better-sqlite3', database: file }).initialize();
    const start = Date.now();
    try {
      await writer.query(`DELETE FROM reference_outbox`);
      await writer.query(
        `INSERT INTO reference_outbox (kind, reference, created_at) VALUES ('content', 'http://elsewhere.test/1', datetime('now', '-1 hour'))`,
      );
    } finally {
      await writer.destroy();
    }
    const status = await statusFromProcess(tz, { sqliteFile: file });
    const elapsed = Date.now() - start;
    expect(status.pending).toBe(1);
    // NOTE: datetime() drops the fraction of a second: the row reads up to a second older than it was written.
    expect(status.oldestPendingMs).toBeGreaterThanOrEqual(HOUR_MS);
    expect(status.oldestPendingMs).toBeLessThanOrEqual(HOUR_MS + elapsed + 1000);
  });
});
