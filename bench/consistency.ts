/**
 * B7: commit-to-consistent latency in queue mode, under a background load of writes.
 *
 * A target term inlined by `referrers` artworks is renamed through the library (`save()` in a process that
 * only dispatches); the time runs from the commit of that transaction (a subscriber placed before the
 * library's records it) until a reader sees every referrer hold the new title (their rows polled back to
 * back, one indexed query each, no sleeps). Meanwhile a second process writes through the library at a
 * steady rate: artworks with 5 inline references, and now and then a rename of one of 10 other terms with
 * `referrers` artworks each, whose fan-outs share the queue and the workers with the measured one.
 * The workers are the library's Bull processors in processes of their own, on Redis; the two writing
 * processes only dispatch (`queue.worker: false`).
 */
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import type { EntitySubscriberInterface } from 'typeorm';
import { REFERENCES_QUEUE } from 'nestjs-references';
import { boot, type Bench } from './boot.js';
import { emptyQueue, serveUntilStopped, startChild, stopChild, type Child } from './children.js';
import { createTerm, insertArtworks, log, percentile, vacuum } from './data.js';
import { Artwork, artworkBody, Term } from './entities.js';

export interface ConsistencyArgs {
  /** Artworks that inline the measured target. */
  referrers: number;
  /** Other artworks in the table (inlining other terms). */
  filler: number;
  samples: number;
  /** Each run: its worker processes and its background writes per second (0: none, the floor). */
  runs: Array<{ workers: number; loadRate: number }>;
  /** One background write in this many is a rename of a busy term. */
  renameEvery: number;
}

const BUSY_TERMS = 10;
const QUEUE = { propagation: 'queue' as const };

export async function consistency(args: ConsistencyArgs) {
  // The data, written in sync mode: the target and its referrers, busy terms and theirs, filler.
  const setup = await boot('postgres', { fresh: true });
  let targetId: string;
  let referrerIds: string[];
  const busyIds: string[] = [];
  const fillerUrls: string[] = [];
  try {
    const target = await createTerm(setup, 'Target v0');
    targetId = target.id;
    await insertArtworks(setup, args.referrers, setup.references.representationOf(target));
    referrerIds = (await setup.dataSource.query(`SELECT id::text FROM artwork`)).map((r: { id: string }) => r.id);
    for (let i = 0; i < BUSY_TERMS; i++) {
      const busy = await createTerm(setup, `Busy ${i} v0`);
      busyIds.push(busy.id);
      await insertArtworks(setup, args.referrers, setup.references.representationOf(busy));
    }
    for (let i = 0; i < 10; i++) fillerUrls.push(setup.references.canonicalUrl(await createTerm(setup, `Filler ${i}`)));
    const filler = await createTerm(setup, 'Filler');
    await insertArtworks(setup, args.filler, setup.references.representationOf(filler));
    await setup.maintenance.synchronize({ clear: true });
    await vacuum(setup);
  } finally {
    await setup.close();
  }
  log(`B7: ${args.referrers} referrers of the target, ${BUSY_TERMS} busy terms with ${args.referrers} each, ${args.filler} filler artworks`);

  const runs = [];
  for (const { workers, loadRate } of args.runs) runs.push(await measure(args, workers, loadRate, targetId, referrerIds, busyIds, fillerUrls));
  return { referrers: args.referrers, filler: args.filler, busyTerms: BUSY_TERMS, renameEvery: args.renameEvery, runs };
}

