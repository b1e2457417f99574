// SPDX-License-Identifier: BSD-2-Clause
// The dashboard's model of the tree: /api/v1/tree flattened into arrays
// in preorder (a node's subtree is [i, end[i])), each node's state, and
// what is derived from the states: descendants per state and coverage per
// region and level, recomputed whole in one pass (15,000 nodes: about a
// millisecond) after every batch of changes, so they never drift from the
// states they come from.
'use strict';

const EG_OK = new Set([0, 1]); // connected, degraded: counted connected

class EgModel {
  constructor(tree) {
    const code = [], name = [], level = [], state = [], parent = [], end = [], wrong = [];
    const stack = [];
    // iterative preorder: the JSON nests five deep, 15,000 wide
    for (let r = tree.length - 1; r >= 0; r--) stack.push([tree[r], -1]);
    const ends = [];
    while (stack.length) {
      const [n, p] = stack.pop();
      if (n === null) { end[p] = code.length; continue; }
      const i = code.length;
      code.push(String(n.code));
      name.push(String(n.name || ''));
      level.push(Math.max(0, EG_LEVELS.indexOf(n.level)));
      state.push(Math.max(0, EG_STATES.indexOf(n.state)));
      wrong.push(!!n.wrong_parent);
      parent.push(p);
      end.push(i + 1);
      stack.push([null, i]);
      const ch = Array.isArray(n.children) ? n.children : [];
      for (let c = ch.length - 1; c >= 0; c--) stack.push([ch[c], i]);
    }
    void ends;
    this.n = code.length;
    this.code = code; this.name = name; this.level = Int8Array.from(level);
    this.state = Int8Array.from(state); this.parent = Int32Array.from(parent);
    this.end = Int32Array.from(end); this.wrong = wrong;
    this.index = new Map();
    for (let i = 0; i < this.n; i++) this.index.set(code[i], i);
    this.children = Array.from({ length: this.n }, () => []);
    for (let i = 0; i < this.n; i++) if (parent[i] >= 0) this.children[parent[i]].push(i);
    this.lname = name.map((s) => s.toLowerCase());
    this.outage = new Map(); // root index -> {total, state, since}
    this.recount();
  }

  // descendants per state (without the node) and coverage per level of
  // each node's subtree (with it)
  recount() {
    const n = this.n, S = EG_STATES.length, L = EG_LEVELS.length;
    const desc = new Int32Array(n * S), exp = new Int32Array(n * L), conn = new Int32Array(n * L);
    for (let i = 0; i < n; i++) {
      const s = this.state[i], l = this.level[i], ok = EG_OK.has(s) ? 1 : 0;
      exp[i * L + l]++;
      conn[i * L + l] += ok;
      for (let a = this.parent[i]; a >= 0; a = this.parent[a]) {
        desc[a * S + s]++;
        exp[a * L + l]++;
        conn[a * L + l] += ok;
      }
    }
    this.desc = desc; this.exp = exp; this.conn = conn;
  }

  // the changes of /api/v1/changes: true when a known node changed
  apply(nodes) {
    let any = false;
    for (const c of nodes) {
      const i = this.index.get(c.code);
      if (i === undefined) continue;
      const s = EG_STATES.indexOf(c.state);
      if (s < 0) continue;
      if (this.state[i] !== s || this.wrong[i] !== !!c.wrong_parent) {
        this.state[i] = s;
        this.wrong[i] = !!c.wrong_parent;
        any = true;
      }
    }
    if (any) this.recount();
    return any;
  }

  setOutages(list) {
    this.outage = new Map();
    for (const o of list) {
      const i = this.index.get(o.root);
      if (i !== undefined) this.outage.set(i, o);
    }
  }

  descCount(i, s) { return this.desc[i * EG_STATES.length + s]; }
  descTotal(i) { return this.end[i] - i - 1; }
  coverage(i, l) {
    const L = EG_LEVELS.length;
    return { connected: this.conn[i * L + l], expected: this.exp[i * L + l] };
  }

  ancestors(i) {
    const a = [];
    for (let p = this.parent[i]; p >= 0; p = this.parent[p]) a.push(p);
    return a.reverse();
  }

  // nodes whose code starts with (or holds) the digits of @q, or whose
  // name holds @q (any script; Latin letters without case)
  search(q, max) {
    q = String(q).trim().toLowerCase();
    const out = [];
    if (!q) return out;
    const digits = /^\d+$/.test(q);
    let more = 0;
    for (let i = 0; i < this.n; i++) {
      const hit = digits ? this.code[i].startsWith(q) || this.code[i].includes(q) :
        this.lname[i].includes(q);
      if (!hit) continue;
      if (out.length < max) out.push(i); else more++;
    }
    out.more = more;
    return out;
  }
}

// a coverage fraction as the API rounds it: percent with two decimals
function egPct(connected, expected) {
  return expected ? Math.round(10000 * connected / expected) / 100 : 100;
}

if (typeof module !== 'undefined') module.exports = { EgModel, egPct };
