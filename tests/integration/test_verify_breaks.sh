#!/bin/bash
# Verification over real agents in a two-city province: the breaks that
# the single-branch test_verify.sh cannot show.
#  - the province, two cities (Shenyang, Dalian), a county and a township
#    under each run egnet-agent in namespaces of their own, each county's
#    line through a bridge namespace of its own (to be cut there), a
#    village under each township (a namespace that answers ping), the
#    collector in a NOC namespace, reports every second over mutual TLS;
#  - both counties' lines cut at once: two outages, each rooted at its
#    county and cutting off exactly its own township and village;
#    restored: both closed, 100 % again;
#  - the first township's agent killed (SIGKILL), its gateway up: its
#    county's probes of it are refused (ICMP port unreachable), the
#    township is silent, not unreachable, its village not counted
#    connected, one outage rooted at it;
#  - a report of that township naming another county as its parent:
#    accepted, shown flagged (tree and /api/v1/nodes/{code}), not counted
#    connected;
#  - the agent started again: connected, the outage closed, 100 %.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/colllib.sh"

TAG=egb$$
P=210000000000 CI1=210100000000 CI2=210200000000
CO1=210102000000 CO2=210202000000 T1=210102001000 T2=210202001000
V1=210102001001 V2=210202001001

cat >"$T/inventory.csv" <<CSV
code,name,address
$P,辽宁省,
$CI1,沈阳市,
$CO1,和平区,
$T1,太原街街道,
$V1,中华路社区,
$CI2,大连市,
$CO2,中山区,
$T2,青泥洼桥街道,
$V2,友好社区,
CSV

# ---- namespaces and lines ----------------------------------------------------
mkns p ens1f0 ens2f0 ens2f1 ens3f0 ens4f0
mkns ci1 ens1f0 ens2f0 ens2f1 ens3f0 ens3f1 ens4f0
mkns ci2 ens1f0 ens2f0 ens2f1 ens3f0 ens3f1 ens4f0
mkns co1 eth0 eth1 eth2 eth3 eth4
mkns co2 eth0 eth1 eth2 eth3 eth4
mkns t1 eth0 eth1 eth2
mkns t2 eth0 eth1 eth2
mkns v1
mkns v2
mkns noc
wire p ens2f0 ci1 ens1f0
wire p ens2f1 ci2 ens1f0
wire_line ci1 ens2f0 co1 eth0 line1
wire_line ci2 ens2f0 co2 eth0 line2
wire co1 eth1 t1 eth0
wire co2 eth1 t2 eth0
wire t1 eth1 v1 v0
wire t2 eth1 v2 v0

# ---- certificates, management lines ------------------------------------------
SHORTS="p ci1 ci2 co1 co2 t1 t2"
i=0
listen=""
for short in $SHORTS; do
	i=$((i + 1))
	noc_line "$TAG-noc" "$TAG-$short" "$i"
	listen="$listen${listen:+ }10.250.$i.1"
	eval "IDX_$short=$i"
done
pki_make "$T/pki" "collector $listen" $P $CI1 $CI2 $CO1 $CO2 $T1 $T2

# ---- node configs: the examples with this test's codes and files -------------
for n in p:province:$P ci1:city:$CI1 ci2:city:$CI2 co1:county:$CO1 \
	co2:county:$CO2 t1:township:$T1 t2:township:$T2; do
	IFS=: read -r short level code <<<"$n"
	idx=IDX_$short
	example_node "$T/$short" "$level" "$code" "${!idx}"
done

a1=$(village_addr "$T/t1/node.conf" $V1)
a2=$(village_addr "$T/t2/node.conf" $V2)
[ -n "$a1" ] && [ -n "$a2" ] || fail "no village addresses in the townships' render"
village_up "$TAG-v1" "$a1"
village_up "$TAG-v2" "$a2"

# ---- the collector -------------------------------------------------------------
COLL_INV=$T/inventory.csv coll_conf "$T/coll.conf" "$(printf '%s:8443 ' $listen)" "store = { report_interval_s = 1; };"
coll_start "$TAG-noc" "$T/coll.conf" 20

# ---- agents ------------------------------------------------------------------
agent_run() { # SHORT: its agent, its pid in APID_SHORT
	ip netns exec "$TAG-$1" "$AGENT" -c "$T/$1/node.conf" >>"$T/$1/agent.log" 2>&1 &
	PIDS+=($!)
	disown $!
	eval "APID_$1=$!"
}
for short in $SHORTS; do agent_run "$short"; done

# the verdicts, as the tests below read them
cat >"$T/check.py" <<'PY'
import json, sys

