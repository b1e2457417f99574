// SPDX-License-Identifier: BSD-2-Clause
// The NOC dashboard (docs/dashboard.md): header, coverage grid, tree,
// outages and events, node view, live updates.  It reads the collector's
// GET API only.  Every text that comes from the API (names, event texts)
// goes into the page through textContent, never as markup.
//
// Live: GET /api/v1/changes?since=VERSION&epoch=EPOCH every refresh_ms
// (the collector's web.refresh_s) gives the nodes whose state changed,
// coverage, open outages and health; "reset" makes the page load the
// whole tree again.  Timings go to performance marks and to
// window.egnet (read by the tests and bench/dashboard).
'use strict';

const ROW = 24;          // px of a tree row
const DAY = 86400e3, HOUR = 3600e3;

const S = {
  model: null, version: 0, epoch: 0, refreshMs: 2000, levels: {}, outages: [],
  health: null, prevHealth: null, expanded: new Set(), selected: -1,
  gridRegion: -1, range: HOUR, nodeData: null, nodeTarget: null, nodeLink: null,
  closed: [], events: [], timer: 0, outageSig: '', lastSideLoad: 0, lastNodeLoad: 0,
};

window.egnet = { ready: false, version: 0, updates: [], errors: 0, firstRenderMs: null, lastApplyMs: null };

const $ = (id) => document.getElementById(id);

function el(tag, cls, text, parent) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (parent) parent.appendChild(e);
  return e;
}

async function getJSON(path) {
  const r = await fetch(path, { headers: { Accept: 'application/json' }, cache: 'no-store' });
  if (!r.ok) {
    let why = r.status + ' ' + r.statusText;
    try { const j = await r.json(); if (j && j.reason) why += ': ' + j.reason; } catch (e) { /* not JSON */ }
    throw new Error(path + ': ' + why);
  }
  return r.json();
}

function showError(msg) {
  const e = $('error');
  if (!msg) { e.hidden = true; return; }
  e.textContent = t('conn_lost', { e: msg });
  e.hidden = false;
}

function fmtTime(ms) {
  if (!ms) return '–';
  const d = new Date(ms), p = (n) => String(n).padStart(2, '0');
  const now = new Date();
  const hms = p(d.getHours()) + ':' + p(d.getMinutes()) + ':' + p(d.getSeconds());
  return d.toDateString() === now.toDateString() ? hms :
    d.getFullYear() + '-' + p(d.getMonth() + 1) + '-' + p(d.getDate()) + ' ' + hms;
}

function fmtBits(bps) {
  if (bps === null || bps === undefined) return '–';
  const u = ['bit/s', 'kbit/s', 'Mbit/s', 'Gbit/s', 'Tbit/s'];
  let i = 0;
  while (bps >= 1000 && i < u.length - 1) { bps /= 1000; i++; }
  return (+bps.toPrecision(3)) + ' ' + u[i];
}

function fmtNum(v, unit) {
  return v === null || v === undefined ? '–' : (+Number(v).toFixed(3)) + (unit ? ' ' + unit : '');
}

function levelName(l) { return t(EG_LEVELS[l] || 'node'); }
function stateName(s) { return t(EG_STATES[s] || 'never'); }

// ---- header ----------------------------------------------------------------

