#!/bin/bash
# The live demo (sudo make demo, demo-fault, demo-heal, demo-stop): the
# whole example province comes up and the collector covers it (all 15
# gateways report, the 24 villages are up as their townships see them),
# the tour runs to its end, a county's uplink cut is seen by the
# collector from both sides of the line and so is its repair, and stop
# leaves no namespace, process or file behind.  The script checks each
# step itself and exits 1 when one does not happen; the collector's view
# is checked here too, through the host's forward, on its own.
. "$(dirname "$0")/lib.sh"

export DEMO_DIR=$T/demo DEMO_TAG=egdt$$ DEMO_PORT=$((20000 + $$ % 20000))
DEMO="$ROOT/demo/province.sh"
trap 'B=$B "$DEMO" stop >/dev/null 2>&1; teardown' EXIT

# api PATH: GET from the collector on 127.0.0.1, as an engineer would
api() {
	curl -sS --max-time 10 --cacert "$DEMO_DIR/pki/ca.crt" \
		--cert "$DEMO_DIR/pki/nodes/210000000000.crt" \
		--key "$DEMO_DIR/pki/nodes/210000000000.key" \
		"https://127.0.0.1:$DEMO_PORT$1"
}

# has_event NODE TYPE SUBJECT AFTER_MS
has_event() {
	api "/api/v1/events?node=$1&type=$2" | python3 -c '
import json, sys
ev = json.load(sys.stdin)["events"]
sys.exit(0 if any(e["subject"] == sys.argv[1] and e["time_ms"] >= int(sys.argv[2])
                  for e in ev) else 1)' "$3" "$4"
}

out=$T/demo.out
t_start=$(date +%s)
B=$B "$DEMO" up >"$out" 2>&1
rc=$?
[ $rc = 0 ] || { cat "$out"; fail "demo up exited with $rc"; }
echo "demo up: $(($(date +%s) - t_start)) s"
for want in "15 gateways (1 province, 2 cities, 4 counties, 8 townships), 24 villages" \
	"14 of 14 gateways reach https://10.8.0.10:8443 through the extranet" \
	"coverage: connected: province 1/1, city 2/2, county 4/4, township 8/8, village 24/24" \
	"drift corrected" \
	"county: township 210102001000 down" \
	"restored: county sees the township up again" \
	"collector: the cut of the township's line, as both ends reported it" \
	"the province is up" "egnetctl nodes"; do
	grep -qF "$want" "$out" || { cat "$out"; fail "the demo did not show: $want"; }
done

# the collector's own answers: every gateway of the inventory reported,
# every village is up in its township's last report
inv=$ROOT/profiles/examples/inventory.csv
api /api/v1/nodes >"$T/nodes.json" || fail "no answer on 127.0.0.1:$DEMO_PORT"
# the dashboard, as the browser gets it with the demo's reader certificate
curl -sS --max-time 10 --cacert "$DEMO_DIR/pki/ca.crt" \
	--cert "$DEMO_DIR/pki/readers/noc.crt" --key "$DEMO_DIR/pki/readers/noc.key" \
	"https://127.0.0.1:$DEMO_PORT/" >"$T/index.html" || fail "no dashboard on 127.0.0.1:$DEMO_PORT"
grep -q '<html' "$T/index.html" || fail "the dashboard's page: $(head -c 200 "$T/index.html")"
[ -s "$DEMO_DIR/pki/readers/noc.p12" ] || fail "no PKCS#12 certificate for the browser"
towns=$(grep -oE '^[0-9]{6}(00[1-9]|0[1-9][0-9]|[1-9][0-9]{2})000,' "$inv" | tr -d ,)
for t in $towns; do api "/api/v1/nodes/$t" | tr -d '\n'; echo; done >"$T/towns.json"
python3 - "$T/nodes.json" "$T/towns.json" "$inv" <<'PY' || fail "the collector does not cover the province"
import csv, json, sys
rows = [r for r in csv.DictReader(l for l in open(sys.argv[3]) if not l.startswith("#"))]
gws = {r["code"] for r in rows if r["code"].endswith("000")}
vils = {r["code"] for r in rows} - gws
rep = {n["code"] for n in json.load(open(sys.argv[1]))["nodes"] if n["last_seq"]}
up = set()
for line in open(sys.argv[2]):
    for t in json.loads(line)["last_report"]["targets"]:
        if t["relation"] == "village" and t["state"] == "up":
            up.add(t["code"])
