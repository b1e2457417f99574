// SPDX-License-Identifier: BSD-2-Clause
// Line charts as inline SVG, built through the DOM (the page's CSP allows
// no inline markup or style).  One chart: a time axis over [t0, t1], one
// or more series of points {t, v} (null v: a gap), a y axis from 0 to the
// largest value.  Each drawn series is a <polyline> whose data-points
// says how many points it holds and data-values their values, so a test
// can compare the drawing with the API's rows.
'use strict';

const EG_SVG = 'http://www.w3.org/2000/svg';

function egSvg(tag, attrs, parent) {
  const el = document.createElementNS(EG_SVG, tag);
  for (const k in attrs) el.setAttribute(k, attrs[k]);
  if (parent) parent.appendChild(el);
  return el;
}

function egNice(v) {
  if (!(v > 0)) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function egClock(ms, withDay) {
  const d = new Date(ms);
  const hm = String(d.getHours()).padStart(2, '0') + ':' + String(d.getMinutes()).padStart(2, '0');
  return withDay ? (d.getMonth() + 1) + '-' + d.getDate() + ' ' + hm : hm;
}

// @opts: {title, unit, t0, t1, series: [{name, cls, points: [{t, v}]}]}
function egChart(opts) {
  const W = 420, H = 128, L = 44, R = 8, T = 24, B = 18;
  const fig = document.createElement('figure');
  fig.className = 'chart';
  const svg = egSvg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': opts.title });
  fig.appendChild(svg);
  let max = 0, count = 0;
  for (const s of opts.series) for (const p of s.points) if (p.v !== null) { max = Math.max(max, p.v); count++; }
  max = egNice(max);
  const span = Math.max(1, opts.t1 - opts.t0);
  const x = (tm) => L + (W - L - R) * (tm - opts.t0) / span;
  const y = (v) => T + (H - T - B) * (1 - v / max);
  egSvg('text', { x: 2, y: 11, class: 'ct' }, svg).textContent = opts.title;
  for (const f of [0, 0.5, 1]) {
    egSvg('line', { x1: L, x2: W - R, y1: y(max * f), y2: y(max * f), class: 'grid' }, svg);
    egSvg('text', { x: L - 4, y: y(max * f) + 3, class: 'ax', 'text-anchor': 'end' }, svg)
      .textContent = String(+(max * f).toPrecision(3)) + (f === 1 && opts.unit ? ' ' + opts.unit : '');
  }
  const day = span > 6 * 3600e3;
  for (const f of [0, 0.5, 1]) {
    const tm = opts.t0 + span * f;
    egSvg('text', { x: x(tm), y: H - 4, class: 'ax', 'text-anchor': f === 0 ? 'start' : f === 1 ? 'end' : 'middle' }, svg)
      .textContent = egClock(tm, day);
  }
  for (const s of opts.series) {
    // a gap (null) cuts the line: one polyline per run of points
    let run = [];
    const runs = [];
    for (const p of s.points) {
      if (p.v === null) { if (run.length) runs.push(run); run = []; } else run.push(p);
    }
    if (run.length) runs.push(run);
    for (const r of runs) {
      const pl = egSvg('polyline', {
        class: 'ln ' + (s.cls || ''),
        points: r.map((p) => x(p.t).toFixed(1) + ',' + y(p.v).toFixed(1)).join(' '),
        'data-series': s.name,
        'data-points': String(r.length),
        'data-values': r.map((p) => p.v).join(','),
      }, svg);
      if (r.length === 1) {
        egSvg('circle', { cx: x(r[0].t), cy: y(r[0].v), r: 2, class: 'pt ' + (s.cls || '') }, svg);
      }
      void pl;
    }
  }
  if (!count) {
    egSvg('text', { x: W / 2, y: H / 2, class: 'ax', 'text-anchor': 'middle' }, svg).textContent = t('no_data');
  }
  const leg = document.createElement('figcaption');
  for (const s of opts.series) {
    const sp = document.createElement('span');
    sp.className = 'lg ' + (s.cls || '');
    sp.textContent = s.name;
    leg.appendChild(sp);
  }
  fig.appendChild(leg);
  fig.dataset.points = String(count);
  return fig;
}