function renderHeader() {
  const cov = $('cov');
  cov.textContent = '';
  EG_LEVELS.forEach((lv, l) => {
    const c = S.levels[lv];
    if (!c) return;
    const d = el('div', 'covl ' + pctClass(c.pct), null, cov);
    d.dataset.level = lv;
    d.dataset.connected = c.connected;
    d.dataset.expected = c.expected;
    d.dataset.pct = c.pct;
    el('span', 'lv', levelName(l), d);
    el('b', 'pc', c.pct + ' %', d);
    el('span', 'nm', c.connected + ' / ' + c.expected, d);
  });
  $('n-outages').textContent = String(S.outages.length);
  $('n-outages').className = S.outages.length ? 'bad' : 'ok';
  const h = S.health, hp = S.prevHealth, box = $('health');
  box.textContent = '';
  if (h) {
    let rate = '–';
    if (hp && h.t > hp.t) rate = ((h.reports_stored - hp.reports_stored) * 1000 / (h.t - hp.t)).toFixed(1);
    const item = (k, v, cls) => {
      const d = el('div', 'hstat ' + (cls || ''), null, box);
      el('span', null, t(k), d);
      el('b', null, v, d);
      return d;
    };
    item('ingest', rate + ' ' + t('per_s')).dataset.k = 'ingest';
    item('rejects', String(h.reports_refused + h.http_rejected),
      h.reports_refused ? 'warn' : '').dataset.k = 'rejects';
    item('store', (h.store_up ? t('store_ok') : t('store_bad')) + ' · ' + t('queue') + ' ' +
      h.store_queue + '/' + h.store_queue_max + ' · ' + (h.store_db_bytes / 1048576).toFixed(1) + ' MB',
    h.store_up ? '' : 'bad').dataset.k = 'store';
  }
}

function pctClass(p) {
  if (p === null || p === undefined) return 'na';
  if (p >= 99.5) return 'ok';
  if (p >= 95) return 'warn';
  if (p >= 80) return 'bad';
  return 'crit';
}

// ---- coverage grid ---------------------------------------------------------

function renderGrid() {
  const m = S.model, g = $('grid');
  g.textContent = '';
  if (!m || !m.n) return;
  let region = S.gridRegion;
  if (region < 0 || region >= m.n) region = -1;
  const roots = [];
  for (let i = 0; i < m.n; i++) if (m.parent[i] < 0) roots.push(i);
  const top = region >= 0 ? region : roots[0];
  const rows = region >= 0 ? [region, ...m.children[region]] :
    [...roots, ...roots.flatMap((r) => m.children[r])];
  const lmin = m.level[top] + 1;
  const levels = [];
  for (let l = lmin; l < EG_LEVELS.length; l++) levels.push(l);
  const head = el('tr', null, null, el('thead', null, null, g));
  el('th', null, t('region_col'), head);
  for (const l of levels) el('th', null, levelName(l), head);
  const body = el('tbody', null, null, g);
  for (const i of rows) {
    const tr = el('tr', i === top ? 'tot' : 'drill', null, body);
    tr.dataset.code = m.code[i];
    const th = el('th', null, null, tr);
    el('span', 'dot s-' + EG_STATES[m.state[i]], null, th);
    el('span', null, m.name[i] || m.code[i], th);
    for (const l of levels) {
      const c = m.coverage(i, l);
      const pct = c.expected ? egPct(c.connected, c.expected) : null;
      const td = el('td', 'cell ' + pctClass(pct), null, tr);
      td.dataset.level = EG_LEVELS[l];
      td.dataset.connected = c.connected;
      td.dataset.expected = c.expected;
      if (pct === null) { td.textContent = '·'; continue; }
      td.dataset.pct = pct;
      td.textContent = pct + '%';
      td.title = `${m.name[i]} ${levelName(l)}: ${c.connected} / ${c.expected}`;
    }
    if (i !== top && m.level[i] < 2 && m.children[i].length) {
      tr.addEventListener('click', () => { S.gridRegion = i; renderGrid(); });
    } else if (i !== top) {
      tr.addEventListener('click', () => reveal(i));
    }
  }
  const path = $('grid-path');
  path.textContent = '';
  if (region >= 0) {
    const a = el('a', 'crumb', t('back'), path);
    a.href = '#';
    a.addEventListener('click', (e) => { e.preventDefault(); S.gridRegion = -1; renderGrid(); });
    el('span', null, ' › ' + (m.name[region] || m.code[region]), path);
  }
}

// ---- tree (only expanded nodes are in the list, only rows in view are drawn)

let vis = [];

