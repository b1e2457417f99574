#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
#
# demo/province.sh - the whole example province, live, in network
# namespaces on this machine: every gateway of
# profiles/examples/inventory.csv (1 province, 2 cities, 4 counties, 8
# townships) running egnet-agent with its level's standard profile and a
# node config made from its level's example (demo/plan.py), wired parent
# to child; the 24 villages as namespaces answering ping where the plan
# (IPv6) or the inventory (IPv4) puts them; the collector in a NOC
# namespace on the province gateway's LAN (10.8.0.10, as
# profiles/include/sets.conf says), taking the reports over mutual TLS
# (certificates by packaging/egnet-pki), and forwarded to 127.0.0.1:PORT of
# this host by socat.
#
#   sudo demo/province.sh up        build it, wait until the collector
#                                   covers everything, run the tour, and
#                                   leave it running (make demo)
#   sudo demo/province.sh fault [COUNTY]   cut a county's uplink
#                                   (make demo-fault, default 210102000000)
#   sudo demo/province.sh heal      restore it (make demo-heal)
#   sudo demo/province.sh stop      remove every namespace, process and
#                                   file the demo made (make demo-stop)
#   sudo demo/province.sh status    the coverage, and the commands to watch
#
# The tour: drift put right on a township, the township's line cut and
# restored and seen by both ends, and what the collector was told of it.
#
# Reports and the NOC: every agent reaches the collector (10.8.0.10, on
# the province's LAN) through the extranet itself: its reports leave from
# its uplink's address (collector.source = "uplink", the default), which
# the profiles' policy rules ("from ADDRESS lookup 100") route into the
# common zone's table, parent by parent up to the province.
#
# Environment: B (build folder, default build), DEMO_DIR (state folder,
# default /run/egnet-demo), DEMO_TAG (namespace prefix, default egd),
# DEMO_PORT (the host's forward, default 8443), DEMO_TOUR=0 (no tour).
# Exit 0 when all it had to show happened, 1 otherwise (`up` then removes
# what it made), 2 on bad usage, 77 without root.
set -u
[ "$(id -u)" = 0 ] || { echo "demo: needs root (network namespaces)"; exit 77; }
B=${B:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
D=${DEMO_DIR:-/run/egnet-demo}
. "$ROOT/demo/lib.sh"

# load: the running demo's settings from its state file
load() {
	[ -f "$STATE" ] || die "no demo is running (no $STATE)"
	TAG=$(state_get tag)
	PORT=$(state_get port)
	PROVINCE=$(state_get province)
}

# build_nodes: the node configs, the namespaces and the lines between them
build_nodes() {
	local kind code level parent up port up4 ifaces lan
	python3 "$ROOT/demo/plan.py" "$ROOT" "$CTL" "$D/nodes" \
		>"$D/topology" || fail "demo/plan.py failed"
	PROVINCE=$(awk '$1 == "gw" && $3 == "province" { print $2 }' "$D/topology")
	state_add province "$PROVINCE"
	while read -r kind code level parent up port up4 ifaces lan; do
		[ "$kind" = gw ] || continue
		# shellcheck disable=SC2086
		mkns "$code" ${ifaces//,/ }
		[ "$level" = township ] && mkns "sw-$code"
	done <"$D/topology"
	local n=1
	while read -r kind code level parent up port up4 ifaces lan; do
		[ "$kind" = gw ] || continue
		if [ "$level" = township ]; then
			# the village service points' switch: one bridge for the
			# downlink, one for the LAN
			ip -n "$TAG-sw-$code" link add br-down type bridge
			ip -n "$TAG-sw-$code" link add br-lan type bridge
			wire "$code" "$(echo "$ifaces" | cut -d, -f2)" "sw-$code" gw-down
			wire "$code" "$lan" "sw-$code" gw-lan
			ip -n "$TAG-sw-$code" link set gw-down master br-down
			ip -n "$TAG-sw-$code" link set gw-lan master br-lan
			for i in br-down br-lan gw-down gw-lan; do
				ip -n "$TAG-sw-$code" link set "$i" up
			done
		fi
		[ "$level" = province ] && continue
		# counties' uplinks and the tour's township's run through a line
		# namespace, where demo-fault and the tour cut them
		if [ "$level" = county ] || [ "$code" = "$TOUR_TOWNSHIP" ]; then
			wire_line "$parent" "$port" "$code" "$up" "line-$code"
		else
			wire "$parent" "$port" "$code" "$up"
		fi
	done <"$D/topology"
	local vil town side addr gw
	while read -r kind vil town side addr gw; do
		[ "$kind" = vil ] || continue
		mkns "$vil"
		wire "sw-$town" "v${vil:9}" "$vil" v0
		ip -n "$TAG-sw-$town" link set "v${vil:9}" master "br-$side"
		ip -n "$TAG-sw-$town" link set "v${vil:9}" up
		ip -n "$TAG-$vil" link set v0 up
		case $addr in
		*:*) ip -n "$TAG-$vil" addr add "$addr" dev v0 nodad ;;
		*) ip -n "$TAG-$vil" addr add "$addr" dev v0 ;;
		esac
		ip -n "$TAG-$vil" route add default via "$gw" ||
			fail "village $vil: no route via $gw"
	done <"$D/topology"
}

