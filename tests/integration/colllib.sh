# The collector's side of the tests: a CA and certificates by
# packaging/egnet-pki, a collector config, the collector started (in a
# namespace or not) and waited for, requests over mutual TLS with a
# node's certificate, and the API polled until a condition holds; for the
# tests with a NOC namespace, management lines to it, lines between node
# namespaces and the example node configs set to report there.
#
# Sourced after tests/integration/lib.sh, or, by a test that needs no
# root, once it has set ROOT and B; such a test then calls coll_scratch
# (or sets T, its scratch folder removed on exit, and fail() itself).
# A function that cannot set up what it was asked fails the test; the
# checks (coll_check, coll_until) return 1 instead, so that the test
# says what it expected.  The collector's output goes to $T/coll.log;
# its pid is COLL_PID (and in PIDS, which lib.sh's teardown kills).

COLL=${COLL:-$ROOT/$B/egnet-collector} # a test may run another build of it
PKI=$ROOT/packaging/egnet-pki
PKI_DIR=  # the test's CA, set by pki_make with a collector
COLL_AS=  # whose certificate coll_get uses: the first code of that pki_make
COLL_URL= # https:// and the first address coll_conf listens on
COLL_NS=- # the namespace the collector runs in (- for this one)
COLL_PID=

# coll_scratch PREFIX: for a test without lib.sh: T a scratch folder
# /tmp/PREFIX.XXXXXX, removed on exit with the collector killed; fail()
# prints the end of the collector's log and exits 1.
coll_scratch() {
	T=$(mktemp -d "/tmp/$1.XXXXXX")
	trap coll_scratch_end EXIT
	trap 'exit 1' INT TERM
	fail() {
		echo "FAIL: $*"
		[ -f "$T/coll.log" ] && { echo "--- collector log"; tail -n 30 "$T/coll.log"; }
		exit 1
	}
}

coll_scratch_end() {
	[ -n "$COLL_PID" ] && kill -9 "$COLL_PID" 2>/dev/null && wait "$COLL_PID" 2>/dev/null
	rm -rf "$T"
}

# pki_make DIR "NAME ADDR..." CODE...: a CA in DIR, the collector's
# certificate DIR/collector/NAME.{crt,key} for NAME and the ADDRs (none
# if the second argument is empty), DIR/nodes/CODE.{crt,key} for each
# CODE.  With a collector, DIR is the test's CA from then on (PKI_DIR,
# COLL_CRT, COLL_KEY, COLL_AS).
pki_make() {
	local dir=$1 coll=$2 c
	shift 2
	"$PKI" init "$dir" >/dev/null || fail "egnet-pki init $dir"
	if [ -n "$coll" ]; then
		# shellcheck disable=SC2086 # NAME and the ADDRs, one word each
		"$PKI" collector "$dir" $coll >/dev/null || fail "egnet-pki collector $coll"
		PKI_DIR=$dir
		COLL_CRT=$dir/collector/${coll%% *}.crt
		COLL_KEY=$dir/collector/${coll%% *}.key
		COLL_AS=${1:-}
	fi
	for c in "$@"; do
		"$PKI" node "$dir" "$c" >/dev/null || fail "egnet-pki node $c in $dir"
	done
}

# pki_cert STEM CN EXT: a client key and certificate STEM.{key,crt} of
# the test's CA made by hand (openssl), with subject CN and the
# extensions EXT (one line, openssl x509 -extfile syntax).
pki_cert() {
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" 2>/dev/null &&
		openssl req -new -key "$1.key" -subj "/CN=$2" -out "$1.csr" 2>/dev/null &&
		printf '%s\n' "$3" >"$1.ext" &&
		openssl x509 -req -in "$1.csr" -CA "$PKI_DIR/ca.crt" -CAkey "$PKI_DIR/ca.key" \
			-CAcreateserial -CAserial "$PKI_DIR/ca.srl" -days 30 -extfile "$1.ext" \
			-out "$1.crt" 2>/dev/null || fail "cannot make the certificate $1.crt"
}

# coll_conf FILE "ADDR:PORT..." [EXTRA] [TLS_EXTRA]: a collector config
# listening on the ADDR:PORTs with the test's CA, the inventory $COLL_INV
# (COLL_INV=FILE coll_conf ...; the examples' by default) and its state
# in $T/cstate; EXTRA (lines) at its end, TLS_EXTRA (settings)
# inside tls = { }.  Sets COLL_URL to the first address.
coll_conf() {
	local a sep=
	COLL_URL=https://${2%% *}
	{
		printf 'listen = ['
		for a in $2; do
			printf '%s "%s"' "$sep" "$a"
			sep=,
		done
		printf ' ];\n'
		cat <<CONF
tls = { cert = "$COLL_CRT"; key = "$COLL_KEY";
	ca = "$PKI_DIR/ca.crt"; ${4:-}};
inventory = "${COLL_INV:-$ROOT/profiles/examples/inventory.csv}";
state_dir = "$T/cstate";
${3:-}
CONF
	} >"$1"
}