def load(path):
    return json.load(open(path))

def states(tree):
    out = {}
    def walk(n):
        out[n["code"]] = n
        for c in n.get("children", []):
            walk(c)
    for r in tree["tree"]:
        walk(r)
    return out

what, args = sys.argv[1], sys.argv[2:]
if what == "full":  # coverage: every level 100 %
    lv = load(args[0])["levels"]
    ok = len(lv) == 5 and all(e["connected"] == e["expected"] for e in lv.values())
elif what == "outages":  # OUTAGES ROOT:STATE:NODE,NODE ...: exactly these
    got = {o["root"]: o for o in load(args[0])["outages"]}
    want = {}
    for w in args[1:]:
        root, state, nodes = w.split(":")
        want[root] = (state, sorted(nodes.split(",")) if nodes else [])
    ok = set(got) == set(want) and all(
        got[r]["state"] == s and sorted(got[r]["nodes"]) == n
        and got[r]["total"] == len(n)
        and sum(got[r]["cut_off"].values()) == len(n)
        for r, (s, n) in want.items())
elif what == "state":  # TREE CODE STATE [wrong_parent]
    n = states(load(args[0])).get(args[1], {})
    ok = n.get("state") == args[2] and (
        len(args) < 4 or n.get("wrong_parent") is True)
elif what == "refused":  # NODE.json CHILD: its last report: child refused
    t = [t for t in load(args[0])["last_report"]["targets"] if t["code"] == args[1]]
    ok = len(t) == 1 and t[0]["state"] == "down" and t[0]["refused"] is True
elif what == "villages":  # COVERAGE CONNECTED: villages connected
    ok = load(args[0])["levels"]["village"]["connected"] == int(args[1])
else:
    ok = False
sys.exit(0 if ok else 1)
PY
check() { python3 "$T/check.py" "$@"; }
full() { coll_get /api/v1/coverage >"$T/cov.json" && check full "$T/cov.json"; }
outages() { coll_get /api/v1/outages >"$T/out.json" && check outages "$T/out.json" "$@"; }
state() { coll_get /api/v1/tree >"$T/tree.json" && check state "$T/tree.json" "$@"; }

ts=$(date +%s%3N)
wait_for 90 full || fail "not 100 % connected: $(cat "$T/cov.json"; coll_get /api/v1/tree)"
echo "converged: 100 % at every level, $(( $(date +%s%3N) - ts )) ms after the agents started"
outages || fail "outages while all is connected: $(cat "$T/out.json")"

# ---- two breaks in two cities at once -------------------------------------------
t0=$(date +%s%3N)
ip -n "$TAG-line1" link set side-b down
ip -n "$TAG-line2" link set side-b down
wait_for 10 outages "$CO1:unreachable:$T1,$V1" "$CO2:unreachable:$T2,$V2" ||
	fail "not two outages at $CO1 and $CO2: $(cat "$T/out.json")"
echo "two cuts: two outages, at $CO1 and $CO2, each cutting off its own township and village ($(( $(date +%s%3N) - t0 )) ms)"
sleep 3 # they stay two, rooted where they were
outages "$CO1:unreachable:$T1,$V1" "$CO2:unreachable:$T2,$V2" ||
	fail "the two outages did not stay: $(cat "$T/out.json")"
ip -n "$TAG-line1" link set side-b up
ip -n "$TAG-line2" link set side-b up
wait_for 30 outages || fail "the outages did not close: $(cat "$T/out.json")"
wait_for 30 full || fail "coverage not back to 100 %: $(cat "$T/cov.json")"
coll_get "/api/v1/outages?all=1" | python3 -c '
import json, sys
d = json.load(sys.stdin)["outages"]
for r in sys.argv[1:]:
    c = [o for o in d if o["root"] == r and not o["open"]]
    assert len(c) == 1, (r, d)' $CO1 $CO2 ||
	fail "the closed outages in ?all=1: $(coll_get "/api/v1/outages?all=1")"
echo "restored: both outages closed, 100 % again"

# ---- a township's agent killed, its gateway up ------------------------------------
t0=$(date +%s%3N)
kill -9 "$APID_t1"
wait_for 20 outages "$T1:silent:$V1" || fail "no silent outage at $T1: $(cat "$T/out.json"; coll_get /api/v1/tree)"
echo "township agent killed: $T1 silent, its village cut off ($(( $(date +%s%3N) - t0 )) ms)"
state "$T1" silent ||
	fail "$T1 not silent in the tree: $(cat "$T/tree.json")"