function buildVisible() {
  const m = S.model, out = [];
  if (!m) { vis = out; return; }
  const stack = [];
  for (let i = m.n - 1; i >= 0; i--) if (m.parent[i] < 0) stack.push(i);
  while (stack.length) {
    const i = stack.pop();
    out.push(i);
    if (S.expanded.has(i)) {
      const ch = m.children[i];
      for (let c = ch.length - 1; c >= 0; c--) stack.push(ch[c]);
    }
  }
  vis = out;
  $('tree-spacer').style.height = (vis.length * ROW) + 'px';
}

function renderRows() {
  const m = S.model, box = $('tree'), rows = $('tree-rows');
  if (!m) return;
  const first = Math.max(0, Math.floor(box.scrollTop / ROW) - 5);
  const last = Math.min(vis.length, first + Math.ceil(box.clientHeight / ROW) + 10);
  rows.style.transform = `translateY(${first * ROW}px)`;
  const frag = document.createDocumentFragment();
  for (let k = first; k < last; k++) frag.appendChild(treeRow(vis[k]));
  rows.textContent = '';
  rows.appendChild(frag);
}

function treeRow(i) {
  const m = S.model, st = EG_STATES[m.state[i]];
  const r = el('div', 'row s-' + st + (i === S.selected ? ' sel' : ''));
  r.dataset.code = m.code[i];
  r.dataset.state = st;
  r.style.paddingLeft = (4 + 16 * m.level[i]) + 'px';
  const kids = m.children[i].length;
  const tg = el('span', 'tg', kids ? (S.expanded.has(i) ? '▾' : '▸') : '', r);
  if (kids) {
    tg.addEventListener('click', (e) => { e.stopPropagation(); toggle(i); });
  }
  el('span', 'dot s-' + st, null, r).title = stateName(m.state[i]);
  el('span', 'nm', m.name[i] || m.code[i], r);
  el('span', 'cd', m.code[i], r);
  if (m.wrong[i]) el('span', 'badge s-unreachable', '!', r);
  const o = m.outage.get(i);
  if (o) {
    const b = el('span', 'cut', '⚡ ' + t('cut_marker', { n: o.total }), r);
    b.dataset.cut = o.total;
    r.classList.add('root');
  }
  if (kids) {
    const cnt = el('span', 'cnt', null, r);
    EG_STATES.forEach((s, si) => {
      const n = m.descCount(i, si);
      if (!n) return;
      const b = el('span', 'badge s-' + s, String(n), cnt);
      b.dataset.state = s;
      b.title = stateName(si) + ': ' + n;
    });
  }
  r.addEventListener('click', () => selectNode(i));
  return r;
}

function toggle(i) {
  if (S.expanded.has(i)) S.expanded.delete(i); else S.expanded.add(i);
  performance.mark('egnet-expand-start');
  buildVisible();
  renderRows();
  performance.mark('egnet-expand-end');
  performance.measure('egnet-expand', 'egnet-expand-start', 'egnet-expand-end');
}

// expand the ancestors of @i, scroll it into view and select it
function reveal(i) {
  const m = S.model;
  for (const a of m.ancestors(i)) S.expanded.add(a);
  buildVisible();
  const k = vis.indexOf(i), box = $('tree');
  if (k >= 0) box.scrollTop = Math.max(0, k * ROW - box.clientHeight / 3);
  renderRows();
  selectNode(i);
}

// ---- search ----------------------------------------------------------------

function onSearch() {
  const q = $('search').value, ul = $('search-results');
  ul.textContent = '';
  if (!S.model || !q.trim()) { ul.hidden = true; return; }
  const hits = S.model.search(q, 50);
  ul.hidden = false;
  if (!hits.length) { el('li', 'none', t('results_none'), ul); return; }
  for (const i of hits) {
    const li = el('li', null, null, ul);
    li.dataset.code = S.model.code[i];
    el('span', 'dot s-' + EG_STATES[S.model.state[i]], null, li);
    el('span', 'nm', S.model.name[i], li);
    el('span', 'cd', S.model.code[i] + ' · ' + levelName(S.model.level[i]), li);
    li.addEventListener('click', () => { ul.hidden = true; reveal(i); });
  }
  if (hits.more) el('li', 'none', t('more', { n: hits.more }), ul);
}

