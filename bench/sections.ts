/**
 * The B6, B7 and B9 sections of BENCHMARKS.md and the charts (B1, B6, B7), from the tasks' results.
 * Each returns markdown lines and the targets it checked; charts are SVG strings.
 */
import { COLORS, renderChart, type Bar, type Group } from './charts.js';

export const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
export const mark = (ok: boolean) => (ok ? 'met' : '**missed**');
const ms = (n: number) => `${fmt(n, n < 10 ? 2 : n < 100 ? 1 : 0)} ms`;

export const B6_TARGET = 3;
export const B7_TARGET_MS = 100;
/** B8: the explorer's record view answers in at most this many times the API's page of the same referrers. */
export const B8_TARGET = 2;
/** B9: a change outside every copy costs at most this many times the same save without the library. */
export const B9_TARGET = 1.5;

const DESIGNS = [
  ['inline', '(a) inline copies (the library)', COLORS.library],
  ['inlineJson', '(a′) inline copies, json column', COLORS.limit],
  ['joins', '(b) joins, `find({ relations })`', COLORS.other],
  ['populate', '(c) populate, a query per level', COLORS.alternative],
] as const;

const plain = (markdown: string) => markdown.replace(/`/g, '');

export interface Section {
  lines: string[];
  targets: string[];
}

/** A section under `heading`: `write` adds its lines with `out` and its verdicts on the targets to `targets`. */
function section(heading: string, write: (out: (line?: string) => void, targets: string[]) => void): Section {
  const lines: string[] = [];
  const targets: string[] = [];
  const out = (line = '') => lines.push(line);
  out(heading);
  out();
  write(out, targets);
  return { lines, targets };
}

/** The section of one run's result `r`: the error it failed with, or what `write` makes of it. */
function runSection(heading: string, r: any, write: (out: (line?: string) => void, targets: string[]) => void): Section {
  return section(heading, (out, targets) => {
    if (!r || r.error) {
      out(`failed: ${r?.error}`);
      out();
    } else {
      write(out, targets);
    }
  });
}

/** B6: the table of reads, the table of writes, and what they mean together. */
export function renderB6(results: Array<{ db: string; r: any }>, chartPath: string): Section {
  const first = results.find(({ r }) => r && !r.error)?.r;
  return section('### B6 the comparison: inline copies against the read paths users would otherwise pick', (out, targets) => {
    if (first) {
      out(`The same ${fmt(first.artworks)} artworks and ${fmt(first.terms)} terms (10 periods → 10 styles each → 10 sub-styles each), ` +
        'stored both ways with the same ids: each artwork names a sub-style as `stylePeriod` and two as `subjects`, and a read returns ' +
        'each of the three with its style and period. (a) reads `artwork.metadata` (about ' +
        `${fmt(first.documentBytes)} bytes of JSON, the copies kept by the library with \`depth: 3\`); (b) and (c) read normalised ` +
        'TypeORM entities (columns, foreign keys, an ordered join entity for the subjects; an index behind every foreign key). ' +
        `A page is 100 artworks by keyset from a random id; ${fmt(first.iterations)} pages and ${fmt(first.iterations)} single reads per design, ` +
        'the designs in rotation; before timing, their answers are compared title by title. On PostgreSQL, (a′) is the same documents in a ' +
        '`json` column (text kept as written) beside the library\'s `jsonb` one, read the same way.');
      out();
      out(`![B6: read and write times of the three designs](${chartPath})`);
      out();
    }
    out('| database | read | (a) inline copies (`jsonb` on PostgreSQL) | (a′) inline copies, a `json` column | (b) joins, `find({ relations })` | (c) populate on read, one batched query per level | best of (b), (c) ÷ (a) / (a′) | target ≥ 3x |');
    out('|---|---|---|---|---|---|---|---|');
    for (const { db, r } of results) {
      if (!r || r.error) {
        out(`| ${db} | failed: ${r?.error} | | | | | | |`);
        continue;
      }
      for (const [op, label] of [['list', 'a page of 100, p50 / p99'], ['get', 'one by id, p50 / p99']] as const) {
        const a = r.reads.inline[op];
        const json = r.reads.inlineJson?.[op];
        const cell = (name: 'joins' | 'populate') => `${ms(r.reads[name][op].p50)} / ${ms(r.reads[name][op].p99)} (${fmt(r.reads[name][op].p50 / a.p50, 1)}x)`;
        const other = Math.min(r.reads.joins[op].p50, r.reads.populate[op].p50);
        const best = other / a.p50;
        const bestJson = json ? other / json.p50 : undefined;
        const ratios = `${fmt(best, 1)}x${bestJson !== undefined ? ` / ${fmt(bestJson, 1)}x` : ''}`;
        const verdicts = op === 'list' ? [mark(best >= B6_TARGET), ...(bestJson !== undefined ? [mark(bestJson >= B6_TARGET)] : [])].join(' / ') : '';
        out(`| ${db} | ${label} | ${ms(a.p50)} / ${ms(a.p99)} | ${json ? `${ms(json.p50)} / ${ms(json.p99)}` : 'n/a'} | ${cell('joins')} | ${cell('populate')} | ${ratios} | ${verdicts} |`);
        if (op === 'list') {
          targets.push(`B6 ${db} list${json ? ' (jsonb column)' : ''}: best other ÷ inline ${fmt(best, 1)}x → ${best >= B6_TARGET ? 'met' : 'missed'}`);
          if (bestJson !== undefined) targets.push(`B6 ${db} list (json column): best other ÷ inline ${fmt(bestJson, 1)}x → ${bestJson >= B6_TARGET ? 'met' : 'missed'}`);
        }
      }
    }
    out();
    for (const { db, r } of results) {
      if (!r || r.error || !r.floor) continue;
      const server = r.floor.server
        ? `; the server alone turning the page's jsonb into text (nothing sent): ${ms(r.floor.server.p50)}; ` +
          `the same page from a copy of the table with a \`json\` column (text kept as written, no conversion), through \`dataSource.query\`: ${ms(r.floor.json.p50)}`
        : '';
      const driver = db === 'PostgreSQL' ? 'the driver parses the JSON' : 'the driver hands the JSON over as text, unparsed';
      out(`Where (a)'s page time goes on ${db} (p50): the same \`SELECT id, metadata … LIMIT 100\` through \`dataSource.query\` ` +
        `(${driver}, no entities): ${ms(r.floor.raw.p50)}${server}. The page carries about ` +
        `${fmt((r.documentBytes * r.page) / 1024)} KB of JSON.`);
      out();
    }
    out('The write side of the same trade: one term renamed, in each design. Inline: `save()` of the term through the library in sync ' +
      'mode, which returns once every artwork holding the term (directly, or as the parent of its copy) holds the new title, checked ' +
      'against the normalised tables; normalised: `save()` of the term row (a read and one `UPDATE`), after which every read of (b) ' +
      'and (c) sees the new title. Median of the rounds, `VACUUM ANALYZE` between them. "Pays off after" is the number of list pages ' +
      'whose saving, against the faster of (b) and (c), pays for the extra cost of one such change.');
    out();
    out('| database | change | artworks to refresh | inline: `save()` and the fan-out | normalised: `save()` of the row | ratio | pays off after |');
    out('|---|---|---|---|---|---|---|');
    for (const { db, r } of results) {
      if (!r || r.error) continue;
      const saving = Math.min(r.reads.joins.list.p50, r.reads.populate.list.p50) - r.reads.inline.list.p50;
      for (const [key, label] of [['leaf', 'a sub-style'], ['root', 'a period']] as const) {
        const w = r.writes[key];
        const through = w.descendants ? ` (and ${fmt(w.descendants)} terms under it)` : '';
        const payback = saving > 0 ? `${fmt(Math.max(0, w.inlineMs - w.normalisedMs) / saving, 0)} pages` : 'never';
        out(`| ${db} | rename ${label} | ${fmt(w.referrers)}${through} | ${ms(w.inlineMs)} | ${ms(w.normalisedMs)} | ${fmt(w.inlineMs / w.normalisedMs, 1)}x | ${payback} |`);
      }
    }
    out();
  });
}

