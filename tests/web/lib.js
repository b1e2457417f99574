// SPDX-License-Identifier: BSD-2-Clause
// What the dashboard's test and bench/dashboard share: the inventory read
// from its CSV (common/inventory.c's format), reports made for its
// gateways (docs/report.md, schema 1), posted to the collector as the
// agents would (over mutual TLS with each node's certificate, or on a
// plaintext listener), the collector started and stopped, and Chromium
// through playwright-core.
'use strict';

const fs = require('fs');
const http = require('http');
const https = require('https');
const path = require('path');
const { spawn } = require('child_process');

const LEVELS = ['province', 'city', 'county', 'township', 'village'];

function codeLevel(c) {
  if (c.slice(2) === '0000000000') return 0;
  if (c.slice(4) === '00000000') return 1;
  if (c.slice(6) === '000000') return 2;
  if (c.slice(9) === '000') return 3;
  return 4;
}

function codeParent(c) {
  switch (codeLevel(c)) {
    case 0: return null;
    case 1: return c.slice(0, 2) + '0000000000';
    case 2: return c.slice(0, 4) + '00000000';
    case 3: return c.slice(0, 6) + '000000';
    default: return c.slice(0, 9) + '000';
  }
}

// code,name,address rows ('#' comments and the header line skipped)
function readInventory(file) {
  const nodes = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const l = line.trim();
    if (!l || l.startsWith('#') || l.startsWith('code,')) continue;
    const [code, name] = l.split(',');
    nodes.push({ code, name, level: codeLevel(code), parent: codeParent(code) });
  }
  const by = new Map(nodes.map((n) => [n.code, n]));
  for (const n of nodes) n.children = [];
  for (const n of nodes) if (n.parent && by.has(n.parent)) by.get(n.parent).children.push(n);
  return { nodes, by, gateways: nodes.filter((n) => n.level < 4) };
}

// One report of gateway @n: @o.seq, @o.now, @o.interval, @o.down (a Set
// of target codes probed down), @o.rtt (ms, the parent's), @o.rx (bit/s)
function makeReport(n, o) {
  const now = o.now, targets = [];
  const tgt = (code, name, relation, up, rtt) => ({
    code, name, relation, state: up ? 'up' : 'down', since_ms: now - 3600e3,
    rtt_ms: up ? rtt : null, rtt_avg_ms: up ? rtt : null, jitter_ms: up ? rtt / 10 : null,
    loss_pct: up ? 0.0 : 100.0, stamps: up ? 'ebpf' : null, sent: 1000, received: up ? 1000 : 900,
    refused: false,
  });
  const down = o.down || new Set();
  if (n.parent) targets.push(tgt(n.parent, '', 'parent', !down.has(n.parent), o.rtt || 2.0));
  for (const c of n.children) {
    targets.push(tgt(c.code, c.name, c.level === 4 ? 'village' : 'child', !down.has(c.code),
      (o.rtt || 2.0) + 0.5));
  }
  const k = o.seq % 1e9; // counters that grow with the reports
  const counters = (bps) => ({ rx_packets: k * 100, rx_bytes: k * 100000, tx_packets: k * 90,
    tx_bytes: k * 80000, rx_bps: bps, tx_bps: bps / 2 });
  return {
    schema: 1,
    node: { code: n.code, level: LEVELS[n.level], parent: n.parent },
    seq: o.seq,
    time_ms: now,
    agent: { version: '0.1.0', uptime_s: 3600 + k, interval_s: o.interval || 1 },
    profile: { name: LEVELS[n.level], version: '2024.2', hash: 'sha256:' + '0'.repeat(64) },
    apply: 'converged',
    drift: { found: false, text: '' },
    links: [
      { name: 'eth0', role: 'uplink', zone: 'common', state: 'up', counters: counters(o.rx || 8e6),
        drops: { packets: 12, bytes: 1008, reasons: { netfilter_drop: { packets: 10, bytes: 840 },
          no_socket: { packets: 2, bytes: 168 } } } },
      { name: 'eg-down', role: 'downlink', zone: 'common', state: 'up', counters: counters(2e6), drops: null },
    ],
    targets,
    firewall: { pairs: {} },
    events: [],
  };
}

