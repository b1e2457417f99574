// SPDX-License-Identifier: BSD-2-Clause
// The dashboard in headless Chromium against a real collector fed with
// reports over mutual TLS (tests/web/test_dashboard.sh starts it):
//  - the page loads with no console error;
//  - the header's coverage equals /api/v1/coverage (full, and during an
//    outage);
//  - a cut line (county -> township) shows as an outage in the tree (the
//    township's row marked with what it cuts off), in the grid (the city's
//    cells equal the API's regions) and in the open outages within the
//    refresh interval of the API having it, and goes after the repair
//    (closed in the last day);
//  - the node view draws the store's points: the RTT chart's points are
//    the rows of the node's series the page was answered, and hold the
//    minutes recorded before the start;
//  - switching the language changes the labels, and a browser in zh-CN
//    starts in Chinese;
//  - searching a Chinese name finds the node and selects it in the tree.
// Screenshots in $SHOTS.  Env: PORT, PKI (its nodes/ and noc.crt,
// noc.key), INVENTORY, SHOTS, REFRESH_MS.
'use strict';

const fs = require('fs');
const https = require('https');
const path = require('path');
const pw = require('playwright-core');
const lib = require('./lib.js');

const PORT = +process.env.PORT, PKI = process.env.PKI, SHOTS = process.env.SHOTS;
const REFRESH = +(process.env.REFRESH_MS || 1000);
const U = `https://127.0.0.1:${PORT}`;
const CITY = '210100000000', COUNTY = '210102000000', TOWN = '210102001000';
const VILLAGE = '210102001003', VILLAGE_NAME = '南京街社区';

let failures = 0;
function check(ok, what) {
  console.log((ok ? 'ok   ' : 'FAIL ') + what);
  if (!ok) failures++;
  return ok;
}
let lastSeen = null;
function fatal(what) {
  console.log('FAIL ' + what);
  if (lastSeen !== null) console.log('     last: ' + JSON.stringify(lastSeen).slice(0, 1500));
  if (typeof poster !== 'undefined') console.log(`     reports: ${poster.stored} taken, ${poster.failed} refused ${poster.lastError}`);
  process.exit(1);
}

const noc = new https.Agent({
  keepAlive: true, ca: fs.readFileSync(path.join(PKI, 'ca.crt')),
  cert: fs.readFileSync(path.join(PKI, 'noc.crt')), key: fs.readFileSync(path.join(PKI, 'noc.key')),
});
function api(p) {
  return new Promise((resolve, reject) => {
    https.get({ host: '127.0.0.1', port: PORT, path: p, agent: noc }, (res) => {
      let s = '';
      res.on('data', (d) => { s += d; });
      res.on('end', () => {
        try { resolve(JSON.parse(s)); } catch (e) { reject(new Error(p + ': ' + s.slice(0, 200))); }
      });
    }).on('error', reject);
  });
}
async function until(what, fn, ms) {
  const t0 = Date.now();
  for (;;) {
    const v = await fn();
    if (v) { lastSeen = null; return v; }
    if (Date.now() - t0 > ms) fatal(what + ': not within ' + ms + ' ms');
    await lib.sleep(100);
  }
}

// ---- the reports ---------------------------------------------------------------
const inv = lib.readInventory(process.env.INVENTORY);
const poster = new lib.Poster(PORT, PKI);
const down = new Set(), silent = new Set();
let seq = Date.now() * 10;
let feeding = true;
const BACK = 20, backRtt = (k) => 1 + 0.25 * k; // the county's parent RTT, minute k

async function backfill() {
  // the county's last 25 minutes, one report a minute, before any live one
  const n = inv.by.get(COUNTY), now = Date.now(), reps = [];
  for (let k = 0; k < BACK; k++) {
    reps.push(lib.makeReport(n, { seq: ++seq, now: now - (25 - k) * 60e3, interval: 1, rtt: backRtt(k) }));
  }
  for (const r of reps) await poster.post(r);
}

async function feed() {
  while (feeding) {
    const now = Date.now(), s = ++seq;
    const reps = inv.gateways.filter((n) => !silent.has(n.code))
      .map((n) => lib.makeReport(n, { seq: s, now, interval: 1, down, rtt: 2 }));
    await poster.postAll(reps, 8);
    await lib.sleep(1000 - (Date.now() - now) % 1000);
  }
}

function sameLevels(page, apiLevels) {
  // every level the API counts, as the header shows it
  return page.$$eval('#cov .covl', (els) => els.map((e) => ({
    level: e.dataset.level, connected: +e.dataset.connected, expected: +e.dataset.expected, pct: +e.dataset.pct,
  }))).then((h) => {
    const want = Object.entries(apiLevels).map(([level, v]) => ({ level, connected: v.connected,
      expected: v.expected, pct: v.pct }));
    return JSON.stringify(h) === JSON.stringify(want) ? '' : 'header ' + JSON.stringify(h) + ' api ' + JSON.stringify(want);
  });
}

