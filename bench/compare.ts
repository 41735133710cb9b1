/**
 * B6: the read path a user would otherwise pick, on the same data in the same run.
 *
 * One hierarchy of terms (period → style → sub-style) and N artworks, each with a `stylePeriod` and two
 * `subjects` (sub-styles), stored twice with the same ids:
 * - inline (the library): `artwork.metadata` holds each term's copy with its parent and grandparent;
 * - normalised: `norm_artwork` with foreign keys, `norm_artwork_subject` (ordered), `norm_term.parent_id`.
 *
 * Read: a page of 100 artworks (keyset, from a random id) and one artwork by id, each with every term
 * three levels deep, (a) from the inline copies, (b) with TypeORM `find({ relations })` (joins),
 * (c) populated on read, one batched `IN (…)` query per level with a per-request cache (what Payload's
 * `depth` or a GraphQL DataLoader does). The three run in rotation, so that none gets the quiet moments;
 * before timing, the three answers are compared title by title.
 * Write: one term change in each design (inline: `save()` and the fan-out through the library, sync mode;
 * normalised: `save()` of the term row, which is all the other designs need).
 */
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { In, MoreThan, type Repository } from 'typeorm';
import { boot, type Bench, type Kind } from './boot.js';
import { log, percentile, timed, vacuum } from './data.js';
import { Artwork, artworkBody, ArtworkJson, BASE_URL, Term } from './entities.js';
import { CreateNormalisedTables1764000000200, NormArtwork, NormArtworkSubject, NormTerm } from './normalised.entities.js';

export interface CompareArgs {
  kind: Kind;
  artworks: number;
  iterations: number;
  writeRounds: number;
  sqliteFile?: string;
}

const PERIODS = 10;
const STYLES_PER_PERIOD = 10;
const SUBSTYLES_PER_STYLE = 10;
const PAGE = 100;

/** The terms of an artwork, title by title, three levels deep: what every design must answer alike. */
type Summary = string[];

interface Design {
  list(after: string): Promise<Summary>;
  get(id: string): Promise<Summary>;
}

const chain = (term: Record<string, any> | null | undefined): string =>
  term ? [term.title, term.parent?.title, term.parent?.parent?.title].join(' > ') : '-';

const summariseInline = (artwork: Artwork) =>
  `${artwork.metadata.title} | ${chain(artwork.metadata.stylePeriod as any)} | ${(artwork.metadata.subjects ?? []).map(chain).join(' ; ')}`;

const summariseNormalised = (artwork: NormArtwork) =>
  `${artwork.title} | ${chain(artwork.stylePeriod)} | ${(artwork.subjects ?? []).map((s) => chain(s.term)).join(' ; ')}`;

/** (a) the library's design: one read of the artworks' JSON (a `jsonb` column, or a `json` one). */
function inlineDesign(artworks: Repository<Artwork | ArtworkJson>): Design {
  return {
    list: async (after) =>
      (await artworks.find({ where: { id: MoreThan(after) }, order: { id: 'ASC' }, take: PAGE })).map(summariseInline),
    get: async (id) => [summariseInline(await artworks.findOneByOrFail({ id }))],
  };
}

/**
 * (b) normalised entities, relations loaded by joins. The subjects are put in order in JavaScript: ordering
 * by `subjects.position` in `find()` makes TypeORM's page of ids count an artwork once per subject
 * (`take: 100` then answers 50 artworks).
 */
function joinDesign(artworks: Repository<NormArtwork>): Design {
  const relations = { stylePeriod: { parent: { parent: true } }, subjects: { term: { parent: { parent: true } } } };
  const ordered = (artwork: NormArtwork) => {
    artwork.subjects?.sort((x, y) => x.position - y.position);
    return summariseNormalised(artwork);
  };
  return {
    list: async (after) => (await artworks.find({ where: { id: MoreThan(after) }, order: { id: 'ASC' }, take: PAGE, relations })).map(ordered),
    get: async (id) => [ordered((await artworks.findOne({ where: { id }, relations }))!)],
  };
}

