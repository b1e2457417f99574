#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Write hostile report bodies into a folder, for the collector's HTTP test.

    badbodies.py [-n N] [--golden FILE] FOLDER

Writes N files (default 1000) made from the golden county report
(tests/golden/report_county.json, docs/report.md): malformed JSON,
the report truncated at many cut points, nesting of 100 and 100,000
levels, oversize bodies (REPORT_MAX_BYTES + 1 and 10 MiB), a wrong JSON
type for each member, unknown members, numbers out of range, bad codes,
NUL bytes, invalid UTF-8 and duplicate keys.  Each file is named
CLASS-DETAIL-NUMBER.json (wrongtype-links[0].state-0016.json).  Every body must be refused by the collector
(schema v1, common/report.h), with a reason.  The classes take turns, so
any N has some of each, and the same N always writes the same files.
Python 3 standard library only.
"""
import argparse
import itertools
import json
import os
import re
import sys

MAX_BYTES = 1024 * 1024  # REPORT_MAX_BYTES


def compact(obj):
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode()


def paths(obj, base=()):
    """Every (path, value) below obj; a path is a tuple of keys and indices."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield base + (k,), v
            yield from paths(v, base + (k,))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield base + (i,), v
            yield from paths(v, base + (i,))


def changed(golden, path, value=None, remove=False):
    doc = json.loads(json.dumps(golden))
    c = doc
    for p in path[:-1]:
        c = c[p]
    if remove:
        del c[path[-1]]
    else:
        c[path[-1]] = value
    return doc


def name(path):
    s = ""
    for p in path:
        s += "[%d]" % p if isinstance(p, int) else ("." if s else "") + p
    return re.sub(r"[^A-Za-z0-9_.\[\]-]", "_", s)[:80]


def in_map(path):
    return len(path) >= 2 and path[-2] in ("reasons", "pairs")


def malformed(golden):
    """Each once (the class ends)."""
    bodies = [b"{", b"}", b"[1,,2]", b"{\"schema\":1,}", b"{'schema':1}",
              b"{\"schema\":01}", b"{\"schema\":NaN}", b"{\"schema\":tru}",
              b"\"\\x\"", b"{\"a\":\"\\u12\"}", b"", b" ", b"null", b"1",
              b"\xef\xbb\xbf{}", compact(golden) + b"}", compact(golden) + b"{}"]
    for i, b in enumerate(bodies):
        yield "malformed-%d" % i, b


def truncated(golden):
    body = compact(golden)
    # every cut point in turn, spread over the body: 1/2, 1/4, 3/4, ...
    seen = set()
    for d in itertools.count(1):
        for k in range(1, 2 ** d, 2):
            cut = len(body) * k // 2 ** d
            if cut not in seen and cut < len(body):
                seen.add(cut)
                yield "truncated-at%d" % cut, body[:cut]
        if len(seen) >= len(body):
            seen.clear()


def deep(golden):
    for _ in range(1):
        for n in (100, 100000):
            yield "deep-array%d" % n, b"[" * n + b"1" + b"]" * n
            yield "deep-object%d" % n, b"{\"a\":" * n + b"1" + b"}" * n
            yield "deep-unclosed%d" % n, b"[" * n


def oversize(golden):
    """Each once: 11 MiB on disk in all."""
    body = compact(golden)
    for _ in range(1):
        for size in (MAX_BYTES + 1, 10 << 20):
            yield "oversize-%d" % size, body + b" " * (size - len(body))


WRONG = {dict: [], list: {}, str: 7, int: "7", float: "7", bool: 0,
         type(None): True}


def wrong_type(golden):
    members = list(paths(golden))
    while True:
        for path, v in members:
            yield "wrongtype-" + name(path), compact(
                changed(golden, path, WRONG[type(v)]))


def unknown(golden):
    objects = [(p, v) for p, v in paths(golden) if isinstance(v, dict)]
    objects.insert(0, ((), golden))
    while True:
        for path, v in objects:
            if path:
                doc = changed(golden, path + ("zz",), 1)
            else:
                doc = dict(golden, zz=1)
            yield "unknown-" + (name(path) or "top"), compact(doc)


