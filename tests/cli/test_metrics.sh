#!/bin/bash
# /metrics of a real collector, over mutual TLS on 127.0.0.1: reports of
# two nodes (the docs' county example and a township made from it, the
# county's twice) POSTed with curl and node certificates from egnet-pki;
# the text passes `promtool check metrics` without a single problem line;
# the per-node, per-link and per-target samples equal what the API says of
# the last reports; the ingest's refusal of a bad body is counted by its
# reason; the config's metrics group (links, targets: false) leaves those
# series and their families out after a reload, the rest unchanged.  No
# root needed.  Skipped (77) without promtool (packaging/deps.sh
# installs it) or curl.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
T=$tmp # colllib.sh's scratch folder
. "$ROOT/tests/integration/colllib.sh"
PROBE="python3 $ROOT/tests/integration/tls_probe.py"
trap '[ -n "$COLL_PID" ] && kill -9 "$COLL_PID" 2>/dev/null; rm -rf "$tmp"' EXIT

[ -x "$COLL" ] || { echo "SKIP: $COLL not built"; exit 77; }
command -v promtool >/dev/null || { echo "SKIP: needs promtool (packaging/deps.sh)"; exit 77; }
command -v curl >/dev/null || { echo "SKIP: needs curl"; exit 77; }

CC=210102000000
TC=210102001000
pki_make "$tmp/pki" "localhost 127.0.0.1" "$CC" "$TC"
PORT=$($PROBE freeport)
coll_conf "$tmp/c.conf" "127.0.0.1:$PORT"
coll_start - "$tmp/c.conf"

# the reports: the docs' example as the county (seq 1, then 2 with other
# counters), and as the township (its parent the county)
awk '/^```json/{f=1;next}/^```/{if(f){exit}}f' docs/report.md >"$tmp/example.json"
python3 - "$tmp" <<'PY' || fail "cannot make the reports"
import json, sys
d = sys.argv[1]
ex = json.load(open(d + "/example.json"))
def write(name, r):
    json.dump(r, open(d + "/" + name, "w"))
r = json.loads(json.dumps(ex)); r["seq"] = 1; write("c1.json", r)
r = json.loads(json.dumps(ex)); r["seq"] = 2
for i, l in enumerate(r["links"]):
    if l.get("counters"):
        l["counters"]["rx_bytes"] += 1000 * (i + 1)
        l["counters"]["rx_bps"] = 8000.0 * (i + 1)
write("c2.json", r)
t = json.loads(json.dumps(ex)); t["seq"] = 7
t["node"] = {"code": "210102001000", "level": "township", "parent": "210102000000"}
for g in t["targets"]:
    if g["relation"] == "parent":
        g["code"] = "210102000000"
t["targets"] = [g for g in t["targets"] if g["relation"] == "parent"]
t["events"] = []
write("t7.json", t)
PY
for f in c1 c2; do
	coll_post $CC "$tmp/$f.json" >"$tmp/st" || fail "POST $f"
	[ "$(cat "$tmp/st")" = 200 ] || fail "POST $f: $(cat "$tmp/st") $(cat "$tmp/post.json")"
done
coll_as $TC /api/v1/reports -o "$tmp/ans" -w '%{http_code}' --data-binary "@$tmp/t7.json" >"$tmp/st"
[ "$(cat "$tmp/st")" = 200 ] || fail "POST t7: $(cat "$tmp/st") $(cat "$tmp/ans")"
coll_as $TC /api/v1/reports -o /dev/null --data-binary '{"schema": 1'

coll_as $CC /metrics >"$tmp/metrics" || fail "GET /metrics"
coll_as $CC "/api/v1/nodes/$CC" >"$tmp/county.json" || fail "GET the county"
coll_as $TC "/api/v1/nodes/$TC" >"$tmp/township.json" || fail "GET the township"

# promtool: no problem line at all, and a zero exit
promtool check metrics <"$tmp/metrics" >"$tmp/lint" 2>&1
rc=$?
[ $rc = 0 ] && [ ! -s "$tmp/lint" ] || fail "promtool check metrics (rc $rc): $(head -20 "$tmp/lint")"

python3 - "$tmp/metrics" "$tmp/county.json" "$tmp/township.json" <<'PY' || fail "samples differ from the API"
import json, re, sys
samples = {}
for line in open(sys.argv[1]):
    if line.startswith("#") or not line.strip():
        continue
    m = re.match(r'^([a-z_]+)(\{.*\})? (\S+)$', line.strip())
    assert m, line
    samples[(m.group(1), m.group(2) or "")] = float(m.group(3))
def get(name, **labels):
    key = "{" + ",".join('%s="%s"' % kv for kv in labels.items()) + "}"
    if (name, key) not in samples:
        raise SystemExit("no sample %s%s" % (name, key))
    return samples[(name, key)]
