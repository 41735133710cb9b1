/**
 * B3, paging through the HTTP API: the catalogue app (apps/catalogue/dist, built by `npm run bench`) on the
 * bench's PostgreSQL database, filled with `artworks` artworks and `indexRows` index rows (10 referrers per
 * reference), answering `connections` clients at once, each one request after another (keep-alive).
 * Each kind of page is timed on its own: p50, p99 and requests per second over `requests` requests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { createHash, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { PG_URL } from './boot.js';
import { log, percentile } from './data.js';

export interface PagingArgs {
  artworks: number;
  indexRows: number;
  requests: number;
  connections: number;
  port: number;
}

// NOTE: pg ships no types of its own (and @types/pg is not a dependency): loaded untyped, as run.ts does.
const load = (name: string): Promise<any> => import(name);
const pg = (await load('pg')).default;

const MAIN = fileURLToPath(new URL('../../apps/catalogue/dist/main.js', import.meta.url));
export const BASE = 'http://catalogue.bench';

const uuidOf = (i: number) => {
  const h = createHash('md5').update(String(i)).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};

/** Starts the catalogue (sync mode) and resolves once it answers. */
export async function startCatalogue(port: number): Promise<ChildProcess> {
  const { REDIS_URL: _sync, ...env } = process.env;
  const child = spawn(process.execPath, [MAIN], {
    env: { ...env, DATABASE_URL: PG_URL, PORT: String(port), BASE_URL: BASE, CATALOGUE_TOKEN: 'bench-token' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the catalogue exited with ${child.exitCode}`);
    try {
      const response = await fetch(`http://127.0.0.1:${port}/health`);
      if (response.status < 500) return child;
    } catch {}
    if (Date.now() > deadline) throw new Error('the catalogue did not answer within 60 s');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Stops the catalogue and resolves once it has exited. */
async function stopCatalogue(catalogue: ChildProcess): Promise<void> {
  catalogue.kill('SIGTERM');
  await new Promise((resolve) => (catalogue.exitCode !== null ? resolve(undefined) : catalogue.once('exit', resolve)));
}

/**
 * Runs `measure` against the catalogue on the bench's PostgreSQL database, emptied, then filled by `fill` with
 * SQL (in the catalogue's own tables, made by its migrations at its first start) and analyzed. The catalogue is
 * restarted on the filled tables before `measure`, so that no plan or cache of the empty ones is kept.
 */
export async function withFilledCatalogue<T>(port: number, fill: (client: any) => Promise<void>, measure: (client: any) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  await client.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
  let catalogue = await startCatalogue(port);
  try {
    await fill(client);
    await client.query('VACUUM ANALYZE artwork');
    await client.query('VACUUM ANALYZE reference_index');
    await stopCatalogue(catalogue);
    catalogue = await startCatalogue(port);
    return await measure(client);
  } finally {
    await stopCatalogue(catalogue);
    await client.end();
  }
}

/** GET over a keep-alive agent; answers the status, the headers and the body. */
export function get(agent: http.Agent, port: number, path: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port, path, agent }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, body }));
    });
    request.on('error', reject);
  });
}

