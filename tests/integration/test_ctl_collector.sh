#!/bin/bash
# egnetctl nodes / node CODE / events against a real collector:
#  - the collector in its own namespace on 127.0.0.1, certificates by
#    packaging/egnet-pki; recorded reports (tests/integration/ctlreports.py:
#    a county's 12 minutes, a township in drift, a node the inventory
#    lacks) POSTed with curl and each node's certificate;
#  - every table checked against the API's JSON (ctlcheck.py), columns
#    counted in display width so Chinese names must line up; --json is
#    the API's JSON as it is;
#  - --since as a duration and as a time, --node, --type, --limit;
#  - errors and exit codes: a bad code, a bad --since (2), an unknown node
#    and an unknown event type (1, with the collector's reason), another
#    CA (8, both ways), an unreadable key (8), the collector down (3);
#  - the URL and TLS files from EGNET_COLLECTOR, EGNET_CA, EGNET_CERT,
#    EGNET_KEY.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/colllib.sh"

CHECK="python3 $ROOT/tests/integration/ctlcheck.py"
NS=egctl-$$
CTY=210102000000
TWP=210102001000
STRAY=210102009000
URL=https://127.0.0.1:8443

pki_make "$T/pki" "collector 127.0.0.1" $TWP $CTY $STRAY
pki_make "$T/other" "" $TWP

ns_new "$NS"
coll_conf "$T/coll.conf" 127.0.0.1:8443

post() { # CODE FILE
	local st
	st=$(coll_post "$1" "$2")
	[ "$st" = 200 ] || fail "POST $2 as $1: $st $(cat "$T/post.json")"
}

# ectl ARGS...: egnetctl in the namespace; the township's certificate,
# as an engineer would use any certificate of the CA
ectl() {
	ip netns exec "$NS" "$CTL" "$@" --collector "$URL" --ca "$T/pki/ca.crt" \
		--cert "$T/pki/nodes/$TWP.crt" --key "$T/pki/nodes/$TWP.key"
}

# expect_fail RC WORDS ARGS...: egnetctl exits RC with WORDS on stderr
expect_fail() {
	local want=$1 words=$2 rc
	shift 2
	ip netns exec "$NS" "$CTL" "$@" >"$T/out" 2>"$T/err"
	rc=$?
	[ "$rc" = "$want" ] && grep -q -- "$words" "$T/err" ||
		fail "egnetctl $*: exit $rc (want $want), stderr: $(cat "$T/err") (want '$words')"
	[ -s "$T/out" ] && fail "egnetctl $*: printed on stdout on a failure: $(cat "$T/out")"
	echo "  egnetctl $1 ...: exit $rc: $(head -c 160 "$T/err")"
}

coll_start "$NS" "$T/coll.conf"
python3 "$ROOT/tests/integration/ctlreports.py" "$(date +%s%3N)" "$T/rep" ||
	fail "ctlreports.py"
for f in "$T"/rep/county-*.json; do post $CTY "$f"; done
for f in "$T"/rep/township-*.json; do post $TWP "$f"; done
post $STRAY "$T/rep/stray-1.json"

# the store answers reports once they are durable; the last reports and
# the summaries are in its memory at once
coll_until 10 /api/v1/nodes 'sum(n["last_seq"] or 0 for n in d["nodes"]) == 18' || fail "the reports are not all listed: $(coll_get /api/v1/nodes | head -c 400)"

# ---- tables and JSON -----------------------------------------------------------
# same CMD PATH: --json equals the API's answer (time_ms, and the series'
# bounds, are the collector's clock at each request)
same() {
	local cmd=$1 path=$2
	shift 2
	ectl $cmd "$@" --json >"$T/ctl.json" || fail "egnetctl $cmd $* --json: $?"
	coll_get "$path" >"$T/api.json"
	python3 - "$T/ctl.json" "$T/api.json" <<'PY' || fail "egnetctl $cmd $* --json differs from GET $path"
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
for d in (a, b):
    d.pop("time_ms", None)
    if "series" in d:
        d["series"].pop("since_ms"), d["series"].pop("until_ms")
if a != b:
    print("egnetctl:", json.dumps(a)[:300]); print("API:", json.dumps(b)[:300])
    sys.exit(1)
PY
}
same nodes /api/v1/nodes
same node "/api/v1/nodes/$CTY" $CTY
same events /api/v1/events