# build_noc: the NOC namespace, on the province's LAN
build_noc() {
	mkns noc
}

wire_noc() {
	local lan
	lan=$(gw_field "$PROVINCE" 9)
	wire "$PROVINCE" "$lan" noc lan0
	ip -n "$TAG-noc" link set lan0 up
	ip -n "$TAG-noc" addr add "$NOC_IP/13" dev lan0
	ip -n "$TAG-noc" addr add fd45:676e:3ff:ffff::10/64 dev lan0 nodad
	ip -n "$TAG-noc" route add default via 10.8.0.1
	ip -n "$TAG-noc" route add default via fd45:676e:3ff:ffff::1
}

# start_collector: certificates, the collector, the host's forward
start_collector() {
	local code
	"$PKI" init "$D/pki" >/dev/null || fail "egnet-pki init"
	"$PKI" collector "$D/pki" collector "$NOC_IP" 127.0.0.1 >/dev/null ||
		fail "egnet-pki collector"
	for code in $(awk '$1 == "gw" { print $2 }' "$D/topology"); do
		"$PKI" node "$D/pki" "$code" >/dev/null || fail "egnet-pki node $code"
	done
	# the browser's (the dashboard's) certificate: a reader, no node
	"$PKI" reader "$D/pki" noc >/dev/null || fail "egnet-pki reader"
	mkdir -p "$D/collector"
	cat >"$D/collector/collector.conf" <<CONF
listen = [ "$NOC_IP:8443" ];
tls = { cert = "$D/pki/collector/collector.crt"; key = "$D/pki/collector/collector.key";
	ca = "$D/pki/ca.crt"; };
inventory = "$ROOT/profiles/examples/inventory.csv";
state_dir = "$D/collector/state";
web = { root = "$ROOT/collector/web"; };
CONF
	spawn collector/collector "$TAG-noc" "$COLL" -c "$D/collector/collector.conf"
	wait_for 10 grep -q "serving:" "$D/collector/collector.log" ||
		fail "the collector did not start"
	# 127.0.0.1:PORT of the host -> a socket in the state folder -> the
	# collector in the NOC namespace
	spawn collector/forward-noc "$TAG-noc" socat \
		"UNIX-LISTEN:$D/collector/noc.sock,fork,unlink-early" "TCP:$NOC_IP:8443"
	wait_for 5 test -S "$D/collector/noc.sock" || fail "socat in the NOC did not start"
	spawn collector/forward-host - socat \
		"TCP-LISTEN:$PORT,bind=127.0.0.1,reuseaddr,fork" \
		"UNIX-CONNECT:$D/collector/noc.sock"
	wait_for 5 cctl nodes >/dev/null 2>&1 ||
		fail "the collector does not answer on 127.0.0.1:$PORT"
}