// ---- outages and events ------------------------------------------------------

function regionFilter() {
  const v = $('f-region').value;
  if (!v || !S.model) return () => true;
  const i = S.model.index.get(v);
  if (i === undefined) return () => true;
  return (code) => {
    const j = S.model.index.get(code);
    return j !== undefined ? j >= i && j < S.model.end[i] : false;
  };
}

function fillFilters() {
  const m = S.model, reg = $('f-region'), keep = reg.value;
  while (reg.options.length > 1) reg.remove(1);
  if (m) {
    for (let i = 0; i < m.n; i++) {
      if (m.level[i] !== 1) continue;
      const o = el('option', null, m.name[i] + ' ' + m.code[i], reg);
      o.value = m.code[i];
    }
  }
  reg.value = keep;
  const ty = $('f-type'), tk = ty.value;
  while (ty.options.length > 1) ty.remove(1);
  const g1 = el('optgroup', null, null, ty);
  g1.label = t('outages');
  for (const s of ['unreachable', 'silent']) {
    const o = el('option', null, t(s), g1);
    o.value = 's:' + s;
  }
  const g2 = el('optgroup', null, null, ty);
  g2.label = t('events');
  for (const e of ['outage-open', 'outage-close', 'link-down', 'link-up', 'target-down',
    'target-up', 'agent-seen', 'agent-restart', 'drift-found', 'drift-cleared', 'apply-ok',
    'apply-failed']) {
    const o = el('option', null, t(e), g2);
    o.value = 'e:' + e;
  }
  ty.value = tk;
}

function cutText(cut) {
  const parts = [];
  for (const lv of ['city', 'county', 'township', 'village']) {
    if (cut && cut[lv]) parts.push(cut[lv] + ' ' + t(lv === 'city' ? 'cities' : lv === 'county' ? 'counties' : lv + 's'));
  }
  return parts.join(', ') || '0';
}

function outageTable(tb, list, closed) {
  tb.textContent = '';
  const inRegion = regionFilter(), ty = $('f-type').value;
  const rows = list.filter((o) => inRegion(o.root) && (!ty.startsWith('s:') || o.state === ty.slice(2)));
  const h = el('tr', null, null, tb);
  for (const k of ['root', 'state', 'since', closed ? 'closed' : 'cut_off']) el('th', null, t(k), h);
  if (!rows.length) { el('td', 'none', t('none'), el('tr', null, null, tb)).colSpan = 4; return; }
  for (const o of rows) {
    const tr = el('tr', 'o s-' + o.state, null, tb);
    tr.dataset.root = o.root;
    const td = el('td', null, null, tr);
    el('span', 'dot s-' + o.state, null, td);
    el('span', 'nm', o.name || o.root, td);
    el('span', 'cd', o.root + ' · ' + t(o.level), td);
    el('td', null, t(o.state), tr);
    el('td', null, fmtTime(o.since), tr);
    el('td', null, closed ? fmtTime(o.closed_ms) : (o.total + ' (' + cutText(o.cut_off) + ')'), tr)
      .dataset.total = o.total;
    tr.addEventListener('click', () => {
      const i = S.model && S.model.index.get(o.root);
      if (i !== undefined) reveal(i);
    });
  }
}

