/**
 * One benchmark task per process (so that memory and state never leak from one to the next):
 * `node bench/dist/tasks.js <task> '<json args>'`. Progress goes to stderr, the result is the last
 * stdout line, `RESULT {json}`.
 */
import { createHash } from 'node:crypto';
import { boot, CapturingLogger, type Bench, type Kind } from './boot.js';
import { emptyQueue, queueWorker, startChild, stopChild, type Child } from './children.js';
import { compare } from './compare.js';
import { conditional } from './conditional.js';
import { nestedFanout } from './nested-fanout.js';
import { consistency, consistencyLoad } from './consistency.js';
import { paging } from './paging.js';
import { explorerView } from './explorer.js';
import { Artwork, artworkBody, BASE_URL, Term } from './entities.js';
import {
  count,
  countWithTitle,
  createTerm,
  insertArtworks,
  log,
  percentile,
  sampledFanout,
  timed,
  titleRounds,
  vacuum,
  withoutModule,
} from './data.js';

interface FanoutArgs {
  kind: Kind;
  n: number;
  naive: number;
  rounds: number;
  queueWorkers: number[];
  /** The workers' batchSize (the library's default in queue mode when unset). */
  queueBatchSize?: number;
  sqliteFile?: string;
}

/** B1 (fan-out: library vs L vs N) and B5 (synchronize vs plain scan) on the same data. */
async function fanout(args: FanoutArgs) {
  const bench = await boot(args.kind, { fresh: true, sqliteFile: args.sqliteFile });
  const result: Record<string, any> = { kind: args.kind, n: args.n };
  try {
    const artworks = bench.dataSource.getRepository(Artwork);
    let term = await createTerm(bench, 'Baroque v0');
    const url = bench.references.canonicalUrl(term);
    await insertArtworks(bench, args.n, bench.references.representationOf(term));
    await vacuum(bench);
    const sample = await artworks.findOneByOrFail({});
    result.documentBytes = Buffer.byteLength(JSON.stringify(sample.metadata));
    log(`${args.n} artworks inserted (${result.documentBytes} B of metadata each)`);

    // B5: a plain keyset scan of the table (what synchronize() must read) against synchronize({ clear: true }).
    const scan = await timed(async () => {
      let rows = 0;
      let last: string | undefined;
      for (;;) {
        const query = artworks.createQueryBuilder('r').orderBy('r.id', 'ASC').take(1000);
        if (last !== undefined) query.where('r.id > :last', { last });
        const batch = await query.getMany();
        if (!batch.length) break;
        rows += batch.length;
        last = batch.at(-1)!.id;
      }
      return rows;
    });
    const rawScan = await timed(async () => (await bench.dataSource.query('SELECT id, metadata FROM artwork')).length);
    const sync = await timed(() => bench.maintenance.synchronize({ clear: true }));
    const indexRows = await count(bench, 'reference_index');
    if (sync.value.records !== args.n + 1 || indexRows !== args.n) {
      throw new Error(`synchronize: ${JSON.stringify(sync.value)}, ${indexRows} index rows, expected ${args.n}`);
    }
    result.b5 = { records: sync.value.records, scanMs: scan.ms, rawScanMs: rawScan.ms, synchronizeMs: sync.ms };
    log(`B5 scan ${scan.ms.toFixed(0)} ms, raw scan ${rawScan.ms.toFixed(0)} ms, synchronize ${sync.ms.toFixed(0)} ms`);
    await vacuum(bench);

    // B1: alternate L and the library, VACUUM between runs, same data.
    // NOTE: representationOf() needs an entity instance: build one with the new title.
    const copyOf = (title: string, current: Term) => bench.references.representationOf(Object.assign(new Term(), current, { metadata: { ...current.metadata, title } }));
    const rounds = await titleRounds(bench, { label: 'B1', term, url, n: args.n, rounds: args.rounds, copyOf });
    ({ term } = rounds);
    result.limitMs = rounds.limitMs;
    result.libraryMs = rounds.libraryMs;

    // N: the loop a user writes by hand, without the module: load, change, save, one referrer at a time.
    const nTitle = 'Baroque N';
    const nCopy = bench.references.representationOf(Object.assign(new Term(), term, { metadata: { ...term.metadata, title: nTitle } }));
    const naive = await withoutModule(bench, () =>
      timed(async () => {
        const rows: Array<{ referrer_id: string }> = await bench.dataSource.query(
          `SELECT referrer_id FROM reference_index WHERE reference = ${args.kind === 'postgres' ? '$1' : '?'} ORDER BY id LIMIT ${args.naive}`,
          [url],
        );
        for (const row of rows) {
          const artwork = await artworks.findOneByOrFail({ id: row.referrer_id });
          artwork.metadata = { ...artwork.metadata, stylePeriod: nCopy };
          await artworks.save(artwork);
        }
      }),
    );
    const nCount = await countWithTitle(bench, nTitle);
    if (nCount !== args.naive) throw new Error(`the naive loop updated ${nCount} of ${args.naive}`);
    result.naive = { count: args.naive, ms: naive.ms };
    log(`N: ${args.naive} in ${naive.ms.toFixed(0)} ms`);
    await vacuum(bench);

    // B1 nested: the copy three levels deep inside an array, against the top-level copy, in alternation.
    // NOTE: three rounds at least: the ratio is the best of each, and two rounds on a loaded machine moved it by 0.3.
    result.nested = await nestedFanout(bench, args.n, Math.max(3, args.rounds), term);

    result.queue = [];
    for (const workers of args.queueWorkers) result.queue.push(await queueRun(args, workers, Math.min(...result.libraryMs), term.id));
  } finally {
    await bench.close();
  }
  return result;
}

