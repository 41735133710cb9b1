/**
 * B8, the explorer's record view against the API's page of the same referrers: the catalogue app (sync mode,
 * PostgreSQL) with one term inlined by `referrers` artworks. Timed one request after another on one
 * keep-alive connection, `requests` of each, alternating: `GET /references?target=<term>` (the first page,
 * counted) and `GET /explorer/record?url=<term>` (the term, what it holds, the first page of its referrers
 * with the capped count, the neighbourhood).
 */
import http from 'node:http';
import { log, percentile } from './data.js';
import { BASE, get, withFilledCatalogue } from './paging.js';

export interface ExplorerArgs {
  referrers: number;
  requests: number;
  port: number;
}

export async function explorerView(args: ExplorerArgs) {
  const termId = '00000000-0000-4000-8000-000000000001';
  const term = `${BASE}/terms/${termId}`;
  return withFilledCatalogue(args.port, fill, measure);

  async function fill(client: any) {
    await client.query(`INSERT INTO term (id, metadata, version) VALUES ($1, $2, 1)`, [termId, JSON.stringify({ title: 'Baroque' })]);
    const copy = JSON.stringify({ title: 'Baroque', id: termId, links: { self: term } });
    await client.query(
      `INSERT INTO artwork (id, metadata, version)
       SELECT md5('a' || i)::uuid, jsonb_build_object('title', 'Artwork ' || i, 'stylePeriod', $2::jsonb), 1 FROM generate_series(1, $1::int) AS i`,
      [args.referrers, copy],
    );
    await client.query(
      `INSERT INTO reference_index (referrer_type, referrer_id, reference, reference_uuid, inline, path, on_delete)
       SELECT 'artworks', md5('a' || i)::uuid::text, $2, $3, true, 'stylePeriod', 'keep' FROM generate_series(1, $1::int) AS i`,
      [args.referrers, term, termId],
    );
  }

  async function measure() {
    const enc = encodeURIComponent;
    const pages = { api: `/references?target=${enc(term)}`, explorer: `/explorer/record?url=${enc(term)}` };
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const times: Record<keyof typeof pages, number[]> = { api: [], explorer: [] };
    for (let i = 0; i < args.requests + 20; i++) {
      for (const kind of Object.keys(pages) as Array<keyof typeof pages>) {
        const start = performance.now();
        const response = await get(agent, args.port, pages[kind]);
        const ms = performance.now() - start;
        if (response.status !== 200) throw new Error(`${pages[kind]} answered ${response.status}: ${response.body.slice(0, 200)}`);
        if (kind === 'explorer' && !response.body.includes('data-ref="referrer"')) throw new Error('the record view lists no referrer');
        // NOTE: the first 20 of each warm the caches and the plans.
        if (i >= 20) times[kind].push(ms);
      }
    }
    agent.destroy();
    const summary = (list: number[]) => {
      list.sort((a, b) => a - b);
      return { p50: percentile(list, 0.5), p99: percentile(list, 0.99) };
    };
    const api = summary(times.api);
    const explorer = summary(times.explorer);
    log(`B8 explorer: ${args.referrers} referrers, API p50 ${api.p50.toFixed(1)} ms, explorer p50 ${explorer.p50.toFixed(1)} ms`);
    return { referrers: args.referrers, requests: args.requests, api, explorer, ratio: explorer.p50 / api.p50 };
  }
}