function renderOutages() {
  outageTable($('open-outages'), S.outages, false);
  outageTable($('closed-outages'), S.closed, true);
  const tb = $('events'), inRegion = regionFilter(), ty = $('f-type').value;
  tb.textContent = '';
  const h = el('tr', null, null, tb);
  for (const k of ['time', 'node', 'type', 'text']) el('th', null, t(k), h);
  const rows = S.events.filter((e) => inRegion(e.node) && (!ty.startsWith('e:') || e.type === ty.slice(2)))
    .slice(0, 100);
  if (!rows.length) { el('td', 'none', t('none'), el('tr', null, null, tb)).colSpan = 4; return; }
  for (const e of rows) {
    const tr = el('tr', 'ev ' + e.type, null, tb);
    tr.dataset.type = e.type;
    el('td', null, fmtTime(e.time_ms), tr);
    const i = S.model ? S.model.index.get(e.node) : undefined;
    el('td', null, (i !== undefined ? S.model.name[i] + ' ' : '') + e.node, tr);
    el('td', null, t(e.type), tr);
    el('td', null, [e.subject, e.text].filter(Boolean).join(': '), tr);
  }
}

async function loadSide() {
  const since = Date.now() - DAY;
  const [o, e] = await Promise.all([
    getJSON('/api/v1/outages?all=1&since=' + Math.floor(since)),
    getJSON('/api/v1/events?limit=500&since=' + Math.floor(since)),
  ]);
  S.closed = o.outages.filter((x) => !x.open).sort((a, b) => b.closed_ms - a.closed_ms);
  S.events = e.events;
  S.lastSideLoad = Date.now();
  renderOutages();
}

// ---- node view -----------------------------------------------------------------

async function selectNode(i) {
  const m = S.model;
  S.selected = i;
  renderRows();
  $('node-sec').hidden = false;
  renderNodeTitle();
  await loadNode();
}

function renderNodeTitle() {
  const m = S.model, i = S.selected, title = $('node-title');
  title.textContent = '';
  if (!m || i < 0) return;
  el('span', 'dot s-' + EG_STATES[m.state[i]], null, title);
  el('span', null, (m.name[i] || '') + ' ', title);
  el('span', 'cd', m.code[i] + ' · ' + levelName(m.level[i]) + ' · ' + stateName(m.state[i]), title);
}

async function loadNode() {
  const m = S.model, i = S.selected;
  if (!m || i < 0) return;
  const village = m.level[i] === 4;
  const code = village ? m.code[m.parent[i]] : m.code[i];
  const since = Math.floor(Date.now() - S.range);
  const want = m.code[i] + '/' + S.range;
  try {
    const d = await getJSON('/api/v1/nodes/' + code + '?since=' + since);
    if (S.selected !== i) return; // another node was chosen meanwhile
    S.nodeData = { d, village, code: m.code[i], want };
    S.lastNodeLoad = Date.now();
    renderNode();
  } catch (e) {
    const box = $('node');
    box.textContent = '';
    el('p', 'none', String(e.message), box);
  }
}

function kv(tb, k, v) {
  const tr = el('tr', null, null, tb);
  el('th', null, t(k), tr);
  el('td', null, v, tr);
  return tr;
}

function seriesOf(rows, kind, key) {
  let r = rows.filter((x) => x.kind === kind && x.key === key);
  const minute = r.filter((x) => x.period === 'minute');
  if (minute.length) r = minute; // the finer rows where both are kept
  return r.sort((a, b) => a.t_ms - b.t_ms);
}

