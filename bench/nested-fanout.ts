import type { Bench } from './boot.js';
import { countWithTitle, createTerm, insertArtworks, log, recordPlace, timed, vacuum } from './data.js';
import { Term } from './entities.js';

/**
 * B1 nested: the same fan-out as B1's, with the copy three levels deep inside an array
 * (`creators[0].agent`) instead of a top-level property. N artworks of each kind in one table, and the two
 * terms changed in alternation, so that the ratio compares like with like in one run.
 */
export async function nestedFanout(bench: Bench, n: number, rounds: number, topTerm: Term): Promise<{ topMs: number[]; nestedMs: number[] }> {
  const terms = bench.dataSource.getRepository(Term);
  let agent = await createTerm(bench, 'Painter v0');
  const url = bench.references.canonicalUrl(agent);
  await insertArtworks(bench, n, bench.references.representationOf(agent), (copy) => ({ creators: [{ role: 'painter', agent: copy }] }));
  const ph = bench.kind === 'postgres' ? ['$1', '$2'] : ['?', '?'];
  await bench.dataSource.query(
    `INSERT INTO reference_index (referrer_type, referrer_id, reference, reference_uuid, inline, path, on_delete)
     SELECT 'artworks', id${bench.kind === 'postgres' ? '::text' : ''}, ${ph[0]}, ${ph[1]}, true, 'creators[0].agent', 'keep' FROM artwork
     WHERE ${bench.kind === 'postgres' ? "metadata ? 'creators'" : "json_extract(metadata, '$.creators') IS NOT NULL"}`,
    [url, agent.id],
  );
  await recordPlace(bench, 'terms', 'artworks', 'creators.agent');
  await vacuum(bench);
  const result = { topMs: [] as number[], nestedMs: [] as number[] };
  let top = topTerm;
  for (let round = 1; round <= rounds; round++) {
    top.metadata = { ...top.metadata, title: `Baroque T${round}` };
    const topRun = await timed(() => terms.save(top));
    top = topRun.value;
    await vacuum(bench);
    agent.metadata = { ...agent.metadata, title: `Painter v${round}` };
    const nestedRun = await timed(() => terms.save(agent));
    agent = nestedRun.value;
    const updated = await countWithTitle(bench, `Painter v${round}`, ['creators', 0, 'agent']);
    if (updated !== n) throw new Error(`the nested fan-out updated ${updated} of ${n}`);
    await vacuum(bench);
    result.topMs.push(topRun.ms);
    result.nestedMs.push(nestedRun.ms);
    log(`B1 nested round ${round}: top-level ${topRun.ms.toFixed(0)} ms, creators[0].agent ${nestedRun.ms.toFixed(0)} ms`);
  }
  return result;
}

