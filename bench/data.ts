import { randomUUID } from 'node:crypto';
import { ReferencePlace } from 'nestjs-references';
import type { Bench } from './boot.js';
import { Artwork, artworkBody, DESCRIPTION, Term } from './entities.js';

export const log = (message: string) => process.stderr.write(`  [${process.argv[2]}] ${message}\n`);

export async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await work();
  return { ms: performance.now() - start, value };
}

export async function createTerm(bench: Bench, title: string): Promise<Term> {
  const repository = bench.dataSource.getRepository(Term);
  return repository.save(repository.create({ metadata: { title, scheme: 'style-periods' } }));
}

/**
 * Inserts `n` artworks (about 1 KB each) that each inline `copy` where `place` puts it (`stylePeriod` by
 * default), straight into the table (no index rows).
 */
export async function insertArtworks(
  bench: Bench,
  n: number,
  copy: object,
  place: (copy: object) => Record<string, unknown> = (c) => ({ stylePeriod: c }),
): Promise<void> {
  const references = place(copy);
  const chunk = bench.kind === 'postgres' ? 100_000 : 2_000;
  for (let from = 1; from <= n; from += chunk) {
    const to = Math.min(n, from + chunk - 1);
    if (bench.kind === 'postgres') {
      await bench.dataSource.query(
        `INSERT INTO artwork (metadata)
         SELECT jsonb_build_object('title', 'Artwork ' || i, 'inventoryNumber', 'INV-' || i, 'description', $1::text,
                'dimensions', jsonb_build_object('height', i % 300, 'width', i % 200, 'unit', 'cm'),
                'tags', '["oil","canvas","portrait"]'::jsonb) || $2::jsonb
         FROM generate_series($3::int, $4::int) AS i`,
        [DESCRIPTION, JSON.stringify(references), from, to],
      );
    } else {
      const rows = [];
      for (let i = from; i <= to; i++) rows.push([randomUUID(), JSON.stringify({ ...artworkBody(i), ...references })]);
      await bench.dataSource.query(
        `INSERT INTO artwork (id, metadata) SELECT value ->> '$[0]', value ->> '$[1]' FROM json_each(?)`,
        [JSON.stringify(rows)],
      );
    }
    if (n >= 200_000) log(`inserted ${to} artworks`);
  }
}

/** The index rows `synchronize()` would write for those artworks, inserted directly (for the 1M-row runs). */
export async function insertIndexRows(bench: Bench, reference: string, uuid: string): Promise<void> {
  await bench.dataSource.query(
    `INSERT INTO reference_index (referrer_type, referrer_id, reference, reference_uuid, inline, path, on_delete)
     SELECT 'artworks', id::text, $1, $2, true, 'stylePeriod', 'keep' FROM artwork`,
    [reference, uuid],
  );
  await recordPlace(bench, 'terms', 'artworks', 'stylePeriod');
}

/**
 * What the library records beside the index rows it writes itself (`reference_place`: the fields that hold
 * references to a type), for index rows the bench writes with SQL: without it a change compares no field.
 */
export async function recordPlace(bench: Bench, targetType: string, referrerType: string, path: string): Promise<void> {
  await bench.dataSource.getRepository(ReferencePlace).createQueryBuilder().insert().values({ targetType, referrerType, path }).orIgnore().execute();
}

export async function vacuum(bench: Bench): Promise<void> {
  if (bench.kind === 'postgres') await bench.dataSource.query('VACUUM ANALYZE artwork, reference_index, term');
  else await bench.dataSource.query('ANALYZE');
}

/** How many artworks hold a copy with this title at `path` of their metadata (keys and list positions). */
export async function countWithTitle(bench: Bench, title: string, path: Array<string | number> = ['stylePeriod']): Promise<number> {
  const steps = [...path, 'title'];
  const sql =
    bench.kind === 'postgres'
      ? `SELECT count(*)::int AS n FROM artwork WHERE metadata #>> '{${steps.join(',')}}' = $1`
      : `SELECT count(*) AS n FROM artwork WHERE json_extract(metadata, '$${steps.map((s) => (typeof s === 'number' ? `[${s}]` : `.${s}`)).join('')}') = ?`;
  return Number((await bench.dataSource.query(sql, [title]))[0].n);
}

/**
 * L, the floor of a fan-out: one set-based `UPDATE … FROM reference_index` that writes the copy (`$1`) at its
 * path in every artwork that inlines the reference (`$2`), as a hand-written app would.
 */
