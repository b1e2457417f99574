#!/bin/bash
# Reports over mutual TLS from real agents to a real collector:
#  - a township and a county in their namespaces, the collector in a NOC
#    namespace with a veth to each; certificates by packaging/egnet-pki;
#  - the API shows each node's last report, equal to what the agent's
#    `egnetctl status --json` says (profile, state, links, targets);
#  - a report for another node than the certificate's: 403; no client
#    certificate, or one of another CA: refused; 1,000 hostile bodies:
#    every one 4xx with a reason, and the collector still answers;
#  - the collector stopped for 60 s while the agents report every second:
#    the reports wait in the spools and every one arrives once after it is
#    back (the county's sequence numbers stored as one contiguous range);
#    the township's spool, capped at 64 KiB, drops its oldest and says so;
#  - the collector restarted: the history is still there;
#  - a collector that accepts connections and never answers: the agent's
#    probes and its drift correction go on on time.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/colllib.sh"

NOC=egrep-noc-$$
TWP=egrep-t-$$
CTY=egrep-c-$$
TC=210102001000
CC=210102000000
OUTAGE=${OUTAGE:-60}

# ---- certificates, namespaces, the collector ---------------------------------
pki_make "$T/pki" "collector 10.250.1.1 10.250.2.1" $TC $CC
pki_make "$T/other" "" $TC

setup_township "$TWP" "$T/t"
setup_county "$CTY" "$T/c"
ns_new "$NOC"
noc_line "$NOC" "$TWP" 1
noc_line "$NOC" "$CTY" 2

coll_conf "$T/coll.conf" "10.250.1.1:8443 10.250.2.1:8443"
# (the township's certificate reads the API: any certificate of the CA may)
coll_start "$NOC" "$T/coll.conf"

# ---- the agents ----------------------------------------------------------------
# (they reach the NOC over management lines outside the address plan, so
# their reports leave from the kernel's choice of address: source = "none")
collector_conf() { # DIR N CAP_KIB
	cat >>"$1/node.conf" <<CONF
collector = { url = "https://10.250.$2.1:8443"; interval = 1; timeout = 2;
	ca = "$T/pki/ca.crt"; cert = "$T/pki/nodes/$3.crt"; key = "$T/pki/nodes/$3.key";
	spool_max_kib = $4; source = "none"; };
CONF
}
collector_conf "$T/t" 1 $TC 64
collector_conf "$T/c" 2 $CC 262144
agent_start "$TWP" "$T/t/node.conf" || fail "township agent: $(cat "$T/t/agent.log")"
T_PID=$AGENT_PID
agent_start "$CTY" "$T/c/node.conf" || fail "county agent: $(cat "$T/c/agent.log")"
C_PID=$AGENT_PID

seq_of() { # CODE: the last seq the collector has of it
	coll_field /api/v1/nodes "[n['last_seq'] or 0 for n in d['nodes'] if n['code'] == '$1'][0]"
}
has_reports() { [ "$(seq_of "$1")" -ge "$2" ] 2>/dev/null; }
wait_for 30 has_reports $TC 3 || fail "no reports of the township: $(coll_get /api/v1/nodes | head -c 600)"
wait_for 30 has_reports $CC 3 || fail "no reports of the county: $(coll_get /api/v1/nodes | head -c 600)"

