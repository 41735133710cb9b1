import { randomBytes } from 'node:crypto';

/** Where the catalogue keeps its records: TypeORM connection options for one of the supported databases. */
export type CatalogueDatabase =
  | { type: 'postgres'; url: string; dropSchema?: boolean }
  | { type: 'mariadb' | 'mysql'; url: string; dropSchema?: boolean; isolationLevel: 'READ COMMITTED' }
  | { type: 'better-sqlite3'; database: string };

/**
 * What one catalogue process runs, in queue mode: `all` (HTTP API and propagation worker), `api` (HTTP
 * only: writes and enqueues), `worker` (propagation jobs only, no HTTP). Sync mode is always `all`.
 */
export type CatalogueRole = 'all' | 'api' | 'worker';

/** The queue library of queue mode (`QUEUE_DRIVER`). */
export type CatalogueQueueDriver = 'bull' | 'bullmq';

/** Everything the catalogue reads from its environment, resolved once at start-up. */
export interface CatalogueConfig {
  database: CatalogueDatabase;
  /** Set → queue mode: propagation runs in Bull or BullMQ jobs on this Redis; unset → sync mode. */
  redisUrl?: string;
  /** The queue library in queue mode (`QUEUE_DRIVER=bull|bullmq`). @default 'bull' */
  queueDriver?: CatalogueQueueDriver;
  /** The queue's key prefix, so that several catalogues (or test runs) can share one Redis. @default 'bull' */
  queuePrefix?: string;
  /** @default 3000 */
  port: number;
  /** The base of every canonical URL (`BASE_URL`); unset: the one stored with the references. */
  baseUrl?: string;
  /** The base URL of a new database when `BASE_URL` is unset: `http://localhost:${port}`. */
  defaultBaseUrl: string;
  /** Other base URLs naming the same records (`BASE_URL_ALIASES`, comma-separated). @default `http://127.0.0.1:${port}` */
  baseUrlAliases: string[];
  /** The Bearer token that POST, PUT and DELETE require. */
  token: string;
  /** `true` when no `CATALOGUE_TOKEN` was given and `token` was generated at start. */
  tokenGenerated: boolean;
  /** Load the demo records into an empty database. @default true (`--no-demo` turns it off) */
  demo: boolean;
  /** What this process runs (`--role api|worker`, queue mode only). @default 'all' */
  role?: CatalogueRole;
  /**
   * `/health` reports the outbox down when its oldest pending change is older than this
   * (`HEALTH_MAX_PENDING_SECONDS`). @default 300000 (5 minutes)
   */
  healthMaxPendingAgeMs: number;
}

/** @default 300 — seconds a change may wait in the outbox before `/health` reports it. */
export const DEFAULT_HEALTH_MAX_PENDING_SECONDS = 300;

/** The SQLite file used when `DATABASE_URL` is unset, relative to the working directory. */
export const DEFAULT_SQLITE_FILE = 'data/catalogue.sqlite';

/** Injection token of the `CatalogueConfig`. */
export const CATALOGUE_CONFIG = 'catalogue:config';

/** A bad environment variable or argument: its message is the one line the user sees. */
export class CatalogueConfigError extends Error {
  override readonly name = 'CatalogueConfigError';
}

/** Reads the configuration from `env` and the command-line `args`; throws a `CatalogueConfigError` on a bad value. */
export function loadCatalogueConfig(
  env: Record<string, string | undefined> = process.env,
  args: string[] = process.argv.slice(2),
): CatalogueConfig {
  let demo = true;
  let role: CatalogueRole = 'all';
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--no-demo') demo = false;
    else if (arg === '--role' || arg.startsWith('--role=')) role = parseRole(arg === '--role' ? args[++i] : arg.slice('--role='.length));
    else throw new CatalogueConfigError(`unknown argument "${arg}" (the options are --no-demo and --role api|worker)`);
  }
  const port = parsePort(env.PORT);
  const baseUrl = parseBaseUrl(env.BASE_URL, 'BASE_URL');
  const baseUrlAliases =
    env.BASE_URL_ALIASES === undefined
      ? [`http://127.0.0.1:${port}`]
      : env.BASE_URL_ALIASES.split(',').filter((alias) => alias.trim()).map((alias) => parseBaseUrl(alias.trim(), 'BASE_URL_ALIASES')!);
  const token = parseToken(env.CATALOGUE_TOKEN);
  const redisUrl = parseRedisUrl(env.REDIS_URL);
  if (role !== 'all' && !redisUrl) {
    throw new CatalogueConfigError(`--role ${role} splits queue mode into API and worker processes: set REDIS_URL`);
  }
  const queueDriver = parseQueueDriver(env.QUEUE_DRIVER);
  if (queueDriver && !redisUrl) {
    throw new CatalogueConfigError(`QUEUE_DRIVER=${queueDriver} chooses the queue library of queue mode: set REDIS_URL too (or unset QUEUE_DRIVER)`);
  }
  return {
    role,
    database: parseDatabase(env.DATABASE_URL),
    redisUrl,
    ...(redisUrl && { queueDriver: queueDriver ?? 'bull' }),
    port,
    baseUrl,
    defaultBaseUrl: `http://localhost:${port}`,
    baseUrlAliases,
    token: token ?? randomBytes(24).toString('base64url'),
    tokenGenerated: token === undefined,
    demo,
    healthMaxPendingAgeMs: parseSeconds(env.HEALTH_MAX_PENDING_SECONDS) * 1000,
  };
}

