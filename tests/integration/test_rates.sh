#!/bin/bash
# Rates are the monitor's own: sampled every second whatever the readers
# do, so status, links and (to come) the reports and SNMP read the same
# figures and change nothing.  After a quiet spell in which nobody reads,
# steady traffic of about 400 packets/s out of the uplink reads as about
# 400/s within two seconds — not as an average since the last reader came.
. "$(dirname "$0")/lib.sh"

ns=egt-ra-$$
dir=$T/t
setup_township "$ns" "$dir"
agent_start "$ns" "$dir/node.conf" || fail "agent did not start"
ctl "$dir" links --json >"$T/l.json" || fail "links"
[ "$(json_field "$T/l.json" 'd["monitor"]["counters"]')" = ebpf ] || {
	echo "SKIP: no eBPF counters here: $(json_field "$T/l.json" 'd["monitor"]["reason"]')"
	exit 77
}
# the parent's address answers no ARP here: a static neighbour lets the
# packets leave eth0
ip -n "$ns" neigh replace 10.16.64.129 lladdr 02:00:00:00:00:01 dev eth0
sleep 4 # quiet, and nobody reads
ip netns exec "$ns" python3 -c '
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
t0 = time.monotonic(); n = 0
while time.monotonic() - t0 < 3.0:
    n += 1
    s.sendto(b"x" * 64, ("10.16.64.129", 9))
    time.sleep(max(0, t0 + n / 400.0 - time.monotonic()))
' &
SENDER=$!
PIDS+=($SENDER)
sleep 2.4
ctl "$dir" links --json >"$T/a.json" || fail "links"
ctl "$dir" status --json >/dev/null || fail "status"
ctl "$dir" links --json >"$T/b.json" || fail "links"
wait $SENDER
python3 - "$T/a.json" "$T/b.json" <<'PY' || fail "rates"
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:])
ra = [l for l in a["links"] if l["name"] == "eth0"][0]["counters"]["tx_pps"]
rb = [l for l in b["links"] if l["name"] == "eth0"][0]["counters"]["tx_pps"]
print("eth0 tx_pps %.0f (first reader), %.0f (after two more)" % (ra, rb))
assert 300 <= ra <= 520, ra
assert ra == rb or abs(ra - rb) <= 0.15 * ra, (ra, rb)  # a tick may fall between
PY
echo "PASS: rates sampled on the monitor's tick: readers neither skew nor reset them"
