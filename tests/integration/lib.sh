# Integration test helpers: fresh network namespaces with veth links, real
# agents inside them, and teardown on exit (also on failure).  Traffic stays
# inside the namespaces the test made.
set -u
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (network namespaces)"; exit 77; }

B=${B:-build}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
AGENT="$ROOT/$B/egnet-agent"
AGENT_FP="$ROOT/$B/tests/egnet-agent-fp"
CTL="$ROOT/$B/egnetctl"
KCHECK="python3 $ROOT/tests/integration/kcheck.py"
T=$(mktemp -d /tmp/egnet-it.XXXXXX)
NSES=()
PIDS=()

teardown() {
	local p n
	for p in "${PIDS[@]}"; do
		kill -9 "$p" 2>/dev/null
	done
	# reaped here, the test's own children are not reported as killed
	for p in "${PIDS[@]}"; do
		wait "$p" 2>/dev/null
	done
	for n in "${NSES[@]}"; do
		ip netns del "$n" 2>/dev/null
	done
	rm -rf "$T"
}
trap teardown EXIT
trap 'exit 1' INT TERM

fail() {
	echo "FAIL: $*"
	for f in "$T"/*.log "$T"/*/*.log; do
		[ -f "$f" ] && { echo "--- $f"; tail -n 20 "$f"; }
	done
	exit 1
}

# ns_new NAME IFACE...: a namespace whose IFACEs are veths, each with its
# peer (p-IFACE) up in the same namespace so the link has carrier.
ns_new() {
	local ns=$1 i
	shift
	ip netns add "$ns" || fail "cannot create namespace $ns"
	NSES+=("$ns")
	ip -n "$ns" link set lo up
	for i in "$@"; do
		ip -n "$ns" link add "$i" type veth peer name "p-$i" ||
			fail "veth $i in $ns"
		ip -n "$ns" link set "p-$i" up
	done
}

# node_conf FILE CODE PROFILE DRIFT IFACES...: a node config with its state
# and socket in the test folder.  IFACES is the body of interfaces = {...}.
node_conf() {
	local file=$1 code=$2 profile=$3 drift=$4 ifaces=$5 extra=${6:-}
	local dir
	dir=$(dirname "$file")
	cat >"$file" <<CONF
node = { code = "$code"; name = "test $code"; profile = "$profile";
	inventory = "$ROOT/profiles/examples/inventory.csv"; drift = "$drift"; };
interfaces = { $ifaces };
paths = { state = "$dir/state"; socket = "$dir/agent.sock"; };
$extra
CONF
}

# agent_start NS CONF [BINARY]: run an agent in NS; waits for its socket.
agent_start() {
	local ns=$1 conf=$2 bin=${3:-$AGENT} sock
	sock="$(dirname "$conf")/agent.sock"
	ip netns exec "$ns" "$bin" -c "$conf" >>"$(dirname "$conf")/agent.log" 2>&1 &
	AGENT_PID=$!
	disown "$AGENT_PID" # no job notices when teardown kills it
	PIDS+=("$AGENT_PID")
	for _ in $(seq 100); do
		"$CTL" status --socket "$sock" >/dev/null 2>&1
		[ $? -ne 3 ] && return 0
		kill -0 "$AGENT_PID" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

agent_stop() {
	kill "$AGENT_PID" 2>/dev/null
	for _ in $(seq 100); do
		kill -0 "$AGENT_PID" 2>/dev/null || return 0
		sleep 0.05
	done
	kill -9 "$AGENT_PID" 2>/dev/null
}

ctl() {
	local dir=$1
	shift
	"$CTL" "$@" --socket "$dir/agent.sock"
}

# json_field FILE EXPR: a Python expression over the JSON in FILE (as d).
json_field() {
	python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"
}

# wait_for SECONDS CMD...: poll CMD every 50 ms until it succeeds.
wait_for() {
	local limit=$1 i
	shift
	for i in $(seq $((limit * 20))); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.05
	done
	return 1
}

# The example township and county, set up in namespace NS under DIR.
setup_township() {
	local ns=$1 dir=$2 drift=${3:-enforce} profile=${4:-$ROOT/profiles/township.conf}
	mkdir -p "$dir"
	ns_new "$ns" eth0 eth1 eth2
	node_conf "$dir/node.conf" 210102001000 "$profile" "$drift" \
		'uplink = "eth0"; downlink = [ "eth1" ]; lan = [ "eth2" ];'
}

setup_county() {
	local ns=$1 dir=$2 drift=${3:-enforce} profile=${4:-$ROOT/profiles/county.conf}
	mkdir -p "$dir"
	ns_new "$ns" eth0 eth1 eth2 eth3 eth4
	node_conf "$dir/node.conf" 210102000000 "$profile" "$drift" \
		'uplink = "eth0"; downlink = [ "eth1", "eth2" ]; lan = [ "eth3" ]; internet = "eth4";' \
		'addresses = { internet = [ "192.0.2.34/29" ]; };
gateways = { isp1 = "192.0.2.33"; isp2 = "192.0.2.38"; };'
}
