/**
 * `node bench/dist/profile.js [fanout|fanout-nested|writes|writes-plain|writes-batch|writes-batch-plain|synchronize] [n]`: where the library's time goes, per SQL
 * statement shape (TypeORM reports every statement's duration with maxQueryExecutionTime 0) and in JS;
 * `PROFILE_DB=sqlite` runs it on SQLite. `CPU_PROFILE=file.cpuprofile` also writes a CPU profile of the measured work; the process's CPU time is printed too.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Session } from 'node:inspector';
import type { Logger as TypeOrmLogger } from 'typeorm';
import { boot } from './boot.js';
import { Artwork, artworkBody, Term } from './entities.js';
import { createTerm, insertArtworks, timed, vacuum } from './data.js';

class TimingLogger implements TypeOrmLogger {
  on = false;
  readonly shapes = new Map<string, { count: number; ms: number }>();
  logQuerySlow(time: number, query: string) {
    if (!this.on) return;
    const shape = query.replace(/\s+/g, ' ').replace(/\$\d+(, \$\d+)*/g, '$…').slice(0, 110);
    const entry = this.shapes.get(shape) ?? this.shapes.set(shape, { count: 0, ms: 0 }).get(shape)!;
    entry.count++;
    entry.ms += time;
  }
  logQuery() {}
  logQueryError() {}
  logSchemaBuild() {}
  logMigration() {}
  log() {}
}

const [what = 'fanout', size = '100000'] = process.argv.slice(2);
const n = Number(size);
const logger = new TimingLogger();
// `queue`: the fan-out in queue mode, with this process as writer and worker, until waitForIdle().
// PROFILE_DB=sqlite: the same work on SQLite (a file in a temporary directory).
const kind = process.env.PROFILE_DB === 'sqlite' ? 'sqlite' : 'postgres';
const bench = await boot(kind, {
  fresh: true,
  sqliteFile: kind === 'sqlite' ? path.join(mkdtempSync(path.join(os.tmpdir(), 'references-profile-')), 'profile.sqlite') : undefined,
  logger,
  references: what === 'queue' ? { propagation: 'queue', queue: { bull: { prefix: `profile-${process.pid}` } } } : {},
});
(bench.dataSource.options as any).maxQueryExecutionTime = 1e-9;
(bench.dataSource.driver.options as any).maxQueryExecutionTime = 1e-9;
(bench.dataSource.logger as any) = logger;
const term = await createTerm(bench, 'v0');
let work: () => Promise<unknown>;
if (what === 'fanout' || what === 'queue' || what === 'fanout-nested') {
  // fanout-nested: the copy at `creators[0].agent`, as B1's nested row.
  const place = what === 'fanout-nested' ? (copy: object) => ({ creators: [{ role: 'painter', agent: copy }] }) : undefined;
  await insertArtworks(bench, n, bench.references.representationOf(term), place);
  await bench.maintenance.synchronize({ clear: true });
  await vacuum(bench);
  term.metadata = { ...term.metadata, title: 'v1' };
  work = async () => {
    await bench.dataSource.getRepository(Term).save(term);
    await bench.maintenance.waitForIdle(600_000, 5);
  };
} else if (what === 'synchronize') {
  await insertArtworks(bench, n, bench.references.representationOf(term));
  await vacuum(bench);
  work = () => bench.maintenance.synchronize({ clear: true });
} else {
  const targets: Term[] = [];
  for (let i = 0; i < 10; i++) targets.push(await createTerm(bench, `Term ${i}`));
  const copies = targets.map((t) => bench.references.representationOf(t));
  const urls = targets.map((t) => bench.references.canonicalUrl(t));
  const repo = bench.dataSource.getRepository(Artwork);
  const plain = what.endsWith('-plain');
  const detached = plain ? bench.dataSource.subscribers.splice(0) : [];
  const metadata = (i: number) => ({ ...artworkBody(i), stylePeriod: copies[0], subjects: copies.slice(1, 5), related: urls.slice(5) }) as any;
  // writes-batch[-plain]: save([100 artworks]) in one transaction each, as B2's second row.
  work = what.startsWith('writes-batch')
    ? async () => {
        for (let i = 0; i < n; i += 100) {
          await bench.dataSource.transaction((manager) =>
            manager.getRepository(Artwork).save(Array.from({ length: 100 }, (_, j) => manager.getRepository(Artwork).create({ metadata: metadata(i + j) }))),
          );
        }
      }
    : async () => {
        for (let i = 0; i < n; i++) await repo.save(repo.create({ metadata: metadata(i) }));
      };
  void detached;
}
// With CPU_PROFILE=<file>, a V8 CPU profile of the measured work alone (open it in Chrome's DevTools).
const cpuProfile = process.env.CPU_PROFILE;
const session = cpuProfile ? new Session() : undefined;
const post = (method: string) => new Promise<any>((resolve, reject) => session!.post(method, (e, r) => (e ? reject(e) : resolve(r))));
if (session) {
  session.connect();
  await post('Profiler.enable');
  await post('Profiler.start');
}
logger.on = true;
const cpu = process.cpuUsage();
const total = await timed(work);
const { user, system } = process.cpuUsage(cpu);
logger.on = false;
if (session) {
  const { profile } = await post('Profiler.stop');
  writeFileSync(cpuProfile!, JSON.stringify(profile));
  session.disconnect();
}
let sqlMs = 0;
const rows = [...logger.shapes].sort((a, b) => b[1].ms - a[1].ms);
for (const [shape, { count, ms }] of rows) {
  sqlMs += ms;
  console.log(`${String(Math.round(ms)).padStart(7)} ms ${String(count).padStart(7)}×  ${shape}`);
}
console.log(`total ${Math.round(total.ms)} ms, in SQL (client-measured) ${Math.round(sqlMs)} ms, outside SQL ${Math.round(total.ms - sqlMs)} ms`);
// NOTE: the process's own CPU time moves far less with the machine's load than the wall time does.
console.log(`CPU time of this process: ${Math.round((user + system) / 1000)} ms (user ${Math.round(user / 1000)}, system ${Math.round(system / 1000)})`);
await bench.close();