# coll_run NS CMD...: CMD (that runs the collector) in namespace NS (- for
# this one), its output in a fresh $T/coll.log, its pid in COLL_PID.  Not
# disowned, so that coll_stop can have its exit status.
coll_run() {
	local ns=$1
	shift
	: >"$T/coll.log"
	if [ "$ns" = - ]; then
		"$@" >>"$T/coll.log" 2>&1 &
	else
		ip netns exec "$ns" "$@" >>"$T/coll.log" 2>&1 &
	fi
	COLL_PID=$!
	PIDS+=("$COLL_PID")
	COLL_NS=$ns
}

# coll_wait_ready [SECONDS]: until the collector logs "serving:" (it
# listens then); fails the test if it exits first or is not serving
# within SECONDS (default 10).
coll_wait_ready() {
	local i
	for i in $(seq $((${1:-10} * 20))); do
		grep -q "serving:" "$T/coll.log" && return 0
		kill -0 "$COLL_PID" 2>/dev/null || fail "the collector died: $(cat "$T/coll.log")"
		sleep 0.05
	done
	fail "the collector did not start"
}

# coll_start NS CONF [SECONDS]: $COLL -c CONF in NS (- for this one),
# serving within SECONDS (default 10).
coll_start() {
	coll_run "$1" "$COLL" -c "$2"
	coll_wait_ready "${3:-10}"
}

# coll_stop [SECONDS]: SIGTERM to the collector; fails the test if it has
# not exited within SECONDS (default 10); returns its exit status.
coll_stop() {
	local i
	kill -TERM "$COLL_PID" 2>/dev/null
	for i in $(seq $((${1:-10} * 20))); do
		kill -0 "$COLL_PID" 2>/dev/null || break
		sleep 0.05
	done
	kill -0 "$COLL_PID" 2>/dev/null && fail "the collector did not stop"
	wait "$COLL_PID"
}

