#!/bin/bash
# Five-level verification with real agents and a real collector:
#  - the province, Shenyang city, Heping county and two townships run
#    egnet-agent in namespaces of their own, wired parent to child (the
#    first township's line through a bridge namespace of its own, to be
#    cut there), three villages (namespaces that answer ping), the
#    collector in a NOC namespace with a management line to each gateway,
#    reports every second over mutual TLS, the inventory the test's own;
#  - it converges to 100 % connected at every level;
#  - the first township's line cut: exactly one outage, rooted at that
#    township, its two villages cut off, in the API within 5 s; restored:
#    closed (in ?all=1 and in /api/v1/events), coverage back to 100 %;
#  - one village down: only that village unreachable, no outage above it;
#  - a report from a code not in the inventory: shown as unexpected;
#  - the webhook (a small python HTTPS server in the NOC namespace) gets
#    the outage's opening and its close, and syslog(3) lines reach a test
#    socket bound over /dev/log in the collector's mount namespace;
#  - egnetctl tree | outages | coverage print what the API says;
#  - /metrics has the coverage and outage gauges (promtool-clean);
#  - SIGHUP with a new inventory: its tree swapped in; a broken one refused
#    with its file:line and the running one kept;
#  - the collector stopped for 5 s and started again: no outage opened for
#    its absence.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/colllib.sh"

TAG=egv$$
P=210000000000 CI=210100000000 CO=210102000000
T1=210102001000 T2=210102002000
V11=210102001001 V13=210102001003 V21=210102002001
UNEXP=210103000000

# ---- the inventory: only what this test builds ------------------------------
cat >"$T/inventory.csv" <<CSV
code,name,address
$P,辽宁省,
$CI,沈阳市,
$CO,和平区,
$T1,太原街街道,
$V11,中华路社区,
$V13,南京街社区,10.16.64.250
$T2,南市场街道,
$V21,集贤社区,
CSV

# ---- namespaces and lines ------------------------------------------------------
mkns p ens1f0 ens2f0 ens2f1 ens3f0 ens4f0
mkns ci ens1f0 ens2f0 ens2f1 ens3f0 ens3f1 ens4f0
mkns co eth0 eth1 eth2 eth3 eth4
mkns t1 eth0 eth1 eth2
mkns t2 eth0 eth1 eth2
mkns v11
mkns v13
mkns v21
mkns noc
wire p ens2f0 ci ens1f0
wire ci ens2f0 co eth0
wire_line co eth1 t1 eth0 line
wire co eth2 t2 eth0
wire t1 eth1 v11 v0
wire t1 eth2 v13 lan0
wire t2 eth1 v21 v0

# ---- certificates, management lines -----------------------------------------------
i=0
for short in p ci co t1 t2; do
	i=$((i + 1))
	noc_line "$TAG-noc" "$TAG-$short" "$i"
	eval "IDX_$short=$i"
done
pki_make "$T/pki" "collector 10.250.1.1 10.250.2.1 10.250.3.1 10.250.4.1 10.250.5.1" \
	$P $CI $CO $T1 $T2 $UNEXP
"$PKI" collector "$T/pki" hook 127.0.0.1 >/dev/null || fail "egnet-pki hook"

# ---- node configs (the examples, with this test's files) -------------------------
for n in p:province:$P ci:city:$CI co:county:$CO t1:township:$T1 t2:township:$T2; do
	IFS=: read -r short level code <<<"$n"
	idx=IDX_$short
	example_node "$T/$short" "$level" "$code" "${!idx}"
done

# villages: where the plan (IPv6) or the inventory (IPv4) puts them
a11=$(village_addr "$T/t1/node.conf" $V11)
a21=$(village_addr "$T/t2/node.conf" $V21)
[ -n "$a11" ] && [ -n "$a21" ] || fail "no village addresses in the townships' render"
village_up "$TAG-v11" "$a11"
village_up "$TAG-v21" "$a21"
ip -n "$TAG-v13" link set lan0 up
ip -n "$TAG-v13" addr add 10.16.64.250/26 dev lan0
ip -n "$TAG-v13" route add default via 10.16.64.193