/** B1 in queue mode: a writer that only dispatches, and `workers` worker processes; the term `termId` is renamed. */
async function queueRun(args: FanoutArgs, workers: number, syncMs: number, termId: string) {
  const children: Array<Child<{ readyRss: number; peakRss: number }>> = [];
  let writer: Bench | undefined;
  let result: Record<string, any>;
  try {
    await emptyQueue();
    writer = await boot(args.kind, {
      fresh: false,
      sqliteFile: args.sqliteFile,
      references: { propagation: 'queue', queue: { worker: false } } as any,
    });
    for (let i = 0; i < workers; i++) children.push(await startChild('queue-worker', { kind: args.kind, sqliteFile: args.sqliteFile, batchSize: args.queueBatchSize }));
    const terms = writer.dataSource.getRepository(Term);
    // NOTE: by id: B1's table also holds the term of the nested run, which the top-level artworks do not copy.
    const term = await terms.findOneByOrFail({ id: termId });
    const title = `Baroque Q${workers}`;
    term.metadata = { ...term.metadata, title };
    const start = performance.now();
    await terms.save(term);
    const committedMs = performance.now() - start;
    const atCommit = await countWithTitle(writer, title);
    if (atCommit === args.n) {
      result = { workers, available: false, reason: "propagation: 'queue' still refreshes every referrer inside save() (no outbox, no workers)" };
    } else {
      const deadline = start + Math.max(120_000, 20 * syncMs);
      for (;;) {
        // NOTE: the outbox says when the workers are done (an indexed read); the copies are counted (a scan of
        // the table, which would compete with the workers) only then.
        const status = await writer.references.status();
        const done = status.pending + status.running === 0 ? await countWithTitle(writer, title) : 0;
        if (done === args.n) {
          result = { workers, available: true, ms: performance.now() - start, committedMs };
          break;
        }
        if (performance.now() > deadline) {
          result = { workers, available: false, reason: `${done} of ${args.n} updated after ${((performance.now() - start) / 1000).toFixed(0)} s` };
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
  } catch (error) {
    result = { workers, available: false, reason: `queue mode failed: ${(error as Error).message.split('\n')[0]}` };
  } finally {
    await writer?.close().catch(() => undefined);
  }
  const reports = await Promise.all(children.map(stopChild));
  const found = reports.filter((r): r is { readyRss: number; peakRss: number } => r !== undefined);
  if (found.length) {
    Object.assign(result, { workerPeakRss: Math.max(...found.map((r) => r.peakRss)), workerReadyRss: Math.max(...found.map((r) => r.readyRss)) });
  }
  return result;
}

/** Artworks per save() in B2's batched row. */
const WRITE_BATCH = 100;

/**
 * How long `write(k)` takes with the module and without it, after a warm-up of `warmUp` each way: timed
 * A B B A, so that a table that grows or a cache that warms favours neither side.
 */
async function withAndWithout(bench: Bench, write: (k: number) => Promise<void>, warmUp: number, k: number) {
  await write(warmUp);
  await withoutModule(bench, () => write(warmUp));
  let moduleMs = (await timed(() => write(k))).ms;
  let plainMs = (await timed(() => withoutModule(bench, () => write(k)))).ms;
  plainMs += (await timed(() => withoutModule(bench, () => write(k)))).ms;
  moduleMs += (await timed(() => write(k))).ms;
  return { moduleMs, plainMs };
}

/**
 * B2: inserting artworks with 10 references each (5 inline, 5 links), with and without the module: one
 * save() each, then save([100 artworks]) in one transaction each.
 */
async function writes(args: { kind: Kind; n: number; sqliteFile?: string }) {
  const bench = await boot(args.kind, { fresh: true, sqliteFile: args.sqliteFile });
  try {
    const targets: Term[] = [];
    for (let i = 0; i < 10; i++) targets.push(await createTerm(bench, `Term ${i}`));
    const copies = targets.map((t) => bench.references.representationOf(t));
    const urls = targets.map((t) => bench.references.canonicalUrl(t));
    const metadata = (i: number) => ({
      ...artworkBody(i),
      stylePeriod: copies[0],
      subjects: copies.slice(1, 5),
      related: urls.slice(5, 10),
    });
    const artworks = bench.dataSource.getRepository(Artwork);
    let i = 0;
    const insert = async (k: number) => {
      for (let j = 0; j < k; j++) await artworks.save(artworks.create({ metadata: metadata(i++) as any }));
    };
    const quarter = Math.ceil(args.n / 4);
    const { moduleMs, plainMs } = await withAndWithout(bench, insert, 50, quarter);
    // The same artworks written as save([100 artworks]), one transaction each.
    const insertBatches = (k: number) =>
      (async () => {
        for (let done = 0; done < k; done += WRITE_BATCH) {
          const size = Math.min(WRITE_BATCH, k - done);
          await bench.dataSource.transaction((manager) => {
            const repository = manager.getRepository(Artwork);
            return repository.save(Array.from({ length: size }, () => repository.create({ metadata: metadata(i++) as any })));
          });
        }
      })();
    const { moduleMs: batchModuleMs, plainMs: batchPlainMs } = await withAndWithout(bench, insertBatches, WRITE_BATCH, quarter);
    const indexRows = await count(bench, 'reference_index');
    const expected = (50 + 2 * quarter + WRITE_BATCH + 2 * quarter) * 10;
    if (indexRows !== expected) throw new Error(`index rows ${indexRows}, expected ${expected}`);
    log(`B2 module ${moduleMs.toFixed(0)} ms, plain ${plainMs.toFixed(0)} ms for ${2 * quarter} each; batches ${batchModuleMs.toFixed(0)} / ${batchPlainMs.toFixed(0)} ms`);
    return { kind: args.kind, n: 2 * quarter, moduleMs, plainMs, batch: WRITE_BATCH, batchModuleMs, batchPlainMs };
  } finally {
    await bench.close();
  }
}

const uuidOf = (i: number) => {
  const h = createHash('md5').update(String(i)).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};

/** B3: getReferrers() on an index of `rows` rows (10 referrers per reference). */
async function lookups(args: { rows: number; queries: number }) {
  const logger = new CapturingLogger();
  const bench = await boot('postgres', { fresh: true, logger });
  try {
    const distinct = Math.floor(args.rows / 10);
    await bench.dataSource.query(
      `INSERT INTO reference_index (referrer_type, referrer_id, reference, reference_uuid, inline, path, on_delete)
       SELECT 'artworks', md5('a' || i)::uuid::text, $2 || md5((i % $3)::text)::uuid::text, md5((i % $3)::text)::uuid::text,
              i % 2 = 0, CASE WHEN i % 2 = 0 THEN 'stylePeriod' ELSE 'related[0]' END, 'keep'
       FROM generate_series(1, $1::int) AS i`,
      [args.rows, `${BASE_URL}/terms/`, distinct],
    );
    await bench.dataSource.query('VACUUM ANALYZE reference_index');
    const random = () => Math.floor(Math.random() * distinct);
    const hex = () => Math.floor(Math.random() * 256).toString(16).padStart(2, '0');
    const exact = () => bench.references.getReferrers(`${BASE_URL}/terms/${uuidOf(random())}`);
    const prefix = () => bench.references.getReferrers(`${BASE_URL}/terms/${hex()}`, { match: 'prefix', limit: 100 });
    for (let i = 0; i < 300; i++) {
      await exact();
      await prefix();
    }
    const stats = (times: number[], rows: number) => {
      times.sort((a, b) => a - b);
      return { p50: percentile(times, 0.5), p99: percentile(times, 0.99), max: times.at(-1)!, rowsPerQuery: rows / args.queries };
    };
    // Two ways to the same answer, timed in alternation so that neither gets the quieter moments.
    const measurePair = async (first: () => Promise<unknown[]>, second: () => Promise<unknown[]>) => {
      const times: [number[], number[]] = [[], []];
      const rows = [0, 0];
      for (let i = 0; i < args.queries; i++) {
        for (const [k, query] of [first, second].entries()) {
          const start = performance.now();
          rows[k] += (await query()).length;
          times[k].push(performance.now() - start);
        }
      }
      return [stats(times[0], rows[0]), stats(times[1], rows[1])] as const;
    };
    const plan = async (query: () => Promise<unknown>) => {
      logger.queries = [];
      logger.capturing = true;
      await query();
      logger.capturing = false;
      const statement = logger.queries.find((q) => q.query.includes('reference_index'))!;
      const lines: Array<{ 'QUERY PLAN': string }> = await bench.dataSource.query(
        `EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${statement.query}`,
        statement.parameters,
      );
      return { sql: statement.query, parameters: statement.parameters as unknown[], plan: lines.map((l) => l['QUERY PLAN']).join('\n') };
    };
    // The captured parameters with the looked-up URL swapped for another (whatever shape the library's SQL has).
    const swap = (parameters: unknown[], from: string, to: string) =>
      parameters.map((v) => (typeof v === 'string' ? v.split(from).join(to) : v));
    // The same statements without the service around them: what the database and the driver cost.
    const exactUrl = `${BASE_URL}/terms/${uuidOf(0)}`;
    const prefixUrl = `${BASE_URL}/terms/00`;
    const exactPlan = await plan(() => bench.references.getReferrers(exactUrl));
    const prefixPlan = await plan(() => bench.references.getReferrers(prefixUrl, { match: 'prefix', limit: 100 }));
    const [exactTimes, rawExact] = await measurePair(exact, () =>
      bench.dataSource.query(exactPlan.sql, swap(exactPlan.parameters, exactUrl, `${BASE_URL}/terms/${uuidOf(random())}`)),
    );
    const [prefixTimes, rawPrefix] = await measurePair(prefix, () =>
      bench.dataSource.query(prefixPlan.sql, swap(prefixPlan.parameters, prefixUrl, `${BASE_URL}/terms/${hex()}`)),
    );
    log(`B3 exact p99 ${exactTimes.p99.toFixed(2)} ms (raw ${rawExact.p99.toFixed(2)}), prefix p99 ${prefixTimes.p99.toFixed(2)} ms (raw ${rawPrefix.p99.toFixed(2)})`);
    return {
      rawExact,
      rawPrefix,
      rows: await count(bench, 'reference_index'),
      queries: args.queries,
      exact: exactTimes,
      prefix: prefixTimes,
      exactPlan,
      prefixPlan,
      broadPrefixPlan: await plan(() => bench.references.getReferrers(`${BASE_URL}/terms/`, { match: 'prefix', limit: 100 })),
    };
  } finally {
    await bench.close();
  }
}

/** B4: peak RSS of the writer process during a sync fan-out to `n` referrers. */
async function memory(args: { n: number }) {
  const bench = await boot('postgres', { fresh: true });
  try {
    const fan = await sampledFanout(bench, args.n, 'Baroque M', 20, (term) => bench.dataSource.getRepository(Term).save(term));
    const { term, peakHeap } = fan;
    const baseline = fan.before.rss;
    const peak = Math.max(fan.peakRss, process.resourceUsage().maxRSS * 1024);
    log(`B4: ${fan.ms.toFixed(0)} ms, peak RSS ${(peak / 2 ** 20).toFixed(0)} MB (baseline ${(baseline / 2 ** 20).toFixed(0)} MB)`);
    await vacuum(bench);
    const queue = await queueRun({ kind: 'postgres', n: args.n, naive: 0, rounds: 0, queueWorkers: [1] }, 1, fan.ms, term.id);
    log(`B4 queue: ${JSON.stringify(queue)}`);
    return { n: args.n, ms: fan.ms, baselineRss: baseline, peakRss: peak, peakHeap, queue };
  } finally {
    await bench.close();
  }
}

/**
 * B4, no listener: the growth of the heap and of the RSS of the writer during a sync fan-out to `n` referrers
 * when nobody listens for the changed referrers (no event emitter, no indexer: the bench app has neither). The
 * changed ids are then not kept, so the growth does not depend on `n`.
 */
async function memoryQuiet(args: { n: number }) {
  const bench = await boot('postgres', { fresh: true });
  try {
    const fan = await sampledFanout(bench, args.n, 'Baroque Q', 10, (term) => bench.references.transaction((manager) => manager.save(term)));
    const { before, peakRss, peakHeap } = fan;
    const result = { n: args.n, ms: fan.ms, heapGrowth: peakHeap - before.heapUsed, rssGrowth: peakRss - before.rss };
    log(`B4 no listener: ${JSON.stringify(result)}`);
    return result;
  } finally {
    await bench.close();
  }
}

const tasks: Record<string, (args: any) => Promise<unknown>> = {
  'memory-quiet': memoryQuiet,
  fanout,
  writes,
  lookups,
  paging,
  explorer: explorerView,
  memory,
  compare,
  conditional,
  consistency,
  'consistency-load': consistencyLoad,
  'queue-worker': queueWorker,
};

const [name, json] = process.argv.slice(2);
tasks[name](JSON.parse(json ?? '{}')).then(
  (result) => {
    process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
    process.exit(0);
  },
  (error) => {
    process.stderr.write(`${name} failed: ${error?.stack ?? error}\n`);
    process.exit(1);
  },
);
