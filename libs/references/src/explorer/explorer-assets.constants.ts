// The explorer's client files, served as files (`<path>/assets/…`): the CSP allows no inline script or style.
// Kept as strings in a module so that they ship in the package's build with no copy step and no build chain.

/** `explorer.js`: live activity by server-sent events; nothing else runs on the pages. */
export const EXPLORER_SCRIPT = String.raw`// The explorer's page script: live activity by server-sent events, and the parts of the page it changes.
(function () {
  'use strict';
  var body = document.body;
  var base = body.getAttribute('data-base');
  var page = body.getAttribute('data-page');
  var live = document.getElementById('live');
  if (!window.EventSource || (page !== 'home' && page !== 'record')) return;

  function recordHref(url) {
    return base + '/record?' + new URLSearchParams({ url: url }).toString();
  }

  function targets() {
    return Array.prototype.map.call(document.querySelectorAll('[data-target]'), function (element) {
      return element.getAttribute('data-target');
    });
  }

  // The same rule as the server's touches(): the record itself, one of its targets, or it among the referrers updated.
  function touches(entry) {
    var url = body.getAttribute('data-url');
    if (entry.reference === url || entry.newReference === url) return true;
    if (targets().indexOf(entry.reference) >= 0) return true;
    return entry.referrerType === body.getAttribute('data-type') && (entry.referrerIds || []).indexOf(body.getAttribute('data-id')) >= 0;
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function link(url) {
    var anchor = element('a', null, url);
    anchor.href = recordHref(url);
    return anchor;
  }

  // Built with textContent only: nothing an entry carries can become markup.
  function show(entry) {
    var list = document.getElementById('activity');
    if (!list) return;
    var empty = document.getElementById('activity-empty');
    if (empty) empty.remove();
    var item = element('li');
    item.setAttribute('data-ref', 'activity');
    item.setAttribute('data-kind', entry.kind);
    var time = element('time', null, entry.at.slice(11, 19));
    time.setAttribute('datetime', entry.at);
    item.appendChild(time);
    item.appendChild(element('span', 'kind kind-' + entry.kind, entry.kind));
    item.appendChild(link(entry.reference));
    if (entry.newReference) {
      item.appendChild(document.createTextNode(' \u2192 '));
      item.appendChild(link(entry.newReference));
    }
    var who = entry.referrerIds ? entry.referrerType + ': ' + entry.referrerIds.length + ' updated' : entry.detail || '';
    item.appendChild(element('span', 'muted', who));
    item.classList.add('fresh');
    list.insertBefore(item, list.firstChild);
  }

  // One refresh at a time; a burst of entries ends with one more refresh after the one in flight.
  var loading = false;
  var again = false;
  function refresh() {
    if (loading) {
      again = true;
      return;
    }
    loading = true;
    var target = page === 'record' ? 'record-live' : 'backlog';
    var address = page === 'record' ? base + '/record/live' + window.location.search : base + '/backlog';
    fetch(address, { headers: { Accept: 'text/html' } })
      .then(function (response) {
        return response.ok ? response.text() : null;
      })
      .then(function (markup) {
        var container = document.getElementById(target);
        // NOTE: markup the server rendered, every value escaped there; the CSP runs no script in it.
        if (markup !== null && container) container.innerHTML = markup;
      })
      .catch(function () {})
      .then(function () {
        loading = false;
        if (again) {
          again = false;
          refresh();
        }
      });
  }

  var source = new EventSource(base + '/events');
  var connected = false;
  // 'ready' comes once the server has subscribed this page: from then on nothing is missed. After a
  // reconnection the server first replays what came meanwhile; the page is read again all the same.
  source.addEventListener('ready', function () {
    body.setAttribute('data-live', 'open');
    if (live) live.classList.add('on');
    if (connected) refresh();
    connected = true;
  });
  source.addEventListener('error', function () {
    body.setAttribute('data-live', 'closed');
    if (live) live.classList.remove('on');
  });
  source.addEventListener('activity', function (message) {
    var entry = JSON.parse(message.data);
    if (page === 'record' && !touches(entry)) return;
    show(entry);
    refresh();
  });
  // The backlog also moves without activity (changes waiting): the home page asks for it now and then.
  if (page === 'home') window.setInterval(refresh, 2000);
})();
`;