def missing(golden):
    members = [p for p, v in paths(golden)
               if not isinstance(p[-1], int) and not in_map(p)]
    while True:
        for path in members:
            yield "missing-" + name(path), compact(
                changed(golden, path, remove=True))


def out_of_range(golden):
    numbers = [(p, v) for p, v in paths(golden)
               if isinstance(v, (int, float)) and not isinstance(v, bool)]
    while True:
        for path, v in numbers:
            bad = -1 if isinstance(v, int) else 1e300
            yield "range-" + name(path), compact(changed(golden, path, bad))
        for path, v in numbers:
            if path[-1] == "time_ms":
                yield "range-past-" + name(path), compact(
                    changed(golden, path, 1500000000000))


BAD_CODES = ["2101020000x0", "000000000000", "21010200000", "2101020000000",
             "210102001001", "", "210200000000"]


def bad_code(golden):
    codes = [p for p, v in paths(golden) if p[-1] in ("code", "parent")]
    while True:
        for bad in BAD_CODES:
            for path in codes:
                # a parent above the node that is not its code's parent
                # is the agent's claim: accepted and flagged, not bad
                if path[-1] == "parent" and bad == "210200000000":
                    continue
                yield "code-%s-%s" % (name(path), bad or "empty"), compact(
                    changed(golden, path, bad))


def nul(golden):
    body = compact(golden)
    for i in itertools.count():
        at = (i * 97) % len(body)
        if i % 2:
            yield "nul-raw-at%d" % at, body[:at] + b"\0" + body[at + 1:]
        else:
            s = body.replace(b"\"eth0\"", b"\"eth\\u00000\"", 1)
            yield "nul-escaped-%d" % i, s


def bad_utf8(golden):
    body = compact(golden)
    seqs = [b"\xff", b"\xc0\xaf", b"\xed\xa0\x80", b"\xe5\xa4", b"\x80",
            b"\xf4\x90\x80\x80"]
    # put them inside a string made of ASCII: a town's name, a text
    where = [m.start() + 1 for m in re.finditer(rb"\"[A-Za-z_]{3,}\"", body)]
    for i in itertools.count():
        at = where[i % len(where)]
        seq = seqs[i % len(seqs)]
        yield "utf8-%s-at%d" % (seq.hex(), at), body[:at] + seq + body[at:]


def duplicate_keys(golden):
    body = compact(golden).decode()
    keys = [m for m in re.finditer(r"[{,](\"[^\"]+\":)", body)]
    for i in itertools.count():
        m = keys[(i * 7) % len(keys)]
        s = body[:m.start(1)] + m.group(1) + "0," + body[m.start(1):]
        yield "dupkey-%s-at%d" % (re.sub(r"\W", "", m.group(1)), m.start(1)), \
            s.encode()


CLASSES = [malformed, truncated, deep, oversize, wrong_type, unknown, missing,
           out_of_range, bad_code, nul, bad_utf8, duplicate_keys]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-n", type=int, default=1000, help="how many files")
    ap.add_argument("--golden", default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "golden",
        "report_county.json"))
    ap.add_argument("folder")
    a = ap.parse_args()
    with open(a.golden, encoding="utf-8") as f:
        golden = json.load(f)
    os.makedirs(a.folder, exist_ok=True)
    gens = [c(golden) for c in CLASSES]
    written = 0
    names = set()
    while written < a.n and gens:
        for g in list(gens):
            if written >= a.n:
                break
            try:
                cls_name, body = next(g)
            except StopIteration:  # a class that has said all it has
                gens.remove(g)
                continue
            fname = "%s-%04d.json" % (cls_name, written)
            if fname in names:
                continue
            names.add(fname)
            with open(os.path.join(a.folder, fname), "wb") as f:
                f.write(body)
            written += 1
    print("%d bodies in %s" % (written, a.folder))
    return 0


if __name__ == "__main__":
    sys.exit(main())