n = 0
for path in sys.argv[2:]:
    node = json.load(open(path))
    code, last = node["code"], node["last_report"]
    assert get("egnet_node_last_seq", node=code) == node["last_seq"], code
    assert get("egnet_node_uptime_seconds", node=code) == node["uptime_s"]
    for l in last["links"]:
        up = get("egnet_link_up", node=code, link=l["name"])
        assert up == (l["state"] == "up"), (code, l["name"])
        c = l.get("counters")
        if not c:
            continue
        assert get("egnet_link_receive_bytes_total", node=code, link=l["name"]) == c["rx_bytes"]
        assert get("egnet_link_transmit_bytes_total", node=code, link=l["name"]) == c["tx_bytes"]
        v = get("egnet_link_receive_bytes_per_second", node=code, link=l["name"])
        assert abs(v - c["rx_bps"] / 8) <= 1e-6 * c["rx_bps"] + 0.001, (v, c["rx_bps"])
        n += 1
    for t in last["targets"]:
        lab = dict(node=code, target=t["code"], relation=t["relation"])
        assert get("egnet_target_up", **lab) == (t["state"] == "up")
        if t.get("rtt_avg_ms") is not None:
            assert abs(get("egnet_target_rtt_seconds", **lab) - t["rtt_avg_ms"] / 1000) < 2e-6
        if t.get("loss_pct") is not None:
            assert abs(get("egnet_target_loss_ratio", **lab) - t["loss_pct"] / 100) < 1e-4
        n += 1
assert n >= 4, n
assert get("egnet_reports_refused_total", reason="json") >= 1
assert get("egnet_reports_total", result="stored") == 3
print("metrics: %d links and targets equal the API's last reports" % n)
PY

# the metrics group: per-link, then per-target series left out (a reload
# applies it), the text still promtool-clean, the rest of it unchanged
full_lines=$(grep -vc '^#' "$tmp/metrics")
reloads=0
with_metrics() { # with_metrics LINKS TARGETS: rewrite, reload, fetch
	sed -i '/^metrics = /d' "$tmp/c.conf"
	echo "metrics = { links = $1; targets = $2; };" >>"$tmp/c.conf"
	"$COLLECTOR" -n -c "$tmp/c.conf" >/dev/null 2>&1 || fail "-n refuses metrics = { links = $1; targets = $2; }"
	kill -HUP "$COLL_PID"
	reloads=$((reloads + 1))
	for _ in $(seq 100); do
		[ "$(grep -c 'reloaded;' "$tmp/coll.log")" -ge $reloads ] && break
		sleep 0.05
	done
	[ "$(grep -c 'reloaded;' "$tmp/coll.log")" -ge $reloads ] || fail "no reload: $(tail -3 "$tmp/coll.log")"
	coll_as $CC /metrics >"$tmp/m.$1.$2" || fail "GET /metrics"
	promtool check metrics <"$tmp/m.$1.$2" >"$tmp/lint" 2>&1 && [ ! -s "$tmp/lint" ] ||
		fail "promtool check metrics, links $1 targets $2: $(head -5 "$tmp/lint")"
}
count() { grep -c "^$1" "$2"; }
with_metrics false true
[ "$(count egnet_link_ "$tmp/m.false.true")" = 0 ] || fail "links = false: egnet_link_ series left"
grep -q '^# TYPE egnet_link_' "$tmp/m.false.true" && fail "links = false: an egnet_link_ family head left"
[ "$(count egnet_target_ "$tmp/m.false.true")" = "$(count egnet_target_ "$tmp/metrics")" ] ||
	fail "links = false: the target series changed"
with_metrics true false
[ "$(count egnet_target_ "$tmp/m.true.false")" = 0 ] || fail "targets = false: egnet_target_ series left"
[ "$(count egnet_link_ "$tmp/m.true.false")" = "$(count egnet_link_ "$tmp/metrics")" ] ||
	fail "targets = false: the link series changed"
with_metrics false false
for f in egnet_node_last_seq egnet_node_info egnet_reports_total; do
	[ "$(count $f "$tmp/m.false.false")" = "$(count $f "$tmp/metrics")" ] ||
		fail "$f changed with links and targets left out"
done
[ "$(count 'egnet_\(link\|target\)_' "$tmp/m.false.false")" = 0 ] || fail "links and targets left"
echo "metrics: $full_lines samples with everything, $(grep -vc '^#' "$tmp/m.false.true") without links," \
	"$(grep -vc '^#' "$tmp/m.true.false") without targets, $(grep -vc '^#' "$tmp/m.false.false") without both"
# a typo in the group is refused, with its line
sed -i '/^metrics = /d' "$tmp/c.conf"
echo "metrics = { link = false; };" >>"$tmp/c.conf"
"$COLLECTOR" -n -c "$tmp/c.conf" >"$tmp/n.out" 2>&1 && fail "-n took metrics = { link = false; }"
grep -q "c.conf:[0-9]*:.*link" "$tmp/n.out" || fail "no file:line for the typo: $(cat "$tmp/n.out")"

coll_stop || fail "the collector did not stop cleanly"
echo "PASS: /metrics is promtool-clean and equals the API; the metrics group leaves out links and targets"
