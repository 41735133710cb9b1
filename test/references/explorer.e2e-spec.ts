// The references explorer (nestjs-references/explorer), driven in headless chromium: a record's referrers,
// its copies current then stale, a rename seen live (sync mode on every database, and queue mode with the
// worker in another process), escaping, actions behind the permission, an unknown URL. Without chromium the
// suite fails in its first hook, naming it: these pages are tested in a real browser or not at all.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import type { Browser, Page } from 'puppeteer-core';
import { ReferencesExplorerModule, type ExplorerRequest } from 'nestjs-references/explorer';
import { launchBrowser, SCREENSHOTS_DIR } from '../support/browser.js';
import { DATABASES, type DatabaseKind } from '../support/databases.js';
import type { TestNode } from '../support/fixtures.js';
import { buildProcesses, kill, startWorker } from '../support/processes.js';
import { createNode, nodeUrl, reload } from '../support/records.js';
import { QUEUE_DRIVERS, queueOn } from '../support/queues.js';
import { bootReferences, type TestContext } from '../support/test-app.js';

const KEY = 'explorer-test-key';
/** The app's write permission, as the test app grants it: a header the browser can be given. */
const authorize = (request: ExplorerRequest) => request.headers['x-write-key'] === KEY;
const explorer = () => ReferencesExplorerModule.forRoot({ path: '/explorer', authorize });
const RENAME_SEEN_MS = 5000;

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(() => browser?.close());
// NOTE: a test that failed half-way leaves its pages open: each holds an event stream to the app.
afterEach(async () => {
  await Promise.all((await browser.pages()).map((page) => page.close()));
});

/** The explorer's app, listening on a free port. */
async function start(kind: DatabaseKind, options: Parameters<typeof bootReferences>[1] = {}): Promise<{ ctx: TestContext; origin: string }> {
  const ctx = await bootReferences(kind, options, [], { imports: [explorer()] });
  await ctx.app.listen(0, '127.0.0.1');
  return { ctx, origin: (await ctx.app.getUrl()).replace('[::1]', '127.0.0.1') };
}

/**
 * Closes the app. NOTE: chromium keeps the sockets of closed pages open a while (keep-alive); the server's
 * close would wait for them, so they are closed first.
 */
async function close(ctx: TestContext | undefined): Promise<void> {
  if (!ctx) return;
  ctx.app.getHttpServer().closeAllConnections();
  await ctx.close();
}

const recordPath = (url: string) => `/explorer/record?${new URLSearchParams({ url })}`;

/** A page that fails the test on any dialog (an escaped title never opens one). */
async function open(origin: string, path: string): Promise<{ page: Page; dialogs: string[]; status: number }> {
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  const response = await page.goto(origin + path, { waitUntil: 'domcontentloaded' });
  return { page, dialogs, status: response!.status() };
}

/** Waits until the page's event stream is connected, so that nothing that follows can be missed. */
const live = (page: Page) => page.waitForSelector('body[data-live="open"]', { timeout: 10_000 });

/** Waits, at most 5 s, until the page's copy shows `title` (in the browser: no reload). */
const copyShows = (page: Page, title: string, timeout = RENAME_SEEN_MS) =>
  page.waitForFunction((wanted: string) => (globalThis as any).document.querySelector('[data-ref="copy"]')?.textContent?.includes(wanted), { timeout }, title);
const texts = (page: Page, selector: string) => page.$$eval(selector, (elements) => elements.map((e) => (e as any).innerText));
const states = (page: Page, kind: string) => page.$$eval(`[data-ref="${kind}"]`, (elements) => elements.map((e) => e.getAttribute('data-state')));

/** A term and an artwork that holds a copy of it and links to it and to a record that does not exist. */
async function artworkWithTerm(ctx: TestContext, title = 'Baroque'): Promise<{ term: TestNode; artwork: TestNode; missing: string }> {
  const term = await createNode(ctx.dataSource, { title });
  const missing = nodeUrl(randomUUID());
  const artwork = await createNode(ctx.dataSource, {
    title: 'Judith',
    parent: { links: { self: nodeUrl(term.id) } },
    seeAlso: [nodeUrl(term.id)],
    kept: missing,
  });
  return { term, artwork, missing };
}