check state "$T/tree.json" "$V1" isolated || fail "$V1: $(cat "$T/tree.json")"
coll_get /api/v1/coverage >"$T/cov.json"
check villages "$T/cov.json" 1 || fail "the village of a silent township counted: $(cat "$T/cov.json")"
# the county's probes: down (3 lost), and refused by the township's kernel
refused() { coll_get "/api/v1/nodes/$CO1" >"$T/co1.json" && check refused "$T/co1.json" $T1; }
wait_for 10 refused || fail "$CO1's report: $T1 not down and refused: $(cat "$T/co1.json")"
grep -q "child $T1 .* is down (refused: its gateway is up, its agent is not)" "$T/co1/agent.log" ||
	fail "$CO1's log: $(grep "$T1" "$T/co1/agent.log")"
sleep 2 # silent it stays with its parent's probes down: not unreachable
outages "$T1:silent:$V1" || fail "the silent outage did not stay: $(cat "$T/out.json"; coll_get /api/v1/tree)"
echo "$CO1's probes of $T1: down, refused (ICMP port unreachable); $T1 stays silent"

# ---- a report of it naming another parent: accepted, flagged, not connected --------
python3 - "$ROOT/tests/golden/report_county.json" "$T1" "$CO2" "$T/wrong.json" <<'PY'
import json, sys, time
d = json.load(open(sys.argv[1]))
d["node"] = {"code": sys.argv[2], "level": "township", "parent": sys.argv[3]}
d["seq"] = 1
d["time_ms"] = int(time.time() * 1000)
d["agent"]["interval_s"] = 1
d["targets"] = [t for t in d["targets"] if t["relation"] == "parent"]
d["targets"][0]["code"] = sys.argv[3]
d["links"] = [l for l in d["links"] if l["role"] == "uplink"]
d["events"] = []
json.dump(d, open(sys.argv[4], "w"))
PY
# after the agent's last seq: its next run starts at a new block of 1024
last=$(coll_field "/api/v1/nodes/$T1" 'd["last_seq"]')
[ "$last" -lt 1000 ] || fail "$T1's last seq $last: no room below its next block"
flagged=
for k in 1 2 3 4 5 6; do
	python3 - "$T/wrong.json" "$((last + k))" <<'PY'
import json, sys, time
d = json.load(open(sys.argv[1]))
d["seq"] = int(sys.argv[2])
d["time_ms"] = int(time.time() * 1000)
json.dump(d, open(sys.argv[1], "w"))
PY
	coll_post $T1 "$T/wrong.json" https://10.250.6.1:8443/api/v1/reports >/dev/null || fail "POST"
	grep -q '"stored": *true' "$T/post.json" || fail "the report with another parent: $(cat "$T/post.json")"
	coll_get "/api/v1/nodes/$T1" >"$T/t1.json"
	coll_get /api/v1/tree >"$T/tree.json"
	if python3 - "$T/t1.json" "$CO2" <<'PY' && check state "$T/tree.json" "$T1" unconfirmed wrong; then
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if d["wrong_parent"] is True and d["reported_parent"] == sys.argv[2]
         and d["state"] not in ("connected", "degraded") else 1)
PY
		flagged=1
		break
	fi
	sleep 0.3
done
[ -n "$flagged" ] || fail "another parent not flagged: $(cat "$T/t1.json" "$T/tree.json")"
coll_get /api/v1/coverage >"$T/cov.json"
python3 -c '
import json, sys
lv = json.load(open(sys.argv[1]))["levels"]
sys.exit(0 if lv["township"]["connected"] == 1 else 1)' "$T/cov.json" ||
	fail "a township with another parent counted connected: $(cat "$T/cov.json")"
echo "a report of $T1 naming $CO2 as its parent: stored, flagged wrong_parent, unconfirmed, not counted"

# ---- the agent back ----------------------------------------------------------------
t0=$(date +%s%3N)
agent_run t1
wait_for 30 full || fail "not 100 % after the restart: $(cat "$T/cov.json"; coll_get /api/v1/tree)"
wait_for 10 outages || fail "the silent outage did not close: $(cat "$T/out.json")"
coll_get "/api/v1/nodes/$T1" | python3 -c '
import json, sys
d = json.load(sys.stdin)
sys.exit(0 if d["wrong_parent"] is False and d["state"] in ("connected", "degraded")
         and d["last_report"]["node"]["parent"] == d["parent"] else 1)' ||
	fail "$T1 after the restart: $(coll_get "/api/v1/nodes/$T1")"
echo "agent restarted: $T1 connected, the outage closed, 100 % ($(( $(date +%s%3N) - t0 )) ms)"
echo "PASS: two breaks in two cities, a killed township agent, a wrong parent"
