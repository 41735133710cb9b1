import { DataSource } from 'typeorm';
import { redact } from '../config/catalogue.config.js';
import { StartupCheckError } from './startup-check.error.js';

/** How long PostgreSQL may take to accept the check's connection. */
const CONNECT_TIMEOUT_MS = 5000;

/**
 * Connects to PostgreSQL once before the app starts, so that a missing database, a server that is not
 * running or a wrong password ends the start with one line that names the URL (password redacted) and
 * what to do, rather than TypeORM's retries, each with its stack trace.
 */
export async function checkDatabase(url: string): Promise<void> {
  // NOTE: a data source of its own, without entities or retries: one connection, one statement.
  const dataSource = new DataSource({ type: 'postgres', url, connectTimeoutMS: CONNECT_TIMEOUT_MS, poolSize: 1 });
  try {
    await dataSource.initialize();
    await dataSource.query('SELECT 1');
  } catch (error) {
    throw new StartupCheckError(`cannot connect to PostgreSQL at ${redact(url)}: ${advice(url, error as Error & { code?: string })}`);
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy().catch(() => undefined);
  }
}

/** What went wrong, and what to do about it. */
function advice(url: string, error: Error & { code?: string }): string {
  const { hostname, port, username, pathname } = new URL(url);
  const host = hostname || 'localhost';
  const where = `${host}:${port || 5432}`;
  const database = decodeURIComponent(pathname.slice(1)) || decodeURIComponent(username) || 'postgres';
  switch (error.code) {
    case '3D000':
      return `database "${database}" does not exist; create it (createdb -h ${host} -p ${port || 5432}${username ? ` -U ${decodeURIComponent(username)}` : ''} ${database}) or fix DATABASE_URL`;
    case 'ECONNREFUSED':
      return `connection refused; is PostgreSQL running and listening on ${where}?`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `host "${host}" not found; check the host in DATABASE_URL`;
    case '28P01':
    case '28000':
      return `${error.message}; check the user and password in DATABASE_URL`;
    default:
      return /timeout|terminated/i.test(error.message)
        ? `${error.message} (no answer within ${CONNECT_TIMEOUT_MS / 1000} s?); check the host and port in DATABASE_URL, and that PostgreSQL is up`
        : error.message;
  }
}
