import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { accessSync, chownSync, constants, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createConnection, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { DataSource } from 'typeorm';
import { until } from './processes.js';

// Servers of a test's own, to stop and start at will (outages): a `redis-server` and a PostgreSQL cluster,
// on ports of their own so that the shared servers are never touched.
// NOTE: a private server keeps its port across stop() and start(), as a restarted server does.

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

/**
 * The path of each binary a private server needs. A missing one fails the suite, naming it: a suite that
 * skipped itself would turn a run green without having run (`scripts/check-services.mjs` says it first).
 */
function requireBinaries<const T extends string>(names: T[]): Record<T, string> {
  const dirs = postgresBinDirs();
  const paths = Object.fromEntries(names.map((name) => [name, findExecutable(name, dirs)]));
  const missing = names.filter((name) => !paths[name]);
  if (missing.length) throw new Error(`${missing.join(' and ')} not installed (looked on PATH and under /usr/lib/postgresql/*/bin): .ci/run installs it`);
  return paths as Record<T, string>;
}

/** A TCP port on 127.0.0.1 that the system says is free now. */
export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The port of a private server: the variable's where ports are assigned (several runs on one machine), else a free one. */
async function privatePort(variable: 'TEST_PRIVATE_REDIS_PORT' | 'TEST_PRIVATE_POSTGRES_PORT'): Promise<number> {
  return process.env[variable] ? Number(process.env[variable]) : freePort();
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
export async function startPrivateRedis(): Promise<PrivateServer> {
  const { 'redis-server': redisServer } = requireBinaries(['redis-server']);
  const port = await privatePort('TEST_PRIVATE_REDIS_PORT');
  let child: ChildProcess | undefined;
  const server: PrivateServer = {
    url: `redis://127.0.0.1:${port}`,
    port,
    async start() {
      if (await accepts(port)) throw new Error(`port ${port} is taken: set TEST_PRIVATE_REDIS_PORT to a free port`);
      child = spawn(redisServer, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
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
export async function startPrivatePostgres(): Promise<PrivateServer> {
  const { initdb, pg_ctl: pgCtl } = requireBinaries(['initdb', 'pg_ctl']);
  const port = await privatePort('TEST_PRIVATE_POSTGRES_PORT');
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

/**
 * An outage of `server`: stops it, then keeps it down for `down` ms (the fault itself, not a wait for a
 * result), or for as long as `down()` runs (what clients see meanwhile); starts it again in any case.
 * Each of `survivors` (worker processes) must live through it.
 */
export async function outage(server: PrivateServer, down: number | (() => Promise<void>), survivors: ChildProcess[] = []): Promise<void> {
  const alive = () => {
    const dead = survivors.find((child) => child.exitCode !== null || child.signalCode !== null);
    if (dead) throw new Error(`a worker died during the outage (exit code ${dead.exitCode}, signal ${dead.signalCode})`);
  };
  await server.stop();
  try {
    if (typeof down === 'function') await down();
    else for (const end = Date.now() + down; Date.now() < end; alive()) await new Promise((resolve) => setTimeout(resolve, 200));
    alive();
  } finally {
    await server.start();
  }
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