function renderNode() {
  const box = $('node'), nd = S.nodeData;
  box.textContent = '';
  if (!nd) return;
  const d = nd.d, rep = d.last_report, village = nd.village;
  const bar = el('div', 'range', null, box);
  for (const [k, ms] of [['hour', HOUR], ['day', DAY]]) {
    const b = el('button', S.range === ms ? 'on' : '', t(k), bar);
    b.dataset.range = k;
    b.addEventListener('click', () => { S.range = ms; loadNode(); });
  }
  if (village) el('p', 'note', t('village_note'), box);
  const info = el('table', 'kv', null, box);
  if (!village) {
    kv(info, 'last_report', d.last_report_ms ? fmtTime(d.last_report_ms) : t('no_report'));
    kv(info, 'profile', d.profile ? d.profile.name + ' ' + d.profile.version : '–');
    kv(info, 'apply', d.apply || '–');
    kv(info, 'drift', d.drift === null ? '–' : d.drift ? t('yes') +
      (rep && rep.drift && rep.drift.text ? ': ' + rep.drift.text : '') : t('no'));
  }
  const rows = (d.series && d.series.rows) || [];
  const t0 = d.series ? d.series.since_ms : Date.now() - S.range, t1 = d.series ? d.series.until_ms : Date.now();
  // probe targets: the village itself, or the node's (its parent first)
  let keys = [...new Set(rows.filter((x) => x.kind === 'target').map((x) => x.key))];
  const targets = rep && Array.isArray(rep.targets) ? rep.targets : [];
  for (const tg of targets) if (!keys.includes(tg.code)) keys.push(tg.code);
  if (village) keys = [nd.code];
  keys.sort((a, b) => {
    const ra = targets.find((x) => x.code === a), rb = targets.find((x) => x.code === b);
    return (ra && ra.relation === 'parent' ? -1 : 0) - (rb && rb.relation === 'parent' ? -1 : 0) || (a < b ? -1 : 1);
  });
  if (!keys.includes(S.nodeTarget)) S.nodeTarget = keys[0] || null;
  if (keys.length) {
    const sel = el('select', 'pick', null, el('div', 'pickrow', t('target') + ' ', box));
    sel.id = 'node-target';
    for (const k of keys) {
      const tg = targets.find((x) => x.code === k);
      const i = S.model.index.get(k);
      const o = el('option', null, (i !== undefined ? S.model.name[i] + ' ' : '') + k +
        (tg ? ' (' + t(tg.relation === 'village' ? 'vill' : tg.relation) + ')' : ''), sel);
      o.value = k;
    }
    sel.value = S.nodeTarget;
    sel.addEventListener('change', () => { S.nodeTarget = sel.value; renderNode(); });
    const sr = seriesOf(rows, 'target', S.nodeTarget);
    const charts = el('div', 'charts', null, box);
    const mk = (title, unit, field, cls) => {
      const c = egChart({
        title, unit, t0, t1,
        series: [{ name: title, cls, points: sr.map((r) => ({ t: r.t_ms, v: r[field] })) }],
      });
      c.dataset.chart = field;
      c.dataset.key = S.nodeTarget;
      charts.appendChild(c);
    };
    mk(t('rtt'), t('ms'), 'rtt_avg_ms', 'c1');
    mk(t('loss'), '%', 'loss_pct', 'c2');
    mk(t('jitter'), t('ms'), 'jitter_ms', 'c3');
  }
  if (village) return;
  // traffic of a link
  const links = rep && Array.isArray(rep.links) ? rep.links : [];
  const lkeys = [...new Set([...links.map((l) => l.name),
    ...rows.filter((x) => x.kind === 'link').map((x) => x.key)])];
  if (lkeys.length) {
    if (!lkeys.includes(S.nodeLink)) {
      const up = links.find((l) => l.role === 'uplink');
      S.nodeLink = up ? up.name : lkeys[0];
    }
    const sel = el('select', 'pick', null, el('div', 'pickrow', t('link') + ' ', box));
    sel.id = 'node-link';
    for (const k of lkeys) el('option', null, k, sel).value = k;
    sel.value = S.nodeLink;
    sel.addEventListener('change', () => { S.nodeLink = sel.value; renderNode(); });
    const lr = seriesOf(rows, 'link', S.nodeLink);
    const c = egChart({
      title: t('traffic'), unit: 'Mbit/s', t0, t1,
      series: [
        { name: t('rx'), cls: 'c1', points: lr.map((r) => ({ t: r.t_ms, v: r.rx_bps / 1e6 })) },
        { name: t('tx'), cls: 'c2', points: lr.map((r) => ({ t: r.t_ms, v: r.tx_bps / 1e6 })) },
      ],
    });
    c.dataset.chart = 'traffic';
    el('div', 'charts', null, box).appendChild(c);
  }
  if (!rep) { el('p', 'none', t('no_report'), box); return; }
  el('h3', null, t('links'), box);
  const lt = el('table', 'list', null, box);
  const lh = el('tr', null, null, lt);
  for (const k of ['link', 'role', 'zone', 'state', 'rx', 'tx']) el('th', null, t(k), lh);
  for (const l of links) {
    const tr = el('tr', 'lk ' + l.state, null, lt);
    tr.dataset.link = l.name;
    el('td', null, l.name, tr);
    el('td', null, l.role, tr);
    el('td', null, l.zone, tr);
    el('td', 'st-' + l.state, l.state, tr);
    el('td', null, fmtBits(l.counters ? l.counters.rx_bps : null), tr);
    el('td', null, fmtBits(l.counters ? l.counters.tx_bps : null), tr);
  }
  const drops = [];
  for (const l of links) {
    if (!l.drops || !l.drops.reasons) continue;
    for (const [why, v] of Object.entries(l.drops.reasons)) drops.push([l.name, why, v.packets, v.bytes]);
  }
  el('h3', null, t('drops'), box);
  const dt = el('table', 'list', null, box);
  const dh = el('tr', null, null, dt);
  for (const k of ['link', 'reason', 'packets', 'bytes']) el('th', null, t(k), dh);
  if (!drops.length) el('td', 'none', t('none'), el('tr', null, null, dt)).colSpan = 4;
  for (const r of drops.sort((a, b) => b[2] - a[2])) {
    const tr = el('tr', null, null, dt);
    for (const v of r) el('td', null, v, tr);
  }
  el('h3', null, t('targets'), box);
  const tt = el('table', 'list', null, box);
  const th = el('tr', null, null, tt);
  for (const k of ['target', 'relation', 'state', 'rtt', 'loss', 'jitter']) el('th', null, t(k), th);
  for (const tg of targets) {
    const tr = el('tr', 'tg ' + tg.state, null, tt);
    tr.dataset.code = tg.code;
    el('td', null, (tg.name || '') + ' ' + tg.code, tr);
    el('td', null, t(tg.relation === 'village' ? 'vill' : tg.relation), tr);
    el('td', 'st-' + tg.state, tg.state, tr);
    el('td', null, fmtNum(tg.rtt_ms, 'ms'), tr);
    el('td', null, fmtNum(tg.loss_pct, '%'), tr);
    el('td', null, fmtNum(tg.jitter_ms, 'ms'), tr);
  }
}

