import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { accessSync, chownSync, constants, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { DataSource } from 'typeorm';
import { until } from './processes.js';

// Servers of a test's own, to stop and start at will (outages): a `redis-server` and a PostgreSQL cluster,
// on ports of their own so that the shared servers are never touched.

/** Ports of the private servers; override them where these are taken. */
export const PRIVATE_REDIS_PORT = Number(process.env.TEST_PRIVATE_REDIS_PORT ?? 63791);
export const PRIVATE_POSTGRES_PORT = Number(process.env.TEST_PRIVATE_POSTGRES_PORT ?? 54391);
/** Where private PostgreSQL clusters keep their data (a fresh directory each, removed at the end). */
const POSTGRES_DATA_PREFIX = process.env.TEST_PRIVATE_POSTGRES_DIR_PREFIX ?? join(tmpdir(), 'references-pg-');

const START_TIMEOUT_MS = 30_000;

/** A server the test owns: `stop()` is an outage, `start()` its end, `destroy()` removes everything. */
export interface PrivateServer {
  url: string;
  port: number;
  stop(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

/** The full path of an executable on PATH (or in `extra` directories), or undefined. */
function findExecutable(name: string, extra: string[] = []): string | undefined {
  for (const dir of [...(process.env.PATH ?? '').split(delimiter), ...extra]) {
    const path = join(dir, name);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Debian and Ubuntu keep initdb and pg_ctl out of PATH, under /usr/lib/postgresql/<version>/bin. */
function postgresBinDirs(): string[] {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .sort((a, b) => Number(b) - Number(a))
    .map((version) => join(root, version, 'bin'));
}

/** Why a private server cannot run here (its binaries are missing), or undefined when it can. */
export function missingRedisServer(): string | undefined {
  return findExecutable('redis-server') ? undefined : 'redis-server is not on PATH';
}

export function missingPostgresBinaries(): string | undefined {
  const dirs = postgresBinDirs();
  const missing = ['initdb', 'pg_ctl'].filter((name) => !findExecutable(name, dirs));
  return missing.length ? `${missing.join(' and ')} not found on PATH or under /usr/lib/postgresql/*/bin` : undefined;
}

/** Whether something accepts TCP connections on the port. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A `redis-server` of the test's own, without persistence. */
export async function startPrivateRedis(port = PRIVATE_REDIS_PORT): Promise<PrivateServer> {
  let child: ChildProcess | undefined;
  const server: PrivateServer = {
    url: `redis://127.0.0.1:${port}`,
    port,
    async start() {
      if (await accepts(port)) throw new Error(`port ${port} is taken: set TEST_PRIVATE_REDIS_PORT to a free port`);
      child = spawn(findExecutable('redis-server')!, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
        stdio: 'ignore',
      });
      await until(() => accepts(port), START_TIMEOUT_MS, `redis-server on port ${port}`);
    },
    async stop() {
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
      await until(async () => !(await accepts(port)), START_TIMEOUT_MS, `redis-server on port ${port} to stop`);
    },
    destroy() {
      return server.stop();
    },
  };
  await server.start();
  return server;
}

/**
 * A PostgreSQL cluster of the test's own (initdb, then pg_ctl start and stop), trust authentication on
 * 127.0.0.1, with a database `catalogue`. As root, the cluster runs as the `postgres` user (PostgreSQL
 * refuses to run as root).
 */
export async function startPrivatePostgres(port = PRIVATE_POSTGRES_PORT): Promise<PrivateServer> {
  const dirs = postgresBinDirs();
  const initdb = findExecutable('initdb', dirs)!;
  const pgCtl = findExecutable('pg_ctl', dirs)!;
  const root = process.getuid?.() === 0;
  const base = mkdtempSync(POSTGRES_DATA_PREFIX);
  const data = join(base, 'data');
  if (root) chownSync(base, uid('postgres'), statSync(base).gid);
  const run = (command: string, args: string[]) =>
    execFileSync(root ? 'runuser' : command, root ? ['-u', 'postgres', '--', command, ...args] : args, { stdio: 'pipe' });

  if (await accepts(port)) throw new Error(`port ${port} is taken: set TEST_PRIVATE_POSTGRES_PORT to a free port`);
  run(initdb, ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '--no-instructions']);
  const url = `postgres://postgres@127.0.0.1:${port}/catalogue`;
  const server: PrivateServer = {
    url,
    port,
    async start() {
      run(pgCtl, [
        '-D', data, '-l', join(base, 'log'), '-w', '-t', '30',
        '-o', `-p ${port} -k ${base} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`,
        'start',
      ]);
      await until(() => answers(url.replace(/\/catalogue$/, '/postgres')), START_TIMEOUT_MS, `PostgreSQL on port ${port}`);
    },
    async stop() {
      // NOTE: immediate mode is a crash as clients see it: every connection is cut at once.
      run(pgCtl, ['-D', data, '-m', 'immediate', '-w', 'stop']);
      await until(async () => !(await accepts(port)), START_TIMEOUT_MS, `PostgreSQL on port ${port} to stop`);
    },
    async destroy() {
      if (existsSync(join(data, 'postmaster.pid'))) await server.stop();
      rmSync(base, { recursive: true, force: true });
    },
  };
  await server.start();
  const admin = await new DataSource({ type: 'postgres', url: url.replace(/\/catalogue$/, '/postgres') }).initialize();
  await admin.query('CREATE DATABASE catalogue');
  await admin.destroy();
  return server;
}

async function answers(url: string): Promise<boolean> {
  const dataSource = new DataSource({ type: 'postgres', url, connectTimeoutMS: 1000, poolSize: 1 });
  try {
    await dataSource.initialize();
    return true;
  } catch {
    return false;
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
  }
}

function uid(user: string): number {
  return Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
}