/** Writes a node's metadata with SQL, around the library, as a migration or a hand-written UPDATE would. */
function writeAround(ctx: TestContext, id: string, metadata: string): Promise<unknown> {
  const postgres = ctx.dataSource.options.type === 'postgres';
  return ctx.dataSource.query(`UPDATE test_node SET metadata = ${postgres ? '$1::jsonb' : '?'} WHERE id = ${postgres ? '$2' : '?'}`, [metadata, id]);
}

describe.each(DATABASES)('the references explorer on %s (sync mode)', (kind) => {
  let ctx: TestContext;
  let origin: string;
  beforeAll(async () => {
    ({ ctx, origin } = await start(kind));
  });
  afterAll(() => close(ctx));

  it("lists a record's referrers a page at a time with the capped count, each linking to its own view", async () => {
    const term = await createNode(ctx.dataSource, { title: 'Mannerism' });
    const referrers = [];
    for (let i = 0; i < 30; i++) referrers.push(await createNode(ctx.dataSource, { title: `Work ${i}`, parent: { links: { self: nodeUrl(term.id) } } }));
    const { page } = await open(origin, recordPath(nodeUrl(term.id)));
    expect(await page.$$('[data-ref="referrer"]')).toHaveLength(25);
    expect(await page.$eval('[data-count]', (e) => e.getAttribute('data-count'))).toBe('30');
    expect(await page.$$('svg.picture .node-referrer')).toHaveLength(6);
    expect(await page.$$('svg.picture .node-self')).toHaveLength(1);
    await Promise.all([page.waitForNavigation(), page.click('a.more')]);
    const second = await page.$$eval('[data-ref="referrer"]', (rows) => rows.map((row) => row.getAttribute('data-referrer')));
    expect(second).toHaveLength(5);
    const listed = new Set(second.map((key) => key!.split('/')[1]));
    expect(referrers.filter((node) => listed.has(node.id))).toHaveLength(5);
    await Promise.all([page.waitForNavigation(), page.click('[data-ref="referrer"] a')]);
    expect(new URL(page.url()).searchParams.get('url')).toMatch(new RegExp(`^${nodeUrl('')}`));
    expect(await page.$eval('h1', (e) => (e as any).innerText)).toMatch(/^Work \d+$/);
    await page.close();
  });

  it('shows a copy current, then stale after a direct change of the database, and its links resolved or dangling', async () => {
    const { term, artwork, missing } = await artworkWithTerm(ctx, 'Gothic');
    const { page } = await open(origin, recordPath(nodeUrl(artwork.id)));
    expect(await states(page, 'copy')).toEqual(['current']);
    expect(await texts(page, '[data-ref="copy"]')).toEqual([expect.stringContaining('Gothic')]);
    const links = await page.$$eval('[data-ref="link"]', (rows) => rows.map((row) => [row.getAttribute('data-target'), row.getAttribute('data-state')]));
    expect(links).toEqual([
      [nodeUrl(term.id), 'resolved'],
      [missing, 'dangling'],
    ]);

    // NOTE: around the library, as a migration or a hand-written UPDATE would: the copy no longer matches.
    const changed = JSON.stringify({ title: 'Late Gothic' });
    await writeAround(ctx, term.id, changed);
    await page.reload({ waitUntil: 'domcontentloaded' });
    expect(await states(page, 'copy')).toEqual(['stale']);
    expect(await texts(page, '[data-ref="copy"]')).toEqual([expect.stringContaining('Gothic')]);
    await page.close();
  });

  it('shows a rename of the target on an open page, without a reload, within 5 s', async () => {
    const { term, artwork } = await artworkWithTerm(ctx, 'Baroque');
    for (const title of ['Caravaggio and his followers (exhibition, 2026)', 'Loan 2026/14', 'Catalogue raisonné, no. 112']) {
      await createNode(ctx.dataSource, { title, seeAlso: [nodeUrl(artwork.id)] });
    }
    const { page } = await open(origin, recordPath(nodeUrl(artwork.id)));
    await live(page);
    const renamed = Object.assign(await reload(ctx.dataSource, term), { metadata: { title: 'High Baroque' } });
    const before = Date.now();
    await ctx.references.transaction((manager) => manager.save(renamed));
    await copyShows(page, 'High Baroque');
    expect(Date.now() - before).toBeLessThan(RENAME_SEEN_MS);
    expect(await states(page, 'copy')).toEqual(['current']);
    expect(await page.$$('[data-ref="activity"]')).not.toHaveLength(0);
    expect(await page.$$('[data-ref="referrer"]')).toHaveLength(3);
    await page.screenshot({ path: `${SCREENSHOTS_DIR}/explorer-record-${kind}.png`, fullPage: true });
    await page.close();
  });

  it('shows a title that is markup as text, and no dialog opens, on the page and live', async () => {
    const markup = '<img src=x onerror=alert(1)>';
    const { term, artwork } = await artworkWithTerm(ctx, markup);
    const { page, dialogs } = await open(origin, recordPath(nodeUrl(artwork.id)));
    await live(page);
    expect(await texts(page, '[data-ref="copy"]')).toEqual([expect.stringContaining(markup)]);
    expect(await page.$$('main img')).toHaveLength(0);
    const termPage = await open(origin, recordPath(nodeUrl(term.id)));
    expect(await termPage.page.$eval('h1', (e) => (e as any).innerText)).toBe(markup);
    expect(await termPage.page.$$('main img')).toHaveLength(0);
    expect(termPage.dialogs).toEqual([]);
    await termPage.page.close();

    const other = '<script>alert(2)</script><svg onload=alert(3)>';
    await ctx.references.transaction((manager) => manager.save(Object.assign(term, { metadata: { title: other } })));
    // NOTE: what this test asserts is the escaping of live content; how soon it arrives is the rename test's.
    await copyShows(page, other, 3 * RENAME_SEEN_MS);
    expect(await page.$$('main img, main script, main svg[onload]')).toHaveLength(0);
    expect(dialogs).toEqual([]);
    await page.close();
  });

  it('sends a Content-Security-Policy and serves its script as a file', async () => {
    const response = await fetch(`${origin}/explorer`);
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    const body = await response.text();
    expect(body).toContain('src="/explorer/assets/explorer.js"');
    expect(body).not.toMatch(/<script>|\son[a-z]+=/i);
    const script = await fetch(`${origin}/explorer/assets/explorer.js`);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    expect(await script.text()).toContain('EventSource');
  });

  it('refuses an action without the write permission (403, nothing changed) and runs it with it', async () => {
    const { term, artwork } = await artworkWithTerm(ctx, 'Rococo');
    await writeAround(ctx, term.id, JSON.stringify({ title: 'Late Rococo' }));
    const { page } = await open(origin, recordPath(nodeUrl(term.id)));
    const refused = page.waitForNavigation();
    await page.click('[data-action="refresh"]');
    expect((await refused)!.status()).toBe(403);
    expect(await page.$eval('[data-status]', (e) => (e as any).innerText)).toContain('refresh');
    expect((await reload(ctx.dataSource, artwork)).metadata.parent!.title).toBe('Rococo');

    await page.setExtraHTTPHeaders({ 'x-write-key': KEY });
    await page.goto(origin + recordPath(nodeUrl(term.id)), { waitUntil: 'domcontentloaded' });
    const done = page.waitForNavigation();
    await page.click('[data-action="refresh"]');
    expect((await done)!.status()).toBe(200);
    expect(await page.$eval('.notice', (e) => (e as any).innerText)).toContain('Refresh this target');
    expect((await reload(ctx.dataSource, artwork)).metadata.parent!.title).toBe('Late Rococo');
    const artworkPage = await open(origin, recordPath(nodeUrl(artwork.id)));
    expect(await states(artworkPage.page, 'copy')).toEqual(['current']);
    await Promise.all([page.close(), artworkPage.page.close()]);
  });

  it('answers an unknown URL with a page that says so (404), and a missing url with 400 naming it', async () => {
    const unknown = nodeUrl(randomUUID());
    const { page, status } = await open(origin, recordPath(unknown));
    expect(status).toBe(404);
    expect(await page.$eval('[data-ref="unknown"]', (e) => (e as any).innerText)).toContain(unknown);
    await page.screenshot({ path: `${SCREENSHOTS_DIR}/explorer-unknown-${kind}.png` });
    await page.close();
    const missing = await fetch(`${origin}/explorer/record`);
    expect(missing.status).toBe(400);
    expect(await missing.text()).toContain('url:');
  });

  it('finds records by URL prefix a page at a time, and goes straight to a record by its URL', async () => {
    const { term } = await artworkWithTerm(ctx, 'Found');
    const { page } = await open(origin, `/explorer?${new URLSearchParams({ q: nodeUrl('') })}`);
    expect(await page.$$('[data-ref="found"]')).toHaveLength(25);
    expect(await page.$('a.more')).not.toBeNull();
    await page.goto(`${origin}/explorer?${new URLSearchParams({ q: nodeUrl(term.id) })}`, { waitUntil: 'domcontentloaded' });
    expect(await page.$eval('h1', (e) => (e as any).innerText)).toBe('Found');
    await page.close();
  });
});