/** B7: latency percentiles per run. */
export function renderB7(r: any, chartPath: string): Section {
  return runSection('### B7 commit-to-consistent latency in queue mode (PostgreSQL, Bull on Redis)', r, (out, targets) => {
    out(`A term inlined by ${fmt(r.referrers)} artworks is renamed with \`save()\` in a process that only dispatches; the time runs from ` +
      'the commit of its transaction until a reader sees every one of the referrers hold the new title (their rows polled back to back, ' +
      `one indexed query each, no sleeps; the samples start 0 to 100 ms apart, at random). Background load: a second process writing through the library on a fixed schedule, ` +
      `artworks with 5 inline references and, one write in ${r.renameEvery}, a rename of one of ${r.busyTerms} other terms with ` +
      `${fmt(r.referrers)} referrers each, whose fan-outs share the queue and the workers; ${fmt(r.filler)} other artworks in the table. ` +
      'Workers: the library\'s Bull processors (concurrency 1) in processes of their own. The moment a worker takes the job comes ' +
      'from Bull\'s `global:active` event; failed attempts and stalled jobs are Bull\'s `global:failed` and `global:stalled` events during the run (a retry waits for its backoff, a stalled job for the next stalled check).');
    out();
    out(`![B7: commit-to-consistent latency](${chartPath})`);
    out();
    out(`| workers | background load (achieved) | samples | p50 | p90 | p99 | max | until a worker takes the job, p50 / p99 | the job until consistent, p50 | \`save()\` returns after (p50) | failed attempts / stalled jobs | target p99 ≤ ${B7_TARGET_MS} ms |`);
    out('|---|---|---|---|---|---|---|---|---|---|---|---|');
    for (const run of r.runs) {
      const b = run.background;
      const load = b
        ? `${fmt(run.loadRate)} writes/s asked; ${fmt(b.artworkSaves / b.seconds, 0)} artwork saves/s + ${fmt(b.termRenames / b.seconds, 1)} renames/s done`
        : 'none';
      const ok = run.p99 <= B7_TARGET_MS;
      const wait = run.waited ? `${ms(run.waitP50)} / ${ms(run.waitP99)}` : 'not seen';
      const job = run.runP50 !== null ? ms(run.runP50) : '';
      out(`| ${run.workers} | ${load} | ${fmt(run.samples)} | ${ms(run.p50)} | ${ms(run.p90)} | ${ms(run.p99)} | ${ms(run.max)} | ${wait} | ${job} | ${ms(run.saveP50)} | ${fmt(run.incidents.failedAttempts)} / ${fmt(run.incidents.stalled)} | ${run.loadRate ? mark(ok) : ''} |`);
      if (run.loadRate) targets.push(`B7 ${run.workers} worker${run.workers > 1 ? 's' : ''} under load: p99 ${ms(run.p99)} → ${ok ? 'met' : 'missed'}`);
    }
    out();
  });
}