// Posts reports to the collector: mutual TLS with DIR/nodes/CODE.crt when
// @pki is set, else plain HTTP (a plaintext listener)
class Poster {
  constructor(port, pki) {
    this.port = port;
    this.pki = pki;
    this.agents = new Map();
    this.stored = 0;
    this.failed = 0;
    this.lastError = '';
  }

  agent(code) {
    // plaintext: no identity to carry, one pool of connections for all
    if (!this.pki) code = '';
    let a = this.agents.get(code);
    if (a) return a;
    a = this.pki ? new https.Agent({
      keepAlive: true, maxSockets: 1,
      ca: fs.readFileSync(path.join(this.pki, 'ca.crt')),
      cert: fs.readFileSync(path.join(this.pki, 'nodes', code + '.crt')),
      key: fs.readFileSync(path.join(this.pki, 'nodes', code + '.key')),
    }) : new http.Agent({ keepAlive: true, maxSockets: 16 });
    this.agents.set(code, a);
    return a;
  }

  post(report) {
    const body = Buffer.from(JSON.stringify(report));
    const mod = this.pki ? https : http;
    return new Promise((resolve) => {
      const rq = mod.request({
        host: '127.0.0.1', port: this.port, method: 'POST', path: '/api/v1/reports',
        agent: this.agent(report.node.code),
        headers: { 'Content-Type': 'application/json', 'Content-Length': body.length },
      }, (res) => {
        let txt = '';
        res.on('data', (d) => { txt += d; });
        res.on('end', () => {
          if (res.statusCode < 300) this.stored++;
          else { this.failed++; this.lastError = res.statusCode + ' ' + txt; }
          resolve(res.statusCode);
        });
      });
      rq.on('error', (e) => { this.failed++; this.lastError = String(e); resolve(0); });
      rq.end(body);
    });
  }

  // at most @conc in flight
  async postAll(reports, conc) {
    let k = 0;
    const worker = async () => { while (k < reports.length) await this.post(reports[k++]); };
    await Promise.all(Array.from({ length: Math.min(conc || 16, reports.length) }, worker));
  }

  close() { for (const a of this.agents.values()) a.destroy(); }
}

// Start @bin -c @conf; resolves once @port answers TCP.
function startCollector(bin, conf, port, logFile) {
  const log = fs.openSync(logFile, 'a');
  const p = spawn(bin, ['-c', conf], { stdio: ['ignore', log, log] });
  const net = require('net');
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const tryConnect = () => {
      if (p.exitCode !== null) { reject(new Error('the collector exited: ' + fs.readFileSync(logFile, 'utf8'))); return; }
      const s = net.connect(port, '127.0.0.1');
      s.on('connect', () => { s.destroy(); resolve(p); });
      s.on('error', () => {
        if (Date.now() - t0 > 10000) reject(new Error('the collector did not listen on ' + port));
        else setTimeout(tryConnect, 50);
      });
    };
    tryConnect();
  });
}

function stopCollector(p) {
  return new Promise((resolve) => {
    if (!p || p.exitCode !== null) { resolve(p ? p.exitCode : 0); return; }
    p.on('exit', (code) => resolve(code));
    p.kill('SIGTERM');
  });
}

function chromiumPath() {
  for (const c of [process.env.CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser']) {
    if (c && fs.existsSync(c)) return c;
  }
  return null;
}

function launch(pw) {
  return pw.chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    // root in a container: no user namespaces for Chromium's sandbox
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--lang=en-US'],
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

module.exports = { LEVELS, codeLevel, codeParent, readInventory, makeReport, Poster,
  startCollector, stopCollector, chromiumPath, launch, sleep };