print("collector: %d of %d gateways reported, %d of %d villages up" % (
      len(rep & gws), len(gws), len(up & vils), len(vils)))
sys.exit(0 if gws <= rep and vils <= up and len(gws) == 15 and len(vils) == 24 else 1)
PY
n=$(ip netns list | grep -c "^$DEMO_TAG-")
[ "$n" -ge 40 ] || fail "only $n namespaces $DEMO_TAG-* (15 gateways, 24 villages, the NOC)"

# a second `up` is refused while one runs, and changes nothing
B=$B "$DEMO" up >"$T/again.out" 2>&1 && fail "a second demo up was not refused"
grep -q "a demo is running" "$T/again.out" || { cat "$T/again.out"; fail "second up: no reason"; }
[ "$(ip netns list | grep -c "^$DEMO_TAG-")" = "$n" ] || fail "a refused up changed the namespaces"

# demo-fault on another county than the tour's: Dalian's 210203
t0=$(date +%s%3N)
B=$B "$DEMO" fault 210203000000 >"$T/fault.out" 2>&1 ||
	{ cat "$T/fault.out"; fail "demo fault failed"; }
cat "$T/fault.out"
has_event 210200000000 target-down 210203000000 "$t0" ||
	fail "the collector has no event of city 210200000000 seeing county 210203000000 down"
# the cut county reports over the extranet: nothing of it arrives now
has_event 210203000000 target-down 210200000000 "$t0" &&
	fail "a report of county 210203000000 crossed its cut line"
has_event 210200000000 target-down 210202000000 "$t0" &&
	fail "the cut of 210203 took its sibling county 210202 down too"
# the verification: exactly one outage, rooted at the county, its two
# townships and six villages cut off
api /api/v1/outages >"$T/outages.json"
python3 - "$T/outages.json" <<'PY' || fail "outages during the cut: $(cat "$T/outages.json")"
import json, sys
o = json.load(open(sys.argv[1]))["outages"]
assert len(o) == 1 and o[0]["root"] == "210203000000", [x["root"] for x in o]
cut = o[0]["cut_off"]
assert cut["township"] == 2 and cut["village"] == 6, cut
PY
B=$B "$DEMO" fault 210202000000 >/dev/null 2>&1 && fail "a second fault was not refused"

t1=$(date +%s%3N)
B=$B "$DEMO" heal >"$T/heal.out" 2>&1 || { cat "$T/heal.out"; fail "demo heal failed"; }
cat "$T/heal.out"
has_event 210200000000 target-up 210203000000 "$t1" ||
	fail "the collector has no event of county 210203000000 coming back"
api /api/v1/outages >"$T/outages.json"
python3 -c 'import json,sys; sys.exit(len(json.load(open(sys.argv[1]))["outages"]) != 0)' "$T/outages.json" ||
	fail "an outage is still open after the repair: $(cat "$T/outages.json")"
# and its own account of the cut, from its spool, after the repair
has_event 210203000000 target-down 210200000000 "$t0" ||
	fail "county 210203000000's spooled reports of the cut did not arrive"
grep -qF "coverage: connected: province 1/1, city 2/2, county 4/4, township 8/8, village 24/24" "$T/heal.out" ||
	fail "no full coverage after the repair"

# demo-stop: nothing of the demo is left
pids=$(awk '$1 == "pid" { print $2 }' "$DEMO_DIR/state")
B=$B "$DEMO" stop >"$T/stop.out" 2>&1 || { cat "$T/stop.out"; fail "demo stop failed"; }
left=$(ip netns list | grep -c "^$DEMO_TAG-" || true)
[ "$left" = 0 ] || fail "demo stop left $left namespaces"
for p in $pids; do
	kill -0 "$p" 2>/dev/null && fail "demo stop left process $p: $(tr '\0' ' ' </proc/"$p"/cmdline)"
done
pgrep -f "$DEMO_DIR" >/dev/null && fail "demo stop left processes: $(pgrep -af "$DEMO_DIR")"
[ -e "$DEMO_DIR" ] && fail "demo stop left $DEMO_DIR"
curl -s --max-time 2 "https://127.0.0.1:$DEMO_PORT/" >/dev/null 2>&1 &&
	fail "something still listens on 127.0.0.1:$DEMO_PORT"
echo "PASS: the whole province converged, a county cut and healed, stop left nothing ($(($(date +%s) - t_start)) s)"