export function limitSql(kind: Bench['kind']): string {
  return kind === 'postgres'
    ? `UPDATE artwork AS a SET metadata = jsonb_set(a.metadata, ARRAY[ri.path], $1::jsonb)
           FROM reference_index AS ri WHERE ri.reference = $2 AND ri.inline AND a.id = ri.referrer_id::uuid`
    : `UPDATE artwork SET metadata = json_set(metadata, '$.' || ri.path, json(?))
           FROM reference_index AS ri WHERE ri.reference = ? AND ri.inline AND artwork.id = ri.referrer_id`;
}

/**
 * B1's alternation, `rounds` times: L (`limitSql`, writing `copyOf(title, term)` as the copy) against the library's
 * `save()` of `term` under a new title, a VACUUM after each; either must update all `n` copies at `path`.
 * Gives both series of times and the term as last saved.
 */
export async function titleRounds(
  bench: Bench,
  options: { label: string; term: Term; url: string; n: number; rounds: number; copyOf: (title: string, term: Term) => object; path?: Array<string | number> },
): Promise<{ term: Term; limitMs: number[]; libraryMs: number[] }> {
  const { label, url, n, path } = options;
  const terms = bench.dataSource.getRepository(Term);
  let term = options.term;
  const limitMs: number[] = [];
  const libraryMs: number[] = [];
  for (let round = 1; round <= options.rounds; round++) {
    const lTitle = `Baroque L${round}`;
    const limit = await timed(() => bench.dataSource.query(limitSql(bench.kind), [JSON.stringify(options.copyOf(lTitle, term)), url]));
    const lCount = await countWithTitle(bench, lTitle, path);
    if (lCount !== n) throw new Error(`${label}: L updated ${lCount} of ${n}`);
    limitMs.push(limit.ms);
    await vacuum(bench);

    const sTitle = `Baroque S${round}`;
    term.metadata = { ...term.metadata, title: sTitle };
    const library = await timed(() => terms.save(term));
    term = library.value;
    const sCount = await countWithTitle(bench, sTitle, path);
    if (sCount !== n) throw new Error(`${label}: the library updated ${sCount} of ${n}`);
    libraryMs.push(library.ms);
    await vacuum(bench);
    log(`${label} round ${round}: L ${limit.ms.toFixed(0)} ms, library ${library.ms.toFixed(0)} ms`);
  }
  return { term, limitMs, libraryMs };
}

/**
 * B4's fan-out: a term that `n` artworks inline (each with its index row, vacuumed) is given `title` and
 * saved by `save`, under `peaksDuring(intervalMs)`; every copy must then hold the title.
 */
export async function sampledFanout(bench: Bench, n: number, title: string, intervalMs: number, save: (term: Term) => Promise<unknown>) {
  const term = await createTerm(bench, 'Baroque v0');
  await insertArtworks(bench, n, bench.references.representationOf(term));
  await insertIndexRows(bench, bench.references.canonicalUrl(term), term.id);
  await vacuum(bench);
  log(`B4: ${n} artworks and index rows ready`);
  term.metadata = { ...term.metadata, title };
  const fan = await peaksDuring(intervalMs, () => save(term));
  const done = await countWithTitle(bench, title);
  if (done !== n) throw new Error(`updated ${done} of ${n}`);
  return { ...fan, term };
}

/**
 * Runs `work` (timed) after a GC, sampling this process's RSS and heap every `intervalMs` and once at the end:
 * the usage before and the peaks.
 */
async function peaksDuring<T>(intervalMs: number, work: () => Promise<T>) {
  global.gc?.();
  const before = process.memoryUsage();
  let peakRss = before.rss;
  let peakHeap = before.heapUsed;
  const sample = () => {
    const usage = process.memoryUsage();
    peakRss = Math.max(peakRss, usage.rss);
    peakHeap = Math.max(peakHeap, usage.heapUsed);
  };
  const sampler = setInterval(sample, intervalMs);
  const result = await timed(work).finally(() => clearInterval(sampler));
  sample();
  return { ...result, before, peakRss, peakHeap };
}

export async function count(bench: Bench, table: string): Promise<number> {
  return Number((await bench.dataSource.query(`SELECT count(*) AS n FROM ${table}`))[0].n);
}

/** Runs `work` with the library's subscriber detached: the same entities and connection, without the module. */
export async function withoutModule<T>(bench: Bench, work: () => Promise<T>): Promise<T> {
  const detached = bench.dataSource.subscribers.splice(0);
  try {
    return await work();
  } finally {
    bench.dataSource.subscribers.push(...detached);
  }
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)];
}

export { Artwork, Term };