# ---- webhook and syslog listeners ----------------------------------------------------
cat >"$T/hook.py" <<'PY'
import http.server, ssl, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        with open(sys.argv[3], "ab") as f:
            f.write(body + b"\n")
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", 9443), H)
c = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
c.load_cert_chain(sys.argv[1], sys.argv[2])
s.socket = c.wrap_socket(s.socket, server_side=True)
s.serve_forever()
PY
: >"$T/hook.log"
ip netns exec "$TAG-noc" python3 "$T/hook.py" "$T/pki/collector/hook.crt" \
	"$T/pki/collector/hook.key" "$T/hook.log" >"$T/hookpy.log" 2>&1 &
PIDS+=($!)
disown $!

# syslog: a datagram socket of the test's, bound over /dev/log in the
# collector's own mount namespace (with the devices it needs)
mkdir -p "$T/dev"
cat >"$T/syslog.py" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
while True:
    m = s.recv(65536)
    with open(sys.argv[2], "ab") as f:
        f.write(m.rstrip(b"\0\n") + b"\n")
PY
: >"$T/syslog.log"
python3 "$T/syslog.py" "$T/dev/log" "$T/syslog.log" >"$T/syslogpy.log" 2>&1 &
PIDS+=($!)
disown $!
wait_for 5 test -S "$T/dev/log" || fail "the syslog listener did not start"
for d in null zero random urandom; do : >"$T/dev/$d"; done

COLL_INV=$T/inventory.csv coll_conf "$T/coll.conf" "10.250.1.1:8443 10.250.2.1:8443 10.250.3.1:8443 10.250.4.1:8443 10.250.5.1:8443" \
	'store = { report_interval_s = 1; };
alerts = { webhook = "https://127.0.0.1:9443/hook"; webhook_ca = "'"$T"'/pki/ca.crt"; syslog = true; };'
# the collector with /dev/log bound to the test's listener
collector_up() {
	[ -f "$T/coll.log" ] && cat "$T/coll.log" >>"$T/coll-before.log"
	coll_run "$TAG-noc" sh -c '
		for d in null zero random urandom; do mount --bind /dev/$d "$1/dev/$d" || exit 1; done
		mount --rbind "$1/dev" /dev || exit 1
		exec "$2" -c "$1/coll.conf"' sh "$T" "$COLL"
	coll_wait_ready 20
}
collector_up
ectl() { # ARGS...: egnetctl's collector commands from the NOC
	ip netns exec "$TAG-noc" "$CTL" "$@" --collector https://10.250.1.1:8443 \
		--ca "$T/pki/ca.crt" --cert "$T/pki/nodes/$P.crt" --key "$T/pki/nodes/$P.key"
}

# ---- agents ------------------------------------------------------------------
for short in p ci co t1 t2; do
	ip netns exec "$TAG-$short" "$AGENT" -c "$T/$short/node.conf" >>"$T/$short/agent.log" 2>&1 &
	PIDS+=($!)
	disown $!
done

# full: every level 100 % connected
full() {
	coll_check /api/v1/coverage \
		'len(d["levels"]) == 5 and all(e["connected"] == e["expected"] for e in d["levels"].values())' \
		"$T/cov.json"
}
ts=$(date +%s%3N)
wait_for 90 full || fail "not 100 % connected: $(cat "$T/cov.json"; coll_get /api/v1/tree)"
echo "converged: 100 % at every level, $(( $(date +%s%3N) - ts )) ms after the agents started"
coll_get /api/v1/outages | grep -q '"outages": *\[\]' || fail "outages while all is connected: $(coll_get /api/v1/outages)"

# ---- cut the first township's line ---------------------------------------------
one_outage() { # ROOT CUT_VILLAGES: exactly one outage, at ROOT
	coll_get /api/v1/outages >"$T/out.json" || return 1
	python3 - "$T/out.json" "$1" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))["outages"]
ok = (len(d) == 1 and d[0]["root"] == sys.argv[2]
      and d[0]["cut_off"]["village"] == int(sys.argv[3])
      and d[0]["total"] == int(sys.argv[3]) and len(d[0]["nodes"]) == int(sys.argv[3]))
sys.exit(0 if ok else 1)
PY
}
t0=$(date +%s%3N)
ip -n "$TAG-line" link set side-b down
wait_for 5 one_outage $T1 2 || fail "no single outage at $T1 within 5 s: $(cat "$T/out.json")"
t1=$(date +%s%3N)
echo "cut: one outage at $T1 (2 villages cut off) in the API $((t1 - t0)) ms after the cut"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))["outages"][0]; assert sorted(d["nodes"])==sorted(sys.argv[2:]), d' \
	"$T/out.json" $V11 $V13 || fail "the outage's nodes: $(cat "$T/out.json")"