export async function paging(args: PagingArgs) {
  const distinct = Math.floor(args.indexRows / 10);
  return withFilledCatalogue(args.port, fill, measure);

  async function fill(client: any) {
    await client.query(
      `INSERT INTO artwork (id, metadata, version)
       SELECT md5('a' || i)::uuid, jsonb_build_object('title', 'Artwork ' || i, 'stylePeriod',
              jsonb_build_object('id', md5((i % $2)::text)::uuid, 'title', 'Term ' || (i % $2), 'links', jsonb_build_object('self', $3 || md5((i % $2)::text)::uuid))), 1
       FROM generate_series(1, $1::int) AS i`,
      [args.artworks, distinct, `${BASE}/terms/`],
    );
    await client.query(
      `INSERT INTO reference_index (referrer_type, referrer_id, reference, reference_uuid, inline, path, on_delete)
       SELECT 'artworks', md5('a' || (i % $4 + 1))::uuid::text, $2 || md5((i % $3)::text)::uuid::text, md5((i % $3)::text)::uuid::text,
              i % 2 = 0, CASE WHEN i % 2 = 0 THEN 'stylePeriod' ELSE 'related[' || (i % 10) || ']' END, 'keep'
       FROM generate_series(1, $1::int) AS i`,
      [args.indexRows, `${BASE}/terms/`, distinct, args.artworks],
    );
  }

  async function measure(client: any) {
    // The sockets of the requests that make the paths (one at a time).
    const walker = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const random = (n: number) => Math.floor(Math.random() * n);
    const hex = () => random(256).toString(16).padStart(2, '0');
    const enc = encodeURIComponent;
    // A cursor somewhere in a prefix's rows: the key a client holds after some pages.
    const prefixCursor = async (prefix: string) => {
      // NOTE: somewhere before the prefix's last page (about indexRows / 256 rows each).
      const deep = await get(walker, args.port, `/references?target=${enc(prefix)}&match=prefix&limit=${1 + random(Math.min(1000, perPrefix - 200))}`);
      return JSON.parse(deep.body).next as string;
    };
    const perPrefix = Math.floor(args.indexRows / 256);
    const kinds: Record<string, () => Promise<string>> = {
      'GET / (no database: the HTTP stack alone)': async () => '/',
      'references, exact (first page, counted)': async () => `/references?target=${enc(`${BASE}/terms/${uuidOf(random(distinct))}`)}`,
      'references, prefix (first page of 100, counted)': async () => `/references?target=${enc(`${BASE}/terms/${hex()}`)}&match=prefix&limit=100`,
      'references, prefix (a page of 100 by cursor)': async () => {
        const prefix = `${BASE}/terms/${hex()}`;
        return `/references?target=${enc(prefix)}&match=prefix&limit=100&cursor=${enc(await prefixCursor(prefix))}`;
      },
      'artworks (first page of 100, counted)': async () => '/artworks?limit=100',
      'artworks (a page of 100 by cursor, anywhere in the table)': async () => `/artworks?limit=100&cursor=${randomUUID()}`,
      'artworks (offset=10000, the deepest offset)': async () => '/artworks?limit=100&offset=10000',
    };
    const results: Array<{ kind: string; p50: number; p99: number; max: number; perSecond: number; rows: number }> = [];
    for (const [kind, pathOf] of Object.entries(kinds)) {
      // The paths first (a cursor costs a request of its own), then the timed requests.
      const paths: string[] = [];
      for (let i = 0; i < args.requests; i++) paths.push(await pathOf());
      // NOTE: fresh sockets for the timed part: the server closes a keep-alive socket idle for 5 s, and one
      // left idle while the paths were made would answer its next request with a reset.
      const agent = new http.Agent({ keepAlive: true, maxSockets: args.connections });
      for (const path of paths.slice(0, 50)) await get(agent, args.port, path);
      const times: number[] = [];
      let rows = 0;
      let next = 0;
      const started = performance.now();
      await Promise.all(
        Array.from({ length: args.connections }, async () => {
          for (let i = next++; i < paths.length; i = next++) {
            const start = performance.now();
            const response = await get(agent, args.port, paths[i]);
            times.push(performance.now() - start);
            if (response.status !== 200) throw new Error(`${paths[i]} answered ${response.status}: ${response.body.slice(0, 200)}`);
            const body = JSON.parse(response.body);
            rows += (body.items ?? []).length;
          }
        }),
      );
      const seconds = (performance.now() - started) / 1000;
      times.sort((a, b) => a - b);
      const result = { kind, p50: percentile(times, 0.5), p99: percentile(times, 0.99), max: times.at(-1)!, perSecond: paths.length / seconds, rows: rows / paths.length };
      log(`B3 paging ${kind}: p50 ${result.p50.toFixed(1)} ms, p99 ${result.p99.toFixed(1)} ms, ${result.perSecond.toFixed(0)} req/s, ${result.rows.toFixed(0)} rows`);
      results.push(result);
      agent.destroy();
    }
    walker.destroy();
    const [{ n: indexRows }] = (await client.query('SELECT count(*)::int AS n FROM reference_index')).rows;
    return { artworks: args.artworks, indexRows, connections: args.connections, requests: args.requests, pages: results };
  }
}
