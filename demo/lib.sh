# SPDX-License-Identifier: BSD-2-Clause
#
# demo/lib.sh - what demo/province.sh is made of: the demo's state folder
# and its state file (every namespace and process the demo made, so that
# `province.sh stop` removes them whichever step failed), network
# namespaces and the lines between them, the agents' control sockets and
# the collector's API through egnetctl, and the coverage check.
#
# Sourced, not run.  Needs ROOT, B and D (the state folder) set.

AGENT=$ROOT/$B/egnet-agent
CTL=$ROOT/$B/egnetctl
COLL=$ROOT/$B/egnet-collector
PKI=$ROOT/packaging/egnet-pki
STATE=$D/state
NOC_IP=10.8.0.10	# where profiles/include/sets.conf puts the NOC
TOUR_TOWNSHIP=210102001000	# the township whose line the tour cuts
FAULT_COUNTY=210102000000	# the county demo-fault cuts by default

die() {
	echo "demo: $*" >&2
	exit 1
}

say() { printf '\n== %s\n' "$*"; }

# state_get KEY: the value of the first "KEY VALUE" line of the state file
state_get() {
	[ -f "$STATE" ] && awk -v k="$1" '$1 == k { print $2; exit }' "$STATE"
}

# state_add KEY VALUE...: one line more in the state file, written before
# the thing it names is made, so that stop finds it
state_add() {
	echo "$*" >>"$STATE"
}

