import type { ReferencesStatus } from '../interfaces/references-reports.interface.js';
import type { ExplorerAction } from './explorer-actions.service.js';
import { titleOf, type FoundRecords, type HeldReference, type RecordView, type UnknownRecord } from './explorer-reader.service.js';
import { EXPLORER_PICTURE_REFERRERS } from './explorer.constants.js';
import { html, type SafeHtml } from './html.util.js';
import type { ExplorerActivityEntry } from './references-explorer-options.interface.js';

/** Where the pages are, for links: the mount path without a trailing slash. */
export type Base = string;

const recordHref = (base: Base, url: string, extra: Record<string, string> = {}) =>
  `${base}/record?${new URLSearchParams({ url, ...extra })}`;

/** A whole page: the explorer's style sheet and script are files of their own (the CSP allows no inline code). */
export function layout(base: Base, title: string, body: SafeHtml, page: Record<string, string> = {}): string {
  const data = Object.entries(page).map(([key, value]) => html` data-${key}="${value}"`);
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · references explorer</title>
<link rel="stylesheet" href="${base}/assets/explorer.css">
<script src="${base}/assets/explorer.js" defer></script>
</head>
<body data-base="${base}"${data}>
<header class="top"><a class="brand" href="${base}">References explorer</a>
<form class="search" method="get" action="${base}"><input type="search" name="q" placeholder="A record's URL, or the start of one" aria-label="URL or prefix"><button type="submit">Find</button></form>
<span class="live" id="live" title="Live updates">live</span></header>
<main>${body}</main>
</body>
</html>
`.value;
}

/** `/`: the search, its results, the backlog and the latest activity. */
export function homePage(base: Base, status: ReferencesStatus, activity: ExplorerActivityEntry[], found?: FoundRecords): string {
  const results =
    found &&
    html`<section class="card"><h2>Records starting with <code>${found.query}</code></h2>
${found.records.length ? html`<table class="found"><tbody>${found.records.map((record) => html`<tr><td><a data-ref="found" href="${recordHref(base, record.url)}">${record.title ?? record.url}</a></td><td class="muted small">${record.url}</td></tr>`)}</tbody></table>` : html`<p class="muted">No record has a URL starting with this.</p>`}
${found.next ? html`<p><a class="more" href="${base}?${String(new URLSearchParams({ q: found.query, cursor: found.next }))}">Next page →</a></p>` : ''}
</section>`;
  return layout(
    base,
    'Propagation',
    html`${results}
<section class="card"><h2>Propagation backlog</h2><div id="backlog">${backlog(status)}</div></section>
<section class="card"><h2>Latest activity</h2>${activityList(base, [...activity].reverse())}</section>`,
    { page: 'home' },
  );
}

/** The backlog's figures (also served alone, for the page's live refresh). */
export function backlog(status: ReferencesStatus): SafeHtml {
  const age = status.oldestPendingMs === null ? '–' : formatAge(status.oldestPendingMs);
  const figure = (name: string, value: string | number, warn = false) =>
    html`<div class="figure${warn ? ' warn' : ''}" data-backlog="${name}"><span class="value">${value}</span><span class="label">${name}</span></div>`;
  return html`<div class="figures">${figure('pending', status.pending)}${figure('running', status.running)}${figure('failed', status.failed, status.failed > 0)}${figure('blocked', status.blocked, status.blocked > 0)}${figure('stalled', status.stalled, status.stalled > 0)}${figure('oldest', age)}</div>`;
}

/** `/record`: the record, what it holds, who holds it, its activity. */
export function recordPage(base: Base, view: RecordView, activity: ExplorerActivityEntry[], actions: ExplorerAction[], notice?: string): string {
  const body = html`${notice ? html`<p class="notice" role="status">${notice}</p>` : ''}
<div id="record-live">${recordLive(base, view)}</div>
<section class="card"><h2>Actions</h2>
<div class="actions">${actions.map(
    (action) =>
      html`<form method="post" action="${base}/actions/${action.name}?${String(new URLSearchParams({ url: view.url }))}"><button type="submit" data-action="${action.name}">${action.label}</button><span class="muted">${action.description}; needs the write permission</span></form>`,
  )}</div></section>
<section class="card"><h2>Activity touching this record</h2>${activityList(base, [...activity].reverse())}</section>`;
  return layout(base, view.url, body, { page: 'record', url: view.url, type: view.type, id: view.id });
}

/** The parts of the record page that change with propagation (served alone for the live refresh). */
export function recordLive(base: Base, view: RecordView): SafeHtml {
  const { referrers } = view;
  const count = `${referrers.count}${referrers.exact ? '' : '+'}`;
  return html`<section class="card head"><p class="kicker">${view.type}</p><h1>${titleOr(view.document, view.id)}</h1><p class="url"><code>${view.url}</code></p></section>
<div class="columns">
<section class="card"><h2>Neighbourhood</h2>${picture(base, view)}</section>
<section class="card"><h2>References it holds <span class="count">${view.holds.length}</span></h2>${holdsTable(base, view.holds)}</section>
</div>
<section class="card"><h2>Referrers <span class="count" data-count="${count}">${count}</span></h2>
${
  referrers.rows.length
    ? html`<table><thead><tr><th>Referrer</th><th>Path</th><th>Kind</th></tr></thead><tbody>${referrers.rows.map(
        (row) =>
          html`<tr data-ref="referrer" data-referrer="${row.referrerType}/${row.referrerId}"><td>${row.url ? html`<a href="${recordHref(base, row.url)}">${row.title ?? row.url}</a><div class="muted small">${row.url}</div>` : html`${row.referrerType}/${row.referrerId} <span class="muted small">(gone)</span>`}</td><td><code>${row.path}</code></td><td>${row.inline ? 'copy' : 'link'}</td></tr>`,
      )}</tbody></table>`
    : html`<p class="muted">No record references it.</p>`
}
<p class="pager">${referrers.cursor ? html`<a href="${recordHref(base, view.url)}">← First page</a>` : ''}${referrers.next ? html`<a class="more" href="${recordHref(base, view.url, { cursor: referrers.next })}">Next page →</a>` : ''}</p>
</section>
<section class="card"><h2>Document</h2><pre class="json">${json(view.document, 0)}</pre></section>`;
}

/** A URL that names no record: a page that says so (answered with 404). */
export function unknownPage(base: Base, unknown: UnknownRecord): string {
  return layout(
    base,
    'Unknown record',
    html`<section class="card"><h1>Unknown record</h1><p data-ref="unknown"><code>${unknown.url}</code> names no record here: ${unknown.reason}.</p><p><a href="${base}">Back to the explorer</a></p></section>`,
    { page: 'unknown' },
  );
}

/** An error page (bad input, a refused action, a failure). */
export function errorPage(base: Base, status: number, message: string): string {
  return layout(
    base,
    `Error ${status}`,
    html`<section class="card"><h1>${status === 403 ? 'Not allowed' : status < 500 ? 'Bad request' : 'Something went wrong'}</h1><p class="error" data-status="${status}">${message}</p><p><a href="${base}">Back to the explorer</a></p></section>`,
    { page: 'error' },
  );
}

function holdsTable(base: Base, holds: HeldReference[]): SafeHtml {
  if (!holds.length) return html`<p class="muted">It holds no reference.</p>`;
  return html`<table><thead><tr><th>Path</th><th>Target</th><th>State</th></tr></thead><tbody>${holds.map(
    (held) =>
      html`<tr data-ref="${held.inline ? 'copy' : 'link'}" data-state="${held.state}" data-target="${held.reference}"><td><code>${held.path}</code></td><td><a href="${recordHref(base, held.reference)}">${held.title}</a><div class="muted small">${held.inline ? 'inline copy of ' : 'link to '}${held.reference}</div></td><td><span class="state state-${held.state}">${held.state}</span></td></tr>`,
  )}</tbody></table>`;
}

/** Newest first. */
function activityList(base: Base, entries: ExplorerActivityEntry[]): SafeHtml {
  return html`<ol class="activity" id="activity">${entries.map((entry) => activityItem(base, entry))}</ol>${entries.length ? '' : html`<p class="muted" id="activity-empty">Nothing yet; entries appear here as propagation runs.</p>`}`;
}

/** One entry; the page's script builds the same markup for the entries that arrive live. */
function activityItem(base: Base, entry: ExplorerActivityEntry): SafeHtml {
  const who = entry.referrerIds ? `${entry.referrerType}: ${entry.referrerIds.length} updated` : entry.detail ?? '';
  return html`<li data-ref="activity" data-kind="${entry.kind}"><time datetime="${entry.at}">${entry.at.slice(11, 19)}</time><span class="kind kind-${entry.kind}">${entry.kind}</span><a href="${recordHref(base, entry.reference)}">${entry.reference}</a>${entry.newReference ? html` → <a href="${recordHref(base, entry.newReference)}">${entry.newReference}</a>` : ''}<span class="muted">${who}</span></li>`;
}

/** Whether an activity entry concerns the record of a page: itself, one of its targets, or it among the updated referrers. */
export function touches(entry: ExplorerActivityEntry, view: Pick<RecordView, 'url' | 'type' | 'id' | 'holds'>): boolean {
  if (entry.reference === view.url || entry.newReference === view.url) return true;
  if (view.holds.some((held) => held.reference === entry.reference)) return true;
  return entry.referrerType === view.type && !!entry.referrerIds?.includes(view.id);
}

/** A small picture of the neighbourhood: its targets on the left, the record, its first referrers on the right. */
function picture(base: Base, view: RecordView): SafeHtml {
  const targets = [...new Map(view.holds.map((held) => [held.reference, held])).values()].slice(0, EXPLORER_PICTURE_REFERRERS);
  const referrers = view.referrers.rows.slice(0, EXPLORER_PICTURE_REFERRERS);
  const rows = Math.max(targets.length, referrers.length, 1);
  const [width, rowHeight, boxWidth, boxHeight] = [440, 32, 130, 24];
  const height = rows * rowHeight + 16;
  const y = (i: number, n: number) => 8 + (height - 16) * ((i + 0.5) / n) - boxHeight / 2;
  const node = (x: number, top: number, label: string, href: string | null, kind: string) => {
    const shape = html`<rect x="${x}" y="${top}" width="${boxWidth}" height="${boxHeight}" rx="5"></rect><text x="${x + 8}" y="${top + 16}">${short(label, 17)}</text>`;
    return href ? html`<a href="${href}" class="node node-${kind}">${shape}</a>` : html`<g class="node node-${kind}">${shape}</g>`;
  };
  const selfTop = y(0, 1);
  const edges = [
    ...targets.map((_, i) => html`<line x1="${boxWidth}" y1="${y(i, targets.length) + boxHeight / 2}" x2="${(width - boxWidth) / 2}" y2="${selfTop + boxHeight / 2}"></line>`),
    ...referrers.map((_, i) => html`<line x1="${(width + boxWidth) / 2}" y1="${selfTop + boxHeight / 2}" x2="${width - boxWidth}" y2="${y(i, referrers.length) + boxHeight / 2}"></line>`),
  ];
  return html`<svg class="picture" viewBox="0 0 ${width} ${height}" role="img" aria-label="Targets, the record and its first referrers">
<g class="edges">${edges}</g>
${targets.map((held, i) => node(0, y(i, targets.length), held.title, recordHref(base, held.reference), held.state))}
${node((width - boxWidth) / 2, selfTop, titleOr(view.document, view.id), null, 'self')}
${referrers.map((row, i) => node(width - boxWidth, y(i, referrers.length), row.title ?? `${row.referrerType}/${row.referrerId}`, row.url && recordHref(base, row.url), 'referrer'))}
</svg>
<p class="legend muted small">targets ← this record ← referrers${view.referrers.rows.length > referrers.length ? ` (first ${referrers.length})` : ''}</p>`;
}

/** A JSON value, indented, its keys, strings and other values marked for the style sheet. */
function json(value: unknown, depth: number): SafeHtml {
  const pad = '  '.repeat(depth + 1);
  const end = '  '.repeat(depth);
  if (Array.isArray(value)) {
    if (!value.length) return html`[]`;
    return html`[\n${value.map((item, i) => html`${pad}${json(item, depth + 1)}${i < value.length - 1 ? ',' : ''}\n`)}${end}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    if (!entries.length) return html`{}`;
    return html`{\n${entries.map(([key, item], i) => html`${pad}<span class="k">${JSON.stringify(key)}</span>: ${json(item, depth + 1)}${i < entries.length - 1 ? ',' : ''}\n`)}${end}}`;
  }
  if (typeof value === 'string') return html`<span class="s">${JSON.stringify(value)}</span>`;
  return html`<span class="v">${JSON.stringify(value) ?? 'null'}</span>`;
}

function titleOr(document: Record<string, any>, fallback: string): string {
  return titleOf(document) ?? fallback;
}

function short(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}

function formatAge(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  return `${Math.round(ms / 3_600_000)} h`;
}