async function measure(args: ConsistencyArgs, workers: number, loadRate: number, targetId: string, referrerIds: string[], busyIds: string[], fillerUrls: string[]) {
  const children: Child[] = [];
  let load: Child | undefined;
  let writer: Bench | undefined;
  try {
    await emptyQueue();
    for (let i = 0; i < workers; i++) children.push(await startChild('queue-worker', { kind: 'postgres' }));
    writer = await boot('postgres', { fresh: false, references: { ...QUEUE, queue: { worker: false, sweep: false } } });
    let committedAt = 0;
    // First among the subscribers: its hook runs as soon as COMMIT has returned, before the library's.
    const clock: EntitySubscriberInterface = { afterTransactionCommit: () => void (committedAt = performance.now()) };
    writer.dataSource.subscribers.unshift(clock);
    const terms = writer.dataSource.getRepository(Term);
    // Failed attempts and stalled jobs anywhere on the queue (Bull's global events): a retry waits for its backoff.
    const incidents = { failedAttempts: 0, stalled: 0, reasons: [] as string[] };
    const queue = writer.app.get<Queue>(getQueueToken(REFERENCES_QUEUE));
    queue.on('global:failed', (_job: unknown, reason: string) => {
      incidents.failedAttempts++;
      if (incidents.reasons.length < 5) incidents.reasons.push(String(reason).slice(0, 300));
    });
    queue.on('global:stalled', () => void incidents.stalled++);
    // When a worker took each job: the latency splits into waiting for a worker and running the job.
    const activeAt = new Map<string, number>();
    // NOTE: job ids are `outbox-<database id>-<row id>`: the row id is what the bench knows.
    queue.on('global:active', (jobId: string | number) => void activeAt.set(String(jobId).replace(/^outbox-.*-(\d+)$/, '$1'), performance.now()));
    const url = writer.references.canonicalUrl(await terms.findOneByOrFail({ id: targetId }));
    if (loadRate > 0) load = await startChild('consistency-load', { rate: loadRate, renameEvery: args.renameEvery, busyIds, fillerUrls });

    const latencies: number[] = [];
    const waits: number[] = [];
    const running: number[] = [];
    const saveMs: number[] = [];
    let polls = 0;
    let term = await terms.findOneByOrFail({ id: targetId });
    for (let sample = 1; sample <= args.samples; sample++) {
      // A random gap, so that the samples fall on every phase of the background load.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 100));
      const title = `Target w${workers} l${loadRate} s${sample}`;
      term.metadata = { ...term.metadata, title };
      const start = performance.now();
      term = await terms.save(term);
      saveMs.push(performance.now() - start);
      const commit = committedAt;
      const [{ id: outboxId }] = await writer.dataSource.query('SELECT max(id) AS id FROM reference_outbox WHERE reference = $1', [url]);
      const deadline = commit + 30_000;
      for (;;) {
        const [{ n }] = await writer.dataSource.query(
          `SELECT count(*)::int AS n FROM artwork WHERE id = ANY($1::uuid[]) AND metadata #>> '{stylePeriod,title}' = $2`,
          [referrerIds, title],
        );
        polls++;
        if (n === referrerIds.length) {
          latencies.push(performance.now() - commit);
          const active = activeAt.get(String(outboxId));
          if (active !== undefined) {
            waits.push(active - commit);
            running.push(latencies.at(-1)! - (active - commit));
          }
          break;
        }
        if (performance.now() > deadline) throw new Error(`B7: ${n} of ${referrerIds.length} referrers consistent 30 s after the commit`);
      }
    }
    const background = load ? await stopChild(load) : undefined;
    load = undefined;
    const sorted = [...latencies].sort((a, b) => a - b);
    const result = {
      workers,
      loadRate,
      samples: latencies.length,
      p50: percentile(sorted, 0.5),
      p90: percentile(sorted, 0.9),
      p99: percentile(sorted, 0.99),
      max: sorted.at(-1)!,
      saveP50: percentile([...saveMs].sort((a, b) => a - b), 0.5),
      // Until a worker took the job (enqueue, and the jobs ahead of it); seen for `waited` of the samples.
      waitP50: waits.length ? percentile([...waits].sort((a, b) => a - b), 0.5) : null,
      waitP99: waits.length ? percentile([...waits].sort((a, b) => a - b), 0.99) : null,
      waited: waits.length,
      // From then until a reader saw every referrer updated (the job, its commits, and the poll's resolution).
      runP50: running.length ? percentile([...running].sort((a, b) => a - b), 0.5) : null,
      pollsPerSample: polls / latencies.length,
      background,
      incidents,
      slowest: latencies.map((ms, sample) => ({ sample: sample + 1, ms })).sort((x, y) => y.ms - x.ms).slice(0, 3),
    };
    log(`B7 ${workers} worker(s), load ${loadRate}/s: p50 ${result.p50.toFixed(1)} ms, p99 ${result.p99.toFixed(1)} ms, load ${JSON.stringify(background)}`);
    return result;
  } finally {
    if (load) await stopChild(load);
    await writer?.close().catch(() => undefined);
    await Promise.all(children.map(stopChild));
  }
}

/**
 * The `consistency-load` task: writes through the library at `rate` per second on a fixed schedule (a write
 * that falls behind is followed at once by the next): artworks with 5 inline references, and every
 * `renameEvery`-th write a rename of one of the busy terms. Reports what it wrote and its lag.
 */
export async function consistencyLoad(args: { rate: number; renameEvery: number; busyIds: string[]; fillerUrls: string[] }) {
  const bench = await boot('postgres', { fresh: false, references: { ...QUEUE, queue: { worker: false, sweep: false } } });
  const artworks = bench.dataSource.getRepository(Artwork);
  const terms = bench.dataSource.getRepository(Term);
  const counts = { artworkSaves: 0, termRenames: 0, seconds: 0, maxLagMs: 0 };
  let stopping = false;
  const started = performance.now();
  const running = (async () => {
    for (let k = 0; !stopping; k++) {
      const due = started + (k * 1000) / args.rate;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      else counts.maxLagMs = Math.max(counts.maxLagMs, -wait);
      if (stopping) break;
      if (k % args.renameEvery === args.renameEvery - 1) {
        const busy = await terms.findOneByOrFail({ id: args.busyIds[counts.termRenames % args.busyIds.length] });
        busy.metadata = { ...busy.metadata, title: `${busy.metadata.title.split(' v')[0]} v${k}` };
        await terms.save(busy);
        counts.termRenames++;
      } else {
        const link = (j: number) => ({ links: { self: args.fillerUrls[(k + j) % args.fillerUrls.length] } });
        await artworks.save(artworks.create({ metadata: { ...artworkBody(k), stylePeriod: link(0), subjects: [1, 2, 3, 4].map(link) } as any }));
        counts.artworkSaves++;
      }
    }
  })();
  return serveUntilStopped(async () => {
    stopping = true;
    await running;
    counts.seconds = (performance.now() - started) / 1000;
    await bench.close();
    return counts;
  });
}