# logs_tail: the end of every log, for a failure's message
logs_tail() {
	local f
	for f in "$D"/collector/collector.log "$D"/nodes/*/agent.log; do
		[ -s "$f" ] || continue
		grep -qi "error\|fail\|cannot" "$f" || [ "$f" = "$D/collector/collector.log" ] ||
			continue
		echo "--- $f" >&2
		tail -n 8 "$f" >&2
	done
}

fail() {
	echo "demo: $*" >&2
	logs_tail
	exit 1
}

# mkns NAME IFACE...: namespace $TAG-NAME whose IFACEs are veths with their
# peer (p-IFACE) up in the same namespace, so each has carrier; wire()
# replaces the ones that lead to another node.
mkns() {
	local ns=$TAG-$1 i
	shift
	state_add ns "$ns"
	ip netns add "$ns" || fail "cannot create namespace $ns"
	ip -n "$ns" link set lo up
	for i in "$@"; do
		ip -n "$ns" link add "$i" type veth peer name "p-$i" ||
			fail "veth $i in $ns"
		ip -n "$ns" link set "p-$i" up
	done
}

# wire NS_A IF_A NS_B IF_B: a line between two namespaces.
wire() {
	ip -n "$TAG-$1" link del "$2" 2>/dev/null
	ip -n "$TAG-$3" link del "$4" 2>/dev/null
	ip -n "$TAG-$1" link add "$2" type veth peer name "$4" netns "$TAG-$3" ||
		fail "cannot wire $1 $2 to $3 $4"
}

# wire_line NS_A IF_A NS_B IF_B LINE: a line through namespace $TAG-LINE
# (a bridge between two veths, side-a towards A), to be cut there as a
# fibre is cut: neither agent owns it.
wire_line() {
	local l=$TAG-$5 i
	state_add ns "$l"
	ip netns add "$l" || fail "cannot create namespace $l"
	ip -n "$TAG-$1" link del "$2" 2>/dev/null
	ip -n "$TAG-$3" link del "$4" 2>/dev/null
	ip -n "$TAG-$1" link add "$2" type veth peer name side-a netns "$l" &&
		ip -n "$TAG-$3" link add "$4" type veth peer name side-b netns "$l" &&
		ip -n "$l" link add fibre type bridge ||
		fail "cannot wire the line $5"
	ip -n "$l" link set side-a master fibre
	ip -n "$l" link set side-b master fibre
	for i in side-a side-b fibre; do ip -n "$l" link set "$i" up; done
}

# spawn NAME NS CMD...: CMD in namespace NS (- for this one), in a session
# of its own (it outlives make), its output in $D/NAME.log; its pid goes
# to the state file first
spawn() {
	local name=$1 ns=$2 pid
	shift 2
	mkdir -p "$(dirname "$D/$name")"
	if [ "$ns" = - ]; then
		setsid "$@" >>"$D/$name.log" 2>&1 </dev/null &
	else
		setsid ip netns exec "$ns" "$@" >>"$D/$name.log" 2>&1 </dev/null &
	fi
	pid=$!
	state_add pid "$pid" "$name"
}

# ctl CODE ARGS...: egnetctl against the agent of gateway CODE
ctl() {
	local code=$1
	shift
	"$CTL" "$@" --socket "$D/nodes/$code/agent.sock"
}

# cctl ARGS...: egnetctl against the collector, through the host's
# forward, with the province's certificate (any of the CA's may read)
cctl() {
	EGNET_COLLECTOR=https://127.0.0.1:$PORT EGNET_CA=$D/pki/ca.crt \
		EGNET_CERT=$D/pki/nodes/$PROVINCE.crt \
		EGNET_KEY=$D/pki/nodes/$PROVINCE.key "$CTL" "$@"
}

# target CODE TARGET: "STATE TIMESTAMPS RTT" of one of CODE's probe targets
# as its agent sees them
target() {
	ctl "$1" links --json 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
t = [t for t in d["targets"] if t["code"] == sys.argv[1]]
print(t[0]["state"], t[0]["timestamps"], t[0]["rtt_ms"]) if t else print("absent")' "$2" 2>/dev/null
}

# wait_state CODE TARGET STATE SECONDS: until CODE's agent sees TARGET in
# STATE
wait_state() {
	local i
	for i in $(seq $(($4 * 10))); do
		[ "$(target "$1" "$2" | cut -d' ' -f1)" = "$3" ] && return 0
		sleep 0.1
	done
	return 1
}

# wait_for SECONDS CMD...: until CMD succeeds, tried every 0.2 s, for at
# most SECONDS
wait_for() {
	local end=$(($(date +%s%3N) + $1 * 1000))
	shift
	while :; do
		"$@" && return 0
		[ "$(date +%s%3N)" -lt "$end" ] || return 1
		sleep 0.2
	done
}

# coverage: the collector's coverage of the inventory (GET
# /api/v1/coverage through egnetctl coverage), one line ("connected:
# province 1/1, city 2/2, ..., village 24/24"); exit 0 when every level is
# connected whole.
coverage() {
	local c
	c=$(cctl coverage --json 2>/dev/null) || {
		echo "the collector does not answer"
		return 1
	}
	python3 -c '
import json, sys
lv = json.loads(sys.argv[1])["levels"]
order = ["province", "city", "county", "township", "village"]
parts = ["%s %d/%d" % (l, lv[l]["connected"], lv[l]["expected"]) for l in order if l in lv]
print("connected: " + ", ".join(parts))
sys.exit(0 if all(lv[l]["connected"] == lv[l]["expected"] for l in lv) else 1)' "$c"
}

# events NODE TYPE [AFTER_MS]: the collector's events of NODE whose type
# starts with TYPE (newer than AFTER_MS), oldest first, one line each:
# "HH:MM:SS NODE TYPE SUBJECT"
events() {
	cctl events --node "$1" --json 2>/dev/null | python3 -c '
import json, sys, time
for e in reversed(json.load(sys.stdin)["events"]):
    if e["type"].startswith(sys.argv[1]) and e["time_ms"] >= int(sys.argv[2]):
        print("%s %s %s %s" % (time.strftime("%H:%M:%S", time.localtime(e["time_ms"] / 1000)),
              e["node"], e["type"], e["subject"]))' "$2" "${3:-0}" 2>/dev/null
}

# has_event NODE TYPE SUBJECT [AFTER_MS]: the collector has that event
# (newer than AFTER_MS)
has_event() {
	cctl events --node "$1" --type "$2" --json 2>/dev/null | python3 -c '
import json, sys
ev = json.load(sys.stdin)["events"]
sys.exit(0 if any(e["subject"] == sys.argv[1] and e["time_ms"] >= int(sys.argv[2])
                  for e in ev) else 1)' "$3" "${4:-0}" 2>/dev/null
}

# gw_field CODE N: field N of gateway CODE's topology line
gw_field() {
	awk -v c="$1" -v n="$2" '$1 == "gw" && $2 == c { print $n }' "$D/topology"
}

# has_outage ROOT: the collector has an open outage rooted at ROOT
has_outage() {
	cctl outages --json 2>/dev/null | python3 -c '
import json, sys
sys.exit(0 if any(o["root"] == sys.argv[1] for o in json.load(sys.stdin)["outages"]) else 1)' "$1"
}
