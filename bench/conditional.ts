/**
 * B9: conditional propagation. One term copied as `category` (`fields: ['title']`) by N artworks: a save of
 * the term that changes a field outside the copy (its `scheme`) against the same save with the library's
 * subscriber detached, in alternation; then a change of the title (every copy), against L as in B1. In
 * queue mode, the outside change's `save()` against the detached one, and the title's time to consistent.
 */
import { boot, type Bench, type Kind } from './boot.js';
import { startChild, stopChild, emptyQueue, type Child } from './children.js';
import { count, countWithTitle, createTerm, insertArtworks, log, timed, titleRounds, vacuum, withoutModule } from './data.js';
import { Term } from './entities.js';

export interface ConditionalArgs {
  kind: Kind;
  n: number;
  /** Saves per side and round of the outside change. */
  saves: number;
  rounds: number;
  queue: boolean;
  sqliteFile?: string;
}

/** `saves` saves of the term, each changing its scheme: the time of them all. */
async function outsideChanges(bench: Bench, term: Term, saves: number, tag: string): Promise<number> {
  const terms = bench.dataSource.getRepository(Term);
  return (
    await timed(async () => {
      for (let i = 0; i < saves; i++) {
        term.metadata = { ...term.metadata, scheme: `${tag}-${i}` };
        await terms.save(term);
      }
    })
  ).ms;
}

/** The outside change with and without the subscriber, A B B A per round. */
async function outsideRows(bench: Bench, term: Term, args: ConditionalArgs) {
  await outsideChanges(bench, term, 20, 'warm');
  await withoutModule(bench, () => outsideChanges(bench, term, 20, 'warm-plain'));
  let moduleMs = 0;
  let plainMs = 0;
  for (let round = 1; round <= args.rounds; round++) {
    moduleMs += await outsideChanges(bench, term, args.saves, `m${round}a`);
    plainMs += await withoutModule(bench, () => outsideChanges(bench, term, args.saves, `p${round}a`));
    plainMs += await withoutModule(bench, () => outsideChanges(bench, term, args.saves, `p${round}b`));
    moduleMs += await outsideChanges(bench, term, args.saves, `m${round}b`);
  }
  const saves = 2 * args.rounds * args.saves;
  return { saves, moduleMs: moduleMs / saves, plainMs: plainMs / saves };
}

export async function conditional(args: ConditionalArgs) {
  const bench = await boot(args.kind, { fresh: true, sqliteFile: args.sqliteFile });
  const result: Record<string, any> = { kind: args.kind, n: args.n };
  try {
    let term = await createTerm(bench, 'Baroque');
    const url = bench.references.canonicalUrl(term);
    const copy = { title: term.metadata.title, id: term.id, links: { self: url } };
    await insertArtworks(bench, args.n, copy, (c) => ({ category: c }));
    await bench.maintenance.synchronize({ clear: true });
    if ((await count(bench, 'reference_index')) !== args.n) throw new Error('B9: the index does not hold every artwork');
    await vacuum(bench);

    result.outside = await outsideRows(bench, term, args);
    if ((await countWithTitle(bench, 'Baroque', ['category'])) !== args.n) throw new Error('B9: an outside change altered a copy');
    if ((await count(bench, 'reference_outbox')) !== 0) throw new Error('B9: an outside change wrote an outbox row');
    log(`B9 outside change: ${result.outside.moduleMs.toFixed(2)} ms with the library, ${result.outside.plainMs.toFixed(2)} ms without (per save)`);

    // The title (every copy), as B1: the library's save() against L, the set-based UPDATE alone.
    const rounds = await titleRounds(bench, { label: 'B9 title', term, url, n: args.n, rounds: args.rounds, copyOf: (title) => ({ ...copy, title }), path: ['category'] });
    result.limitMs = rounds.limitMs;
    result.libraryMs = rounds.libraryMs;
  } finally {
    await bench.close();
  }
  if (args.queue) result.queue = await queueRows(args);
  return result;
}

/** Queue mode: a writer that only dispatches and one worker process, on the data the sync run left. */
async function queueRows(args: ConditionalArgs) {
  await emptyQueue();
  const children: Child[] = [];
  let writer: Bench | undefined;
  try {
    writer = await boot(args.kind, { fresh: false, sqliteFile: args.sqliteFile, references: { propagation: 'queue', queue: { worker: false } } as any });
    children.push(await startChild('queue-worker', { kind: args.kind, sqliteFile: args.sqliteFile }));
    const terms = writer.dataSource.getRepository(Term);
    const term = (await terms.find())[0];
    const rowsBefore = await count(writer, 'reference_outbox');
    const outside = await outsideRows(writer, term, args);
    if ((await count(writer, 'reference_outbox')) !== rowsBefore) throw new Error('B9 queue: an outside change wrote an outbox row');
    const title = 'Baroque Q';
    term.metadata = { ...term.metadata, title };
    const start = performance.now();
    await terms.save(term);
    const deadline = start + 120_000;
    for (;;) {
      const status = await writer.references.status();
      if (status.pending + status.running === 0 && (await countWithTitle(writer, title, ['category'])) === args.n) break;
      if (performance.now() > deadline) throw new Error('B9 queue: the title did not reach every copy within 120 s');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const titleMs = performance.now() - start;
    log(`B9 queue: outside ${outside.moduleMs.toFixed(2)} / ${outside.plainMs.toFixed(2)} ms per save, title consistent after ${titleMs.toFixed(0)} ms`);
    return { available: true, outside, titleMs };
  } catch (error) {
    return { available: false, reason: (error as Error).message.split('\n')[0] };
  } finally {
    await writer?.close().catch(() => undefined);
    await Promise.all(children.map(stopChild));
  }
}
