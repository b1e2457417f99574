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

COLL="$ROOT/$B/egnet-collector"
PKI="$ROOT/packaging/egnet-pki"
TAG=egb$$
P=210000000000 CI1=210100000000 CI2=210200000000
CO1=210102000000 CO2=210202000000 T1=210102001000 T2=210202001000
V1=210102001001 V2=210202001001

mkns() { # NAME IFACE...: veths with their peer up in the same namespace
	local ns=$TAG-$1 i
	shift
	ip netns add "$ns" || fail "cannot create namespace $ns"
	NSES+=("$ns")
	ip -n "$ns" link set lo up
	for i in "$@"; do
		ip -n "$ns" link add "$i" type veth peer name "p-$i"
		ip -n "$ns" link set "p-$i" up
	done
}

wire() { # NS_A IF_A NS_B IF_B: a line between two nodes
	ip -n "$TAG-$1" link del "$2" 2>/dev/null
	ip -n "$TAG-$3" link del "$4" 2>/dev/null
	ip -n "$TAG-$1" link add "$2" type veth peer name "$4" netns "$TAG-$3" ||
		fail "cannot wire $1 $2 to $3 $4"
}

wire_line() { # NS_A IF_A NS_B IF_B LINE: through a bridge namespace
	local l=$TAG-$5 i
	ip netns add "$l" || fail "cannot create namespace $l"
	NSES+=("$l")
	ip -n "$TAG-$1" link del "$2" 2>/dev/null
	ip -n "$TAG-$3" link del "$4" 2>/dev/null
	ip -n "$TAG-$1" link add "$2" type veth peer name side-a netns "$l"
	ip -n "$TAG-$3" link add "$4" type veth peer name side-b netns "$l"
	ip -n "$l" link add fibre type bridge
	ip -n "$l" link set side-a master fibre
	ip -n "$l" link set side-b master fibre
	for i in side-a side-b fibre; do ip -n "$l" link set "$i" up; done
}

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

# ---- node configs: the examples with this test's codes and files -------------
i=0
for n in p:province:$P ci1:city:$CI1 ci2:city:$CI2 co1:county:$CO1 \
	co2:county:$CO2 t1:township:$T1 t2:township:$T2; do
	IFS=: read -r short level code <<<"$n"
	i=$((i + 1))
	d=$T/$short
	mkdir -p "$d"
	sed -e "s|profile = \"\\.\\./|profile = \"$ROOT/profiles/|" \
		-e "s|inventory = \"inventory.csv\"|inventory = \"$T/inventory.csv\"|" \
		-e "s|^\\(\\s*\\)code = \"[0-9]*\";|\\1code = \"$code\";|" \
		-e '/^paths = {/,/^};/d' -e '/^collector = {/,/^};/d' \
		"$ROOT/profiles/examples/$level.conf" >"$d/node.conf"
	grep -q "code = \"$code\"" "$d/node.conf" || fail "$short: no code in its node config"
	printf 'paths = { state = "%s/state"; socket = "%s/agent.sock"; };\n' "$d" "$d" >>"$d/node.conf"
	printf 'collector = { url = "https://10.250.%d.1:8443"; interval = 1; timeout = 2;\n\tca = "%s/ca.crt"; cert = "%s/nodes/%s.crt"; key = "%s/nodes/%s.key";\n\tsource = "none"; };\n' \
		"$i" "$T/pki" "$T/pki" "$code" "$T/pki" "$code" >>"$d/node.conf"
	eval "IDX_$short=$i"
done
SHORTS="p ci1 ci2 co1 co2 t1 t2"