/** (c) populate on read: the rows, then one batched query per level, each term loaded once per request. */
function populateDesign(artworks: Repository<NormArtwork>, subjects: Repository<NormArtworkSubject>, terms: Repository<NormTerm>): Design {
  const populate = async (rows: NormArtwork[]): Promise<Summary> => {
    if (!rows.length) return [];
    const links = await subjects.find({ where: { artworkId: In(rows.map((r) => r.id)) }, order: { artworkId: 'ASC', position: 'ASC' } });
    const loaded = new Map<string, NormTerm>();
    let wanted = [...rows.map((r) => r.stylePeriodId), ...links.map((l) => l.termId)];
    for (let level = 1; level <= 3; level++) {
      const missing = [...new Set(wanted.filter((id): id is string => !!id && !loaded.has(id)))];
      if (missing.length) for (const term of await terms.findBy({ id: In(missing) })) loaded.set(term.id, term);
      wanted = wanted.map((id) => (id ? (loaded.get(id)?.parentId ?? null) : null));
    }
    // Resolve the foreign keys into the same object graph the joins give.
    const resolve = (id: string | null): NormTerm | null => {
      const term = id ? loaded.get(id) : undefined;
      return term ? { ...term, parent: resolve(term.parentId) } : null;
    };
    const byArtwork = new Map<string, NormArtworkSubject[]>();
    for (const link of links) byArtwork.set(link.artworkId, [...(byArtwork.get(link.artworkId) ?? []), { ...link, term: resolve(link.termId)! }]);
    return rows.map((row) =>
      summariseNormalised({ ...row, stylePeriod: resolve(row.stylePeriodId), subjects: byArtwork.get(row.id) ?? [] }),
    );
  };
  return {
    list: async (after) => populate(await artworks.find({ where: { id: MoreThan(after) }, order: { id: 'ASC' }, take: PAGE })),
    get: async (id) => populate([await artworks.findOneByOrFail({ id })]),
  };
}

/** Creates the hierarchy through the library (so each term holds its parents' copies) and its normalised twin. */
async function createTerms(bench: Bench) {
  const terms = bench.dataSource.getRepository(Term);
  const normTerms = bench.dataSource.getRepository(NormTerm);
  const all: Term[] = [];
  const add = async (metadata: Record<string, unknown>, parent?: Term) => {
    const term = await terms.save(
      terms.create({ metadata: { ...metadata, scheme: 'style-periods', ...(parent && { parent: { links: { self: bench.references.canonicalUrl(parent) } } }) } as any }),
    );
    all.push(term);
    await normTerms.insert({
      id: term.id,
      title: term.metadata.title,
      slug: metadata.slug as string,
      scheme: 'style-periods',
      level: metadata.level as number,
      startYear: (metadata.startYear as number) ?? null,
      parentId: parent?.id ?? null,
    });
    return term;
  };
  const leaves: Term[] = [];
  const roots: Term[] = [];
  for (let p = 0; p < PERIODS; p++) {
    const period = await add({ title: `Period ${p}`, slug: `period-${p}`, level: 1, startYear: 1300 + 100 * p });
    roots.push(period);
    for (let s = 0; s < STYLES_PER_PERIOD; s++) {
      const style = await add({ title: `Style ${p}.${s}`, slug: `style-${p}-${s}`, level: 2, startYear: 1300 + 100 * p + 20 * s }, period);
      for (let u = 0; u < SUBSTYLES_PER_STYLE; u++) {
        leaves.push(await add({ title: `Sub-style ${p}.${s}.${u}`, slug: `sub-style-${p}-${s}-${u}`, level: 3 }, style));
      }
    }
  }
  return { all, leaves, roots };
}

/** Which leaves artwork i names: its style period and two subjects. */
const leavesOf = (i: number, leaves: number) => ({ stylePeriod: i % leaves, subjects: [(i * 7 + 3) % leaves, (i * 13 + 5) % leaves] });

async function insertInlineArtworks(bench: Bench, n: number, copies: object[]) {
  const chunk = 2_000;
  for (let from = 1; from < n; from += chunk) {
    const rows: Array<[string, object]> = [];
    for (let i = from; i < Math.min(n, from + chunk); i++) {
      const { stylePeriod, subjects } = leavesOf(i, copies.length);
      rows.push([randomUUID(), { ...artworkBody(i), stylePeriod: copies[stylePeriod], subjects: subjects.map((k) => copies[k]) }]);
    }
    await bench.dataSource.query(
      bench.kind === 'postgres'
        ? `INSERT INTO artwork (id, metadata) SELECT (x ->> 0)::uuid, x -> 1 FROM jsonb_array_elements($1::jsonb) AS x`
        : `INSERT INTO artwork (id, metadata) SELECT value ->> '$[0]', value ->> '$[1]' FROM json_each(?)`,
      [JSON.stringify(rows)],
    );
  }
}