/** `explorer.css`. */
export const EXPLORER_STYLES = String.raw`:root { --ink: #1d2330; --muted: #667085; --line: #e4e7ec; --bg: #f6f7f9; --card: #fff; --accent: #3555d4; --ok: #137a47; --okbg: #e3f5eb; --bad: #b42318; --badbg: #fdecea; --warn: #9a6700; --warnbg: #fff4d6; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--ink); background: var(--bg); }
a { color: var(--accent); text-decoration: none; overflow-wrap: anywhere; }
a:hover { text-decoration: underline; }
code, pre { font: 12.5px/1.5 ui-monospace, "DejaVu Sans Mono", Menlo, monospace; }
.top { display: flex; gap: 16px; align-items: center; padding: 10px 24px; background: #141a2e; color: #fff; }
.brand { color: #fff; font-weight: 600; font-size: 15px; white-space: nowrap; }
.search { display: flex; flex: 1; gap: 8px; max-width: 720px; }
.search input { flex: 1; padding: 7px 10px; border: 1px solid #39415c; border-radius: 6px; background: #1f2640; color: #fff; font-size: 14px; }
.search input::placeholder { color: #99a1bd; }
button { padding: 7px 14px; border: 1px solid var(--accent); border-radius: 6px; background: var(--accent); color: #fff; font: inherit; cursor: pointer; }
.live { margin-left: auto; padding: 2px 10px; border-radius: 999px; font-size: 12px; background: #39415c; color: #c9cee0; }
.live.on { background: #1f7a4d; color: #fff; }
.live::before { content: "● "; }
body:not([data-page="home"]):not([data-page="record"]) .live { display: none; }
.card h1 { margin: 0 0 8px; font-size: 22px; }
main { max-width: 1180px; margin: 0 auto; padding: 20px 24px 40px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 16px 20px; margin-bottom: 16px; }
.card h2 { margin: 0 0 12px; font-size: 15px; }
.head h1 { margin: 0; font-size: 22px; overflow-wrap: anywhere; }
.head .kicker { margin: 0; text-transform: uppercase; letter-spacing: .06em; font-size: 11px; color: var(--muted); }
.head .url { margin: 4px 0 0; color: var(--muted); overflow-wrap: anywhere; }
.columns { display: grid; grid-template-columns: minmax(0, 2fr) minmax(0, 3fr); gap: 16px; align-items: start; }
.columns .card { margin-bottom: 16px; }
@media (max-width: 900px) { .columns { grid-template-columns: 1fr; } }
.count { margin-left: 6px; padding: 1px 8px; border-radius: 999px; background: var(--bg); color: var(--muted); font-weight: 500; font-size: 12px; }
table { width: 100%; border-collapse: collapse; }
th { text-align: left; font-weight: 600; font-size: 12px; color: var(--muted); border-bottom: 1px solid var(--line); padding: 6px 8px; }
td { border-bottom: 1px solid var(--line); padding: 7px 8px; vertical-align: top; overflow-wrap: anywhere; }
tr:last-child td { border-bottom: 0; }
td:first-child code { white-space: nowrap; }
.state { display: inline-block; white-space: nowrap; padding: 1px 8px; border-radius: 999px; font-size: 12px; font-weight: 600; }
.state-current, .state-resolved { background: var(--okbg); color: var(--ok); }
.state-stale, .state-dangling { background: var(--badbg); color: var(--bad); }
.state-external { background: var(--bg); color: var(--muted); }
.muted { color: var(--muted); }
.small { font-size: 12px; }
.pager { display: flex; gap: 16px; margin: 10px 0 0; }
.pager:empty { display: none; }
pre.json { margin: 0; padding: 12px 14px; background: #f8f9fc; border: 1px solid var(--line); border-radius: 8px; overflow: auto; max-height: 420px; }
pre.json .k { color: #7a3db8; }
pre.json .s { color: #137a47; }
pre.json .v { color: #b54708; }
.figures { display: flex; gap: 12px; flex-wrap: wrap; }
.figure { min-width: 110px; padding: 10px 14px; border: 1px solid var(--line); border-radius: 8px; background: #fafbfc; }
.figure .value { display: block; font-size: 22px; font-weight: 600; }
.figure .label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .05em; }
.figure.warn { border-color: #f4c7c3; background: var(--badbg); }
.figure.warn .value { color: var(--bad); }
ol.activity { list-style: none; margin: 0; padding: 0; }
ol.activity li { display: flex; gap: 10px; align-items: baseline; flex-wrap: wrap; padding: 6px 0; border-bottom: 1px solid var(--line); }
ol.activity li:last-child { border-bottom: 0; }
ol.activity li.fresh { animation: fresh 2s ease-out; }
@keyframes fresh { from { background: var(--warnbg); } to { background: transparent; } }
ol.activity time { color: var(--muted); font: 12px ui-monospace, "DejaVu Sans Mono", monospace; }
.kind { padding: 0 8px; border-radius: 999px; font-size: 11px; font-weight: 600; background: #e8edff; color: var(--accent); }
.kind-failed { background: var(--badbg); color: var(--bad); }
.kind-refresh { background: var(--warnbg); color: var(--warn); }
.actions form { display: flex; gap: 12px; align-items: center; margin: 0 0 8px; }
.notice { padding: 10px 14px; border-radius: 8px; background: var(--okbg); color: var(--ok); border: 1px solid #b7e4c7; }
.error { color: var(--bad); overflow-wrap: anywhere; }
svg.picture { width: 100%; height: auto; display: block; }
svg.picture line { stroke: #b8c0d4; stroke-width: 1.5; }
svg.picture rect { fill: #eef1fb; stroke: #9aa7d9; }
svg.picture text { font: 12px system-ui, "DejaVu Sans", sans-serif; fill: var(--ink); }
svg.picture .node-self rect { fill: var(--accent); stroke: var(--accent); }
svg.picture .node-self text { fill: #fff; font-weight: 600; }
svg.picture .node-stale rect, svg.picture .node-dangling rect { fill: var(--badbg); stroke: #e3a19a; }
svg.picture .node-referrer rect { fill: #f1f8f4; stroke: #9fd3b4; }
svg.picture a:hover rect { stroke-width: 2; }
.legend { margin: 6px 0 0; text-align: center; }
`;
