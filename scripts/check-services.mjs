// Before the test suite: PostgreSQL, MariaDB and Redis must answer, and the binaries of the private servers
// (outage, crash and CLI suites) must be installed, or we stop at once with one line saying which.
import mysql from 'mysql2/promise';
import { accessSync, constants, existsSync, readdirSync } from 'node:fs';
import net from 'node:net';
import { delimiter, join } from 'node:path';
import pg from 'pg';

const TIMEOUT_MS = 2000;
const postgresUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const mariadbUrl = process.env.TEST_MARIADB_URL ?? 'mysql://root@127.0.0.1:3306/test';
const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';


async function checkPostgres() {
  const client = new pg.Client({ connectionString: postgresUrl, connectionTimeoutMillis: TIMEOUT_MS });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } finally {
    await client.end().catch(() => {});
  }
}

async function checkMariadb() {
  const connection = await mysql.createConnection({ uri: mariadbUrl, connectTimeout: TIMEOUT_MS });
  try {
    await connection.query('SELECT 1');
  } finally {
    await connection.end().catch(() => {});
  }
}

function checkRedis() {
  const url = new URL(redisUrl);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: url.hostname || '127.0.0.1', port: Number(url.port || 6379) });
    const fail = (error) => {
      socket.destroy();
      reject(error);
    };
    socket.setTimeout(TIMEOUT_MS, () => fail(new Error(`no answer within ${TIMEOUT_MS} ms`)));
    socket.on('error', fail);
    socket.on('connect', () => {
      const password = decodeURIComponent(url.password);
      if (password) socket.write(`AUTH ${decodeURIComponent(url.username) || 'default'} ${password}\r\n`);
      socket.write('PING\r\n');
    });
    let answer = '';
    socket.on('data', (data) => {
      answer += data.toString();
      if (answer.includes('+PONG')) {
        socket.end();
        resolve();
      } else if (answer.startsWith('-') && answer.includes('\r\n')) fail(new Error(answer.trim()));
    });
  });
}

// NOTE: never print the URLs themselves, they may carry a password.
const redact = (url) => url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');

const checks = [
  [
    'PostgreSQL',
    postgresUrl,
    'TEST_DATABASE_URL',
    checkPostgres,
    'sudo pg_ctlcluster $(ls /etc/postgresql) main start` or `docker compose up -d postgres',
  ],
  [
    'MariaDB',
    mariadbUrl,
    'TEST_MARIADB_URL',
    checkMariadb,
    'sudo start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd` or `docker compose up -d mariadb',
  ],
  ['Redis', redisUrl, 'TEST_REDIS_URL', checkRedis, 'redis-server --daemonize yes` or `docker compose up -d redis'],
];
const results = await Promise.allSettled(checks.map(([, , , check]) => check()));
let failed = false;
results.forEach((result, i) => {
  if (result.status === 'fulfilled') return;
  const [name, url, variable, , start] = checks[i];
  failed = true;
  console.error(
    `${name} does not answer at ${redact(url)} (${result.reason?.message ?? result.reason}): ` +
      `start it with \`${start}\`, or point ${variable} at yours (README, "Running the tests").`,
  );
});

// NOTE: Debian keeps initdb and pg_ctl under /usr/lib/postgresql/<version>/bin, off PATH (as test/support/servers.ts knows).
const pgBin = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql').map((v) => join('/usr/lib/postgresql', v, 'bin')) : [];
const installed = (name) =>
  [...(process.env.PATH ?? '').split(delimiter), ...pgBin].some((dir) => {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
for (const [name, pkg] of [['redis-server', 'redis-server'], ['initdb', 'postgresql'], ['pg_ctl', 'postgresql']]) {
  if (installed(name)) continue;
  failed = true;
  console.error(`${name} is not installed (the private servers of the outage, crash and CLI suites need it): \`apt-get install ${pkg}\`, or run .ci/run.`);
}
process.exit(failed ? 1 : 0);