/** The normalised twin of every artwork, from the inline rows (same ids, same body, same terms). */
async function copyToNormalised(bench: Bench) {
  if (bench.kind === 'postgres') {
    await bench.dataSource.query(
      `INSERT INTO norm_artwork (id, title, inventory_number, description, height, width, unit, tags, style_period_id)
       SELECT id, metadata ->> 'title', metadata ->> 'inventoryNumber', metadata ->> 'description',
              (metadata #>> '{dimensions,height}')::int, (metadata #>> '{dimensions,width}')::int, metadata #>> '{dimensions,unit}',
              (SELECT string_agg(t, ',') FROM jsonb_array_elements_text(metadata -> 'tags') AS t), (metadata #>> '{stylePeriod,id}')::uuid
       FROM artwork`,
    );
    await bench.dataSource.query(
      `INSERT INTO norm_artwork_subject (artwork_id, position, term_id)
       SELECT a.id, s.ord - 1, (s.value ->> 'id')::uuid FROM artwork AS a, jsonb_array_elements(a.metadata -> 'subjects') WITH ORDINALITY AS s(value, ord)`,
    );
  } else {
    await bench.dataSource.query(
      `INSERT INTO norm_artwork (id, title, inventory_number, description, height, width, unit, tags, style_period_id)
       SELECT id, json_extract(metadata, '$.title'), json_extract(metadata, '$.inventoryNumber'), json_extract(metadata, '$.description'),
              json_extract(metadata, '$.dimensions.height'), json_extract(metadata, '$.dimensions.width'), json_extract(metadata, '$.dimensions.unit'),
              (SELECT group_concat(value, ',') FROM json_each(metadata, '$.tags')), json_extract(metadata, '$.stylePeriod.id')
       FROM artwork`,
    );
    await bench.dataSource.query(
      `INSERT INTO norm_artwork_subject (artwork_id, position, term_id)
       SELECT a.id, s.key, json_extract(s.value, '$.id') FROM artwork AS a, json_each(a.metadata, '$.subjects') AS s`,
    );
  }
}

interface Stats {
  p50: number;
  p99: number;
  mean: number;
}

const stats = (times: number[]): Stats => {
  const sorted = [...times].sort((a, b) => a - b);
  return { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), mean: sorted.reduce((s, t) => s + t, 0) / sorted.length };
};

