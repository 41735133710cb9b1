import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { ReferenceEntry } from 'nestjs-references';
import { BASE_URL, TestNode } from '../support/fixtures.js';
import { buildProcesses, runCli } from '../support/processes.js';
import { createNode, nodeUrl } from '../support/records.js';
import { manyReferrers } from '../support/referrers.js';
import { bootReferences, type TestContext } from '../support/test-app.js';

const link = (url: string) => ({ links: { self: url } });

describe('the references CLI (PostgreSQL, a process of its own)', () => {
  let ctx: TestContext;
  let target: TestNode;
  let referrer: TestNode;

  beforeAll(async () => {
    buildProcesses();
    ctx = await bootReferences('postgres');
  });
  afterAll(() => ctx.close());

  // Each test starts from the same two records, whatever the others did.
  beforeEach(async () => {
    await ctx.dataSource.query('TRUNCATE test_node, test_record, reference_index, reference_outbox');
    target = await createNode(ctx.dataSource, { title: 'Cubism' });
    referrer = await createNode(ctx.dataSource, { title: 'Les Demoiselles', parent: link(nodeUrl(target.id)) });
  });

  it('lists the referrers of a URL', async () => {
    const result = await runCli(['references', 'referrers', nodeUrl(target.id)]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`nodes/${referrer.id}\tinline\tparent\t${nodeUrl(target.id)}\n`);
  });

  it('lists every referrer of a URL with many, a page at a time', async () => {
    await manyReferrers(ctx, target, 2500);
    const result = await runCli(['references', 'referrers', nodeUrl(target.id)]);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(2501);
    expect(new Set(lines).size).toBe(2501);
    expect(result.stderr).toBe('2501 reference(s)\n');
  });

  it('verify exits 0 on a consistent index, and 1 with a readable summary on drift', async () => {
    const clean = await runCli(['references', 'verify']);
    expect(clean.code).toBe(0);
    expect(clean.stdout).toContain('consistent');

    await ctx.dataSource.getRepository(ReferenceEntry).delete({ referrerId: referrer.id });
    await ctx.dataSource.query(`UPDATE test_node SET metadata = '{"title":"Cubism (1907–1914)"}' WHERE id = $1`, [target.id]);
    const drift = await runCli(['references', 'verify']);
    expect(drift.code).toBe(1);
    expect(drift.stdout).toMatch(/missing\s+1/);
    expect(drift.stdout).toMatch(/stale\s+1/);
    const json = JSON.parse((await runCli(['references', 'verify', '--json'])).stdout);
    expect(json.missing).toEqual([expect.objectContaining({ referrerId: referrer.id, path: 'parent' })]);
    expect(json.totals).toEqual({ missing: 1, extra: 0, stale: 1, withheld: 0, dangling: 0, nonCanonical: 0, invalid: 0 });
    // Another referrer goes stale too: --limit keeps one row a kind, the totals count both.
    await createNode(ctx.dataSource, { title: 'Guernica', parent: link(nodeUrl(target.id)) });
    await ctx.dataSource.query(`UPDATE test_node SET metadata = '{"title":"Cubism (again)"}' WHERE id = $1`, [target.id]);
    const limited = JSON.parse((await runCli(['references', 'verify', '--json', '--limit', '1'])).stdout);
    expect(limited.stale).toHaveLength(1);
    expect(limited.totals.stale).toBe(2);
  });

  it('synchronize rebuilds the index with progress lines, and refresh --stale repairs what verify found stale', async () => {
    await ctx.dataSource.getRepository(ReferenceEntry).delete({ referrerId: referrer.id });
    await ctx.dataSource.query(`UPDATE test_node SET metadata = '{"title":"Cubism (1907–1914)"}' WHERE id = $1`, [target.id]);
    const sync = await runCli(['references', 'synchronize', '--clear']);
    expect(sync.code).toBe(0);
    expect(sync.stdout).toBe('Synchronized: 2 records, 1 references.\n');
    expect(sync.stderr).toContain('synchronize: 2/2');
    expect(await ctx.references.getReferrers(nodeUrl(target.id))).toEqual([expect.objectContaining({ referrerId: referrer.id })]);

    const refresh = await runCli(['references', 'refresh', '--stale']);
    expect(refresh.code).toBe(0);
    expect(refresh.stdout).toContain('Refreshed 1 of 1 target(s).');
    const stored = await ctx.dataSource.getRepository(TestNode).findOneByOrFail({ id: referrer.id });
    expect(stored.metadata.parent?.title).toBe('Cubism (1907–1914)');
    expect((await runCli(['references', 'verify'])).code).toBe(0);
  });

  it('rename rewrites the references to a moved record', async () => {
    const moved = 'https://moved.example/cubism';
    const result = await runCli(['references', 'rename', nodeUrl(target.id), moved]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('1 referrer(s) updated');
    expect(await ctx.references.getReferrers(moved)).toHaveLength(1);
  });

  it('verify, repair and rename take a URL under the base URL that names none of our types as a remote one', async () => {
    const term = `${BASE_URL}/api/taxonomies/requestors/a/b/`;
    const holder = await createNode(ctx.dataSource, { title: 'Braque', parent: { title: 'b', links: { self: term } } });
    const verify = await runCli(['references', 'verify']);
    expect(verify.stdout).toMatch(/non-canonical\s+0/);
    expect(verify.code).toBe(0);
    expect(await runCli(['references', 'repair'])).toMatchObject({ code: 0, stdout: 'Repaired 0 record(s).\n' });
    const moved = `${BASE_URL}/api/taxonomies/requestors/a/b-moved/`;
    expect((await runCli(['references', 'rename', term, moved])).code).toBe(0);
    expect(await ctx.references.getReferrers(moved)).toEqual([expect.objectContaining({ referrerId: holder.id, path: 'parent' })]);
    expect((await ctx.dataSource.getRepository(TestNode).findOneByOrFail({ id: holder.id })).metadata.parent).toEqual({ title: 'b', links: { self: moved } });
  });

  it('an unknown command exits 1 with one line naming it and the known ones', async () => {
    const result = await runCli(['references', 'frobnicate']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('unknown command "references frobnicate" (the commands are synchronize, verify, referrers, rename, refresh, rebase, repair, failed, retry)\n');
  });

  it('works on the data source --data-source names, and says so when the app has none by that name', async () => {
    const named = await runCli(['references', 'referrers', nodeUrl(target.id), '--data-source', 'default']);
    expect(named.stdout).toBe(`nodes/${referrer.id}\tinline\tparent\t${nodeUrl(target.id)}\n`);
    const unknown = await runCli(['references', 'verify', '--data-source', 'archive']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe('no ReferencesModule.forRoot() for the data source "archive"\n');
  });

  it('refuses a bad --batch with a clear message', async () => {
    const result = await runCli(['references', 'synchronize', '--batch', '0']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('--batch must be a positive integer, got "0"');
  });

  it('stops cleanly on Ctrl-C, and a re-run completes', async () => {
    await ctx.dataSource.query(`INSERT INTO test_node (metadata) SELECT jsonb_build_object('title', 'bulk ' || n) FROM generate_series(1, 5000) AS n`);
    let interrupted = false;
    const stopped = await runCli(['references', 'synchronize', '--batch', '20'], {
      onStderr: (chunk, child) => {
        if (!interrupted && /synchronize: \d+\//.test(chunk)) {
          interrupted = true;
          child.kill('SIGINT');
        }
      },
    });
    expect(stopped.code).toBe(0);
    expect(stopped.stdout).toMatch(/^Stopped: \d+ records/);
    const again = await runCli(['references', 'synchronize']);
    expect(again.stdout).toBe('Synchronized: 5002 records, 1 references.\n');
  });
});
