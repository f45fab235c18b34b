// AgentSight web UI: a single page over the JSON API of `agentsight serve`.
//
// Views (the URL hash chooses): the sessions list (#/), and for one session
// (#/s/<id>/<tab>) its timeline, conversation, process tree and alerts. The
// timeline puts LLM exchanges and events in time order, with the events an
// exchange caused (links) grouped under it; evidence links of alerts jump to
// the event (#/s/<id>/timeline?ev=<event id>) and highlight it. Everything is
// drawn from strings with escaping (esc), in chunks, so that sessions with
// thousands of events stay quick. Vanilla JS, no build step.
'use strict';

(function () {
  const app = document.getElementById('app');
  const crumbs = document.getElementById('crumbs');
  const statusEl = document.getElementById('status');
  const ROWS_AT_ONCE = 2000;

  // The token arrived as ?token=; the server turned it into a cookie, so the
  // address bar need not show it any longer.
  if (location.search.indexOf('token=') >= 0) {
    history.replaceState(null, '', location.pathname + location.hash);
  }

  // ---- Helpers ----
  function esc(s) {
    return String(s == null ? '' : s).replace(/[&<>"']/g, (c) => ({
      '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;',
    }[c]));
  }
  function api(path) {
    return fetch(path, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then((r) => r.json().catch(() => ({})).then((body) => {
        if (!r.ok) throw new Error((body && body.error) || ('HTTP ' + r.status));
        return body;
      }));
  }
  function pad(n, w) { return String(n).padStart(w, '0'); }
  function clock(unixSeconds) {
    if (typeof unixSeconds !== 'number') return '';
    const d = new Date(Math.round(unixSeconds * 1000));
    return pad(d.getHours(), 2) + ':' + pad(d.getMinutes(), 2) + ':' + pad(d.getSeconds(), 2) +
      '.' + pad(d.getMilliseconds(), 3);
  }
  function dateTime(unixSeconds) {
    if (typeof unixSeconds !== 'number') return '—';
    const d = new Date(Math.round(unixSeconds * 1000));
    return d.getFullYear() + '-' + pad(d.getMonth() + 1, 2) + '-' + pad(d.getDate(), 2) + ' ' +
      clock(unixSeconds).slice(0, 8);
  }
  function duration(sec) {
    if (typeof sec !== 'number' || !isFinite(sec)) return '—';
    if (sec < 60) return sec.toFixed(sec < 10 ? 2 : 1) + ' s';
    const m = Math.floor(sec / 60), s = Math.round(sec % 60);
    if (m < 60) return m + ' min ' + s + ' s';
    return Math.floor(m / 60) + ' h ' + (m % 60) + ' min';
  }
  function num(n) { return (n || 0).toLocaleString('en-US'); }
  function usd(x) { return x == null ? '—' : '$' + (x < 0.01 ? x.toFixed(4) : x.toFixed(2)); }
  function short(s, n) {
    s = String(s == null ? '' : s).replace(/\s+/g, ' ').trim();
    return s.length > n ? s.slice(0, n - 1) + '…' : s;
  }
  function kindClass(kind) {
    if (kind === 'llm') return 'k-llm';
    if (kind === 'exec') return 'k-exec';
    if (kind && kind.startsWith('file_')) return 'k-file';
    if (kind && kind.startsWith('net_')) return 'k-net';
    if (kind === 'http') return 'k-http';
    return 'k-proc';
  }
  function kindGroup(kind) {
    if (kind === 'llm') return 'llm';
    if (kind === 'exec') return 'exec';
    if (kind && kind.startsWith('file_')) return 'file';
    if (kind && kind.startsWith('net_')) return 'net';
    if (kind === 'http') return 'http';
    return 'process';
  }
  function kindLabel(kind) {
    return { llm: 'LLM', exec: 'exec', fork: 'fork', exit: 'exit', file_open: 'open',
      file_write: 'write', file_unlink: 'unlink', file_rename: 'rename', net_connect: 'connect',
      net_accept: 'accept', net_bind: 'bind', http: 'HTTP' }[kind] || kind || '?';
  }
  function pretty(text) {
    if (text == null) return '';
    try { return JSON.stringify(JSON.parse(text), null, 2); } catch (e) { return String(text); }
  }
  function setStatus(text) { statusEl.textContent = text || ''; }
  function setCrumbs(parts) {
    crumbs.innerHTML = parts.map((p) => p.href ? '<a href="' + esc(p.href) + '">' + esc(p.text) + '</a>'
      : '<span>' + esc(p.text) + '</span>').join('<span class="sep">/</span>');
  }

  // One line about an event (what it did), as HTML.
  function describe(ev) {
    const k = ev.kind;
    if (ev.corrupt) return '<span class="err">(unreadable in the store)</span>';
    if (k === 'exec') {
      const argv = (ev.argv && ev.argv.length) ? ev.argv.join(' ') : ev.filename;
      return '<span class="mono">' + esc(short(argv, 300)) + '</span>' +
        (ev.argv_truncated ? ' <span class="sub">(argv truncated)</span>' : '') +
        (ev.filename && ev.argv && ev.argv[0] !== ev.filename
          ? ' <span class="sub">' + esc(ev.filename) + '</span>' : '');
    }
    if (k === 'fork') return 'child <b>' + esc(ev.child_pid) + '</b>';
    if (k === 'exit') {
      const how = ev.signal ? 'signal ' + esc(ev.signal) : 'code ' + esc(ev.code);
      return (ev.code || ev.signal ? '<span class="err">' + how + '</span>' : how) +
        (ev.duration_ns ? ' <span class="sub">after ' + duration(ev.duration_ns / 1e9) + '</span>' : '');
    }
    if (k && k.startsWith('file_')) {
      let s = '<span class="mono">' + esc(ev.path) + '</span>';
      if (k === 'file_rename') s += ' → <span class="mono">' + esc(ev.path2) + '</span>';
      if (k === 'file_write') s += ' <span class="sub">' + num(ev.bytes) + ' bytes' +
        (ev.writes > 1 ? ' in ' + num(ev.writes) + ' writes' : '') + '</span>';
      if (ev.ret < 0) s += ' <span class="sub err">error ' + esc(ev.ret) + '</span>';
      return s;
    }
    if (k && k.startsWith('net_')) {
      const a = ev.family === 'unix' ? esc(ev.addr) : ev.family === 'inet6'
        ? '[' + esc(ev.addr) + ']:' + esc(ev.port) : esc(ev.addr) + ':' + esc(ev.port);
      return '<span class="mono">' + a + '</span>' +
        (ev.ret < 0 ? ' <span class="sub err">error ' + esc(ev.ret) + '</span>' : '');
    }
    if (k === 'http') {
      const h = ev.http || {};
      return esc(h.method) + ' <span class="mono">' + esc((h.host || '') + (h.path || '')) +
        '</span><span class="sub">→ ' + esc(h.status) + '</span>';
    }
    if (k === 'llm') {
      const x = ev.exchange || {};
      const calls = ((x.reply || {}).tool_calls || []).map((c) => c.name);
      let s = '<b>' + esc(x.model || 'unknown model') + '</b>';
      s += ' <span class="sub">' + tokenText(ev) + '</span>';
      if (calls.length) s += ' <span class="tools">→ ' + esc(calls.join(', ')) + '</span>';
      else if (x.reply && x.reply.text) s += ' <span class="sub">' + esc(short(x.reply.text, 120)) + '</span>';
      if (x.error) s += ' <span class="sub err">' + esc(short(x.error, 80)) + '</span>';
      return s;
    }
    return esc(k);
  }
  // Tokens of an exchange: the server's figure (reported, or estimated when
  // the API reported none) when the event came in the compact view.
  function tokens(ev) {
    if (ev.tokens) return ev.tokens;
    const u = (ev.exchange || {}).usage || {};
    return { input: u.input || 0, output: u.output || 0, estimated: !u.reported };
  }
  function tokenText(ev) {
    const t = tokens(ev);
    const e = t.estimated ? '~' : '';
    return e + num(t.input) + ' in / ' + e + num(t.output) + ' out';
  }
  function plainText(ev) {
    const d = document.createElement('div');
    d.innerHTML = describe(ev);
    return d.textContent;
  }

  // ---- Routing ----
  let current = null; // the loaded session
  function route() {
    return Promise.resolve().then(routeNow);
  }
  function routeNow() {
    const h = location.hash || '#/';
    const m = h.match(/^#\/s\/(\d+)(?:\/(\w+))?(?:\?(.*))?$/);
    if (!m) { current = null; return showSessions(); }
    const id = Number(m[1]);
    const tab = m[2] || 'timeline';
    const params = new URLSearchParams(m[3] || '');
    if (current && current.id === id) return showSession(tab, params);
    return loadSession(id).then(() => showSession(tab, params));
  }
  window.addEventListener('hashchange', () => { route().catch(fail); });

  function fail(e) {
    app.innerHTML = '<div class="error">' + esc(e && e.message ? e.message : e) + '</div>';
    setStatus('');
  }

  // ---- Sessions list ----
  function showSessions() {
    setCrumbs([{ text: 'Sessions' }]);
    setStatus('');
    return api('api/sessions').then((list) => {
      if (!list.length) {
        app.innerHTML = '<p class="empty">No recorded sessions in this store yet.</p>';
        return;
      }
      const rows = list.slice().reverse().map((s) => {
        const end = s.ended != null ? s.ended : s.last_event;
        return '<tr data-href="#/s/' + s.id + '/timeline">' +
          '<td class="num">' + s.id + '</td>' +
          '<td class="cmd" title="' + esc(s.command) + '">' + esc(s.command || '(no command)') + '</td>' +
          '<td>' + esc(s.host) + '</td>' +
          '<td>' + dateTime(s.started) + '</td>' +
          '<td class="num">' + (end != null ? duration(end - s.started) : '—') + (s.ended == null ? ' <span class="sub">(open)</span>' : '') + '</td>' +
          '<td class="num">' + num(s.events) + '</td>' +
          '<td class="num">' + num(s.llm_calls) + '</td>' +
          '<td class="num">' + num(s.tokens_in) + ' / ' + num(s.tokens_out) + '</td>' +
          '<td class="num">' + (s.alerts ? '<span class="sev">' + s.alerts + '</span>' : '0') + '</td></tr>';
      }).join('');
      app.innerHTML = '<h1>Recorded sessions</h1><div class="card"><table class="sessions"><thead><tr>' +
        '<th>#</th><th>Command</th><th>Host</th><th>Started</th><th>Duration</th><th>Events</th>' +
        '<th>LLM calls</th><th>Tokens in / out</th><th>Alerts</th></tr></thead><tbody>' + rows +
        '</tbody></table></div>';
    });
  }
  app.addEventListener('click', (e) => {
    const tr = e.target.closest('tr[data-href]');
    if (tr) location.hash = tr.getAttribute('data-href');
  });

  // ---- Loading one session ----
  function loadSession(id) {
    app.innerHTML = '<p class="empty">Loading session ' + id + '…</p>';
    return api('api/sessions/' + id).then((detail) => {
      const s = { id, info: detail.session, links: detail.links || [], alerts: detail.alerts || [],
        events: [], byId: new Map() };
      const page = (after) => api('api/sessions/' + id + '/events?view=compact&limit=5000&after=' + after)
        .then((r) => {
          for (const ev of r.events) s.events.push(ev);
          setStatus('loaded ' + num(s.events.length) + ' of ' + num(s.info.events) + ' events');
          return r.more ? page(r.next_after) : null;
        });
      return page(0).then(() => { index(s); current = s; setStatus(''); });
    });
  }

  // Indexes: events by id and time, links both ways, processes.
  function index(s) {
    for (const ev of s.events) s.byId.set(ev.id, ev);
    s.sorted = s.events.slice().sort((a, b) => (a.mono_ns - b.mono_ns) || (a.id - b.id));
    s.t0 = s.info.started;
    s.caused = new Map(); // llm id -> [link]
    s.causedBy = new Map(); // event id -> [link]
    for (const l of s.links) {
      if (!s.caused.has(l.llm_event)) s.caused.set(l.llm_event, []);
      s.caused.get(l.llm_event).push(l);
      if (!s.causedBy.has(l.event)) s.causedBy.set(l.event, []);
      s.causedBy.get(l.event).push(l);
    }
    for (const list of s.caused.values()) {
      list.sort((a, b) => {
        const ea = s.byId.get(a.event), eb = s.byId.get(b.event);
        return ((ea ? ea.mono_ns : 0) - (eb ? eb.mono_ns : 0)) || (a.event - b.event);
      });
    }
    s.llm = s.sorted.filter((e) => e.kind === 'llm');
    s.cost = 0;
    s.priced = 0;
    for (const e of s.llm) if (typeof e.cost_usd === 'number') { s.cost += e.cost_usd; s.priced++; }
    s.filter = { text: '', off: new Set() };
    s.shown = ROWS_AT_ONCE;
  }

  // ---- One session ----
  const TABS = [['timeline', 'Timeline'], ['conversation', 'Conversation'], ['processes', 'Processes'], ['alerts', 'Alerts']];

  function showSession(tab, params) {
    const s = current;
    const info = s.info;
    setCrumbs([{ text: 'Sessions', href: '#/' }, { text: 'Session ' + s.id + ': ' + short(info.command || '', 80) }]);
    const end = info.ended != null ? info.ended : info.last_event;
    const estimated = s.llm.some((e) => tokens(e).estimated) ? '~' : '';
    const stat = (k, v, bad) => '<div class="stat' + (bad ? ' bad' : '') + '"><span class="k">' + k +
      '</span><span class="v">' + v + '</span></div>';
    let html = '<div class="card summary"><div class="cmd">' + esc(info.command || '(no command recorded)') + '</div>' +
      stat('Host', esc(info.host || '?')) +
      stat('Started', dateTime(info.started)) +
      stat('Duration', (end != null ? duration(end - info.started) : '—') + (info.ended == null ? ' (open)' : '')) +
      stat('Processes', num(info.processes)) +
      stat('Events', num(info.events)) +
      stat('LLM calls', num(s.llm.length)) +
      stat('Tokens in / out', estimated + num(info.tokens_in) + ' / ' + estimated + num(info.tokens_out)) +
      stat('Est. cost', s.priced ? usd(s.cost) + (s.priced < s.llm.length ? ' +' : '') : '—') +
      stat('Alerts', num(s.alerts.length), s.alerts.length > 0) + '</div>';
    html += '<div class="tabs" role="tablist">' + TABS.map(([id, label]) =>
      '<button class="tab' + (id === tab ? ' active' : '') + '" role="tab" data-tab="' + id + '">' + label +
      (id === 'alerts' ? '<span class="count' + (s.alerts.length ? ' bad' : '') + '">' + s.alerts.length + '</span>' : '') +
      (id === 'conversation' ? '<span class="count">' + s.llm.length + '</span>' : '') + '</button>').join('') + '</div>';
    html += '<div id="view"></div>';
    app.innerHTML = html;
    app.querySelectorAll('.tab').forEach((b) => b.addEventListener('click', () => {
      location.hash = '#/s/' + s.id + '/' + b.getAttribute('data-tab');
    }));
    const view = document.getElementById('view');
    if (tab === 'conversation') renderConversation(view, s);
    else if (tab === 'processes') renderProcesses(view, s);
    else if (tab === 'alerts') renderAlerts(view, s);
    else renderTimeline(view, s, params);
  }

  // ---- Timeline ----
  function rel(s, ev) {
    const t = ev.ts - s.t0;
    return (t >= 0 ? '+' : '') + t.toFixed(3) + 's';
  }
  function eventRow(s, ev, link) {
    const cls = 'row ev' + (link ? ' child' : '') + (ev.kind === 'llm' ? ' llm' : '');
    let side = 'pid ' + esc(ev.pid) + ' · ' + esc(ev.comm);
    if (link) {
      side = '<span class="score" title="' + esc(link.reasons) + '">' + Number(link.score).toFixed(2) + '</span> ' + side;
    }
    return '<div class="' + cls + '" data-event-id="' + ev.id + '"' + (link ? ' data-llm="' + link.llm_event + '"' : '') + '>' +
      '<span class="t">' + clock(ev.ts) + '</span>' +
      '<span class="rel">' + rel(s, ev) + '</span>' +
      '<span class="kind ' + kindClass(ev.kind) + '">' + esc(kindLabel(ev.kind)) + '</span>' +
      '<span class="what">' + describe(ev) + '</span>' +
      '<span class="side">' + side + '</span></div>';
  }
  function alertRow(s, al) {
    return '<div class="row alert-row" data-alert-id="' + al.id + '">' +
      '<span class="t">' + clock(al.ts) + '</span><span class="rel">' + (al.ts - s.t0 >= 0 ? '+' : '') + (al.ts - s.t0).toFixed(3) + 's</span>' +
      '<span class="kind k-alert">' + esc(al.kind) + '</span>' +
      '<span class="what"><b>' + esc(al.summary) + '</b></span>' +
      '<span class="side"><span class="sev ' + esc(al.severity) + '">' + esc(al.severity) + '</span></span></div>';
  }
  function matches(s, ev) {
    if (s.filter.off.has(kindGroup(ev.kind))) return false;
    const q = s.filter.text;
    if (!q) return true;
    const pm = q.match(/^pid:(\d+)$/);
    if (pm) return String(ev.pid) === pm[1];
    if (ev._text === undefined) ev._text = (plainText(ev) + ' ' + ev.comm + ' ' + ev.pid + ' #' + ev.id).toLowerCase();
    return ev._text.indexOf(q) >= 0;
  }

  // Top-level items in time order: exchanges (with their linked events) and
  // events no exchange is linked to; alerts at their time.
  function timelineItems(s) {
    const items = [];
    for (const ev of s.sorted) {
      if (ev.kind !== 'llm' && s.causedBy.has(ev.id)) continue;
      items.push({ t: ev.mono_ns, id: ev.id, ev });
    }
    for (const al of s.alerts) items.push({ t: al.mono_ns, id: Infinity, al });
    items.sort((a, b) => (a.t - b.t) || (a.id - b.id));
    return items;
  }

  function renderTimeline(view, s, params) {
    const groups = ['llm', 'exec', 'file', 'net', 'process', 'http'];
    view.innerHTML = (s.alerts.length ? '<div class="banner">⚠ ' + s.alerts.length + ' alert' + (s.alerts.length > 1 ? 's' : '') +
      ': ' + esc(short(s.alerts[0].summary, 140)) + ' <a href="#/s/' + s.id + '/alerts">Show</a></div>' : '') +
      '<div class="split"><div class="card"><div class="toolbar">' +
      '<input type="search" id="filter" placeholder="Filter: text, path, command, or pid:1234" value="' + esc(s.filter.text) + '">' +
      groups.map((g) => '<button class="chip' + (s.filter.off.has(g) ? ' off' : '') + '" data-group="' + g + '">' + g + '</button>').join('') +
      '<span class="hint" id="count"></span></div><div class="timeline" id="timeline"></div></div>' +
      '<aside class="card detail" id="detail"><p class="empty">Select an exchange or an event to see its details.</p></aside></div>';
    const tl = document.getElementById('timeline');
    const draw = () => {
      const items = timelineItems(s);
      const out = [];
      let shown = 0, total = 0;
      for (const it of items) {
        if (it.al) {
          total++;
          if (shown < s.shown) { out.push(alertRow(s, it.al)); shown++; }
          continue;
        }
        const ev = it.ev;
        const kids = ev.kind === 'llm' ? (s.caused.get(ev.id) || []) : [];
        const kidRows = [];
        for (const l of kids) {
          const k = s.byId.get(l.event);
          if (k && matches(s, k)) kidRows.push([k, l]);
        }
        if (!matches(s, ev) && !kidRows.length) continue;
        total += 1 + kidRows.length;
        if (shown >= s.shown) continue;
        out.push(eventRow(s, ev, null));
        for (const [k, l] of kidRows) out.push(eventRow(s, k, l));
        shown += 1 + kidRows.length;
      }
      if (shown < total) {
        out.push('<div class="more"><button id="show-more">Show ' + num(Math.min(ROWS_AT_ONCE, total - shown)) +
          ' more (' + num(total - shown) + ' left)</button></div>');
      }
      if (!out.length) out.push('<p class="empty">Nothing matches.</p>');
      tl.innerHTML = out.join('');
      document.getElementById('count').textContent = num(total) + ' rows';
      const more = document.getElementById('show-more');
      if (more) more.addEventListener('click', () => { s.shown += ROWS_AT_ONCE; draw(); });
    };
    draw();
    let timer = null;
    document.getElementById('filter').addEventListener('input', (e) => {
      clearTimeout(timer);
      timer = setTimeout(() => { s.filter.text = e.target.value.trim().toLowerCase(); s.shown = ROWS_AT_ONCE; draw(); }, 120);
    });
    view.querySelectorAll('.chip').forEach((c) => c.addEventListener('click', () => {
      const g = c.getAttribute('data-group');
      if (s.filter.off.has(g)) s.filter.off.delete(g); else s.filter.off.add(g);
      c.classList.toggle('off');
      draw();
    }));
    tl.addEventListener('click', (e) => {
      const row = e.target.closest('.row');
      if (!row) return;
      if (row.hasAttribute('data-alert-id')) {
        location.hash = '#/s/' + s.id + '/alerts';
        return;
      }
      select(s, Number(row.getAttribute('data-event-id')), false);
    });
    const target = params && params.get('ev');
    if (target) {
      const id = Number(target);
      const ev = s.byId.get(id);
      // Make sure the row is drawn: clear filters that would hide it.
      if (ev && !matches(s, ev)) { s.filter = { text: '', off: new Set() }; renderTimeline(view, s, params); return; }
      while (ev && !tl.querySelector('[data-event-id="' + id + '"]') && s.shown < s.events.length + s.alerts.length) {
        s.shown += ROWS_AT_ONCE;
        draw();
      }
      select(s, id, true);
    }
  }

  function select(s, id, highlight) {
    const tl = document.getElementById('timeline');
    if (tl) {
      tl.querySelectorAll('.row.selected, .row.highlight').forEach((r) => r.classList.remove('selected', 'highlight'));
      const rows = tl.querySelectorAll('[data-event-id="' + id + '"]');
      rows.forEach((r) => r.classList.add(highlight ? 'highlight' : 'selected'));
      if (highlight && rows[0]) rows[0].scrollIntoView({ block: 'center' });
    }
    showDetail(s, id);
  }

  // ---- Detail panel ----
  function kv(pairs) {
    return '<div class="kv">' + pairs.filter((p) => p[1] !== undefined && p[1] !== null && p[1] !== '')
      .map(([k, v]) => '<span class="k">' + esc(k) + '</span><span class="v">' + v + '</span>').join('') + '</div>';
  }
  function showDetail(s, id) {
    const box = document.getElementById('detail');
    if (!box) return;
    const ev = s.byId.get(id);
    if (!ev) { box.innerHTML = '<p class="empty">Event #' + esc(id) + ' is not in this session.</p>'; return; }
    let html = '<h2><span class="kind ' + kindClass(ev.kind) + '">' + esc(kindLabel(ev.kind)) + '</span> Event #' + ev.id + '</h2>';
    const pairs = [['time', clock(ev.ts) + ' (' + rel(s, ev) + ')'], ['process', 'pid ' + esc(ev.pid) + ' (' + esc(ev.comm) + '), parent ' + esc(ev.ppid)]];
    if (ev.kind === 'exec') pairs.push(['file', '<span class="mono">' + esc(ev.filename) + '</span>'], ['argv', '<span class="mono">' + esc((ev.argv || []).join(' ')) + '</span>'], ['uid', esc(ev.uid)]);
    if (ev.kind === 'llm') {
      const x = ev.exchange || {}, u = x.usage || {}, h = ev.http || {};
      pairs.push(['model', esc(x.model)], ['API', esc(x.api) + (x.stream ? ' (streamed)' : '')],
        ['endpoint', esc(h.method) + ' <span class="mono">' + esc((h.host || '') + (h.path || '')) + '</span> → ' + esc(x.status || h.status)],
        ['tokens', tokenText(ev) + (u.cache_read ? ' (' + num(u.cache_read) + ' cached)' : '') +
          (tokens(ev).estimated ? ' (estimated)' : '')],
        ['cost', ev.cost_usd != null ? usd(ev.cost_usd) + (ev.cost_estimated ? ' (estimated)' : '') : 'no price known'],
        ['stop', esc(x.stop_reason)], ['error', x.error ? '<span class="err">' + esc(x.error) + '</span>' : '']);
    }
    html += kv(pairs);
    const by = s.causedBy.get(id) || [];
    if (by.length) {
      html += '<h3>Caused by</h3><ul class="linklist">' + by.map((l) => {
        const src = s.byId.get(l.llm_event);
        return '<li><a href="#/s/' + s.id + '/timeline?ev=' + l.llm_event + '">#' + l.llm_event + ' ' +
          esc(src ? plainText(src) : '') + '</a> <span class="score">' + Number(l.score).toFixed(2) +
          '</span><div class="reasons">' + esc(l.reasons) + '</div></li>';
      }).join('') + '</ul>';
    }
    const caused = s.caused.get(id) || [];
    if (caused.length) {
      html += '<h3>Caused</h3><ul class="linklist">' + caused.map((l) => {
        const e = s.byId.get(l.event);
        return '<li><a href="#/s/' + s.id + '/timeline?ev=' + l.event + '">#' + l.event + ' ' +
          esc(e ? kindLabel(e.kind) + ' ' + plainText(e) : '') + '</a> <span class="score">' +
          Number(l.score).toFixed(2) + '</span><div class="reasons">' + esc(l.reasons) + '</div></li>';
      }).join('') + '</ul>';
    }
    const alerts = s.alerts.filter((a) => (a.evidence || []).indexOf(id) >= 0);
    if (alerts.length) {
      html += '<h3>Evidence of</h3><ul class="linklist">' + alerts.map((a) =>
        '<li><a href="#/s/' + s.id + '/alerts"><span class="sev ' + esc(a.severity) + '">' + esc(a.severity) + '</span> ' +
        esc(a.summary) + '</a></li>').join('') + '</ul>';
    }
    if (ev.kind === 'llm') html += '<h3>Exchange</h3>' + exchangeHtml(s, ev);
    html += '<details><summary>Raw JSON</summary><pre>' + esc(JSON.stringify(ev, null, 2)) + '</pre></details>';
    box.innerHTML = html;
    wireFullRequest(box, s);
  }

  // ---- Exchanges (detail panel and conversation) ----
  function messageHtml(m) {
    const role = m.role || 'other';
    let html = '<div class="msg ' + esc(role) + '"><div class="role">' + esc(role) +
      (m.tool_call_id ? ' · result of ' + esc(m.tool_call_id) : '') + '</div>';
    if (m.text != null) html += '<div class="text">' + esc(m.text) + '</div>';
    for (const c of m.tool_calls || []) {
      html += '<div class="call"><span class="name">' + esc(c.name) + '</span>' +
        (c.id ? ' <span class="omitted">' + esc(c.id) + '</span>' : '') +
        '<pre>' + esc(pretty(c.arguments)) + '</pre></div>';
    }
    return html + '</div>';
  }
  function exchangeHtml(s, ev) {
    const x = ev.exchange || {};
    let html = '';
    const from = ev.messages_from || 0;
    if (from > 0) {
      html += '<div class="omitted">' + from + ' earlier message' + (from > 1 ? 's' : '') +
        ' of the conversation not shown. <button class="btn full-request" data-event-id="' + ev.id +
        '">Show the whole request</button></div>';
    }
    for (const m of x.messages || []) {
      if (m.role === 'system') {
        html += '<details><summary>system prompt (' + num((m.text || '').length) + ' characters)</summary>' + messageHtml(m) + '</details>';
      } else {
        html += messageHtml(m);
      }
    }
    const reply = x.reply || { role: 'assistant' };
    if (reply.text != null || (reply.tool_calls || []).length) html += messageHtml(Object.assign({}, reply, { role: 'assistant' }));
    else if (x.error) html += '<div class="msg assistant"><div class="role">error</div><div class="text err">' + esc(x.error) + '</div></div>';
    return html;
  }
  function wireFullRequest(root, s) {
    root.querySelectorAll('.full-request').forEach((b) => b.addEventListener('click', () => {
      const id = Number(b.getAttribute('data-event-id'));
      b.disabled = true;
      api('api/sessions/' + s.id + '/events/' + id).then((full) => {
        const holder = b.closest('.omitted');
        holder.outerHTML = (full.exchange.messages || []).slice(0, s.byId.get(id).messages_from || 0)
          .map(messageHtml).join('');
      }).catch((e) => { b.textContent = 'Failed: ' + e.message; });
    }));
  }

  // ---- Conversation ----
  function renderConversation(view, s) {
    if (!s.llm.length) { view.innerHTML = '<div class="card"><p class="empty">No LLM calls in this session.</p></div>'; return; }
    const parts = s.llm.map((ev, i) => {
      const x = ev.exchange || {};
      const caused = (s.caused.get(ev.id) || []).length;
      return '<div class="turn" id="turn-' + ev.id + '"><div class="turn-head"><b>Call ' + (i + 1) + '</b>' +
        '<a href="#/s/' + s.id + '/timeline?ev=' + ev.id + '">#' + ev.id + '</a>' +
        '<span>' + clock(ev.ts) + ' (' + rel(s, ev) + ')</span><span class="model">' + esc(x.model || '?') + '</span>' +
        '<span>' + tokenText(ev) + '</span>' +
        (ev.cost_usd != null ? '<span>' + usd(ev.cost_usd) + '</span>' : '') +
        (caused ? '<span>caused ' + caused + ' event' + (caused > 1 ? 's' : '') + '</span>' : '') +
        '<span>pid ' + esc(ev.pid) + '</span></div>' + exchangeHtml(s, ev) + '</div>';
    });
    view.innerHTML = '<div class="card convo">' + parts.join('') + '</div>';
    wireFullRequest(view, s);
  }

  // ---- Processes ----
  function renderProcesses(view, s) {
    const procs = new Map();
    const get = (pid) => {
      if (!procs.has(pid)) procs.set(pid, { pid, ppid: 0, comm: '', argv: null, exit: null, counts: {}, children: [] });
      return procs.get(pid);
    };
    for (const ev of s.sorted) {
      const p = get(ev.pid);
      if (ev.ppid && !p.ppid) p.ppid = ev.ppid;
      if (!p.comm) p.comm = ev.comm;
      p.counts[kindGroup(ev.kind)] = (p.counts[kindGroup(ev.kind)] || 0) + 1;
      if (ev.kind === 'exec') { p.argv = (ev.argv && ev.argv.length) ? ev.argv.join(' ') : ev.filename; p.comm = ev.comm; }
      if (ev.kind === 'exit') p.exit = ev.signal ? 'signal ' + ev.signal : 'exit ' + ev.code;
      if (ev.kind === 'fork') { const c = get(ev.u_child || ev.child_pid); if (!c.ppid) c.ppid = ev.pid; }
    }
    const roots = [];
    for (const p of procs.values()) {
      const parent = p.ppid && p.ppid !== p.pid ? procs.get(p.ppid) : null;
      if (parent) parent.children.push(p); else roots.push(p);
    }
    const byPid = (a, b) => a.pid - b.pid;
    const node = (p) => {
      const counts = Object.entries(p.counts).map(([k, n]) => n + ' ' + k).join(', ');
      p.children.sort(byPid);
      return '<li><span class="proc" data-pid="' + p.pid + '"><span class="pid">' + p.pid + '</span>' +
        '<b>' + esc(p.comm) + '</b>' + (p.argv ? '<span class="argv">' + esc(short(p.argv, 160)) + '</span>' : '') +
        (p.exit ? '<span class="counts' + (p.exit !== 'exit 0' ? ' err' : '') + '">' + esc(p.exit) + '</span>' : '') +
        '<span class="counts">' + esc(counts) + '</span></span>' +
        (p.children.length ? '<ul>' + p.children.map(node).join('') + '</ul>' : '') + '</li>';
    };
    roots.sort(byPid);
    view.innerHTML = '<div class="card tree"><p class="omitted">Click a process to see its events in the timeline.</p><ul>' +
      roots.map(node).join('') + '</ul></div>';
    view.querySelectorAll('.proc').forEach((el) => el.addEventListener('click', () => {
      s.filter = { text: 'pid:' + el.getAttribute('data-pid'), off: new Set() };
      location.hash = '#/s/' + s.id + '/timeline';
    }));
  }

  // ---- Alerts ----
  function renderAlerts(view, s) {
    if (!s.alerts.length) { view.innerHTML = '<div class="card"><p class="empty">No alerts in this session.</p></div>'; return; }
    view.innerHTML = '<div class="alerts">' + s.alerts.map((a) => {
      const ev = (a.evidence || []).map((id) => {
        const e = s.byId.get(id);
        return '<li><a class="evidence" href="#/s/' + s.id + '/timeline?ev=' + id + '" data-event-id="' + id + '">#' + id +
          (e ? ' ' + esc(kindLabel(e.kind)) + ' · ' + esc(short(plainText(e), 140)) : ' (not in the store)') + '</a></li>';
      }).join('');
      return '<div class="card alert sev-' + esc(a.severity) + '" data-alert-id="' + a.id + '"><div class="alert-head">' +
        '<span class="sev ' + esc(a.severity) + '">' + esc(a.severity) + '</span>' +
        '<span class="kind k-alert">' + esc(a.kind) + '</span>' +
        '<span class="summary-text">' + esc(a.summary) + '</span>' +
        '<span class="omitted">' + clock(a.ts) + ' (+' + (a.ts - s.t0).toFixed(3) + 's) · pid ' + esc(a.pid) + '</span></div>' +
        (a.details ? '<details><summary>details</summary><pre>' + esc(JSON.stringify(a.details, null, 2)) + '</pre></details>' : '') +
        '<div class="evidence-head">Evidence</div><ul class="evidence-list">' + ev + '</ul></div>';
    }).join('') + '</div>';
  }

  route().catch(fail);
})();