export async function compare(args: CompareArgs) {
  const bench = await boot(args.kind, {
    fresh: true,
    sqliteFile: args.sqliteFile,
    extra: {
      entities: [NormTerm, NormArtwork, NormArtworkSubject, ...(args.kind === 'postgres' ? [ArtworkJson] : [])],
      migrations: [CreateNormalisedTables1764000000200],
    },
  });
  try {
    const artworks = bench.dataSource.getRepository(Artwork);
    const normArtworks = bench.dataSource.getRepository(NormArtwork);
    const { all, leaves, roots } = await createTerms(bench);

    // Artwork 0 through the library: the copies it stores are the ones the bulk insert below writes.
    const first = leavesOf(0, leaves.length);
    const link = (k: number) => ({ links: { self: bench.references.canonicalUrl(leaves[k]) } });
    const saved = await artworks.save(
      artworks.create({ metadata: { ...artworkBody(0), stylePeriod: link(first.stylePeriod), subjects: first.subjects.map(link) } as any }),
    );
    const copies = leaves.map((leaf) => bench.references.representationOf(leaf));
    if (!isDeepStrictEqual(saved.metadata.stylePeriod, copies[first.stylePeriod])) {
      throw new Error(`the library's copy differs from the term's representation: ${JSON.stringify(saved.metadata.stylePeriod)}`);
    }
    if (!(saved.metadata.stylePeriod as any).parent?.parent?.title) throw new Error('the copy does not hold three levels of terms');
    await insertInlineArtworks(bench, args.artworks, copies);
    await bench.maintenance.synchronize({ clear: true });
    const report = await bench.maintenance.verify();
    if (!report.ok) throw new Error(`verify: ${report.missing.length} missing, ${report.extra.length} extra, ${report.stale.length} stale, ${report.dangling.length} dangling`);
    await copyToNormalised(bench);
    await vacuum(bench);
    if (bench.kind === 'postgres') await bench.dataSource.query('VACUUM ANALYZE norm_artwork, norm_artwork_subject, norm_term');
    const documentBytes = Number(
      (
        await bench.dataSource.query(
          bench.kind === 'postgres' ? 'SELECT avg(length(metadata::text)) AS n FROM artwork' : 'SELECT avg(length(json(metadata))) AS n FROM artwork',
        )
      )[0].n,
    );
    log(`B6 ${args.kind}: ${all.length} terms, ${args.artworks} artworks (${documentBytes.toFixed(0)} B of JSON each), verify ok`);

    if (bench.kind === 'postgres') {
      // The same documents in a `json` column (text as written): what a page costs without jsonb's conversion to text.
      await bench.dataSource.query('CREATE TABLE artwork_json AS SELECT id, metadata::json AS metadata FROM artwork');
      await bench.dataSource.query('ALTER TABLE artwork_json ADD PRIMARY KEY (id)');
      await bench.dataSource.query('VACUUM ANALYZE artwork_json');
    }
    const designs: Partial<Record<'inline' | 'inlineJson' | 'joins' | 'populate', Design>> = {
      inline: inlineDesign(artworks),
      ...(bench.kind === 'postgres' && { inlineJson: inlineDesign(bench.dataSource.getRepository(ArtworkJson)) }),
      joins: joinDesign(normArtworks),
      populate: populateDesign(normArtworks, bench.dataSource.getRepository(NormArtworkSubject), bench.dataSource.getRepository(NormTerm)),
    };
    const names = Object.keys(designs) as Array<keyof typeof designs>;
    const design = (name: keyof typeof designs) => designs[name]!;
    const ids: string[] = (await bench.dataSource.query('SELECT id FROM artwork ORDER BY id')).map((r: { id: string }) => r.id);
    const randomAfter = () => ids[Math.floor(Math.random() * (ids.length - PAGE - 1))];
    const randomId = () => ids[Math.floor(Math.random() * ids.length)];

    // The three must give the same answer, title by title, before any of them is timed.
    for (const probe of [ids[0], randomAfter()]) {
      const answers = await Promise.all(names.map((name) => design(name).list(probe)));
      const gets = await Promise.all(names.map((name) => design(name).get(probe)));
      for (const [k, name] of names.entries()) {
        if (!isDeepStrictEqual(answers[k], answers[0]) || answers[k].length !== PAGE) throw new Error(`B6 ${name} lists other content than inline: ${answers[k].length} ${answers[k][0]} / ${answers[0][0]}`);
        if (!isDeepStrictEqual(gets[k], gets[0])) throw new Error(`B6 ${name} gets other content than inline: ${gets[k]} / ${gets[0]}`);
      }
    }

    // Where (a)'s time goes: the same page through dataSource.query (no entities; pg parses the JSON,
    // better-sqlite3 hands it over as text), and on PostgreSQL the server alone turning the page's jsonb
    // into text (nothing sent back).
    const pageSql = `SELECT id, metadata FROM artwork WHERE id > ${bench.kind === 'postgres' ? '$1' : '?'} ORDER BY id LIMIT ${PAGE}`;
    const floors: Record<string, (after: string) => Promise<unknown>> = {
      raw: (after) => bench.dataSource.query(pageSql, [after]),
      ...(bench.kind === 'postgres' && {
        server: (after: string) => bench.dataSource.query(`SELECT sum(length(metadata::text)) AS n FROM (${pageSql}) AS page`, [after]),
        // What storing the documents as `json` (text kept as written) instead of `jsonb` would give this read.
        json: (after: string) => bench.dataSource.query(pageSql.replace('FROM artwork', 'FROM artwork_json'), [after]),
      }),
    };
    const floorTimes = Object.fromEntries(Object.keys(floors).map((name) => [name, [] as number[]]));

    // Timed in rotation (a b c, b c a, c a b, …), after a warm-up of each.
    const times = Object.fromEntries(names.map((name) => [name, { list: [] as number[], get: [] as number[] }]));
    const warmUp = Math.min(50, args.iterations);
    for (let i = -warmUp; i < args.iterations; i++) {
      const after = randomAfter();
      const id = randomId();
      for (let k = 0; k < names.length; k++) {
        const name = names[(i + warmUp + k) % names.length];
        const list = await timed(() => design(name).list(after));
        const get = await timed(() => design(name).get(id));
        if (i >= 0) {
          times[name].list.push(list.ms);
          times[name].get.push(get.ms);
        }
      }
      for (const [name, floor] of Object.entries(floors)) {
        const { ms } = await timed(() => floor(after));
        if (i >= 0) floorTimes[name].push(ms);
      }
    }
    const reads = Object.fromEntries(names.map((name) => [name, { list: stats(times[name].list), get: stats(times[name].get) }]));
    const floor = Object.fromEntries(Object.entries(floorTimes).map(([name, values]) => [name, stats(values)]));
    log(`B6 ${args.kind} list p50: ${names.map((n) => `${n} ${reads[n].list.p50.toFixed(2)} ms`).join(', ')}`);

    // The write side: one term change, each design, alternating; the inline one checked row by row.
    const writes = { leaf: await termChange(bench, leaves[0], args.writeRounds), root: await termChange(bench, roots[0], args.writeRounds) };
    log(`B6 ${args.kind} writes: ${JSON.stringify(writes)}`);
    return { kind: args.kind, artworks: args.artworks, terms: all.length, page: PAGE, iterations: args.iterations, documentBytes, reads, floor, writes };
  } finally {
    await bench.close();
  }
}

