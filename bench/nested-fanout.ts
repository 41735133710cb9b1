import type { Bench } from './boot.js';
import { timed, vacuum, log, createTerm } from './data.js';
import { DESCRIPTION, Term, artworkBody } from './entities.js';
import { randomUUID } from 'node:crypto';

/**
 * B1 nested: the same fan-out as B1's, with the copy three levels deep inside an array
 * (`creators[0].agent`) instead of a top-level property. N artworks of each kind in one table, and the two
 * terms changed in alternation, so that the ratio compares like with like in one run.
 */
export async function nestedFanout(bench: Bench, n: number, rounds: number, topTerm: Term): Promise<{ topMs: number[]; nestedMs: number[] }> {
  const terms = bench.dataSource.getRepository(Term);
  let agent = await createTerm(bench, 'Painter v0');
  const url = bench.references.canonicalUrl(agent);
  await insertCreatedArtworks(bench, n, bench.references.representationOf(agent));
  const ph = bench.kind === 'postgres' ? ['$1', '$2'] : ['?', '?'];
  await bench.dataSource.query(
    `INSERT INTO reference_index (referrer_type, referrer_id, reference, reference_uuid, inline, path, on_delete)
     SELECT 'artworks', id${bench.kind === 'postgres' ? '::text' : ''}, ${ph[0]}, ${ph[1]}, true, 'creators[0].agent', 'keep' FROM artwork
     WHERE ${bench.kind === 'postgres' ? "metadata ? 'creators'" : "json_extract(metadata, '$.creators') IS NOT NULL"}`,
    [url, agent.id],
  );
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
    const updated = await countCreatorsNamed(bench, `Painter v${round}`);
    if (updated !== n) throw new Error(`the nested fan-out updated ${updated} of ${n}`);
    await vacuum(bench);
    result.topMs.push(topRun.ms);
    result.nestedMs.push(nestedRun.ms);
    log(`B1 nested round ${round}: top-level ${topRun.ms.toFixed(0)} ms, creators[0].agent ${nestedRun.ms.toFixed(0)} ms`);
  }
  return result;
}

/** Inserts `n` artworks like B1's (about 1 KB) whose first creator's agent is `copy`, straight into the table (no index rows). */
async function insertCreatedArtworks(bench: Bench, n: number, copy: object): Promise<void> {
  const creators = [{ role: 'painter', agent: copy }];
  if (bench.kind === 'postgres') {
    await bench.dataSource.query(
      `INSERT INTO artwork (metadata)
       SELECT jsonb_build_object('title', 'Artwork ' || i, 'inventoryNumber', 'INV-' || i, 'description', $3::text,
              'dimensions', jsonb_build_object('height', i % 300, 'width', i % 200, 'unit', 'cm'),
              'tags', '["oil","canvas","portrait"]'::jsonb, 'creators', $1::jsonb)
       FROM generate_series(1, $2::int) AS i`,
      [JSON.stringify(creators), n, DESCRIPTION],
    );
    return;
  }
  const rows = Array.from({ length: n }, (_, i) => [randomUUID(), JSON.stringify({ ...artworkBody(i), creators })]);
  for (let from = 0; from < n; from += 2000) {
    await bench.dataSource.query(`INSERT INTO artwork (id, metadata) SELECT value ->> '$[0]', value ->> '$[1]' FROM json_each(?)`, [
      JSON.stringify(rows.slice(from, from + 2000)),
    ]);
  }
}

async function countCreatorsNamed(bench: Bench, title: string): Promise<number> {
  const sql =
    bench.kind === 'postgres'
      ? `SELECT count(*)::int AS n FROM artwork WHERE metadata #>> '{creators,0,agent,title}' = $1`
      : `SELECT count(*) AS n FROM artwork WHERE json_extract(metadata, '$.creators[0].agent.title') = ?`;
  return Number((await bench.dataSource.query(sql, [title]))[0].n);
}
