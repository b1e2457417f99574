#!/bin/bash
# The collector's disk full: its store cannot commit, reports are answered
# 503 and stay in the agent's spool; once there is room again they all
# arrive, once.  The collector's state folder is a 4 MiB tmpfs of the test's
# own, filled with a file until SQLite's commits fail (a real ENOSPC).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/colllib.sh"

NOC=egdf-noc-$$
TWP=egdf-t-$$
TC=210102001000

mkdir -p "$T/cstate"
mount -t tmpfs -o size=4m tmpfs "$T/cstate" || {
	echo "SKIP: cannot mount a tmpfs here"
	exit 77
}
trap 'umount -l "$T/cstate" 2>/dev/null; teardown' EXIT

pki_make "$T/pki" "collector 10.250.1.1" $TC

setup_township "$TWP" "$T/t"
ns_new "$NOC"
noc_line "$NOC" "$TWP" 1

coll_conf "$T/coll.conf" 10.250.1.1:8443 "store = { coalesce_ms = 100; };"
coll_start "$NOC" "$T/coll.conf"

cat >>"$T/t/node.conf" <<CONF
collector = { url = "https://10.250.1.1:8443"; interval = 1; timeout = 2;
	ca = "$T/pki/ca.crt"; cert = "$T/pki/nodes/$TC.crt"; key = "$T/pki/nodes/$TC.key";
	source = "none"; };
CONF
agent_start "$TWP" "$T/t/node.conf" || fail "agent: $(cat "$T/t/agent.log")"

status() { ctl "$T/t" status --json >"$T/st.json"; }
field() { json_field "$T/st.json" "$1"; }
acked() { status && [ "$(field 'd["collector"]["acknowledged"] >= 3')" = True ]; }
wait_for 30 acked || fail "no report taken: $(field 'd["collector"]')"

# fill the disk: SQLite's next commits find no room
dd if=/dev/zero of="$T/cstate/fill" bs=64k 2>/dev/null
refused() {
	status && [ "$(field 'd["collector"]["spool"]["pending"] >= 5 and d["collector"].get("last_error", {}).get("reason", "").startswith("HTTP 503")')" = True ]
}
wait_for 60 refused || fail "a full disk: $(field 'd["collector"]') $(tail -3 "$T/coll.log")"
coll_get /metrics | grep -q '^egnet_store_up 0' || fail "the store is not said to be down"
echo "disk full: $(field 'd["collector"]["spool"]["pending"]') reports wait in the spool; the collector says $(field 'd["collector"]["last_error"]["reason"]')"

# room again: everything arrives, once
rm -f "$T/cstate/fill"
drained() { status && [ "$(field 'd["collector"]["spool"]["pending"] <= 1')" = True ]; }
wait_for 90 drained || fail "the spool did not drain: $(field 'd["collector"]')"
coll_get "/api/v1/nodes/$TC" >"$T/node.json"
python3 - "$T/node.json" <<'PY' || fail "stored: $(json_field "$T/node.json" 'd["seq_ranges"]')"
import json, sys
d = json.load(open(sys.argv[1]))
r = d["seq_ranges"]
if len(r) != 1 or r[0][0] != 1 or r[0][1] < d["last_seq"]:
    print(r)
    sys.exit(1)
PY
echo "room again: every report stored once, $(json_field "$T/node.json" 'd["seq_ranges"]')"
echo "PASS: a full disk at the collector keeps the reports in the agent's spool, none lost"