// ---- live ----------------------------------------------------------------------

function takeSummary(c) {
  S.levels = c.levels || {};
  S.outages = Array.isArray(c.outages) ? c.outages : [];
  S.prevHealth = S.health;
  S.health = Object.assign({ t: c.time_ms }, c.health || {});
  S.refreshMs = Math.max(500, c.refresh_ms || 2000);
  S.version = c.version;
  S.epoch = c.epoch;
  if (S.model) S.model.setOutages(S.outages);
  $('last-update').textContent = fmtTime(c.time_ms);
  window.egnet.version = c.version;
}

async function loadAll() {
  // the version first: a change between it and the tree is sent again
  const c = await getJSON('/api/v1/changes');
  const tr = await getJSON('/api/v1/tree');
  const first = !S.model;
  const keepSel = S.selected >= 0 && S.model ? S.model.code[S.selected] : null;
  const keepExp = S.model ? [...S.expanded].map((i) => S.model.code[i]) : [];
  S.model = new EgModel(tr.tree || []);
  S.expanded = new Set();
  if (first) {
    for (let i = 0; i < S.model.n; i++) if (S.model.parent[i] < 0) S.expanded.add(i);
  } else {
    for (const k of keepExp) { const i = S.model.index.get(k); if (i !== undefined) S.expanded.add(i); }
  }
  S.selected = keepSel && S.model.index.has(keepSel) ? S.model.index.get(keepSel) : -1;
  takeSummary(c);
  fillFilters();
  renderAll();
}