# ---- the API says what the agent says --------------------------------------------
same_as_agent() { # DIR CODE
	ctl "$1" status --json >"$T/st.json" || true
	coll_get "/api/v1/nodes/$2" >"$T/node.json"
	python3 - "$T/st.json" "$T/node.json" <<'PY'
import json, sys
st = json.load(open(sys.argv[1]))
node = json.load(open(sys.argv[2]))
rep = node["last_report"]
want = {
    "profile hash": (st["profile"]["hash"], rep["profile"]["hash"]),
    "state": (st["state"], rep["apply"]),
    "node": (st["node"]["code"], rep["node"]["code"]),
    "targets": (sorted(t["code"] for t in st["targets"]),
                sorted(t["code"] for t in rep["targets"])),
    "target states": (sorted((t["code"], t["state"]) for t in st["targets"]),
                      sorted((t["code"], t["state"]) for t in rep["targets"])),
    "seq vs status": (rep["seq"] <= st["collector"]["spool"]["last_seq"], True),
}
bad = ["%s: agent %r, collector %r" % (k, a, b) for k, (a, b) in want.items() if a != b]
if bad:
    print("; ".join(bad))
    sys.exit(1)
PY
}
same_as_agent "$T/t" $TC || fail "township: $(same_as_agent "$T/t" $TC)"
same_as_agent "$T/c" $CC || fail "county: $(same_as_agent "$T/c" $CC)"
# the links as the agent's `links` lists them
ctl "$T/c" links --json >"$T/links.json"
coll_get "/api/v1/nodes/$CC" >"$T/node.json"
python3 - "$T/links.json" "$T/node.json" <<'PY' || fail "county links differ"
import json, sys
a = sorted((l["name"], l["role"], l["zone"]) for l in json.load(open(sys.argv[1]))["links"])
b = sorted((l["name"], l["role"], l["zone"]) for l in json.load(open(sys.argv[2]))["last_report"]["links"])
if a != b:
    print("agent", a, "collector", b)
    sys.exit(1)
PY
echo "the API shows both nodes' last reports as their agents say"

# ---- refusals ------------------------------------------------------------------------
coll_get "/api/v1/nodes/$CC" | python3 -c '
import json, sys
r = json.load(sys.stdin)["last_report"]
r["seq"] = 9000000
print(json.dumps(r))' >"$T/county-report.json"
st=$(coll_post $TC "$T/county-report.json")
[ "$st" = 403 ] && grep -q identity "$T/post.json" ||
	fail "the county's report with the township's certificate: $st $(cat "$T/post.json")"
st=$(coll_post - "$T/county-report.json" 2>/dev/null)
[ "$st" = 200 ] && fail "a report without a client certificate was taken"
st=$(coll_post "$T/other/nodes/$TC" "$T/county-report.json" 2>/dev/null)
[ "$st" = 200 ] && fail "a report with another CA's certificate was taken"
[ "$(seq_of $CC)" -lt 9000000 ] || fail "a refused report was stored"

python3 "$ROOT/tests/support/badbodies.py" -n 1000 "$T/bad" >/dev/null || fail "badbodies.py"
ip netns exec "$NOC" python3 "$ROOT/tests/integration/postbodies.py" \
	https://10.250.1.1:8443/api/v1/reports "$T/pki/ca.crt" \
	"$T/pki/nodes/$CC.crt" "$T/pki/nodes/$CC.key" "$T/bad" >"$T/bad.out" ||
	fail "hostile bodies: $(cat "$T/bad.out")"
cat "$T/bad.out"
kill -0 "$COLL_PID" || fail "the collector died of the hostile bodies"
coll_get /api/v1/nodes >/dev/null || fail "the collector does not answer after the hostile bodies"
coll_get /metrics >"$T/metrics"
grep -q 'egnet_reports_refused_total{reason="json"} [1-9]' "$T/metrics" ||
	fail "refusals not counted by reason: $(grep refused "$T/metrics")"

# ---- the collector away for $OUTAGE s ----------------------------------------------------
coll_get "/api/v1/events?node=$CC" >"$T/events-before.json"
coll_stop
sleep "$OUTAGE"
ctl "$T/c" status --json >"$T/st.json"
pending=$(json_field "$T/st.json" 'd["collector"]["spool"]["pending"]')
[ "$pending" -ge $((OUTAGE / 2)) ] ||
	fail "county: $pending reports in the spool after $OUTAGE s away"
json_field "$T/st.json" 'd["collector"]["reachable"]' | grep -q False ||
	fail "county: the collector is said reachable while it is away"
ctl "$T/t" status --json >"$T/tst.json"
json_field "$T/tst.json" 'd["collector"]["spool"]["dropped"] > 0 and d["collector"]["spool"]["bytes"] <= 65536' |
	grep -q True || fail "township, 64 KiB spool: $(json_field "$T/tst.json" 'd["collector"]["spool"]')"