function parseRole(value: string | undefined): CatalogueRole {
  if (value === 'all' || value === 'api' || value === 'worker') return value;
  throw new CatalogueConfigError(`--role must be api, worker or all, got "${value ?? ''}"`);
}

function parseQueueDriver(value: string | undefined): CatalogueQueueDriver | undefined {
  if (value === undefined || value === '') return undefined;
  if (value === 'bull' || value === 'bullmq') return value;
  throw new CatalogueConfigError(`QUEUE_DRIVER must be bull or bullmq, got "${value}"`);
}

function parsePort(value: string | undefined): number {
  if (value === undefined || value === '') return 3000;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port < 1 || port > 65535) {
    throw new CatalogueConfigError(`PORT must be a whole number from 1 to 65535, got "${value}"`);
  }
  return port;
}

function parseSeconds(value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULT_HEALTH_MAX_PENDING_SECONDS;
  const seconds = Number(value);
  if (!/^\d+$/.test(value) || seconds < 1) {
    throw new CatalogueConfigError(`HEALTH_MAX_PENDING_SECONDS must be a whole number of seconds, at least 1, got "${value}"`);
  }
  return seconds;
}

function parseBaseUrl(value: string | undefined, name: string): string | undefined {
  if (value === undefined || value === '') return undefined;
  const url = parseUrl(value);
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.search || url.hash) {
    throw new CatalogueConfigError(`${name} must be an absolute http(s) URL without query or fragment, got "${value}"`);
  }
  return value.replace(/\/+$/, '');
}

function parseDatabase(value: string | undefined): CatalogueDatabase {
  if (value === undefined || value === '') return { type: 'better-sqlite3', database: DEFAULT_SQLITE_FILE };
  const url = parseUrl(value);
  const type = url?.hostname ? DATABASE_TYPES[url.protocol] : undefined;
  if (!type) {
    throw new CatalogueConfigError(
      `DATABASE_URL must be a PostgreSQL URL like postgres://user@host:5432/db or a MariaDB / MySQL URL like mysql://user@host:3306/db (unset it to use SQLite), got "${redact(value)}"`,
    );
  }
  if (type === 'postgres') return { type, url: value };
  // NOTE: the library needs READ COMMITTED on MariaDB and MySQL (libs/references/README.md, "Concurrency").
  return { type, url: value, isolationLevel: 'READ COMMITTED' };
}

/**
 * TypeORM's data source type per URL scheme. `mariadb://` is TypeORM's `mariadb` type, which uses MariaDB's
 * own uuid column type; `mysql://` works on MySQL and on MariaDB alike.
 */
const DATABASE_TYPES: Record<string, 'postgres' | 'mariadb' | 'mysql' | undefined> = {
  'postgres:': 'postgres',
  'postgresql:': 'postgres',
  'mariadb:': 'mariadb',
  'mysql:': 'mysql',
};

function parseRedisUrl(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  const url = parseUrl(value);
  if (!url || (url.protocol !== 'redis:' && url.protocol !== 'rediss:') || !url.hostname) {
    throw new CatalogueConfigError(`REDIS_URL must be a URL like redis://host:6379, got "${redact(value)}"`);
  }
  return value;
}

function parseToken(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (value.length < 8 || /\s/.test(value)) {
    throw new CatalogueConfigError('CATALOGUE_TOKEN must be at least 8 characters without spaces (unset it to get a random one)');
  }
  return value;
}

function parseUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

// NOTE: a connection URL may carry a password; never echo it back.
export function redact(value: string): string {
  return value.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}