/** B8: the explorer's record view against the API's page of the same target's referrers. */
export function renderB8(r: any): Section {
  return runSection("### B8 the explorer's record view (the catalogue app, sync mode, PostgreSQL)", r, (out, targets) => {
    out(`One term inlined by ${fmt(r.referrers)} artworks. One request after another on one keep-alive connection, ${fmt(r.requests)} of each, alternating: ` +
      '`GET /references?target=<term>` (the first page of 100, counted up to 10,000) and `GET /explorer/record?url=<term>` (the term, each reference it ' +
      'holds with its state, the first page of 25 referrers with the count capped at 10,000, the neighbourhood picture, as HTML).');
    out();
    const ok = r.ratio <= B8_TARGET;
    out(`| referrers | \`/references\` p50 / p99 | \`/explorer/record\` p50 / p99 | record view ÷ API (p50) | target ≤ ${B8_TARGET} |`);
    out('|---|---|---|---|---|');
    out(`| ${fmt(r.referrers)} | ${ms(r.api.p50)} / ${ms(r.api.p99)} | ${ms(r.explorer.p50)} / ${ms(r.explorer.p99)} | ${fmt(r.ratio, 2)} | ${mark(ok)} |`);
    out();
    targets.push(`B8 record view ${fmt(r.ratio, 2)}x the API → ${ok ? 'met' : 'missed'}`);
  });
}

