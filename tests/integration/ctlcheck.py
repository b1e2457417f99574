#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Check egnetctl's collector tables against the API's JSON.

    ctlcheck.py nodes  JSON TABLE
    ctlcheck.py node   JSON TABLE
    ctlcheck.py events JSON TABLE

JSON is what the API answered (curl), TABLE what `egnetctl` printed for
the same request.  Every value of the JSON that the table shows must be
in it, in its column: columns are found in display columns, with two for
a wide (CJK) character as unicodedata says, so a Chinese name that
pushed a column out of line fails.  Prints what differs, exits 1 then.
Python 3 standard library only.
"""
import json
import re
import sys
import time
import unicodedata


def width(s):
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else
               0 if unicodedata.combining(c) else 1 for c in s)


def col(line, c):
    """The text of line from display column c (up to the end)."""
    w = 0
    for i, ch in enumerate(line):
        if w == c:
            return line[i:]
        w += width(ch)
        if w > c:
            return None  # c falls inside a wide character
    return "" if w == c else None


def starts(header, names):
    """Display columns where each header word starts."""
    out = {}
    for n in names:
        i = header.index(n)
        out[n] = width(header[:i])
    return out


def human(v, unit):
    p = ["", "k", "M", "G", "T"]
    i = 0
    while v >= 1000 and i < 4:
        v /= 1000
        i += 1
    return ("%.1f%s%s" if i else "%.0f%s%s") % (v, p[i], unit)


bad = []


def expect(what, cond):
    if not cond:
        bad.append(what)


def cell(line, pos, key):
    """The first word at the column of key."""
    t = col(line, pos[key])
    if t is None:
        return None
    t = t.strip()
    return t.split("  ")[0].strip() if t else ""


def check_nodes(d, lines):
    header = lines[0]
    pos = starts(header, ["CODE", "NAME", "LEVEL", "SEQ", "LAST REPORT",
                          "APPLY", "DRIFT"])
    rows = {l.split()[0]: l for l in lines[1:]}
    expect("%d lines for %d nodes" % (len(lines) - 1, len(d["nodes"])),
           len(lines) - 1 == len(d["nodes"]))
    for n in d["nodes"]:
        l = rows.get(n["code"])
        if l is None:
            bad.append("no line for %s" % n["code"])
            continue
        name = n["name"] if n["expected"] else "(not in inventory)"
        got = cell(l, pos, "NAME")
        expect("%s name %r, table %r" % (n["code"], name, got),
               got == name or (got.endswith("~") and
                               name.startswith(got[:-1].rstrip())))
        expect("%s level" % n["code"], cell(l, pos, "LEVEL") == n["level"])
        seq = col(l, pos["LEVEL"] + 8)  # SEQ is right-aligned before LAST
        want = str(n["last_seq"]) if n["last_seq"] is not None else "-"
        expect("%s seq %s in %r" % (n["code"], want, seq),
               seq is not None and seq.split()[0] == want)
        age = cell(l, pos, "LAST REPORT")
        if n["last_report_ms"] is None:
            expect("%s age %r" % (n["code"], age), age == "never")
        else:
            s = (d["time_ms"] - n["last_report_ms"]) // 1000
            expect("%s age %r, want %d s" % (n["code"], age, s),
                   re.fullmatch(r"\d+ (s|min) ago", age or "") is not None
                   and (s >= 120 or age == "%d s ago" % s))
        expect("%s apply" % n["code"],
               cell(l, pos, "APPLY") == (n.get("apply") or "-"))
        dr = n.get("drift")
        expect("%s drift" % n["code"], cell(l, pos, "DRIFT") ==
               ("-" if dr is None else "yes" if dr else "no"))


def table_after(lines, header):
    """The lines of the table whose header matches the regex header."""
    for i, l in enumerate(lines):
        if re.match(header, l):
            out = [l]
            for m in lines[i + 1:]:
                if not m.strip():
                    break
                out.append(m)
            return out
    return None


def check_node(d, lines):
    rep = d["last_report"]
    head = dict((l[:9].strip(), l[9:]) for l in lines[:6])
    expect("node line %r" % head.get("node"),
           head.get("node", "").split()[:3] ==
           [d["code"], d["name"], d["level"]])
    expect("parent line", (d["parent"] or "-") in head.get("parent", ""))
    if d["last_seq"] is None:  # never reported: the header only
        expect("silent node: %r" % head, head.get("state") ==
               "- (never reported)" and head.get("report") == "never" and
               head.get("profile") == "none applied" and len(lines) == 6)
        return
    if d["profile"]:
        expect("profile line", head.get("profile", "").startswith(
            "%s %s, hash %s" % (d["profile"]["name"], d["profile"]["version"],
                                d["profile"]["hash"])))
    expect("state line %r" % head.get("state"),
           head.get("state", "").startswith(d["apply"]) and
           (("DRIFT: " + rep["drift"]["text"]) in head["state"]
            if d["drift"] else "no drift" in head["state"]))
    expect("report line", head.get("report", "").startswith(
        "seq %d received " % d["last_seq"]))
    want = ", ".join("seq %d" % a if a == b else "seq %d..%d" % (a, b)
                     for a, b in d["seq_ranges"])
    expect("stored %r, want %r" % (head.get("stored"), want),
           head.get("stored", "").startswith(want))
    links = table_after(lines, r"LINK +ROLE")
    expect("links table", links and len(links) == len(rep["links"]) + 1)
    for l, j in zip((links or [])[1:], rep["links"]):
        c = j["counters"]
        want = [j["name"], j["role"], j["zone"] or "-", j["state"],
                human(c["rx_bps"], "b/s") if c else "-",
                human(c["tx_bps"], "b/s") if c else "-"]
        expect("link %r, want %r" % (l, want), l.split() == want)
    tg = table_after(lines, r"TARGET +CODE +NAME")
    expect("targets table", tg and len(tg) == len(rep["targets"]) + 1)
    pos = starts(tg[0], ["CODE", "NAME", "STATE"]) if tg else {}
    for l, t in zip((tg or [])[1:], rep["targets"]):
        f = lambda v, n: "-" if v is None else "%.*f" % (n, v)
        name = (col(l, pos["NAME"]) or "")[:len(col(l, pos["NAME"]) or "") -
                                           len(col(l, pos["STATE"]) or "")]
        expect("target %r: name" % l, name.strip() == t["name"])
        expect("target %r: state" % l, (col(l, pos["STATE"]) or "").split()[:4] ==
               [t["state"], f(t["rtt_ms"], 2), f(t["loss_pct"], 1),
                f(t["jitter_ms"], 2)])
    # the series, per link and target: min, weighted avg, max
    rows = d["series"]["rows"]
    keys = []
    for r in rows:
        if (r["kind"], r["key"]) not in keys:
            keys.append((r["kind"], r["key"]))

    def stat(rs, lo, av, hi):
        rs = [r for r in rs if r[av] is not None]
        if not rs:
            return None
        w = sum(r["samples"] for r in rs)
        return (min(r[lo] for r in rs), sum(r[av] * r["samples"] for r in rs) / w,
                max(r[hi] for r in rs))

    sl = table_after(lines, r"LINK +RX min")
    st = table_after(lines, r"TARGET +NAME")
    expect("series tables", (sl is not None) == any(k == "link" for k, _ in keys))
    for kind, key in keys:
        rs = [r for r in rows if r["kind"] == kind and r["key"] == key]
        tab = sl if kind == "link" else st
        line = [l for l in (tab or [])[1:] if l.split()[0] == key]
        if not line:
            bad.append("no series line for %s %s" % (kind, key))
            continue
        words = line[0].split()
        if kind == "link":
            want = []
            for k in ("rx_bps", "tx_bps"):
                s = stat(rs, k, k, k)
                want += [human(v, "b/s") for v in s] if s else ["-"] * 3
            expect("series %s: %r, want %r" % (key, words, want),
                   words[1:7] == want and words[7] == str(len(rs)))
        else:
            want = []
            for (lo, av, hi), n in ((("rtt_min_ms", "rtt_avg_ms", "rtt_max_ms"), 2),
                                    (("loss_pct",) * 3, 1), (("jitter_ms",) * 3, 2)):
                s = stat(rs, lo, av, hi)
                want += ["%.*f" % (n, v) for v in s] if s else ["-"] * 3
            expect("series %s: %r, want %r" % (key, words[-10:], want),
                   words[-10:-1] == want and words[-1] == str(len(rs)))


def check_events(d, lines):
    ev = d["events"]
    pos = starts(lines[0], ["TIME", "NODE", "TYPE", "SUBJECT", "TEXT"])
    body = lines[1:]
    if not ev:
        expect("no event line", body == ["(no event)"])
        return
    expect("%d lines for %d events" % (len(body), len(ev)), len(body) == len(ev))
    for l, e in zip(body, ev):
        t = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(e["time_ms"] // 1000))
        expect("event time %r, want %s" % (l, t), l.startswith(t))
        expect("event node %r" % l, cell(l, pos, "NODE") == e["node"])
        expect("event type %r" % l, cell(l, pos, "TYPE") == e["type"])
        s = cell(l, pos, "SUBJECT")
        expect("event subject %r" % l, s == (e["subject"] or "-") or
               (s.endswith("~") and e["subject"].startswith(s[:-1])))
        expect("event text %r" % l, col(l, pos["TEXT"]) == e["text"])


def main():
    what, jf, tf = sys.argv[1:4]
    d = json.load(open(jf, encoding="utf-8"))
    lines = open(tf, encoding="utf-8").read().rstrip("\n").split("\n")
    {"nodes": check_nodes, "node": check_node, "events": check_events}[what](d, lines)
    if bad:
        print("\n".join(bad[:20]))
        sys.exit(1)


if __name__ == "__main__":
    main()