# coll_as WHO PATH [CURL ARGS]: curl -sS in the collector's namespace to
# COLL_URL PATH (or PATH, if it is a whole URL) over mutual TLS with the
# certificate of WHO: a node code of the test's CA, a file stem (with a
# slash: STEM.crt, STEM.key) or - for none.  The answer on stdout.
coll_as() {
	local who=$1 url=$2 cert=()
	shift 2
	case $who in
	-) ;;
	*/*) cert=(--cert "$who.crt" --key "$who.key") ;;
	*) cert=(--cert "$PKI_DIR/nodes/$who.crt" --key "$PKI_DIR/nodes/$who.key") ;;
	esac
	case $url in
	http://* | https://*) ;;
	*) url=$COLL_URL$url ;;
	esac
	if [ "$COLL_NS" = - ]; then
		curl -sS --max-time 10 --cacert "$PKI_DIR/ca.crt" "${cert[@]}" "$@" "$url"
	else
		ip netns exec "$COLL_NS" curl -sS --max-time 10 --cacert "$PKI_DIR/ca.crt" \
			"${cert[@]}" "$@" "$url"
	fi
}

# coll_get PATH [CURL ARGS]: coll_as with COLL_AS's certificate (any
# certificate of the CA may read).
coll_get() {
	coll_as "$COLL_AS" "$@"
}

# coll_post WHO FILE [PATH]: POST FILE as JSON to PATH (default
# /api/v1/reports) as WHO (see coll_as); the answer in $T/post.json, the
# HTTP status on stdout; curl's exit status.
coll_post() {
	coll_as "$1" "${3:-/api/v1/reports}" -o "$T/post.json" -w '%{http_code}' \
		-H 'Content-Type: application/json' --data-binary @"$2"
}

# coll_field PATH EXPR [CURL ARGS]: a Python expression over the JSON of
# GET PATH (as d), printed.
coll_field() {
	local path=$1 expr=$2
	shift 2
	coll_get "$path" "$@" |
		python3 -c 'import json, sys; d = json.load(sys.stdin); print(eval(sys.argv[1]))' "$expr"
}

# coll_check PATH EXPR [FILE]: GET PATH (kept in FILE, default
# $T/check.json); 0 when the Python expression EXPR over its JSON (as d)
# is true.
coll_check() {
	local file=${3:-$T/check.json}
	coll_get "$1" >"$file" || return 1
	python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' \
		"$file" "$2"
}

# coll_until SECONDS PATH EXPR [FILE]: coll_check every 50 ms until it
# holds (0) or SECONDS have passed (1); the last answer in FILE.
coll_until() {
	local limit=$1 i
	shift
	for i in $(seq $((limit * 20))); do
		coll_check "$@" >/dev/null 2>&1 && return 0
		sleep 0.05
	done
	return 1
}

# ---- a NOC and the nodes around it ------------------------------------------

# noc_line NOC NS N: a management line outside the address plan from node
# namespace NS (mg0, 10.250.N.2/30) to the NOC namespace (ncN, 10.250.N.1).
noc_line() {
	local noc=$1 ns=$2 n=$3
	ip link add mg0 netns "$ns" type veth peer name "nc$n" netns "$noc" ||
		fail "management line of $ns"
	ip -n "$ns" addr add "10.250.$n.2/30" dev mg0
	ip -n "$ns" link set mg0 up
	ip -n "$noc" addr add "10.250.$n.1/30" dev "nc$n"
	ip -n "$noc" link set "nc$n" up
}

# mkns NAME IFACE...: ns_new $TAG-NAME IFACE... (the node namespaces of
# a test are $TAG-NAME, for wire and wire_line)
mkns() {
	local name=$1
	shift
	ns_new "$TAG-$name" "$@"
}

# wire NS_A IF_A NS_B IF_B: a line between namespaces $TAG-NS_A and
# $TAG-NS_B, in place of the interfaces of those names there.
wire() {
	ip -n "$TAG-$1" link del "$2" 2>/dev/null
	ip -n "$TAG-$3" link del "$4" 2>/dev/null
	ip -n "$TAG-$1" link add "$2" type veth peer name "$4" netns "$TAG-$3" ||
		fail "cannot wire $1 $2 to $3 $4"
}

# wire_line NS_A IF_A NS_B IF_B LINE: the same line through a bridge in
# namespace $TAG-LINE (side-a towards A, side-b towards B), to be cut there.
wire_line() {
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

# example_node DIR LEVEL CODE N: DIR/node.conf from
# profiles/examples/LEVEL.conf as node CODE, with the inventory
# $T/inventory.csv, its state and socket in DIR, and reports every second
# to https://10.250.N.1:8443 (the NOC's end of noc_line N) with CODE's
# certificate of the test's CA.
example_node() {
	local d=$1 level=$2 code=$3 n=$4
	mkdir -p "$d"
	sed -e "s|profile = \"\\.\\./|profile = \"$ROOT/profiles/|" \
		-e "s|inventory = \"inventory.csv\"|inventory = \"$T/inventory.csv\"|" \
		-e "s|^\\(\\s*\\)code = \"[0-9]*\";|\\1code = \"$code\";|" \
		-e '/^paths = {/,/^};/d' -e '/^collector = {/,/^};/d' \
		"$ROOT/profiles/examples/$level.conf" >"$d/node.conf"
	grep -q "code = \"$code\"" "$d/node.conf" || fail "$d: no code in its node config"
	printf 'paths = { state = "%s/state"; socket = "%s/agent.sock"; };\n' "$d" "$d" >>"$d/node.conf"
	# over a management line outside the plan: the kernel picks the
	# source address (source = "none"), not the uplink's
	printf 'collector = { url = "https://10.250.%d.1:8443"; interval = 1; timeout = 2;\n\tca = "%s/ca.crt"; cert = "%s/nodes/%s.crt"; key = "%s/nodes/%s.key";\n\tsource = "none"; };\n' \
		"$n" "$PKI_DIR" "$PKI_DIR" "$code" "$PKI_DIR" "$code" >>"$d/node.conf"
}

# village_addr CONF CODE: the address the township of CONF probes its
# village CODE at (IPv6 from the plan or IPv4 from the inventory).
village_addr() {
	"$CTL" render --node "$1" 2>/dev/null | awk -v c="$2" '$1 == "village" && $2 == c { print $4 }'
}

# village_up NS ADDR: the village in NS answers on v0 at ADDR/127, its
# default route via the township's end of the /127.
village_up() {
	ip -n "$1" link set v0 up
	ip -n "$1" addr add "$2/127" dev v0 nodad
	ip -n "$1" route add default via "${2%1}"
}