/** B9: a change outside the copied fields against the plain save, and a change inside them as B1. */
export function renderB9(results: Array<{ db: string; r: any }>): Section {
  return section('### B9 conditional propagation: one term copied as `category` (`fields: [\'title\']`) by N artworks', (out, targets) => {
    out('A change of the term outside the copy (its `scheme`): the mean `save()` with the library ÷ the same save with the library\'s ' +
      'subscriber detached (A B B A, warmed up), nothing propagated, no outbox row. A change of the title: every copy, the library\'s ' +
      '`save()` against L, the set-based UPDATE alone (as B1); in queue mode the time until every copy holds it (one worker process).');
    out();
    out(`| database | mode | referrers | outside change, library | the same save, detached | ratio (target ≤ ${B9_TARGET}x) | title: library | title: L | title ÷ L |`);
    out('|---|---|---|---|---|---|---|---|---|');
    for (const { db, r } of results) {
      if (!r) continue;
      if (r.error) {
        out(`| ${db} | | | failed: ${r.error} | | | | | |`);
        continue;
      }
      const ratio = r.outside.moduleMs / r.outside.plainMs;
      const [lib, l] = [Math.min(...r.libraryMs), Math.min(...r.limitMs)];
      out(`| ${db} | sync | ${fmt(r.n)} | ${ms(r.outside.moduleMs)} | ${ms(r.outside.plainMs)} | ${fmt(ratio, 2)}x ${mark(ratio <= B9_TARGET)} | ${ms(lib)} | ${ms(l)} | ${fmt(lib / l, 2)}x |`);
      targets.push(`B9 ${db} sync: ${fmt(ratio, 2)}x the detached save → ${ratio <= B9_TARGET ? 'met' : 'missed'}`);
      const q = r.queue;
      if (q?.available) {
        const qRatio = q.outside.moduleMs / q.outside.plainMs;
        out(`| ${db} | queue | ${fmt(r.n)} | ${ms(q.outside.moduleMs)} | ${ms(q.outside.plainMs)} | ${fmt(qRatio, 2)}x ${mark(qRatio <= B9_TARGET)} | ${ms(q.titleMs)} to consistent | ${ms(l)} | ${fmt(q.titleMs / l, 2)}x |`);
        targets.push(`B9 ${db} queue: ${fmt(qRatio, 2)}x the detached save → ${qRatio <= B9_TARGET ? 'met' : 'missed'}`);
      } else if (q) out(`| ${db} | queue | ${fmt(r.n)} | not available: ${q.reason} | | | | | |`);
    }
    out();
  });
}

const subtitle = (quick: boolean, date: string, commit: string) =>
  `npm run bench${quick ? ' -- --quick (sizes ÷ 10)' : ''}, ${date} UTC, commit ${commit}; every figure from one run, side by side`;

/** B1 as two panels: time ÷ L (lower is better) and how many times faster than the naive loop (higher is better). */
export function chartB1(fanouts: Array<{ db: string; r: any }>, quick: boolean, date: string, commit: string): string | undefined {
  const ok = fanouts.filter(({ r }) => r && !r.error);
  if (!ok.length) return undefined;
  const ways = (r: any) => {
    const l = Math.min(...r.limitMs);
    const lib = Math.min(...r.libraryMs);
    const naive = (r.naive.ms / r.naive.count) * r.n;
    const rows = [
      { label: 'L: one UPDATE … FROM reference_index', ms: l, color: COLORS.limit },
      { label: 'library, sync mode', ms: lib, color: COLORS.library },
      ...(r.queue ?? [])
        .filter((q: any) => q.available)
        .map((q: any) => ({ label: `library, queue mode, ${q.workers} worker${q.workers > 1 ? 's' : ''}`, ms: q.ms, color: COLORS.alternative })),
    ];
    return { l, naive, rows };
  };
  const group = (title: string, bars: Bar[]): Group => ({ title, bars });
  return renderChart({
    title: 'B1 fan-out: one term inlined by N artworks',
    subtitle: subtitle(quick, date, commit),
    panels: [
      {
        title: 'Time ÷ L, the single-statement SQL limit (lower is better)',
        note: 'L updates every referrer in one UPDATE; the library also keeps its index, batches and guarantees',
        target: { value: 1.5, label: 'target ≤ 1.5' },
        groups: ok.map(({ db, r }) => {
          const { l, rows } = ways(r);
          return group(`${db}, ${fmt(r.n)} artworks`, rows.map((w) => ({ label: w.label, value: w.ms / l, text: `${fmt(w.ms / l, 2)}x  (${fmt(w.ms)} ms)`, color: w.color })));
        }),
      },
      {
        title: 'Times faster than the naive loop (higher is better)',
        note: 'the naive loop: findOneBy + save per artwork, what a user writes by hand',
        target: { value: 50, label: 'target ≥ 50x' },
        groups: ok.map(({ db, r }) => {
          const { naive, rows } = ways(r);
          return group(`${db}, ${fmt(r.n)} artworks`, rows.map((w) => ({ label: w.label, value: naive / w.ms, text: `${fmt(naive / w.ms, 0)}x`, color: w.color })));
        }),
      },
    ],
  });
}