sleep 3 # it stays one, not one per report
one_outage $T1 2 || fail "the outage did not stay one: $(cat "$T/out.json")"
coll_get /api/v1/tree >"$T/tree-cut.json"
ectl outages | tee "$T/ectl-outages.txt" | grep -q "$T1" || fail "egnetctl outages: $(cat "$T/ectl-outages.txt")"
ectl tree >"$T/ectl-tree.txt" || fail "egnetctl tree"
grep "$T1" "$T/ectl-tree.txt" | grep -q unreachable || fail "egnetctl tree: $(cat "$T/ectl-tree.txt")"

ip -n "$TAG-line" link set side-b up
no_outage() { coll_check /api/v1/outages 'not d["outages"]'; }
t0=$(date +%s%3N)
wait_for 30 no_outage || fail "the outage did not close: $(coll_get /api/v1/outages)"
echo "repaired: the outage closed $(( $(date +%s%3N) - t0 )) ms after the line came back"
wait_for 30 full || fail "coverage not back to 100 %: $(cat "$T/cov.json")"
echo "restored: outage closed, 100 % again"
coll_get "/api/v1/outages?all=1" | python3 -c '
import json, sys
d = json.load(sys.stdin)["outages"]
c = [o for o in d if o["root"] == sys.argv[1] and not o["open"]]
assert len(c) == 1 and c[0]["closed_ms"] > c[0]["since"], d' $T1 ||
	fail "the closed outage in ?all=1: $(coll_get "/api/v1/outages?all=1")"
coll_get "/api/v1/events?node=$T1" | python3 -c '
import json, sys
t = [e["type"] for e in json.load(sys.stdin)["events"]]
assert t.count("outage-open") == 1 and t.count("outage-close") == 1, t' ||
	fail "outage events: $(coll_get "/api/v1/events?node=$T1")"
ectl coverage >"$T/ectl-cov.txt" && grep -q "village.*100.00" "$T/ectl-cov.txt" ||
	fail "egnetctl coverage: $(cat "$T/ectl-cov.txt")"

# ---- webhook and syslog -------------------------------------------------------
hooked() {
	python3 - "$T/hook.log" $T1 <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
ev = [e["event"] for e in ev if e["root"] == sys.argv[2]]
sys.exit(0 if ev == ["outage-open", "outage-close"] else 1)
PY
}
wait_for 15 hooked || fail "the webhook did not get the open and the close: $(cat "$T/hook.log")"
echo "webhook: outage-open and outage-close of $T1 received"
grep -q "outage open at $T1" "$T/syslog.log" && grep -q "outage closed at $T1" "$T/syslog.log" ||
	fail "syslog lines: $(cat "$T/syslog.log")"
echo "syslog: $(grep -m1 "outage open at $T1" "$T/syslog.log")"

# ---- one village down ------------------------------------------------------------
ip -n "$TAG-v21" link set v0 down
only_village() {
	coll_get /api/v1/tree >"$T/tree.json" || return 1
	coll_get /api/v1/outages >"$T/out.json" || return 1
	python3 - "$T/tree.json" "$T/out.json" $V21 <<'PY'
import json, sys
tree, outs, v = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))["outages"], sys.argv[3]
states = {}
def walk(n):
    states[n["code"]] = n["state"]
    for c in n.get("children", []):
        walk(c)
for r in tree["tree"]:
    walk(r)
bad = {c: s for c, s in states.items() if c != v and s not in ("connected", "degraded")}
ok = states.get(v) == "unreachable" and not bad and [o["root"] for o in outs] == [v]
sys.exit(0 if ok else 1)
PY
}
wait_for 15 only_village || fail "one village down: $(cat "$T/tree.json" "$T/out.json")"
echo "village $V21 down: only it unreachable, no outage above it"
# an IPv6 address and its routes go with the link: put them back
village_up "$TAG-v21" "$a21"
wait_for 30 full || fail "coverage not back after the village: $(cat "$T/cov.json")"