async function gridMatches(page) {
  const cov = await api('/api/v1/coverage?depth=1');
  const reg = cov.regions.find((r) => r.code === CITY);
  const cells = await page.$$eval(`#grid tr[data-code="${CITY}"] td`, (tds) => tds.map((td) => ({
    level: td.dataset.level, connected: +td.dataset.connected, expected: +td.dataset.expected })));
  for (const c of cells) {
    const a = reg.levels[c.level];
    if (!a || a.connected !== c.connected || a.expected !== c.expected) {
      return `grid ${c.level} ${c.connected}/${c.expected}, api ${a ? a.connected + '/' + a.expected : 'none'}`;
    }
  }
  return cells.length ? '' : 'no cells';
}

async function main() {
  await backfill();
  const feeder = feed();
  await until('full coverage in the API', async () => {
    const c = await api('/api/v1/coverage');
    lastSeen = c.levels;
    return Object.values(c.levels).every((l) => l.connected === l.expected) && c;
  }, 30000);

  const browser = await lib.launch(pw);
  const ctx = await browser.newContext({
    viewport: { width: 1500, height: 1000 }, locale: 'en-US', ignoreHTTPSErrors: true,
    clientCertificates: [{ origin: U, certPath: path.join(PKI, 'noc.crt'), keyPath: path.join(PKI, 'noc.key') }],
  });
  const page = await ctx.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  const shot = (n) => page.screenshot({ path: path.join(SHOTS, n + '.png') });

  const resp = await page.goto(U + '/');
  check(resp.status() === 200, 'GET / over mutual TLS: ' + resp.status());
  check(/default-src 'self'/.test(resp.headers()['content-security-policy'] || '') &&
    /frame-ancestors 'none'/.test(resp.headers()['content-security-policy']), 'CSP on the page');
  await page.waitForFunction(() => window.egnet && window.egnet.ready, null, { timeout: 15000 });
  await page.waitForTimeout(REFRESH + 500);
  await shot('01-loaded');
  check(await page.textContent('#tree-sec h2') === 'Tree', 'English labels in an en-US browser');

  let c = await api('/api/v1/coverage');
  await until('header = API coverage', async () => !(await sameLevels(page, (c = await api('/api/v1/coverage')).levels)), REFRESH * 3);
  check(true, 'header coverage equals the API\'s (all connected)');
  check(!(await gridMatches(page)), 'grid cells of the city equal the API\'s regions');

  // open the city and the county in the tree
  await page.click(`#tree .row[data-code="${CITY}"] .tg`);
  await page.click(`#tree .row[data-code="${COUNTY}"] .tg`);
  check(await page.$(`#tree .row[data-code="${TOWN}"]`) !== null, 'expanding the city and the county shows the township');

  // ---- cut the county's line to the township ----
  down.add(TOWN);
  silent.add(TOWN);
  const tCut = Date.now();
  const out = await until('outage in the API', async () => {
    const o = await api('/api/v1/outages');
    return o.outages.find((x) => x.root === TOWN);
  }, 20000);
  const tApi = Date.now();
  await page.waitForSelector(`#tree .row[data-code="${TOWN}"] .cut`, { timeout: REFRESH + 2000 });
  const tPage = Date.now();
  check(tPage - tApi <= REFRESH + 1000, `the outage shows in the tree ${tPage - tApi} ms after the API has it (refresh ${REFRESH} ms; cut to API ${tApi - tCut} ms)`);
  const cut = await page.getAttribute(`#tree .row[data-code="${TOWN}"] .cut`, 'data-cut');
  check(+cut === out.total && out.total === 3, `the township's row says it cuts off ${cut} (API: ${out.total})`);
  check(await page.$(`#open-outages tr[data-root="${TOWN}"]`) !== null, 'the outage is in the open outages');
  check(await page.textContent('#n-outages') === '1', 'the header counts one open outage');
  const g = await until('grid shows the cut', async () => {
    const pct = await page.getAttribute(`#grid tr[data-code="${CITY}"] td[data-level="village"]`, 'data-pct');
    return +pct < 100 && pct;
  }, REFRESH + 1000);
  check(+g < 100, `the grid's city village cell drops to ${g} %`);
  const gm = await gridMatches(page);
  check(!gm, 'grid cells equal the API\'s during the outage ' + gm);
  const hm = await sameLevels(page, (await api('/api/v1/coverage')).levels);
  check(!hm, 'header coverage equals the API\'s during the outage ' + hm);
  await shot('02-outage');

  // ---- repair ----
  down.delete(TOWN);
  silent.delete(TOWN);
  await until('outage closed in the API', async () => !(await api('/api/v1/outages')).outages.length, 20000);
  const tFix = Date.now();
  await page.waitForSelector(`#tree .row[data-code="${TOWN}"] .cut`, { state: 'detached', timeout: REFRESH + 2000 });
  check(Date.now() - tFix <= REFRESH + 1000, `the mark goes ${Date.now() - tFix} ms after the API closed it`);
  await until('grid back to 100 %', async () => (await page.getAttribute(`#grid tr[data-code="${CITY}"] td[data-level="village"]`, 'data-pct')) === '100', REFRESH + 1000);
  check(await page.$(`#open-outages tr[data-root="${TOWN}"]`) === null, 'no open outage after the repair');
  await page.waitForSelector(`#closed-outages tr[data-root="${TOWN}"]`, { timeout: 5000 }).then(
    () => check(true, 'the outage is in the closed ones of the last day'),
    () => check(false, 'the outage is in the closed ones of the last day'));
  await shot('03-repaired');

  // ---- node view: the store's points ----
  const [nr] = await Promise.all([
    page.waitForResponse((r) => r.url().includes('/api/v1/nodes/' + COUNTY)),
    page.click(`#tree .row[data-code="${COUNTY}"] .nm`),
  ]);
  const nd = await nr.json();
  await page.waitForSelector('figure[data-chart="rtt_avg_ms"] polyline', { timeout: 5000 });
  const key = await page.$eval('#node-target', (s) => s.value);
  check(key === CITY, 'the node view shows its parent target first: ' + key);
  const rows = nd.series.rows.filter((r) => r.kind === 'target' && r.key === key && r.period === 'minute')
    .sort((a, b) => a.t_ms - b.t_ms);
  const drawn = await page.$$eval('figure[data-chart="rtt_avg_ms"] polyline', (pls) =>
    pls.flatMap((p) => p.dataset.values.split(',').map(Number)));
  const want = rows.filter((r) => r.rtt_avg_ms !== null).map((r) => r.rtt_avg_ms);
  check(drawn.length === want.length && drawn.every((v, i) => Math.abs(v - want[i]) < 1e-9),
    `the RTT chart draws the ${want.length} points of the store's series (${drawn.length} drawn)`);
  const recorded = Array.from({ length: BACK - 1 }, (_, k) => backRtt(k));
  check(recorded.every((v) => drawn.some((d) => Math.abs(d - v) < 1e-6)),
    `the chart holds the ${recorded.length} closed minutes recorded before the start`);
  const nLinks = await page.$$eval('#node tr.lk', (r) => r.length);
  check(nLinks === 2, 'the node view lists the links of the last report: ' + nLinks);
  check(await page.$('#node-link') !== null && await page.$('figure[data-chart="traffic"]') !== null, 'a traffic chart');
  await shot('04-node');

  // ---- language ----
  await page.selectOption('#lang', 'zh-CN');
  check(await page.textContent('#tree-sec h2') === '五级网络', 'the switch to Chinese changes the tree\'s title');
  check(await page.textContent('#cov .covl[data-level="township"] .lv') === '乡镇（街道）', 'and the header\'s level names');
  const nt = await page.textContent('#node-title');
  check(nt.includes('县（区）') && nt.includes('连通'), 'and the node view\'s title: ' + nt);
  await shot('05-zh');
  await page.selectOption('#lang', 'en');
  check(await page.textContent('#tree-sec h2') === 'Tree', 'and back to English');

  // ---- search by a Chinese name ----
  await page.fill('#search', VILLAGE_NAME);
  await page.waitForSelector(`#search-results li[data-code="${VILLAGE}"]`, { timeout: 2000 });
  check((await page.$$('#search-results li[data-code]')).length === 1, 'one node is named ' + VILLAGE_NAME);
  await page.click(`#search-results li[data-code="${VILLAGE}"]`);
  await page.waitForSelector(`#tree .row.sel[data-code="${VILLAGE}"]`, { timeout: 2000 });
  check(true, 'the search result is selected in the tree');
  await page.waitForSelector('figure[data-chart="rtt_avg_ms"]', { timeout: 5000 });
  check(await page.$eval('#node-target', (s) => s.value) === VILLAGE, 'a village\'s view: its township\'s probe of it');
  await shot('06-search');

  // a browser in Chinese starts in Chinese
  const ctx2 = await browser.newContext({ locale: 'zh-CN', ignoreHTTPSErrors: true,
    clientCertificates: [{ origin: U, certPath: path.join(PKI, 'noc.crt'), keyPath: path.join(PKI, 'noc.key') }] });
  const p2 = await ctx2.newPage();
  p2.on('console', (m) => { if (m.type() === 'error') errors.push('zh: ' + m.text()); });
  p2.on('pageerror', (e) => errors.push('zh: ' + String(e)));
  await p2.goto(U + '/');
  await p2.waitForFunction(() => window.egnet && window.egnet.ready, null, { timeout: 15000 });
  check(await p2.textContent('#tree-sec h2') === '五级网络', 'a zh-CN browser starts in Chinese');
  check(await p2.$eval('#lang', (s) => s.value) === 'zh-CN', 'and its switch says so');

  check(errors.length === 0, 'no console error' + (errors.length ? ': ' + errors.join(' | ') : ''));
  check(poster.failed === 0, 'every report was taken' + (poster.failed ? ': ' + poster.lastError : ''));
  feeding = false;
  await feeder;
  await browser.close();
  poster.close();
  noc.destroy();
  console.log(failures ? `${failures} checks failed` : 'all checks passed');
  process.exit(failures ? 1 : 0);
}

main().catch((e) => { console.log('FAIL ' + (e.stack || e)); process.exit(1); });
