/**
 * `npm run bench [-- --quick] [--only main,b6,b7]`: runs every benchmark task in its own process, prints the
 * tables and writes them into BENCHMARKS.md (between the markers of their mode and section; the rest of the
 * file is kept), with the charts under docs/bench/. `--only` runs some sections: `main` (B1 to B5), `b6`, `b7`, `b8`, `b9`.
 */
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PG_ADMIN_URL, PG_URL } from './boot.js';
import { chartB1, chartB6, chartB7, fmt, mark, renderB6, renderB7, renderB8, renderB9 } from './sections.js';

const quick = process.argv.includes('--quick');
const scale = quick ? 10 : 1;
const SECTIONS = ['main', 'b6', 'b7', 'b8', 'b9'];
/** The catalogue's port in B3's paging run. */
const PAGING_PORT = Number(process.env.BENCH_CATALOGUE_PORT ?? 4950);
const onlyAt = process.argv.findIndex((a) => a === '--only' || a.startsWith('--only='));
const only = onlyAt < 0 ? SECTIONS : (process.argv[onlyAt].split('=')[1] ?? process.argv[onlyAt + 1] ?? '').split(',');
if (!only.length || only.some((section) => !SECTIONS.includes(section))) {
  process.stderr.write(`bench: --only takes a comma-separated list of ${SECTIONS.join(', ')}, got "${only.join(',')}"\n`);
  process.exit(1);
}
const SIZES = {
  pgFanout: 100_000 / scale,
  sqliteFanout: 20_000 / scale,
  naive: 5_000 / scale,
  writes: 10_000 / scale,
  lookupRows: 1_000_000 / scale,
  lookupQueries: quick ? 1_000 : 2_000,
  pagingArtworks: 100_000 / scale,
  pagingRequests: quick ? 1_000 : 3_000,
  memory: 1_000_000 / scale,
  memoryQuiet: 100_000 / scale,
  compareArtworks: 20_000 / scale,
  compareIterations: quick ? 100 : 500,
  consistencyFiller: 10_000 / scale,
  consistencySamples: quick ? 40 : 200,
  explorerReferrers: Number(process.env.BENCH_EXPLORER_REFERRERS ?? 100_000 / scale),
  explorerRequests: quick ? 100 : 300,
  conditionalReferrers: 100_000 / scale,
  conditionalSaves: quick ? 50 : 200,
};
const TARGETS = { limitRatio: 1.5, naiveRatio: 50, nestedRatio: 1.2, writeRatio: 2, batchWriteRatio: 1.5, exactP99: 2, prefixP99: 10, pageFloorRatio: 2, rssMb: 300, syncRatio: 0.3 };

// NOTE: neither package ships its own types (and @types/* are not dependencies): load them untyped.
const load = (name: string): Promise<any> => import(name);
const pg = (await load('pg')).default;
const Database = (await load('better-sqlite3')).default;

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');

function runTask(name: string, args: object): Promise<any> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', path.join(here, 'tasks.js'), name, JSON.stringify(args)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      if (code === 0 && line) resolve(JSON.parse(line.slice(7)));
      else reject(new Error(`task ${name} exited with ${code}`));
    });
  });
}

async function ensureDatabase(): Promise<string> {
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  const name = new URL(PG_URL).pathname.slice(1);
  const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
  if (!found.rowCount) await admin.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
  const version = (await admin.query('SHOW server_version')).rows[0].server_version as string;
  await admin.end();
  return version;
}

async function dropBenchTables() {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  await client.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
  await client.end();
}

const packageVersion = (name: string) => {
  const file = path.join(root, 'node_modules', name, 'package.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')).version as string) : '?';
};

const rate = (rows: number, ms: number) => fmt((rows / ms) * 1000);