# table CMD CHECK PATH ARGS...: the table against the API's JSON fetched
# just before and just after; a minute the store closes between them
# changes the JSON, then the pair is taken again
table() {
	local cmd=$1 path=$2 i
	shift 2
	for i in 1 2 3; do
		coll_get "$path" >"$T/a.json"
		ectl $cmd "$@" >"$T/table" || fail "egnetctl $cmd $*: exit $?"
		coll_get "$path" >"$T/b.json"
		python3 -c 'import json,sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
for d in (a, b):
    d.pop("time_ms", None)
    if "series" in d: d["series"].pop("since_ms"), d["series"].pop("until_ms")
sys.exit(a != b)' "$T/a.json" "$T/b.json" && break
	done
	$CHECK "$cmd" "$T/b.json" "$T/table" ||
		fail "egnetctl $cmd $*: the table differs from GET $path:
$(cat "$T/table")"
}
table nodes /api/v1/nodes
cat "$T/table"
grep -q "^$STRAY  (not in inventory)" "$T/table" || fail "the stray node is not marked"
table node "/api/v1/nodes/$CTY" $CTY
cat "$T/table"
rows=$(json_field "$T/b.json" 'len([r for r in d["series"]["rows"] if r["key"] == "eth0"])')
[ "$rows" -ge 10 ] || fail "the county's series has $rows rows of eth0"
table node "/api/v1/nodes/$TWP" 210102001 # a short form is taken
grep -q "DRIFT: route 10.16.0.0/12 table 100: missing" "$T/table" ||
	fail "the township's drift is not shown: $(cat "$T/table")"
table node "/api/v1/nodes/210102002000" 210102002000 # in the inventory, silent
grep -q "^report   never" "$T/table" || fail "a silent node: $(cat "$T/table")"
table events /api/v1/events
cat "$T/table"
grep -q "link-down *eth2" "$T/table" || fail "no link-down event of eth2"
echo "tables equal the API's JSON (nodes, node, events), names aligned by display width"

# ---- filters and --since ---------------------------------------------------------
now=$(date +%s%3N)
since=$((now - 5 * 60000))
table events "/api/v1/events?since=$since" --since 5m
n5=$(json_field "$T/b.json" 'len(d["events"])')
nall=$(json_field "$T/a.json" 'min(e["time_ms"] for e in d["events"]) >= '"$since")
[ "$nall" = True ] || fail "--since 5m gave an event older than 5 minutes"
coll_get /api/v1/events >"$T/all.json"
[ "$n5" -lt "$(json_field "$T/all.json" 'len(d["events"])')" ] ||
	fail "--since 5m kept every event"
# a time: the same as its milliseconds
t=$(date -u -d "@$((now / 1000 - 600))" +%Y-%m-%dT%H:%M:%SZ)
table events "/api/v1/events?since=$(((now / 1000 - 600) * 1000))" --since "$t"
tl=$(TZ=Asia/Shanghai date -d "@$((now / 1000 - 600))" '+%Y-%m-%d %H:%M:%S')
TZ=Asia/Shanghai ectl events --since "$tl" --json >"$T/tl.json"
coll_get "/api/v1/events?since=$(((now / 1000 - 600) * 1000))" >"$T/tu.json"
cmp -s <(json_field "$T/tl.json" 'd["events"]') <(json_field "$T/tu.json" 'd["events"]') ||
	fail "--since '$tl' (Asia/Shanghai) is not $t"
