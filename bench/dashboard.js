// SPDX-License-Identifier: BSD-2-Clause
// bench/dashboard's driver: a province of ~15,000 nodes (an inventory
// made here: 14 cities, 8 counties each, 11 townships each, 11 villages
// each; Chinese names), its 1,359 gateways' reports posted to the
// collector (on its plaintext listener, as recorded reports; the TLS
// handshakes are bench/collector's business), then the dashboard in
// headless Chromium:
//   first render  navigation start -> the page's first full render
//                 (performance mark egnet-first-render), median of RUNS
//   expand        a click on a collapsed city -> its counties drawn and
//                 painted (two animation frames), median over the cities
//   live update   a township cut: the poll's answer applied (model,
//                 counts, grid, rows, outages), from the page's own
//                 measure; median over CUTS cuts and repairs
//   bytes         of the first load (page files and API answers, as
//                 transferred; cold cache, then reloads that revalidate
//                 the files by ETag), of one live update's answer, of an
//                 idle poll
// Baseline side by side, in the same page: a live update done as a page
// without /api/v1/changes would, reloading /api/v1/tree whole and drawing
// it again (the dashboard's own loadAll()); the ratios are printed.
// Figures, not assertions.
'use strict';

const fs = require('fs');
const path = require('path');
const pw = require('../tests/web/node_modules/playwright-core');
const lib = require('../tests/web/lib.js');

const T = process.env.T, PLAIN = +process.env.PLAIN;
const RUNS = +(process.env.RUNS || 3), CUTS = +(process.env.CUTS || 5);
const INTERVAL = 10;
const U = `http://127.0.0.1:${PLAIN}`;

function median(a) {
  const s = [...a].sort((x, y) => x - y);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN;
}
const f1 = (v) => (Number.isFinite(v) ? v.toFixed(1) : '–');

// ---- the inventory ------------------------------------------------------------
function makeInventory(file) {
  const rows = ['# bench/dashboard: a made-up province of ~15,000 nodes', 'code,name,address'];
  const cn = '一二三四五六七八九十';
  const num = (n) => (n <= 10 ? cn[n - 1] : n < 20 ? '十' + cn[n - 11] : String(n));
  rows.push('440000000000,广东省,');
  for (let c = 1; c <= 14; c++) {
    const cc = '44' + String(c).padStart(2, '0');
    rows.push(`${cc}00000000,第${num(c)}市,`);
    for (let d = 1; d <= 8; d++) {
      const dd = cc + String(d).padStart(2, '0');
      rows.push(`${dd}000000,${num(c)}市第${num(d)}区,`);
      for (let t = 1; t <= 11; t++) {
        const tt = dd + String(t).padStart(3, '0');
        rows.push(`${tt}000,${num(d)}区第${num(t)}街道,`);
        for (let v = 1; v <= 11; v++) {
          rows.push(`${tt}${String(v).padStart(3, '0')},${num(t)}街道第${num(v)}社区,`);
        }
      }
    }
  }
  fs.writeFileSync(file, rows.join('\n') + '\n');
}