village_addr() { # CONF CODE: the address the township probes
	"$CTL" render --node "$1" 2>/dev/null | awk -v c="$2" '$1 == "village" && $2 == c { print $4 }'
}
a1=$(village_addr "$T/t1/node.conf" $V1)
a2=$(village_addr "$T/t2/node.conf" $V2)
[ -n "$a1" ] && [ -n "$a2" ] || fail "no village addresses in the townships' render"
for v in v1:$a1 v2:$a2; do
	ns=$TAG-${v%%:*} addr=${v#*:}
	ip -n "$ns" link set v0 up
	ip -n "$ns" addr add "$addr/127" dev v0 nodad
	ip -n "$ns" route add default via "${addr%1}"
done

# ---- certificates, management lines, the collector ---------------------------
"$PKI" init "$T/pki" >/dev/null || fail "egnet-pki init"
listen=""
for short in $SHORTS; do
	idx=IDX_$short
	listen="$listen${listen:+ }10.250.${!idx}.1"
done
# shellcheck disable=SC2086
"$PKI" collector "$T/pki" collector $listen >/dev/null || fail "egnet-pki collector"
for c in $P $CI1 $CI2 $CO1 $CO2 $T1 $T2; do
	"$PKI" node "$T/pki" "$c" >/dev/null || fail "egnet-pki node $c"
done
for short in $SHORTS; do
	idx=IDX_$short
	ip link add mg0 netns "$TAG-$short" type veth peer name "nc${!idx}" netns "$TAG-noc" ||
		fail "management line of $short"
	ip -n "$TAG-$short" addr add "10.250.${!idx}.2/30" dev mg0
	ip -n "$TAG-$short" link set mg0 up
	ip -n "$TAG-noc" addr add "10.250.${!idx}.1/30" dev "nc${!idx}"
	ip -n "$TAG-noc" link set "nc${!idx}" up
done
{
	printf 'listen = ['
	sep=""
	for a in $listen; do printf '%s "%s:8443"' "$sep" "$a"; sep=","; done
	printf ' ];\n'
	cat <<CONF
tls = { cert = "$T/pki/collector/collector.crt"; key = "$T/pki/collector/collector.key";
	ca = "$T/pki/ca.crt"; };
inventory = "$T/inventory.csv";
state_dir = "$T/cstate";
store = { report_interval_s = 1; };
CONF
} >"$T/coll.conf"
ip netns exec "$TAG-noc" "$COLL" -c "$T/coll.conf" >>"$T/coll.log" 2>&1 &
PIDS+=($!)
disown $!
wait_for 20 grep -q "serving:" "$T/coll.log" || fail "the collector did not start"

api() { # PATH
	ip netns exec "$TAG-noc" curl -sS --max-time 10 --cacert "$T/pki/ca.crt" \
		--cert "$T/pki/nodes/$P.crt" --key "$T/pki/nodes/$P.key" \
		"https://10.250.1.1:8443$1"
}

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
full() { api /api/v1/coverage >"$T/cov.json" && check full "$T/cov.json"; }
outages() { api /api/v1/outages >"$T/out.json" && check outages "$T/out.json" "$@"; }
state() { api /api/v1/tree >"$T/tree.json" && check state "$T/tree.json" "$@"; }

ts=$(date +%s%3N)
wait_for 90 full || fail "not 100 % connected: $(cat "$T/cov.json"; api /api/v1/tree)"
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
api "/api/v1/outages?all=1" | python3 -c '
import json, sys
d = json.load(sys.stdin)["outages"]
for r in sys.argv[1:]:
    c = [o for o in d if o["root"] == r and not o["open"]]
    assert len(c) == 1, (r, d)' $CO1 $CO2 ||
	fail "the closed outages in ?all=1: $(api "/api/v1/outages?all=1")"
echo "restored: both outages closed, 100 % again"

# ---- a township's agent killed, its gateway up ------------------------------------
t0=$(date +%s%3N)
kill -9 "$APID_t1"
wait_for 20 outages "$T1:silent:$V1" || fail "no silent outage at $T1: $(cat "$T/out.json"; api /api/v1/tree)"
echo "township agent killed: $T1 silent, its village cut off ($(( $(date +%s%3N) - t0 )) ms)"
state "$T1" silent ||
	fail "$T1 not silent in the tree: $(cat "$T/tree.json")"
check state "$T/tree.json" "$V1" isolated || fail "$V1: $(cat "$T/tree.json")"
api /api/v1/coverage >"$T/cov.json"
check villages "$T/cov.json" 1 || fail "the village of a silent township counted: $(cat "$T/cov.json")"
# the county's probes: down (3 lost), and refused by the township's kernel
refused() { api "/api/v1/nodes/$CO1" >"$T/co1.json" && check refused "$T/co1.json" $T1; }
wait_for 10 refused || fail "$CO1's report: $T1 not down and refused: $(cat "$T/co1.json")"
grep -q "child $T1 .* is down (refused: its gateway is up, its agent is not)" "$T/co1/agent.log" ||
	fail "$CO1's log: $(grep "$T1" "$T/co1/agent.log")"
sleep 2 # silent it stays with its parent's probes down: not unreachable
outages "$T1:silent:$V1" || fail "the silent outage did not stay: $(cat "$T/out.json"; api /api/v1/tree)"
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
last=$(api "/api/v1/nodes/$T1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["last_seq"])')
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
	ip netns exec "$TAG-noc" curl -sS --max-time 10 --cacert "$T/pki/ca.crt" \
		--cert "$T/pki/nodes/$T1.crt" --key "$T/pki/nodes/$T1.key" \
		-H 'Content-Type: application/json' --data-binary @"$T/wrong.json" \
		https://10.250.6.1:8443/api/v1/reports >"$T/post.json" || fail "POST"
	grep -q '"stored": *true' "$T/post.json" || fail "the report with another parent: $(cat "$T/post.json")"
	api "/api/v1/nodes/$T1" >"$T/t1.json"
	api /api/v1/tree >"$T/tree.json"
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
api /api/v1/coverage >"$T/cov.json"
python3 -c '
import json, sys
lv = json.load(open(sys.argv[1]))["levels"]
sys.exit(0 if lv["township"]["connected"] == 1 else 1)' "$T/cov.json" ||
	fail "a township with another parent counted connected: $(cat "$T/cov.json")"
echo "a report of $T1 naming $CO2 as its parent: stored, flagged wrong_parent, unconfirmed, not counted"

# ---- the agent back ----------------------------------------------------------------
t0=$(date +%s%3N)
agent_run t1
wait_for 30 full || fail "not 100 % after the restart: $(cat "$T/cov.json"; api /api/v1/tree)"
wait_for 10 outages || fail "the silent outage did not close: $(cat "$T/out.json")"
api "/api/v1/nodes/$T1" | python3 -c '
import json, sys
d = json.load(sys.stdin)
sys.exit(0 if d["wrong_parent"] is False and d["state"] in ("connected", "degraded")
         and d["last_report"]["node"]["parent"] == d["parent"] else 1)' ||
	fail "$T1 after the restart: $(api "/api/v1/nodes/$T1")"
echo "agent restarted: $T1 connected, the outage closed, 100 % ($(( $(date +%s%3N) - t0 )) ms)"
echo "PASS: two breaks in two cities, a killed township agent, a wrong parent"