function renderAll() {
  renderHeader();
  renderGrid();
  buildVisible();
  renderRows();
  renderOutages();
}

async function poll() {
  clearTimeout(S.timer);
  try {
    const c = await getJSON('/api/v1/changes?since=' + S.version + '&epoch=' + S.epoch);
    const t0 = performance.now();
    performance.mark('egnet-update-start');
    if (c.reset) {
      await loadAll();
    } else {
      const changed = S.model.apply(c.nodes || []);
      const sig = JSON.stringify((c.outages || []).map((o) => [o.root, o.state, o.total]));
      takeSummary(c);
      renderHeader();
      if (changed || sig !== S.outageSig) {
        renderGrid();
        renderRows();
        renderOutages();
      }
      if (sig !== S.outageSig && S.outageSig !== '') loadSide().catch(() => {});
      S.outageSig = sig;
      if (changed && S.selected >= 0) renderNodeTitle();
      const ms = performance.now() - t0;
      performance.mark('egnet-update-end');
      performance.measure('egnet-update', 'egnet-update-start', 'egnet-update-end');
      window.egnet.lastApplyMs = ms;
      window.egnet.updates.push({ version: c.version, nodes: (c.nodes || []).length, ms, changed });
      if (window.egnet.updates.length > 100) window.egnet.updates.shift();
    }
    if (Date.now() - S.lastSideLoad > 15000) loadSide().catch(() => {});
    // the node view's charts gain a point a minute
    if (S.selected >= 0 && S.nodeData && Date.now() - S.lastNodeLoad > 30000) loadNode();
    $('live').dataset.state = 'ok';
    showError(null);
  } catch (e) {
    window.egnet.errors++;
    $('live').dataset.state = 'bad';
    showError(e.message);
  }
  S.timer = setTimeout(poll, S.refreshMs);
}

// ---- start ----------------------------------------------------------------------

function bind() {
  const lang = $('lang');
  lang.value = egLang;
  lang.addEventListener('change', () => {
    egApplyLang(lang.value, true);
    fillFilters();
    renderAll();
    renderNodeTitle();
    if (S.nodeData) renderNode();
  });
  $('tree').addEventListener('scroll', () => requestAnimationFrame(renderRows), { passive: true });
  window.addEventListener('resize', () => renderRows());
  let st = 0;
  $('search').addEventListener('input', () => { clearTimeout(st); st = setTimeout(onSearch, 120); });
  document.addEventListener('click', (e) => {
    if (!e.target.closest('.search')) $('search-results').hidden = true;
  });
  $('search').addEventListener('keydown', (e) => {
    if (e.key === 'Enter') { clearTimeout(st); onSearch(); }
    if (e.key === 'Escape') { $('search-results').hidden = true; }
  });
  $('node-close').addEventListener('click', () => {
    $('node-sec').hidden = true;
    S.selected = -1;
    S.nodeData = null;
    renderRows();
  });
  $('f-region').addEventListener('change', renderOutages);
  $('f-type').addEventListener('change', renderOutages);
}

async function start() {
  egApplyLang(egPickLang(), false);
  bind();
  const t0 = performance.now();
  performance.mark('egnet-load-start');
  for (;;) {
    try {
      await loadAll();
      break;
    } catch (e) {
      showError(e.message);
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
  S.outageSig = JSON.stringify(S.outages.map((o) => [o.root, o.state, o.total]));
  performance.mark('egnet-first-render');
  performance.measure('egnet-first', 'egnet-load-start', 'egnet-first-render');
  window.egnet.firstRenderMs = performance.now() - t0;
  window.egnet.ready = true;
  S.timer = setTimeout(poll, S.refreshMs);
  loadSide().catch((e) => showError(e.message));
}

document.addEventListener('DOMContentLoaded', start);