start_agents() {
	local code
	for code in $(awk '$1 == "gw" { print $2 }' "$D/topology"); do
		spawn "nodes/$code/agent" "$TAG-$code" "$AGENT" -c "$D/nodes/$code/node.conf"
	done
}

# applied CODE: its agent applied its profile
applied() {
	ctl "$1" status >/dev/null 2>&1
}

# show_reach: each gateway reaches the collector over the extranet from
# its uplink address (what a report bound to it would do)
show_reach() {
	local code level up4 ok=0 all=0
	while read -r _ code level _ _ _ up4 _; do
		[ "$level" = province ] && continue
		all=$((all + 1))
		ip netns exec "$TAG-$code" curl -sS -o /dev/null --max-time 5 \
			--interface "$up4" --cacert "$D/pki/ca.crt" \
			--cert "$D/pki/nodes/$code.crt" --key "$D/pki/nodes/$code.key" \
			"https://$NOC_IP:8443/api/v1/nodes" 2>/dev/null && ok=$((ok + 1))
	done < <(awk '$1 == "gw"' "$D/topology")
	echo "from its uplink address, $ok of $all gateways reach https://$NOC_IP:8443 through the extranet"
	echo "(without a source address: $(ip netns exec "$TAG-$TOUR_TOWNSHIP" ip route get "$NOC_IP" 2>&1 | head -1))"
	[ "$ok" = "$all" ]
}

cmd_up() {
	local t0 n
	[ -e "$STATE" ] && die "a demo is running ($STATE): make demo-stop first"
	[ -x "$AGENT" ] && [ -x "$CTL" ] && [ -x "$COLL" ] || die "build first (make)"
	command -v socat >/dev/null || die "socat is missing (make deps)"
	TAG=${DEMO_TAG:-egd}
	PORT=${DEMO_PORT:-8443}
	ip netns list | grep -q "^$TAG-" && die "namespaces $TAG-* exist already"
	mkdir -p "$D" || die "cannot make $D"
	state_add tag "$TAG"
	state_add port "$PORT"
	# a failure removes everything made so far
	local rc=0
	trap 'rc=$?; [ $rc = 0 ] || { echo "demo: removing what it made" >&2; cmd_stop >/dev/null; }; exit $rc' EXIT
	trap 'exit 130' INT TERM
	t0=$(date +%s)

	say "the example province in namespaces $TAG-*, from profiles/examples/inventory.csv"
	build_noc
	build_nodes
	wire_noc
	awk '$1 == "gw" { n[$3]++ } $1 == "vil" { n["village"]++ }
	END { printf "%d gateways (1 province, %d cities, %d counties, %d townships), %d villages\n",
	      n["province"] + n["city"] + n["county"] + n["township"], n["city"],
	      n["county"], n["township"], n["village"] }' "$D/topology"
	echo "node configs: $D/nodes/CODE/node.conf (demo/plan.py, from each level's example)"

	say "the collector in $TAG-noc at $NOC_IP (the province's LAN), certificates by egnet-pki"
	start_collector
	grep "listening on\|serving:" "$D/collector/collector.log" | sed 's/^/  /'
	echo "  forwarded: https://127.0.0.1:$PORT"

	say "every agent applies its level's standard profile"
	start_agents
	for code in $(awk '$1 == "gw" { print $2 }' "$D/topology"); do
		wait_for 60 applied "$code" ||
			fail "$code did not apply its profile: $(ctl "$code" status 2>&1 | head -2)"
	done
	echo "$(grep -c '^gw' "$D/topology") agents converged in $(($(date +%s) - t0)) s"

	say "the NOC through the extranet"
	show_reach || fail "a gateway does not reach the NOC over the extranet"

	say "waiting until the collector covers the province"
	wait_for 90 coverage >/dev/null || fail "coverage: $(coverage)"
	echo "coverage: $(coverage)  ($(($(date +%s) - t0)) s after the start)"

	[ "${DEMO_TOUR:-1}" = 1 ] && tour
	trap - EXIT
	say "the province is up; it runs until: make demo-stop"
	usage_notes
}