async function main() {
  const started = Date.now();
  const pgVersion = await ensureDatabase();
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'references-bench-'));
  const sqliteFile = path.join(tmp, 'bench.sqlite');
  const results: Record<string, any> = {};
  const step = async (key: string, name: string, args: object) => {
    process.stderr.write(`${key} …\n`);
    try {
      results[key] = await runTask(name, args);
    } catch (error) {
      results[key] = { error: (error as Error).message };
    }
  };
  const sectionSeconds: Record<string, number> = {};
  try {
    for (const section of only) {
      const sectionStarted = Date.now();
      if (section === 'main') {
        await step('pgFanout', 'fanout', { kind: 'postgres', n: SIZES.pgFanout, naive: SIZES.naive, rounds: 2, queueWorkers: [1, 2] });
        await step('sqliteFanout', 'fanout', { kind: 'sqlite', n: SIZES.sqliteFanout, naive: SIZES.naive, rounds: 2, queueWorkers: [], sqliteFile });
        rmSync(sqliteFile, { force: true });
        await step('pgWrites', 'writes', { kind: 'postgres', n: SIZES.writes });
        await step('sqliteWrites', 'writes', { kind: 'sqlite', n: SIZES.writes, sqliteFile });
        rmSync(sqliteFile, { force: true });
        await step('lookups', 'lookups', { rows: SIZES.lookupRows, queries: SIZES.lookupQueries });
        await step('paging', 'paging', { artworks: SIZES.pagingArtworks, indexRows: SIZES.lookupRows, requests: SIZES.pagingRequests, connections: 10, port: PAGING_PORT });
        await step('memory', 'memory', { n: SIZES.memory });
        await step('memoryQuiet', 'memory-quiet', { n: SIZES.memoryQuiet });
      } else if (section === 'b6') {
        const compare = { artworks: SIZES.compareArtworks, iterations: SIZES.compareIterations, writeRounds: 3 };
        await step('pgCompare', 'compare', { kind: 'postgres', ...compare });
        await step('sqliteCompare', 'compare', { kind: 'sqlite', ...compare, sqliteFile });
        rmSync(sqliteFile, { force: true });
      } else if (section === 'b7') {
        await step('consistency', 'consistency', {
          referrers: 100,
          filler: SIZES.consistencyFiller,
          samples: SIZES.consistencySamples,
          runs: [{ workers: 1, loadRate: 0 }, { workers: 1, loadRate: 50 }, { workers: 2, loadRate: 50 }],
          renameEvery: 10,
        });
      } else if (section === 'b8') {
        await step('explorer', 'explorer', { referrers: SIZES.explorerReferrers, requests: SIZES.explorerRequests, port: PAGING_PORT });
      } else if (section === 'b9') {
        const conditional = { n: SIZES.conditionalReferrers, saves: SIZES.conditionalSaves, rounds: 2 };
        await step('pgConditional', 'conditional', { kind: 'postgres', ...conditional, queue: true });
        await step('sqliteConditional', 'conditional', { kind: 'sqlite', ...conditional, queue: false, sqliteFile });
        rmSync(sqliteFile, { force: true });
      }
      sectionSeconds[section] = (Date.now() - sectionStarted) / 1000;
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    await dropBenchTables().catch(() => undefined);
  }

  // The raw results beside the compiled bench (not committed), to look into a run afterwards.
  writeFileSync(path.join(here, `results-${quick ? 'quick' : 'full'}.json`), JSON.stringify(results, null, 2));
  const sqliteVersion = (new Database(':memory:').prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
  let commit = '?';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root }).toString().trim();
  } catch {}
  const cpus = os.cpus();
  const mode = quick ? 'quick' : 'full';
  const date = new Date().toISOString().slice(0, 16).replace('T', ' ');
  const header = (section: string) => [
    `Mode: ${quick ? '`--quick` (sizes ÷ 10)' : 'full'}. Date: ${date} UTC. Run time: ${fmt(sectionSeconds[section] ?? (Date.now() - started) / 1000)} s.`,
    '',
    `Machine: ${cpus.length} × ${cpus[0]?.model.trim()}, ${fmt(os.totalmem() / 2 ** 30, 1)} GiB memory, ${os.type()} ${os.release()}.`,
    `Versions: Node ${process.version}, PostgreSQL ${pgVersion}, SQLite ${sqliteVersion}, typeorm ${packageVersion('typeorm')}, ` +
      `@nestjs/core ${packageVersion('@nestjs/core')}, pg ${packageVersion('pg')}, better-sqlite3 ${packageVersion('better-sqlite3')}, ` +
      `bull ${packageVersion('bull')}, nestjs-references ${packageVersion('nestjs-references')} (commit ${commit}).`,
    '',
  ];
  /** A task's results on PostgreSQL and on SQLite, named by their database. */
  const onBothDatabases = (postgresKey: string, sqliteKey: string) => [
    { db: 'PostgreSQL', r: results[postgresKey] },
    { db: 'SQLite', r: results[sqliteKey] },
  ];
  // Charts: documentation, committed; one file per chart and mode, linked from the section.
  const charts: Record<string, string | undefined> = {
    b1: only.includes('main') ? chartB1(onBothDatabases('pgFanout', 'sqliteFanout'), quick, date, commit) : undefined,
    b6: only.includes('b6') ? chartB6(onBothDatabases('pgCompare', 'sqliteCompare'), quick, date, commit) : undefined,
    b7: only.includes('b7') ? chartB7(results.consistency, quick, date, commit) : undefined,
  };
  const chartPath = (name: string) => `docs/bench/${name}-${mode}.svg`;
  mkdirSync(path.join(root, 'docs', 'bench'), { recursive: true });
  for (const [name, svg] of Object.entries(charts)) if (svg) writeFileSync(path.join(root, chartPath(name)), svg);

  const lines: string[] = [];
  const out = (line = '') => lines.push(line);
  /** A section of the report: its heading, then `body` with its task's result, or the error the task failed with. */
  const reportSection = (title: string, result: any, body: (result: any) => void) => {
    out(title);
    out();
    if (!result || result.error) out(`failed: ${result?.error}`);
    else body(result);
  };
  lines.push(...header('main'));

  // B1 and B5
  out('### B1 fan-out: one term inlined by N artworks');
  out();
  if (charts.b1) {
    out(`![B1: the library against L and the naive loop](${chartPath('b1')})`);
    out();
  }
  out('| database | N | way | time | rows/s | ÷ L | N-loop ÷ this | target |');
  out('|---|---|---|---|---|---|---|---|');
  const targetsMet: string[] = [];
  for (const { db, r } of onBothDatabases('pgFanout', 'sqliteFanout')) {
    if (!r || r.error) {
      out(`| ${db} | | failed: ${r?.error} | | | | | |`);
      continue;
    }
    const l = Math.min(...r.limitMs);
    const lib = Math.min(...r.libraryMs);
    const naiveMs = (r.naive.ms / r.naive.count) * r.n;
    out(`| ${db} | ${fmt(r.n)} | L: one \`UPDATE … FROM reference_index\` | ${fmt(l)} ms | ${rate(r.n, l)} | 1.00 | ${fmt(naiveMs / l, 0)}x | |`);
    const libOk = lib / l <= TARGETS.limitRatio && naiveMs / lib >= TARGETS.naiveRatio;
    out(`| ${db} | ${fmt(r.n)} | library, sync (\`save()\` of the term) | ${fmt(lib)} ms | ${rate(r.n, lib)} | ${fmt(lib / l, 2)} | ${fmt(naiveMs / lib, 0)}x | ≤ 1.5 and ≥ 50x: ${mark(libOk)} |`);
    targetsMet.push(`B1 ${db} sync: ${fmt(lib / l, 2)}x L, N ÷ library ${fmt(naiveMs / lib, 0)}x → ${libOk ? 'met' : 'missed'}`);
    for (const q of r.queue ?? []) {
      const label = `library, queue, ${q.workers} worker${q.workers > 1 ? 's' : ''}`;
      if (!q.available) {
        out(`| ${db} | ${fmt(r.n)} | ${label} | not measured: ${q.reason} | | | | **missed** |`);
        targetsMet.push(`B1 ${db} ${label}: not measured (${q.reason}) → missed`);
      } else {
        const ok = q.ms / l <= TARGETS.limitRatio && naiveMs / q.ms >= TARGETS.naiveRatio;
        out(`| ${db} | ${fmt(r.n)} | ${label} | ${fmt(q.ms)} ms (commit after ${fmt(q.committedMs)} ms) | ${rate(r.n, q.ms)} | ${fmt(q.ms / l, 2)} | ${fmt(naiveMs / q.ms, 0)}x | ${mark(ok)} |`);
        targetsMet.push(`B1 ${db} ${label}: ${fmt(q.ms / l, 2)}x L → ${ok ? 'met' : 'missed'}`);
      }
    }
    if (db === 'PostgreSQL' && !(r.queue ?? []).length) out(`| ${db} | | library, queue | not measured | | | | |`);
    if (r.nested) {
      const top = Math.min(...r.nested.topMs);
      const nested = Math.min(...r.nested.nestedMs);
      const ok = nested / top <= TARGETS.nestedRatio;
      out(`| ${db} | ${fmt(r.n)} | library, sync, the copy at \`creators[0].agent\` (top-level in the same rounds: ${fmt(top)} ms) | ${fmt(nested)} ms | ${rate(r.n, nested)} | ${fmt(nested / l, 2)} | ${fmt(naiveMs / nested, 0)}x | ≤ 1.2x the top-level copy: ${fmt(nested / top, 2)}x, ${mark(ok)} |`);
      targetsMet.push(`B1 ${db} nested: ${fmt(nested / top, 2)}x the top-level copy → ${ok ? 'met' : 'missed'}`);
    }
    out(`| ${db} | ${fmt(r.n)} | N: \`findOneBy\` + \`save\` per artwork (${fmt(r.naive.count)} timed, extrapolated) | ${fmt(naiveMs)} ms | ${rate(r.n, naiveMs)} | ${fmt(naiveMs / l, 1)} | 1x | |`);
  }
  out();
  const pgF = results.pgFanout;
  if (pgF && !pgF.error) {
    out(`Times are the best of ${pgF.limitMs.length} alternating runs (L: ${pgF.limitMs.map((m: number) => fmt(m)).join(', ')} ms; ` +
      `library: ${pgF.libraryMs.map((m: number) => fmt(m)).join(', ')} ms on PostgreSQL), VACUUM ANALYZE between runs. ` +
      `Artwork metadata: ${fmt(pgF.documentBytes)} bytes of JSON.`);
    out();
  }

  out('### B2 write overhead: artworks with 10 references each (5 inline, 5 links)');
  out();
  out('| database | artworks | way | with the module | without | ratio | target |');
  out('|---|---|---|---|---|---|---|');
  for (const { db, r } of onBothDatabases('pgWrites', 'sqliteWrites')) {
    if (!r || r.error) {
      out(`| ${db} | failed: ${r?.error} | | | | | |`);
      continue;
    }
    const rows: Array<[string, number, number, number]> = [['one `save()` per artwork', r.moduleMs, r.plainMs, TARGETS.writeRatio]];
    if (r.batchModuleMs !== undefined) rows.push([`\`save([${r.batch} artworks])\` in one transaction`, r.batchModuleMs, r.batchPlainMs, TARGETS.batchWriteRatio]);
    for (const [way, moduleMs, plainMs, target] of rows) {
      const ratio = moduleMs / plainMs;
      out(`| ${db} | ${fmt(r.n)} + ${fmt(r.n)} | ${way} | ${fmt(moduleMs)} ms (${rate(r.n, moduleMs)}/s) | ${fmt(plainMs)} ms (${rate(r.n, plainMs)}/s) | ${fmt(ratio, 2)} | ≤ ${target}: ${mark(ratio <= target)} |`);
      targetsMet.push(`B2 ${db} ${way}: ${fmt(ratio, 2)}x → ${ratio <= target ? 'met' : 'missed'}`);
    }
  }
  out();

  reportSection('### B3 lookups: `ReferencesService.getReferrers()` on PostgreSQL', results.lookups, (b3) => {
    out(`Index of ${fmt(b3.rows)} rows (${fmt(b3.rows / 10)} references, 10 referrers each), ${fmt(b3.queries)} queries each, sequential, through the service.`);
    out();
    out('| query | rows returned | p50 | p99 | max | target | |');
    out('|---|---|---|---|---|---|---|');
    out(`| exact (a random reference) | ${fmt(b3.exact.rowsPerQuery, 1)} | ${fmt(b3.exact.p50, 2)} ms | ${fmt(b3.exact.p99, 2)} ms | ${fmt(b3.exact.max, 2)} ms | p99 ≤ 2 ms | ${mark(b3.exact.p99 <= TARGETS.exactP99)} |`);
    out(`| prefix (a random 2-hex-digit prefix, \`limit: 100\`) | ${fmt(b3.prefix.rowsPerQuery, 1)} | ${fmt(b3.prefix.p50, 2)} ms | ${fmt(b3.prefix.p99, 2)} ms | ${fmt(b3.prefix.max, 2)} ms | p99 ≤ 10 ms | ${mark(b3.prefix.p99 <= TARGETS.prefixP99)} |`);
    out(`| same SQL through \`dataSource.query\` (exact) | ${fmt(b3.rawExact.rowsPerQuery, 1)} | ${fmt(b3.rawExact.p50, 2)} ms | ${fmt(b3.rawExact.p99, 2)} ms | ${fmt(b3.rawExact.max, 2)} ms | | |`);
    out(`| same SQL through \`dataSource.query\` (prefix) | ${fmt(b3.rawPrefix.rowsPerQuery, 1)} | ${fmt(b3.rawPrefix.p50, 2)} ms | ${fmt(b3.rawPrefix.p99, 2)} ms | ${fmt(b3.rawPrefix.max, 2)} ms | | |`);
    targetsMet.push(`B3 exact p99 ${fmt(b3.exact.p99, 2)} ms → ${b3.exact.p99 <= TARGETS.exactP99 ? 'met' : 'missed'}; prefix p99 ${fmt(b3.prefix.p99, 2)} ms → ${b3.prefix.p99 <= TARGETS.prefixP99 ? 'met' : 'missed'}`);
    out();
    for (const [label, p] of [['exact', b3.exactPlan], ['prefix', b3.prefixPlan], ['prefix of every term (`…/terms/`, limit 100)', b3.broadPrefixPlan]] as const) {
      out(`${label}:`);
      out();
      out('```');
      out(p.sql.replace(/\s+/g, ' ').trim());
      out(p.plan);
      out('```');
      out();
    }
  });

  reportSection('### B3 paging through the HTTP API (the catalogue app, sync mode, PostgreSQL)', results.paging, (b3p) => {
    out(
      `${fmt(b3p.artworks)} artworks, an index of ${fmt(b3p.indexRows)} rows; ${fmt(b3p.connections)} connections (keep-alive), each sending ` +
        `its next request when the last one answered, ${fmt(b3p.requests)} requests per kind of page. The client, the app and ` +
        'PostgreSQL share the machine. `GET /` touches no database: the floor of the HTTP stack at this concurrency; each page is ' +
        'also given as a ratio to it (p50 ÷ p50, p99 ÷ p99), and its target is a p99 at most twice the floor\'s, since the absolute times follow the machine\'s load.',
    );
    out();
    out('| page | rows | p50 | p99 | max | requests/s | p50 / p99 ÷ `GET /` | target |');
    out('|---|---|---|---|---|---|---|---|');
    const floor = b3p.pages.find((p: any) => p.kind.startsWith('GET /'));
    for (const p of b3p.pages) {
      const measured = p !== floor && !p.kind.includes('offset');
      // NOTE: a ratio to the HTTP stack's own floor in the same run: absolute times follow the machine's load.
      const ratio = floor ? p.p99 / floor.p99 : NaN;
      const ratios = floor && p !== floor ? `${fmt(p.p50 / floor.p50, 2)}x / ${fmt(ratio, 2)}x` : '';
      const ok = ratio <= TARGETS.pageFloorRatio;
      out(`| ${p.kind} | ${fmt(p.rows, 0)} | ${fmt(p.p50, 1)} ms | ${fmt(p.p99, 1)} ms | ${fmt(p.max, 1)} ms | ${fmt(p.perSecond)} | ${ratios} | ${measured ? `p99 ≤ ${TARGETS.pageFloorRatio}x \`GET /\`'s: ${mark(ok)}` : ''} |`);
      if (measured) targetsMet.push(`B3 paging ${p.kind}: p99 ${fmt(ratio, 2)}x \`GET /\`'s → ${ok ? 'met' : 'missed'}`);
    }
    out();
  });

  reportSection('### B4 memory: peak RSS during a large fan-out (PostgreSQL): the writer in sync mode, a worker in queue mode', results.memory, (b4) => {
    const peakMb = b4.peakRss / 2 ** 20;
    out('| referrers | time | rows/s | RSS before | peak RSS | peak heap | target ≤ 300 MB |');
    // The first row is the writer in sync mode (one transaction); the second a queue worker process.
    out('|---|---|---|---|---|---|---|');
    out(`| ${fmt(b4.n)} | ${fmt(b4.ms)} ms | ${rate(b4.n, b4.ms)} | ${fmt(b4.baselineRss / 2 ** 20)} MB | ${fmt(peakMb)} MB | ${fmt(b4.peakHeap / 2 ** 20)} MB | ${mark(peakMb <= TARGETS.rssMb)} |`);
    const q = b4.queue;
    if (q?.available) {
      const qMb = q.workerPeakRss / 2 ** 20;
      out(`| ${fmt(b4.n)}, queue mode, 1 worker process (its RSS) | ${fmt(q.ms)} ms | ${rate(b4.n, q.ms)} | ${fmt(q.workerReadyRss / 2 ** 20)} MB | ${fmt(qMb)} MB | | ${mark(qMb <= TARGETS.rssMb)} |`);
      targetsMet.push(`B4 queue worker peak RSS ${fmt(qMb)} MB → ${qMb <= TARGETS.rssMb ? 'met' : 'missed'}`);
    } else if (q) out(`| ${fmt(b4.n)}, queue mode | not available: ${q.reason} | | | | | |`);
    targetsMet.push(`B4 sync writer peak RSS ${fmt(peakMb)} MB at ${fmt(b4.n)} → ${peakMb <= TARGETS.rssMb ? 'met' : 'missed'}`);
  });
  const quiet = results.memoryQuiet;
  if (quiet && !quiet.error) {
    out();
    out('Sync mode, nobody listening (no event listener, no indexer): the changed ids are not kept.');
    out();
    out('| referrers | time | heap growth | RSS growth |');
    out('|---|---|---|---|');
    out(`| ${fmt(quiet.n)} | ${fmt(quiet.ms)} ms | ${fmt(quiet.heapGrowth / 2 ** 20, 1)} MB | ${fmt(quiet.rssGrowth / 2 ** 20, 1)} MB |`);
  } else if (quiet) out(`B4, nobody listening: failed: ${quiet.error}`);
  out();

  out('### B5 synchronize: `ReferencesMaintenance.synchronize({ clear: true })`');
  out();
  out('| database | records | plain scan (TypeORM, keyset, 1,000 a batch) | raw `SELECT id, metadata` | synchronize | sync ÷ scan speed | target ≥ 0.3 |');
  out('|---|---|---|---|---|---|---|');
  for (const { db, r } of onBothDatabases('pgFanout', 'sqliteFanout')) {
    if (!r || r.error) continue;
    const ratio = r.b5.scanMs / r.b5.synchronizeMs;
    out(`| ${db} | ${fmt(r.b5.records)} | ${fmt(r.b5.scanMs)} ms (${rate(r.b5.records, r.b5.scanMs)}/s) | ${fmt(r.b5.rawScanMs)} ms | ${fmt(r.b5.synchronizeMs)} ms (${rate(r.b5.records, r.b5.synchronizeMs)}/s) | ${fmt(ratio, 2)} | ${mark(ratio >= TARGETS.syncRatio)} |`);
    targetsMet.push(`B5 ${db}: ${fmt(ratio, 2)} of scan speed → ${ratio >= TARGETS.syncRatio ? 'met' : 'missed'}`);
  }
  out();
  out('Targets: ' + targetsMet.join('; ') + '.');

  const blocks: Array<{ section: string; text: string }> = [];
  if (only.includes('main')) blocks.push({ section: 'main', text: lines.join('\n') });
  if (only.includes('b6')) {
    const b6 = renderB6([{ db: 'PostgreSQL', r: results.pgCompare }, { db: 'SQLite', r: results.sqliteCompare }], chartPath('b6'));
    blocks.push({ section: 'b6', text: [...header('b6'), ...b6.lines, `Targets: ${b6.targets.join('; ')}.`].join('\n') });
  }
  if (only.includes('b7')) {
    const b7 = renderB7(results.consistency, chartPath('b7'));
    blocks.push({ section: 'b7', text: [...header('b7'), ...b7.lines, `Targets: ${b7.targets.join('; ')}.`].join('\n') });
  }
  if (only.includes('b8')) {
    const b8 = renderB8(results.explorer);
    blocks.push({ section: 'b8', text: [...header('b8'), ...b8.lines, `Targets: ${b8.targets.join('; ')}.`].join('\n') });
  }
  if (only.includes('b9')) {
    const b9 = renderB9([{ db: 'PostgreSQL', r: results.pgConditional }, { db: 'SQLite', r: results.sqliteConditional }]);
    blocks.push({ section: 'b9', text: [...header('b9'), ...b9.lines, `Targets: ${b9.targets.join('; ')}.`].join('\n') });
  }
  const file = path.join(root, 'BENCHMARKS.md');
  let doc = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  for (const { section, text } of blocks) {
    process.stdout.write(text + '\n\n');
    // The B1-B5 block keeps its original markers; the others follow it, each between markers of its own.
    const tag = section === 'main' ? mode : `${mode}:${section}`;
    const [begin, end] = [`<!-- bench:${tag}:begin -->`, `<!-- bench:${tag}:end -->`];
    const block = `${begin}\n${text}\n${end}`;
    const previous = SECTIONS.slice(0, SECTIONS.indexOf(section))
      .map((earlier) => `<!-- bench:${earlier === 'main' ? mode : `${mode}:${earlier}`}:end -->`)
      .filter((marker) => doc.includes(marker))
      .at(-1);
    if (doc.includes(begin) && doc.includes(end)) doc = doc.slice(0, doc.indexOf(begin)) + block + doc.slice(doc.indexOf(end) + end.length);
    else if (previous) doc = doc.slice(0, doc.indexOf(previous) + previous.length) + `\n\n${block}` + doc.slice(doc.indexOf(previous) + previous.length);
    else doc = doc.trimEnd() + `\n\n## Results (${quick ? '`npm run bench -- --quick`' : '`npm run bench`'})\n\n${block}\n`;
  }
  writeFileSync(file, doc);
  const failed = Object.entries(results).filter(([, r]) => r?.error);
  if (failed.length) process.exitCode = 1;
}

main().catch((error) => {
  process.stderr.write(`${error?.stack ?? error}\n`);
  process.exit(1);
});