async function main() {
  if (process.argv[2] === 'inventory') { makeInventory(process.argv[3]); return; }
  const inv = lib.readInventory(path.join(T, 'inventory.csv'));
  const poster = new lib.Poster(PLAIN, null);
  const down = new Set(), silent = new Set();
  let seq = Date.now() * 10;
  const round = async () => {
    const now = Date.now(), s = ++seq;
    await poster.postAll(inv.gateways.filter((n) => !silent.has(n.code))
      .map((n) => lib.makeReport(n, { seq: s, now, interval: INTERVAL, down, rtt: 3 })), 16);
  };
  const t0 = Date.now();
  await round();
  console.log(`== ${inv.nodes.length} nodes, ${inv.gateways.length} gateways: one round of reports posted in ` +
    `${Date.now() - t0} ms (${poster.failed} refused${poster.failed ? ': ' + poster.lastError : ''})`);
  let feeding = true;
  const feeder = (async () => {
    while (feeding) {
      for (let w = 0; w < INTERVAL * 10 && feeding; w++) await lib.sleep(100);
      if (feeding) await round();
    }
  })();
  // every level connected before the page comes
  for (let k = 0; ; k++) {
    const c = await (await fetch(U + '/api/v1/coverage')).json();
    if (Object.values(c.levels).every((l) => l.connected === l.expected)) break;
    if (k > 300) throw new Error('no full coverage: ' + JSON.stringify(c.levels));
    await lib.sleep(200);
  }

  const browser = await lib.launch(pw);
  const ctx = await browser.newContext({ viewport: { width: 1500, height: 1000 }, locale: 'zh-CN' });
  const first = [], bytesFirst = [], apiFirst = [];
  let page;
  for (let r = 0; r < RUNS; r++) {
    if (page) await page.close();
    page = await ctx.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(U + '/', { waitUntil: 'load' });
    await page.waitForFunction(() => window.egnet && window.egnet.ready, null, { timeout: 60000 });
    const m = await page.evaluate(() => {
      const fr = performance.getEntriesByName('egnet-first-render')[0];
      const nav = performance.getEntriesByType('navigation')[0];
      const res = performance.getEntriesByType('resource');
      const api = res.filter((e) => e.name.includes('/api/')).reduce((s, e) => s + e.transferSize, 0);
      const files = nav.transferSize + res.filter((e) => !e.name.includes('/api/'))
        .reduce((s, e) => s + e.transferSize, 0);
      return { first: fr.startTime, files, api };
    });
    if (errors.length) console.log('   page errors: ' + errors.join(' | '));
    first.push(m.first);
    bytesFirst.push(m.files);
    apiFirst.push(m.api);
  }
  await page.waitForTimeout(1000);

  // expand each city, once (collapsed again after)
  const cities = inv.nodes.filter((n) => n.level === 1).map((n) => n.code);
  const expand = [];
  for (const c of cities) {
    const ms = await page.evaluate(async (code) => {
      const tg = document.querySelector(`#tree .row[data-code="${code}"] .tg`);
      const t0 = performance.now();
      tg.click();
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      const ms = performance.now() - t0;
      document.querySelector(`#tree .row[data-code="${code}"] .tg`).click();
      return ms;
    }, c);
    expand.push(ms);
  }
  const drawnRows = await page.evaluate(() => document.querySelectorAll('#tree .row').length);

  // live updates: a township cut, then repaired
  const towns = inv.nodes.filter((n) => n.level === 3);
  const upd = [], updBytes = [], base = [], baseBytes = [];
  let idleBytes = NaN;
  const changesBytes = () => page.evaluate(() => {
    const e = performance.getEntriesByType('resource').filter((x) => x.name.includes('/api/v1/changes'));
    return e.length ? e[e.length - 1].transferSize : NaN;
  });
  idleBytes = await changesBytes();
  for (let k = 0; k < CUTS * 2; k++) {
    const town = towns[(k >> 1) * 97 % towns.length];
    const county = inv.by.get(town.parent);
    const cut = k % 2 === 0;
    if (cut) { down.add(town.code); silent.add(town.code); } else { down.delete(town.code); silent.delete(town.code); }
    const before = await page.evaluate(() => window.egnet.updates.filter((u) => u.changed).length);
    // the county says so at once (and the township, when repaired)
    await poster.post(lib.makeReport(county, { seq: ++seq, now: Date.now(), interval: INTERVAL, down, rtt: 3 }));
    if (!cut) await poster.post(lib.makeReport(town, { seq: seq, now: Date.now(), interval: INTERVAL, down, rtt: 3 }));
    await page.waitForFunction((b) => window.egnet.updates.filter((u) => u.changed).length > b, before,
      { timeout: 30000 });
    const u = await page.evaluate(() => window.egnet.updates.filter((x) => x.changed).slice(-1)[0]);
    upd.push(u.ms);
    updBytes.push(await changesBytes());
    // the baseline: the same page reloading the whole tree and drawing it
    const b = await page.evaluate(async () => {
      const t0 = performance.now();
      await loadAll(); // eslint-disable-line no-undef
      const ms = performance.now() - t0;
      const e = performance.getEntriesByType('resource').filter((x) => x.name.includes('/api/v1/tree'));
      return { ms, bytes: e[e.length - 1].transferSize };
    });
    base.push(b.ms);
    baseBytes.push(b.bytes);
  }
  feeding = false;
  await feeder;
  await browser.close();
  poster.close();

  const fr = median(first), ex = median(expand), up = median(upd);
  console.log(`== Chromium ${browser.version()}, ${RUNS} loads, ${cities.length} cities expanded, ${CUTS} cuts + ${CUTS} repairs`);
  console.log(`first render      median ${f1(fr)} ms  (runs: ${first.map(f1).join(', ')})   target <= 1000 ms: ${fr <= 1000 ? 'met' : 'NOT met'}`);
  console.log(`expand a city     median ${f1(ex)} ms  (max ${f1(Math.max(...expand))})   target <= 100 ms: ${ex <= 100 ? 'met' : 'NOT met'}   rows in the DOM after: ${drawnRows}`);
  console.log(`one live update   median ${f1(up)} ms  (runs: ${upd.map(f1).join(', ')})   target <= 50 ms: ${up <= 50 ? 'met' : 'NOT met'}`);
  console.log(`  baseline: the whole tree reloaded and drawn   median ${f1(median(base))} ms   ratio ${f1(median(base) / up)}x`);
  console.log(`bytes, first load (cold cache): page files ${bytesFirst[0]}, API answers ${apiFirst[0]}, total ${bytesFirst[0] + apiFirst[0]}` +
    (RUNS > 1 ? `; reloads (files revalidated, 304): files ${median(bytesFirst.slice(1))}, API ${median(apiFirst.slice(1))}` : ''));
  console.log(`bytes, one live update (GET /api/v1/changes with the change): median ${median(updBytes)}; an idle poll: ${idleBytes}`);
  console.log(`  baseline: GET /api/v1/tree   median ${median(baseBytes)}   ratio ${f1(median(baseBytes) / median(updBytes))}x`);
  console.log(`reports: ${poster.stored} taken, ${poster.failed} refused`);
}

main().catch((e) => { console.error(e.stack || e); process.exit(1); });