describe('the browser of this suite', () => {
  it('is required: a missing chromium fails, naming it', async () => {
    await expect(launchBrowser('/nonexistent/chromium')).rejects.toThrow('chromium is not installed at /nonexistent/chromium');
  });
});

describe.each(QUEUE_DRIVERS)('the references explorer in queue mode, the worker in another process (postgres), on %s', (driver) => {
  let ctx: TestContext;
  let origin: string;
  let worker: ChildProcess;
  beforeAll(async () => {
    buildProcesses();
    const prefix = `test-${randomUUID()}`;
    // NOTE: this process only writes and serves the pages; the worker process runs every propagation.
    ({ ctx, origin } = await start('postgres', { propagation: 'queue', queue: { ...queueOn(driver, prefix), worker: false, sweepIntervalMs: 250 } }));
    worker = await startWorker(prefix, {}, driver);
    // NOTE: compiling the worker (tsc) takes a while on a busy machine.
  }, 240_000);
  afterAll(async () => {
    if (worker) await kill(worker);
    await close(ctx);
  });

  it('shows a rename of the target on an open page, without a reload, within 5 s', async () => {
    const { term, artwork } = await artworkWithTerm(ctx, 'Baroque');
    await ctx.settle();
    const { page } = await open(origin, recordPath(nodeUrl(artwork.id)));
    await live(page);
    expect(await states(page, 'copy')).toEqual(['current']);
    const before = Date.now();
    await ctx.references.transaction((manager) => manager.save(Object.assign(term, { metadata: { title: 'Counter-Reformation Baroque' } })));
    await copyShows(page, 'Counter-Reformation Baroque');
    expect(Date.now() - before).toBeLessThan(RENAME_SEEN_MS);
    expect(await states(page, 'copy')).toEqual(['current']);
    expect(await page.$$eval('[data-ref="activity"]', (items) => items.map((item) => item.getAttribute('data-kind')))).toContain('propagated');
    await page.close();
  });

  it('shows the backlog, and the propagations the worker ends appear on the open home page', async () => {
    const { term } = await artworkWithTerm(ctx, 'Mannerism');
    await ctx.settle();
    const { page } = await open(origin, `/explorer?${new URLSearchParams({ q: nodeUrl('') })}`);
    await live(page);
    expect(await page.$$eval('[data-backlog]', (figures) => figures.map((figure) => figure.getAttribute('data-backlog')))).toEqual(['pending', 'running', 'failed', 'blocked', 'stalled', 'oldest']);
    expect(await texts(page, '[data-ref="found"]')).toContain('Mannerism');
    const propagated = () => page.$$eval('[data-ref="activity"][data-kind="propagated"]', (items) => items.length);
    const before = await propagated();
    await ctx.references.transaction((manager) => manager.save(Object.assign(term, { metadata: { title: 'Late Mannerism' } })));
    await page.waitForFunction((n: number) => (globalThis as any).document.querySelectorAll('[data-ref="activity"][data-kind="propagated"]').length > n, { timeout: RENAME_SEEN_MS }, before);
    await page.screenshot({ path: `${SCREENSHOTS_DIR}/explorer-home-queue.png`, fullPage: true });
    await page.close();
  });
});
