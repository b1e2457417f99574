#!/bin/bash
# demo/province.sh - a live slice of the example province, in network
# namespaces on this machine: the province, Shenyang city, Heping county
# and Taiyuanjie township gateways, each running egnet-agent with its
# example node config (profiles/examples/), wired parent to child, and two
# of the township's villages (no agent: they answer ICMP); the collector
# in a NOC namespace of its own, with a management line to each gateway,
# taking their reports over mutual TLS (certificates by packaging/egnet-pki).
#
# It applies every level's profile, waits for every agent to see its
# parent up, shows what `egnetctl links` shows, then cuts the township's
# line and restores it, and shows the county seeing both.  The other
# nodes of the inventory are not built here: their gateways show as down,
# as a missing node would.
#
#   sudo demo/province.sh            (B=build; DEMO_HOLD=1 keeps it running
#                                     until Ctrl-C, to look around)
# Exit 0 when everything the demo shows happened, 1 otherwise.  Traffic
# stays inside the namespaces it makes; they are removed at the end.
set -u
[ "$(id -u)" = 0 ] || { echo "demo: needs root (network namespaces)"; exit 77; }
B=${B:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
AGENT=$ROOT/$B/egnet-agent
CTL=$ROOT/$B/egnetctl
COLL=$ROOT/$B/egnet-collector
PKI=$ROOT/packaging/egnet-pki
[ -x "$AGENT" ] && [ -x "$CTL" ] && [ -x "$COLL" ] ||
	{ echo "demo: build first (make)"; exit 1; }
W=$(mktemp -d /tmp/egnet-demo.XXXXXX)
TAG=egd$$
NSES=()
PIDS=()

cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	sleep 0.3
	for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
	for n in "${NSES[@]}"; do ip netns del "$n" 2>/dev/null; done
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

die() {
	echo "demo: $*" >&2
	for f in "$W"/*/agent.log "$W"/collector.log; do
		[ -f "$f" ] && { echo "--- $f" >&2; tail -n 15 "$f" >&2; }
	done
	exit 1
}

say() { printf '\n== %s\n' "$*"; }

# mkns NAME IFACE...: a namespace whose IFACEs are veths with their peer
# (p-IFACE) up in the same namespace, so each has carrier; wire() replaces
# the ones that lead to another node.
mkns() {
	local ns=$TAG-$1 i
	shift
	ip netns add "$ns" || die "cannot create namespace $ns"
	NSES+=("$ns")
	ip -n "$ns" link set lo up
	for i in "$@"; do
		ip -n "$ns" link add "$i" type veth peer name "p-$i"
		ip -n "$ns" link set "p-$i" up
	done
}

# wire NS_A IF_A NS_B IF_B: a line between two nodes.
wire() {
	ip -n "$TAG-$1" link del "$2" 2>/dev/null
	ip -n "$TAG-$3" link del "$4" 2>/dev/null
	ip -n "$TAG-$1" link add "$2" type veth peer name "$4" netns "$TAG-$3" ||
		die "cannot wire $1 $2 to $3 $4"
}

# wire_line NS_A IF_A NS_B IF_B LINE: a line through a namespace of its
# own (a bridge between two veths), to be cut there as a fibre is cut:
# neither agent owns it.
wire_line() {
	local l=$TAG-$5
	ip netns add "$l" || die "cannot create namespace $l"
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

# start LEVEL: the example node config of LEVEL, with this demo's state
# folder and control socket, run in namespace LEVEL.
start() {
	local level=$1 d=$W/$1
	mkdir -p "$d"
	local code=CODE_$level idx=IDX_$level
	sed -e "s|profile = \"\\.\\./|profile = \"$ROOT/profiles/|" \
		-e "s|inventory = \"inventory.csv\"|inventory = \"$ROOT/profiles/examples/inventory.csv\"|" \
		-e '/^paths = {/,/^};/d' -e '/^collector = {/,/^};/d' \
		"$ROOT/profiles/examples/$level.conf" >"$d/node.conf"
	printf 'paths = { state = "%s/state"; socket = "%s/agent.sock"; };\n' "$d" "$d" >>"$d/node.conf"
	# the collector over this demo's management line, every 2 s
	printf 'collector = { url = "https://10.250.%s.1:8443"; interval = 2;\n\tca = "%s/ca.crt"; cert = "%s/nodes/%s.crt"; key = "%s/nodes/%s.key"; };\n' \
		"${!idx}" "$W/pki" "$W/pki" "${!code}" "$W/pki" "${!code}" >>"$d/node.conf"
	ip netns exec "$TAG-$level" "$AGENT" -c "$d/node.conf" >>"$d/agent.log" 2>&1 &
	PIDS+=($!)
	disown $!
}

ctl() { # LEVEL ARGS...
	local level=$1
	shift
	"$CTL" "$@" --socket "$W/$level/agent.sock"
}

# target LEVEL CODE: "STATE TIMESTAMPS RTT" of one of LEVEL's targets.
target() {
	ctl "$1" links --json 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
t = [t for t in d["targets"] if t["code"] == sys.argv[1]]
print(t[0]["state"], t[0]["timestamps"], t[0]["rtt_ms"]) if t else print("absent")' "$2" 2>/dev/null
}

# wait_state LEVEL CODE STATE SECONDS
wait_state() {
	local i
	for i in $(seq $(($4 * 10))); do
		[ "$(target "$1" "$2" | cut -d' ' -f1)" = "$3" ] && return 0
		sleep 0.1
	done
	return 1
}

LEVELS="province city county township"
CODE_province=210000000000
CODE_city=210100000000
CODE_county=210102000000
CODE_township=210102001000
IDX_province=1 IDX_city=2 IDX_county=3 IDX_township=4

# api PATH: GET from the collector, from the NOC (any certificate of the
# province's CA may read)
api() {
	ip netns exec "$TAG-noc" curl -sS --max-time 10 --cacert "$W/pki/ca.crt" \
		--cert "$W/pki/nodes/$CODE_province.crt" \
		--key "$W/pki/nodes/$CODE_province.key" "https://10.250.1.1:8443$1"
}

# noc_nodes: the collector's nodes that reported, one line each
noc_nodes() {
	api /api/v1/nodes | python3 -c '
import json, sys, unicodedata
d = json.load(sys.stdin)
def pad(s, w):  # by display width: a CJK character takes two columns
    return s + " " * max(0, w - sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s))
for n in d["nodes"]:
    if n["last_seq"]:
        age = (d["time_ms"] - n["last_report_ms"]) / 1000
        print("  %s %-8s %s seq %-4d %4.1f s ago  %s" % (n["code"], n["level"],
              pad(n["name"], 12), n["last_seq"], age, n["apply"]))'
}

say "the province, one city, one county, one township: namespaces $TAG-*"
mkns province ens1f0 ens2f0 ens2f1 ens3f0 ens4f0
mkns city ens1f0 ens2f0 ens2f1 ens3f0 ens3f1 ens4f0
mkns county eth0 eth1 eth2 eth3 eth4
mkns township eth0 eth1 eth2
mkns village1
mkns village3
wire province ens2f0 city ens1f0
wire city ens2f0 county eth0
wire_line county eth1 township eth0 line
wire township eth1 village1 v0
wire township eth2 village3 lan0
# Villages have no agent: an endpoint that answers ping, where the plan
# (IPv6) or the inventory (IPv4, on the township's LAN) puts it.
ip -n "$TAG-village1" link set v0 up
ip -n "$TAG-village1" addr add fd45:676e:410:404::1/127 dev v0 nodad
ip -n "$TAG-village1" route add default via fd45:676e:410:404::
ip -n "$TAG-village3" link set lan0 up
ip -n "$TAG-village3" addr add 10.16.64.250/26 dev lan0
ip -n "$TAG-village3" route add default via 10.16.64.193
echo "province ens2f0 -- ens1f0 city ens2f0 -- eth0 county eth1 -- (line) -- eth0 township"
echo "township eth1 -- village 210102001001 (IPv6), eth2 (LAN) -- village 210102001003 (10.16.64.250)"

say "the collector in the NOC namespace $TAG-noc, certificates by egnet-pki"
mkns noc
"$PKI" init "$W/pki" >/dev/null || die "egnet-pki init"
"$PKI" collector "$W/pki" collector 10.250.1.1 10.250.2.1 10.250.3.1 10.250.4.1 >/dev/null ||
	die "egnet-pki collector"
for l in $LEVELS; do
	code=CODE_$l idx=IDX_$l
	"$PKI" node "$W/pki" "${!code}" >/dev/null || die "egnet-pki node ${!code}"
	# a management line from the gateway to the NOC, outside the profile
	ip link add mg0 netns "$TAG-$l" type veth peer name "nc${!idx}" netns "$TAG-noc" ||
		die "management line of $l"
	ip -n "$TAG-$l" addr add "10.250.${!idx}.2/30" dev mg0
	ip -n "$TAG-$l" link set mg0 up
	ip -n "$TAG-noc" addr add "10.250.${!idx}.1/30" dev "nc${!idx}"
	ip -n "$TAG-noc" link set "nc${!idx}" up
done
mkdir -p "$W/collector"
cat >"$W/collector/collector.conf" <<CONF
listen = [ "10.250.1.1:8443", "10.250.2.1:8443", "10.250.3.1:8443", "10.250.4.1:8443" ];
tls = { cert = "$W/pki/collector/collector.crt"; key = "$W/pki/collector/collector.key";
	ca = "$W/pki/ca.crt"; };
inventory = "$ROOT/profiles/examples/inventory.csv";
state_dir = "$W/collector/state";
CONF
ip netns exec "$TAG-noc" "$COLL" -c "$W/collector/collector.conf" >>"$W/collector.log" 2>&1 &
PIDS+=($!)
disown $!
for _ in $(seq 100); do
	grep -q "serving:" "$W/collector.log" && break
	sleep 0.1
done
grep -q "serving:" "$W/collector.log" || die "the collector did not start"
grep "listening on\|serving:" "$W/collector.log" | sed 's/^/  /'

for l in $LEVELS; do
	start "$l"
done
for l in $LEVELS; do
	for _ in $(seq 100); do
		st=$(ctl "$l" status --json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])' 2>/dev/null)
		[ "$st" = converged ] && break
		sleep 0.1
	done
	[ "$st" = converged ] || die "$l did not apply its profile (state: ${st:-no answer})"
done
say "every agent applied its level's profile"
for l in $LEVELS; do
	ctl "$l" status | sed -n '1,3p' | sed "s/^/$l: /"
done

say "each agent probes its parent and children: parents up"
for pair in city:province county:city township:county; do
	l=${pair%%:*} p=${pair##*:}
	pc=CODE_$p
	wait_state "$l" "${!pc}" up 10 || die "$l does not see its parent $p up: $(target "$l" "${!pc}")"
	echo "$l -> parent $p ($(eval echo \$CODE_$p)): $(target "$l" "${!pc}" | awk '{printf "up, RTT %s ms from %s timestamps", $3, $2}')"
done
wait_state township 210102001001 up 6 || die "village 210102001001 not up"
wait_state township 210102001003 up 6 || die "village 210102001003 not up"
sleep 2

say "egnetctl links on the county"
ctl county links
say "egnetctl links on the township"
ctl township links

say "somebody sets the township's uplink down by hand: drift, put right"
ip -n "$TAG-township" link set eth0 down
for _ in $(seq 30); do
	grep -q "drift corrected" "$W/township/agent.log" && break
	sleep 0.1
done
grep -q "drift corrected" "$W/township/agent.log" || die "the township's agent did not put its uplink back"
grep "drift" "$W/township/agent.log" | sed 's/^/  township log: /'
ip -n "$TAG-township" -br link show eth0 | sed 's/^/  now: /'

say "the township's line is cut (between the two gateways)"
sleep 2
t0=$(date +%s%3N)
ip -n "$TAG-line" link set side-b down
wait_state county "$CODE_township" down 6 || die "the county did not see the township go down"
since=$(ctl county links --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
print([t["since_ms"] for t in d["targets"] if t["code"] == sys.argv[1]][0])' "$CODE_township")
echo "county: township $CODE_township down, $((since - t0)) ms after the cut (probes every second, down after 3 misses)"
wait_state township "$CODE_county" down 6 || die "the township did not see its parent go down"
echo "township: parent $CODE_county down"
ip -n "$TAG-line" link set side-b up
wait_state county "$CODE_township" up 8 || die "the county did not see the township come back"
echo "restored: county sees the township up again"
ctl county links --json | python3 -c '
import json, sys
for e in json.load(sys.stdin)["events"][-4:]:
    print("  event: %(relation)s %(code)s %(name)s is %(state)s" % e)'

say "the collector's view: every gateway's reports, and the events they told"
reported() {
	[ "$(api /api/v1/nodes | python3 -c '
import json, sys
print(sum(1 for n in json.load(sys.stdin)["nodes"] if n["last_seq"]))')" = 4 ]
}
for _ in $(seq 100); do reported && break; sleep 0.1; done
reported || die "the collector does not have reports of all four gateways"
noc_nodes
cut_seen() {
	api "/api/v1/events?node=$CODE_county&type=target-down" | grep -q "$CODE_township"
}
for _ in $(seq 100); do cut_seen && break; sleep 0.1; done
cut_seen || die "the collector has no event of the county seeing the township down"
api "/api/v1/events?node=$CODE_county&order=asc" | python3 -c '
import json, sys, time
for e in json.load(sys.stdin)["events"]:
    if e["type"].startswith("target"):
        print("  collector event %s county %s: %s %s" % (time.strftime("%H:%M:%S",
              time.localtime(e["time_ms"] / 1000)), e["node"], e["type"], e["subject"]))'
echo "collector: the cut of the township's line, as the county reported it"

if [ "${DEMO_HOLD:-0}" = 1 ]; then
	say "running until Ctrl-C; look around, e.g.:"
	for l in $LEVELS; do
		echo "  sudo $CTL links --watch --socket $W/$l/agent.sock    # $l"
	done
	echo "  sudo ip netns exec $TAG-county nft list table inet egnet"
	echo "  the collector's API, from the NOC:"
	echo "  sudo ip netns exec $TAG-noc curl --cacert $W/pki/ca.crt --cert $W/pki/nodes/$CODE_province.crt --key $W/pki/nodes/$CODE_province.key https://10.250.1.1:8443/api/v1/nodes"
	sleep infinity &
	wait $!
fi
say "demo done: 4 agents applied, probed, saw a cut and its repair, and reported it all to the collector"
echo "(the collector verifies the tree: egnetctl tree | outages | coverage; its dashboard is not in this build yet)"
