import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { redact, type CatalogueDatabase } from '../config/catalogue.config.js';
import { StartupCheckError } from './startup-check.error.js';

/** How long the database server may take to accept the check's connection. */
const CONNECT_TIMEOUT_MS = 5000;

/** A driver's failure: its code (`3D000`, `ER_BAD_DB_ERROR`, `ECONNREFUSED`…) and message. */
type DriverError = Error & { code?: string };

/** What the check says about one kind of database: its name, where it is, and advice per failure. */
interface DatabaseKind {
  name: string;
  where: string;
  options: DataSourceOptions;
  advice(error: DriverError): string | undefined;
}

/**
 * Connects once, with the driver the configuration chose from `DATABASE_URL` (PostgreSQL, MariaDB / MySQL,
 * or the SQLite file when it is unset), before the app starts: a missing database, a server that is not
 * running or a wrong password ends the start with one line that names the URL (password redacted) and what
 * to do, rather than TypeORM's retries, each with its stack trace.
 */
export async function checkDatabase(database: CatalogueDatabase): Promise<void> {
  const kind = kindOf(database);
  // NOTE: a data source of its own, without entities or retries: one connection, one statement.
  const dataSource = new DataSource(kind.options);
  try {
    if (database.type === 'better-sqlite3') mkdirSync(dirname(database.database), { recursive: true });
    await dataSource.initialize();
    await dataSource.query('SELECT 1');
  } catch (error) {
    const failure = error as DriverError;
    throw new StartupCheckError(`cannot connect to ${kind.name} at ${kind.where}: ${kind.advice(failure) ?? timeoutAdvice(kind, failure)}`);
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy().catch(() => undefined);
  }
}

function kindOf(database: CatalogueDatabase): DatabaseKind {
  switch (database.type) {
    case 'postgres':
      return postgres(database.url);
    case 'mariadb':
    case 'mysql':
      return mariadb(database.type, database.url);
    case 'better-sqlite3':
      return sqlite(database.database);
  }
}

function postgres(url: string): DatabaseKind {
  const { host, port, user, database } = parts(url, 5432, 'postgres');
  return {
    name: 'PostgreSQL',
    where: redact(url),
    options: { type: 'postgres', url, connectTimeoutMS: CONNECT_TIMEOUT_MS, poolSize: 1 },
    advice: (error) => {
      switch (error.code) {
        case '3D000':
          return `database "${database}" does not exist; create it (createdb -h ${host} -p ${port}${user ? ` -U ${user}` : ''} ${database}) or fix DATABASE_URL`;
        case '28P01':
        case '28000':
          return `${error.message}; check the user and password in DATABASE_URL`;
        default:
          return networkAdvice(error, 'PostgreSQL', host, port);
      }
    },
  };
}

function mariadb(type: 'mariadb' | 'mysql', url: string): DatabaseKind {
  const { host, port, user, database } = parts(url, 3306, '');
  return {
    name: 'MariaDB / MySQL',
    where: redact(url),
    options: { type, url, connectTimeout: CONNECT_TIMEOUT_MS, poolSize: 1 },
    advice: (error) => {
      switch (error.code) {
        case 'ER_BAD_DB_ERROR':
          return `database "${database}" does not exist; create it (mysql -h ${host} -P ${port}${user ? ` -u ${user}` : ''} -e 'CREATE DATABASE \`${database}\`') or fix DATABASE_URL`;
        case 'ER_ACCESS_DENIED_ERROR':
        case 'ER_DBACCESS_DENIED_ERROR':
          return `${error.message}; check the user and password in DATABASE_URL`;
        default:
          return networkAdvice(error, 'MariaDB / MySQL', host, port);
      }
    },
  };
}

function sqlite(file: string): DatabaseKind {
  return {
    name: 'SQLite',
    where: `file ${file}`,
    options: { type: 'better-sqlite3', database: file },
    advice: (error) => `${error.message}; check that the file and its directory are writable, or set DATABASE_URL to use PostgreSQL or MariaDB`,
  };
}

/** The parts of a server URL that the advice names: the user only when the URL names one; the database by default. */
function parts(url: string, defaultPort: number, defaultDatabase: string) {
  const { hostname, port, username, pathname } = new URL(url);
  const user = decodeURIComponent(username);
  return {
    host: hostname || 'localhost',
    port: Number(port) || defaultPort,
    user,
    database: decodeURIComponent(pathname.slice(1)) || user || defaultDatabase,
  };
}

function networkAdvice(error: DriverError, server: string, host: string, port: number): string | undefined {
  switch (error.code) {
    case 'ECONNREFUSED':
      return `connection refused; is ${server} running and listening on ${host}:${port}?`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `host "${host}" not found; check the host in DATABASE_URL`;
    default:
      return undefined;
  }
}

function timeoutAdvice(kind: DatabaseKind, error: DriverError): string {
  // NOTE: a server of another kind on that port answers in its own protocol, which the driver takes for garbage.
  return /timeout|timed out|terminated|ETIMEDOUT|PROTOCOL|unexpected|packets out of order/i.test(`${error.code ?? ''} ${error.message}`)
    ? `${error.message} (no answer within ${CONNECT_TIMEOUT_MS / 1000} s, or not ${kind.name} on that port?); check the scheme, host and port in DATABASE_URL, and that ${kind.name} is up`
    : error.message;
}