# tour: drift put right, a cut seen by both sides, the collector's view
tour() {
	local t=$TOUR_TOWNSHIP county since t0
	county=$(gw_field "$t" 4)
	say "egnetctl links on township $t"
	ctl "$t" links

	say "somebody sets the township's uplink down by hand: drift, put right"
	ip -n "$TAG-$t" link set eth0 down
	wait_for 5 grep -q "drift corrected" "$D/nodes/$t/agent.log" ||
		fail "the township's agent did not put its uplink back"
	grep "drift" "$D/nodes/$t/agent.log" | sed 's/^/  township log: /'
	ip -n "$TAG-$t" -br link show eth0 | sed 's/^/  now: /'
	wait_state "$t" "$county" up 10 || fail "the township does not see its county again"

	say "the township's line is cut (between the two gateways)"
	t0=$(date +%s%3N)
	ip -n "$TAG-line-$t" link set side-b down
	wait_state "$county" "$t" down 8 || fail "the county did not see the township go down"
	since=$(ctl "$county" links --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
print([t["since_ms"] for t in d["targets"] if t["code"] == sys.argv[1]][0])' "$t")
	echo "county: township $t down, $((since - t0)) ms after the cut (probes every second, down after 3 misses)"
	wait_state "$t" "$county" down 8 || fail "the township did not see its parent go down"
	echo "township: parent $county down"
	ip -n "$TAG-line-$t" link set side-b up
	wait_state "$county" "$t" up 10 || fail "the county did not see the township come back"
	echo "restored: county sees the township up again"

	say "the collector's view: the cut, as the county and the township reported it"
	wait_for 15 has_event "$county" target-down "$t" "$t0" ||
		fail "the collector has no event of the county seeing the township down"
	wait_for 15 has_event "$t" target-down "$county" "$t0" ||
		fail "the collector has no event of the township seeing its county down"
	wait_for 15 has_event "$county" target-up "$t" "$t0" ||
		fail "the collector has no event of the township coming back"
	{ events "$county" target "$t0"; events "$t" target "$t0"; } | sort | sed 's/^/  collector event /'
	echo "collector: the cut of the township's line, as both ends reported it"
	wait_for 30 coverage >/dev/null || fail "coverage after the tour: $(coverage)"
	echo "coverage: $(coverage)"
	echo
	cctl nodes
}

usage_notes() {
	local k="$D/pki"
	echo "API (mutual TLS):  https://127.0.0.1:$PORT/api/v1/nodes   (forwarded into $TAG-noc)"
	echo "  curl --cacert $k/ca.crt --cert $k/nodes/$PROVINCE.crt --key $k/nodes/$PROVINCE.key https://127.0.0.1:$PORT/api/v1/nodes"
	echo "dashboard:         https://127.0.0.1:$PORT/"
	echo "  the browser shows it with a reader's certificate: import $k/readers/noc.p12"
	echo "  (empty pass phrase) and trust $k/ca.crt, or for a quick look:"
	echo "  curl --cacert $k/ca.crt --cert $k/readers/noc.crt --key $k/readers/noc.key https://127.0.0.1:$PORT/"
	echo "watch it with egnetctl:"
	echo "  export EGNET_COLLECTOR=https://127.0.0.1:$PORT EGNET_CA=$k/ca.crt \\"
	echo "         EGNET_CERT=$k/nodes/$PROVINCE.crt EGNET_KEY=$k/nodes/$PROVINCE.key"
	echo "  $CTL nodes"
	echo "  $CTL node $FAULT_COUNTY"
	echo "  $CTL events --since 10m"
	echo "  sudo $CTL links --watch --socket $D/nodes/$FAULT_COUNTY/agent.sock   # one agent"
	echo "  sudo ip netns exec $TAG-$FAULT_COUNTY nft list table inet egnet"
	echo "then: sudo make demo-fault [COUNTY=$FAULT_COUNTY] | demo-heal | demo-stop"
}

cmd_fault() {
	local c=${1:-$FAULT_COUNTY} city t0
	load
	[ "$(gw_field "$c" 3)" = county ] || die "$c is not a county of the demo"
	[ -n "$(state_get fault)" ] && die "county $(state_get fault) is cut already: make demo-heal first"
	city=$(gw_field "$c" 4)
	t0=$(date +%s%3N)
	state_add fault "$c" "$t0"
	ip -n "$TAG-line-$c" link set side-b down || die "cannot cut the line of $c"
	echo "cut: the uplink of county $c (the line between city $city and the county)"
	wait_state "$city" "$c" down 10 || fail "city $city does not see the county down"
	wait_for 15 has_event "$city" target-down "$c" "$t0" ||
		fail "the collector has no event of city $city seeing county $c down"
	echo "the collector's events since the cut:"
	events "$city" target-down "$t0" | sed 's/^/  /'
	echo "county $c is down as its city sees it; it and its townships $(awk -v c="${c:0:6}" \
		'$1 == "gw" && $3 == "township" && substr($2, 1, 6) == c { printf "%s ", $2 }' "$D/topology")cannot report:"
	echo "their reports wait in their spools until the line is back"
	wait_for 15 has_outage "$c" ||
		fail "the collector has no outage rooted at county $c: $(cctl outages 2>&1 | head -5)"
	echo "the collector's verification: one outage, at its root"
	cctl outages | sed 's/^/  /'
	echo "coverage: $(coverage)"
}

cmd_heal() {
	local c t0 city ft
	load
	c=$(state_get fault)
	[ -n "$c" ] || die "no county is cut"
	ft=$(awk '$1 == "fault" { print $3; exit }' "$STATE")
	city=$(gw_field "$c" 4)
	t0=$(date +%s%3N)
	ip -n "$TAG-line-$c" link set side-b up || die "cannot restore the line of $c"
	sed -i '/^fault /d' "$STATE"
	echo "restored: the uplink of county $c"
	wait_state "$city" "$c" up 10 || fail "city $city does not see the county up again"
	wait_for 15 has_event "$city" target-up "$c" "$t0" ||
		fail "the collector has no event of the county coming back"
	# the county's own account of the cut comes from its spool
	wait_for 30 has_event "$c" target-down "$city" "$ft" ||
		fail "the county's spooled reports of the cut did not arrive"
	{ events "$city" target-up "$t0"; events "$c" target-down "$ft"; events "$c" target-up "$t0"; } |
		sort | sed 's/^/  /'
	wait_for 30 coverage >/dev/null || fail "coverage after the repair: $(coverage)"
	echo "coverage: $(coverage)"
}

# cmd_stop: every process (by its pid, with its session), every namespace,
# the state folder
cmd_stop() {
	local p left=0
	[ -f "$STATE" ] || { [ -d "$D" ] && rm -rf "$D"; echo "no demo is running"; return 0; }
	for p in $(awk '$1 == "pid" { print $2 }' "$STATE"); do
		kill -TERM -- "-$p" 2>/dev/null || kill -TERM "$p" 2>/dev/null
	done
	for _ in $(seq 30); do
		left=0
		for p in $(awk '$1 == "pid" { print $2 }' "$STATE"); do
			kill -0 "$p" 2>/dev/null && left=1
		done
		[ $left = 0 ] && break
		sleep 0.1
	done
	for p in $(awk '$1 == "pid" { print $2 }' "$STATE"); do
		kill -KILL -- "-$p" 2>/dev/null
	done
	for n in $(awk '$1 == "ns" { print $2 }' "$STATE"); do
		ip netns del "$n" 2>/dev/null
	done
	rm -rf "$D"
	echo "demo stopped: processes, namespaces and $D removed"
}

cmd_status() {
	load
	echo "coverage: $(coverage)"
	[ -n "$(state_get fault)" ] && echo "county $(state_get fault) is cut (make demo-heal)"
	usage_notes
}

case "${1:-up}" in
up) cmd_up ;;
fault) cmd_fault "${2:-}" ;;
heal) cmd_heal ;;
stop) cmd_stop ;;
status) cmd_status ;;
*)
	echo "usage: demo/province.sh [up|fault [COUNTY]|heal|stop|status]" >&2
	exit 2
	;;
esac