du_b=$(du -sb "$T/t/state/spool" | cut -f1)
segs=$(find "$T/t/state/spool" -name '*.seg' -printf '%s\n' | awk '{s += $1} END {print s + 0}')
[ "$segs" -le 65536 ] || fail "township: segments hold $segs bytes, over the 64 KiB cap (folder $du_b)"
echo "collector away $OUTAGE s: county spooled $pending, township dropped its oldest within 64 KiB"

coll_start "$NOC" "$T/coll.conf"
drained() { # DIR
	ctl "$1" status --json >"$T/d.json" &&
		[ "$(json_field "$T/d.json" 'd["collector"]["spool"]["pending"] <= 2')" = True ]
}
wait_for 60 drained "$T/c" || fail "county: the spool did not drain: $(json_field "$T/d.json" 'd["collector"]')"
wait_for 60 drained "$T/t" || fail "township: the spool did not drain: $(json_field "$T/d.json" 'd["collector"]')"
coll_get "/api/v1/nodes/$CC" >"$T/node.json"
json_field "$T/node.json" 'd["seq_ranges"]' >"$T/ranges"
python3 - "$T/node.json" <<'PY' || fail "county's stored reports: $(cat "$T/ranges")"
import json, sys
d = json.load(open(sys.argv[1]))
r = d["seq_ranges"]
# one agent run: the numbers are contiguous; every one arrived once
if len(r) != 1 or r[0][0] != 1 or r[0][1] < d["last_seq"]:
    print("ranges", r, "last", d["last_seq"])
    sys.exit(1)
PY
echo "after the outage every county report is stored once: $(cat "$T/ranges")"

# history kept across the restart
coll_get "/api/v1/events?node=$CC" >"$T/events-after.json"
python3 - "$T/events-before.json" "$T/events-after.json" <<'PY' || fail "events lost over a restart"
import json, sys
a = json.load(open(sys.argv[1]))["events"]
b = json.load(open(sys.argv[2]))["events"]
key = lambda e: (e["time_ms"], e["type"], e["subject"])
missing = set(map(key, a)) - set(map(key, b))
if not a or missing:
    print("before", len(a), "missing", sorted(missing)[:5])
    sys.exit(1)
PY

# ---- a collector that never answers ----------------------------------------------------------
coll_stop
ip netns exec "$NOC" python3 -c '
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 8443)); s.listen(64)
held = []
while True:
    c, _ = s.accept(); held.append(c)' &
PIDS+=($!)
sleep 1
ctl "$T/t" links --json >"$T/l1.json"
sent1=$(json_field "$T/l1.json" 'sum(t["sent"] for t in d["targets"])')
# drift made by hand: the correction comes as before
ip -n "$TWP" addr del 10.16.64.193/26 dev eg-lan || fail "drift by hand"
t0=$(date +%s.%N)
fixed() { ip -n "$TWP" -br addr show eg-lan | grep -q 10.16.64.193; }
wait_for 10 fixed || fail "drift not corrected while the collector hangs"
t1=$(date +%s.%N)
sleep 5
ctl "$T/t" links --json >"$T/l2.json"
sent2=$(json_field "$T/l2.json" 'sum(t["sent"] for t in d["targets"])')
n_t=$(json_field "$T/l2.json" 'len(d["targets"])')
# probes every second per target for ~6 s
[ $((sent2 - sent1)) -ge $((n_t * 4)) ] ||
	fail "probes slowed while the collector hangs: $sent1 -> $sent2 for $n_t targets"
wait_for 10 ctl "$T/t" status || true
ctl "$T/t" status --json >"$T/st.json"
json_field "$T/st.json" 'd["collector"].get("last_error", {}).get("reason", "none")' >"$T/why" 2>/dev/null || true
echo "collector hanging: drift corrected in $(awk "BEGIN {print $t1 - $t0}") s, probes on time ($sent1 -> $sent2), reporter: $(cat "$T/why")"
echo "PASS: reports over mutual TLS, spool and replay, refusals, history, a hanging collector"