# ---- a report from a code not in the inventory -----------------------------------
python3 - "$ROOT/tests/golden/report_county.json" $UNEXP "$T/unexp.json" <<'PY'
import json, sys, time
d = json.load(open(sys.argv[1]))
d["node"]["code"] = sys.argv[2]
d["seq"] = 1
d["time_ms"] = int(time.time() * 1000)
d["targets"] = [t for t in d["targets"] if t["relation"] == "parent"]
d["events"] = []
json.dump(d, open(sys.argv[3], "w"))
PY
coll_post $UNEXP "$T/unexp.json" https://10.250.3.1:8443/api/v1/reports >/dev/null || fail "POST"
grep -q '"stored": *true' "$T/post.json" || fail "the unexpected report: $(cat "$T/post.json")"
coll_get /api/v1/tree | python3 -c '
import json, sys
u = json.load(sys.stdin)["unexpected"]
assert [x["code"] for x in u] == [sys.argv[1]], u' $UNEXP || fail "unexpected: $(coll_get /api/v1/tree)"
ectl tree | grep -A3 "not in the inventory" | grep -q $UNEXP || fail "egnetctl tree: no unexpected node"
echo "a report of $UNEXP (not in the inventory): shown as unexpected"

# ---- metrics ---------------------------------------------------------------------
coll_get /metrics >"$T/metrics.txt"
grep -q '^egnet_coverage_ratio{level="village"} 1.000000$' "$T/metrics.txt" &&
	grep -q '^egnet_outages_open 0$' "$T/metrics.txt" &&
	grep -q '^egnet_alerts_total{result="delivered"} [1-9]' "$T/metrics.txt" ||
	fail "metrics: $(grep -E 'coverage_ratio|outages_open|alerts_total' "$T/metrics.txt")"
if command -v promtool >/dev/null; then
	promtool check metrics <"$T/metrics.txt" >"$T/promtool.txt" 2>&1 ||
		fail "promtool: $(cat "$T/promtool.txt")"
fi
# ---- reload: the inventory swapped with its tree; a broken one refused --------
cp "$T/inventory.csv" "$T/inventory.good"
echo "$UNEXP,沈河区," >>"$T/inventory.csv"
kill -HUP "$COLL_PID"
in_tree() {
	coll_get /api/v1/tree | python3 -c '
import json, sys
d = json.load(sys.stdin)
codes = []
def walk(n):
    codes.append(n["code"])
    for c in n.get("children", []):
        walk(c)
for r in d["tree"]:
    walk(r)
sys.exit(0 if sys.argv[1] in codes and not d["unexpected"] else 1)' $UNEXP
}
wait_for 10 in_tree || fail "reload: $UNEXP not in the tree: $(coll_get /api/v1/tree)"
echo "reload: $UNEXP in the tree, no longer unexpected"
printf '21010400000X,broken,\n' >>"$T/inventory.csv"
kill -HUP "$COLL_PID"
wait_for 10 grep -q "reload refused" "$T/coll.log" || fail "a broken inventory was not refused: $(tail "$T/coll.log")"
grep -q "inventory.csv:11" "$T/coll.log" || fail "the refusal names no line: $(grep -B3 'reload refused' "$T/coll.log")"
in_tree || fail "the running tree changed after a refused reload"
echo "reload refused with its line: $(grep -m1 'inventory.csv:11' "$T/coll.log")"
cp "$T/inventory.good" "$T/inventory.csv"
kill -HUP "$COLL_PID"
wait_for 10 coll_get /api/v1/tree || fail "no answer after the reload"

# ---- restart: nothing opened for the collector's absence --------------------------
wait_for 30 full || fail "not 100 % before the restart: $(cat "$T/cov.json")"
opens() { coll_field "/api/v1/events?type=outage-open" 'len(d["events"])'; }
n_open=$(opens)
coll_stop
# a sanitizer build says what it found at the exit
! grep -q "Sanitizer\|runtime error" "$T/coll.log" || fail "the collector's exit: $(cat "$T/coll.log")"
sleep 5 # away for more than the freshness window (3 x 1 s)
collector_up
wait_for 10 full || fail "not 100 % after the restart: $(cat "$T/cov.json")"
sleep 2
[ "$(opens)" = "$n_open" ] || fail "the restart opened outages: $(coll_get "/api/v1/events?type=outage-open")"
no_outage || fail "outages after the restart: $(coll_get /api/v1/outages)"
echo "restart after 5 s away: no outage opened"

# VERIFY_KEEP=DIR: the answers seen, for the docs
[ -n "${VERIFY_KEEP:-}" ] && cp "$T"/*.json "$T"/*.txt "$T/hook.log" "$T/syslog.log" "$VERIFY_KEEP"/
echo "PASS: verification over real agents: cut, repair, village, unexpected, webhook, syslog"
