#!/usr/bin/env python3
"""Check a numeric snmpwalk of EGNET-MIB against `egnetctl links --json`
and `status --json` taken just before and just after it.

  agentx_check.py WALK BEFORE AFTER STATUS

WALK is `snmpwalk -On -Oe -OQ` output (one "OID = value" per line).  Every
instance the agent should serve must be in the walk with the value the
JSON gives (counters between the two readings, loss between them), and
nothing else: the set of OIDs a GETNEXT walk found is exactly the set the
agent's state asks for, in strictly increasing order.
"""
import json
import sys

BASE = (1, 3, 6, 1, 4, 1, 32473, 1)


def oid(s):
    return tuple(int(x) for x in s.strip().lstrip(".").split("."))


def parse(path):
    rows = []
    for line in open(path):
        line = line.rstrip("\n")
        if not line.strip():
            continue
        name, _, value = line.partition(" = ")
        value = value.strip()
        if value.startswith('"') and value.endswith('"') and len(value) >= 2:
            value = value[1:-1]
        rows.append((oid(name), value))
    return rows


def main():
    walk = parse(sys.argv[1])
    before = json.load(open(sys.argv[2]))
    after = json.load(open(sys.argv[3]))
    status = json.load(open(sys.argv[4]))
    names = [n for n, _ in walk]
    for a, b in zip(names, names[1:]):
        assert a < b, "not increasing: %s then %s" % (a, b)
    got = dict(walk)
    want = {}  # oid -> checker(value) -> bool

    def eq(v):
        return lambda s: s == str(v)

    def between(x, y):
        lo, hi = min(x, y), max(x, y)
        return lambda s: lo <= int(s) <= hi

    node = lambda k: BASE + (1, k, 0)
    st = status
    want[node(1)] = eq(st["node"]["code"])
    want[node(3)] = eq(st.get("profile", {}).get("name", ""))
    want[node(4)] = eq(st.get("profile", {}).get("version", ""))
    want[node(5)] = eq(st.get("profile", {}).get("hash", ""))
    states = ["unapplied", "converged", "drift", "failed", "pending-confirm"]
    want[node(6)] = eq(states.index(st["state"]) + 1)
    want[node(7)] = eq(len(st.get("drift") or []))
    code = st["node"]["code"]
    level = next(n for n, k in ((1, 2), (2, 4), (3, 6), (4, 9), (5, 12))
                 if code[k:] == "0" * (12 - k))
    want[node(2)] = eq(level)
    opers = {"up": 1, "down": 2, "no-carrier": 3, "absent": 4}
    assert len(before["links"]) == len(after["links"])
    for i, (l, m) in enumerate(zip(before["links"], after["links"])):
        col = lambda c: BASE + (2, 1, c, i + 1)
        assert l["name"] == m["name"]
        want[col(2)] = eq(l["name"])
        want[col(3)] = eq(l["role"])
        want[col(4)] = eq(l["zone"])
        want[col(5)] = eq(opers[l["state"]])
        if "counters" in l:
            for c, k in ((6, "rx_bytes"), (7, "tx_bytes"),
                         (8, "rx_packets"), (9, "tx_packets")):
                want[col(c)] = between(l["counters"][k], m["counters"][k])
        if isinstance(l.get("drops"), dict):
            want[col(10)] = between(l["drops"]["packets"],
                                    m["drops"]["packets"])
    kinds = {"parent": 1, "child": 2, "village": 3}
    reach = {"up": 1, "down": 2, "unknown": 3}
    assert len(before["targets"]) == len(after["targets"])
    for i, (t, u) in enumerate(zip(before["targets"], after["targets"])):
        col = lambda c: BASE + (3, 1, c, i + 1)
        assert t["code"] == u["code"]
        want[col(2)] = eq(t["code"])
        want[col(3)] = eq(kinds[t["relation"]])
        want[col(4)] = eq(reach[t["state"]])
        if t["rtt_ms"] is not None or u["rtt_ms"] is not None:
            want[col(5)] = lambda s: int(s) > 0
        want[col(6)] = between(round(t["loss_pct"] * 1000),
                               round(u["loss_pct"] * 1000))
        if t["jitter_ms"] is not None or u["jitter_ms"] is not None:
            want[col(7)] = lambda s: int(s) >= 0
    missing = sorted(set(want) - set(got))
    extra = sorted(set(got) - set(want))
    # an RTT or jitter that appeared between the readings may or may not
    # be in the walk; nothing else may be missing
    assert not missing, "not in the walk: %s" % [".".join(map(str, o)) for o in missing]
    assert not extra, "not asked for: %s" % [".".join(map(str, o)) for o in extra]
    bad = [(".".join(map(str, o)), got[o]) for o in want if not want[o](got[o])]
    assert not bad, "wrong values: %s" % bad
    print("%d instances (%d links, %d targets) as egnetctl shows them"
          % (len(got), len(before["links"]), len(before["targets"])))


main()