table events "/api/v1/events?node=$TWP" --node $TWP
json_field "$T/b.json" 'all(e["node"] == "'$TWP'" for e in d["events"]) and len(d["events"]) > 0' |
	grep -q True || fail "--node $TWP: $(cat "$T/b.json")"
table events "/api/v1/events?type=link-down" --type link-down
table events "/api/v1/events?limit=2" --limit 2
[ "$(json_field "$T/b.json" 'len(d["events"])')" = 2 ] || fail "--limit 2"
table events "/api/v1/events?since=$((now + 3600000))" --since 2100-01-01
grep -q "(no event)" "$T/table" || fail "no event: $(cat "$T/table")"
echo "--since (5m, $t, '$tl' in Asia/Shanghai), --node, --type, --limit"

# ---- errors ------------------------------------------------------------------------
TLS=(--collector "$URL" --ca "$T/pki/ca.crt" --cert "$T/pki/nodes/$TWP.crt" --key "$T/pki/nodes/$TWP.key")
expect_fail 2 "has 10 digits" node 2101020010 "${TLS[@]}"
expect_fail 2 "code '21010200' has 8 digits" events --node 21010200 "${TLS[@]}"
expect_fail 2 "node CODE" node "${TLS[@]}"
expect_fail 2 "unknown unit" events --since 5x "${TLS[@]}"
expect_fail 2 "a unit is missing" events --since 30 "${TLS[@]}"
expect_fail 2 "not a duration" events --since 2024-13-01 "${TLS[@]}"
expect_fail 2 "no such day" events --since 2024-02-30 "${TLS[@]}"
expect_fail 2 "limit" events --limit 0 "${TLS[@]}"
expect_fail 2 "which collector" nodes
expect_fail 1 "answered 404 node: 210103009000: neither in the inventory nor ever reported" \
	node 210103009000 "${TLS[@]}"
expect_fail 1 "answered 400 query: type=nosuch: not an event type" events --type nosuch "${TLS[@]}"
expect_fail 1 "answered 400 query: limit=100001" events --limit 100001 "${TLS[@]}"
expect_fail 8 "TLS with $URL failed" nodes --collector "$URL" --ca "$T/other/ca.crt" \
	--cert "$T/pki/nodes/$TWP.crt" --key "$T/pki/nodes/$TWP.key"
expect_fail 8 "403 bad_cert" nodes --collector "$URL" --ca "$T/pki/ca.crt" \
	--cert "$T/other/nodes/$TWP.crt" --key "$T/other/nodes/$TWP.key"
expect_fail 8 "cannot read the client key $T/nokey" nodes --collector "$URL" \
	--ca "$T/pki/ca.crt" --cert "$T/pki/nodes/$TWP.crt" --key "$T/nokey"
# a collector whose certificate does not name it: "localhost" is not in it
expect_fail 8 "TLS with https://localhost:8443 failed" nodes --collector https://localhost:8443 \
	--ca "$T/pki/ca.crt" --cert "$T/pki/nodes/$TWP.crt" --key "$T/pki/nodes/$TWP.key"
coll_stop
expect_fail 3 "no collector answers at $URL" nodes "${TLS[@]}"

# ---- the environment -----------------------------------------------------------------
coll_start "$NS" "$T/coll.conf"
EGNET_COLLECTOR=$URL EGNET_CA=$T/pki/ca.crt EGNET_CERT=$T/pki/nodes/$CTY.crt \
	EGNET_KEY=$T/pki/nodes/$CTY.key ip netns exec "$NS" "$CTL" nodes --json >"$T/env.json" ||
	fail "egnetctl nodes from the environment: exit $?"
json_field "$T/env.json" 'len(d["nodes"])' >/dev/null || fail "from the environment: $(cat "$T/env.json")"
# the options win over the environment
EGNET_COLLECTOR=https://127.0.0.1:1 ectl nodes >/dev/null || fail "--collector does not win over EGNET_COLLECTOR"
echo "PASS: egnetctl nodes, node, events: tables and JSON as the API says, filters, errors and exit codes"
