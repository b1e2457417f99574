#!/bin/bash
# The source tree keeps its shape: no header includes itself through
# others (an include circle), and no source file grows past 850 lines
# (about 800 is where a file asks to be cut).
cd "$(dirname "$0")/../.." || exit 1
python3 - <<'PY'
import os, re, sys
inc = re.compile(r'^#include "([^"]+)"', re.M)
graph = {}
for top in ("common", "agent", "ctl", "collector", "bpf"):
    for d, _, files in os.walk(top):
        for f in files:
            if f.endswith(".h"):
                p = os.path.join(d, f)
                graph[p] = [h for h in inc.findall(open(p).read()) if os.path.exists(h)]
bad = []
state = {}
def visit(h, path):
    state[h] = 1
    for n in graph.get(h, []):
        if state.get(n) == 1:
            bad.append(" -> ".join(path[path.index(n):] + [n]))
        elif n not in state:
            visit(n, path + [n])
    state[h] = 2
for h in sorted(graph):
    if h not in state:
        visit(h, [h])
for b in bad:
    print("include circle: " + b)
long = []
for top in ("common", "agent", "ctl", "collector", "bpf"):
    for d, _, files in os.walk(top):
        for f in files:
            if f.endswith((".c", ".h")):
                p = os.path.join(d, f)
                n = sum(1 for _ in open(p))
                if n > 850:
                    long.append("%s: %d lines" % (p, n))
for l in long:
    print("too long: " + l)
if bad or long:
    sys.exit(1)
print("PASS: %d headers, no include circle, no file over 850 lines" % len(graph))
PY