/**
 * Renames `term` in both designs, `rounds` times each, alternating. Inline: `save()` through the library
 * (sync mode: when it returns, every artwork that holds the term, directly or as a parent, holds the new
 * title); the count of such artworks is checked against the normalised tables. Normalised: `save()` of
 * the term row (a read and one UPDATE), after which every read sees the new title.
 */
async function termChange(bench: Bench, term: Term, rounds: number) {
  const terms = bench.dataSource.getRepository(Term);
  const normTerms = bench.dataSource.getRepository(NormTerm);
  const pg = bench.kind === 'postgres';
  // The artworks under the term in the normalised tables: what the fan-out must reach.
  const under = `WITH RECURSIVE sub(id) AS (SELECT id FROM norm_term WHERE id = ${pg ? '$1' : '?'}
                   UNION ALL SELECT t.id FROM norm_term AS t JOIN sub ON t.parent_id = sub.id)
                 SELECT count(*) AS n FROM norm_artwork AS a WHERE a.style_period_id IN (SELECT id FROM sub)
                   OR EXISTS (SELECT 1 FROM norm_artwork_subject AS s WHERE s.artwork_id = a.id AND s.term_id IN (SELECT id FROM sub))`;
  const referrers = Number((await bench.dataSource.query(under, [term.id]))[0].n);
  const descendants = Number(
    (
      await bench.dataSource.query(
        `WITH RECURSIVE sub(id) AS (SELECT id FROM norm_term WHERE id = ${pg ? '$1' : '?'}
           UNION ALL SELECT t.id FROM norm_term AS t JOIN sub ON t.parent_id = sub.id) SELECT count(*) - 1 AS n FROM sub`,
        [term.id],
      )
    )[0].n,
  );
  const holding = (title: string) =>
    bench.dataSource.query(
      pg ? `SELECT count(*)::int AS n FROM artwork WHERE strpos(metadata::text, $1) > 0` : `SELECT count(*) AS n FROM artwork WHERE instr(json(metadata), ?) > 0`,
      [JSON.stringify(title)],
    );
  const inlineMs: number[] = [];
  const normalisedMs: number[] = [];
  let current = (await terms.findOneByOrFail({ id: term.id }));
  const normal = await normTerms.findOneByOrFail({ id: term.id });
  for (let round = 1; round <= rounds; round++) {
    const title = `${term.metadata.title} (renamed ${round})`;
    current.metadata = { ...current.metadata, title };
    const inline = await timed(() => terms.save(current));
    current = inline.value;
    const done = Number((await holding(title))[0].n);
    if (done !== referrers) throw new Error(`B6 inline rename of ${term.metadata.title}: ${done} artworks hold the new title, expected ${referrers}`);
    inlineMs.push(inline.ms);
    normal.title = title;
    normalisedMs.push((await timed(() => normTerms.save(normal))).ms);
    await vacuum(bench);
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  return { title: term.metadata.title, referrers, descendants, inlineMs: median(inlineMs), normalisedMs: median(normalisedMs), rounds };
}

export { BASE_URL };