/** B6: the reads (p50) of the three designs and the writes of one term change, per database. */
export function chartB6(results: Array<{ db: string; r: any }>, quick: boolean, date: string, commit: string): string | undefined {
  const ok = results.filter(({ r }) => r && !r.error);
  if (!ok.length) return undefined;
  const readPanel = (op: 'list' | 'get', title: string) => ({
    title,
    note: 'median (p50) milliseconds, lower is better; the factor is against the inline copies',
    groups: ok.map(({ db, r }) => ({
      title: db,
      bars: DESIGNS.filter(([key]) => r.reads[key]).map(([key, label, color]) => ({
        label: plain(label),
        value: r.reads[key][op].p50,
        text: `${ms(r.reads[key][op].p50)}${key === 'inline' ? '' : `  (${fmt(r.reads[key][op].p50 / r.reads.inline[op].p50, 1)}x)`}`,
        color,
      })),
    })),
  });
  const first = ok[0].r;
  return renderChart({
    title: 'B6: why inline copies — reads against writes, same data, same run',
    subtitle: subtitle(quick, date, commit),
    panels: [
      readPanel('list', `List 100 artworks, each with 3 terms three levels deep (${fmt(first.artworks)} artworks)`),
      readPanel('get', 'Get one artwork by id, with the same terms'),
      {
        title: 'The price: one term renamed (log scale)',
        note: 'milliseconds until every read sees the new title; inline: save() and the fan-out (sync mode); normalised: save() of the row',
        scale: 'log' as const,
        groups: ok.flatMap(({ db, r }) =>
          (['leaf', 'root'] as const).map((key) => {
            const w = r.writes[key];
            return {
              title: `${db}: rename a ${key === 'leaf' ? 'sub-style' : 'period'} (${fmt(w.referrers)} artworks${w.descendants ? `, ${fmt(w.descendants)} terms` : ''})`,
              bars: [
                { label: 'inline: save() and the fan-out', value: w.inlineMs, text: ms(w.inlineMs), color: COLORS.library },
                { label: 'normalised: save() of the row', value: w.normalisedMs, text: ms(w.normalisedMs), color: COLORS.faint },
              ],
            };
          }),
        ),
      },
    ],
  });
}

/** B7: p50, p90 and p99 per run against the target. */
export function chartB7(r: any, quick: boolean, date: string, commit: string): string | undefined {
  if (!r || r.error) return undefined;
  return renderChart({
    title: 'B7: from commit to every referrer consistent, queue mode',
    subtitle: subtitle(quick, date, commit),
    panels: [
      {
        title: `A term with ${fmt(r.referrers)} referrers renamed: milliseconds until a reader sees all of them updated`,
        note: 'log scale, lower is better; background load: writes through the library in another process, renames of other terms among them',
        scale: 'log' as const,
        target: { value: B7_TARGET_MS, label: `target p99 ≤ ${B7_TARGET_MS} ms` },
        groups: r.runs.map((run: any) => ({
          title: `${run.workers} worker${run.workers > 1 ? 's' : ''}, ${run.loadRate ? `background load ${run.loadRate} writes/s` : 'no background load'}`,
          bars: (['p50', 'p90', 'p99'] as const).map((p) => ({
            label: p,
            value: run[p],
            text: ms(run[p]),
            color: p === 'p99' ? COLORS.alternative : COLORS.library,
          })),
        })),
      },
    ],
  });
}
