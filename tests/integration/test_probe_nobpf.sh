#!/bin/bash
# Without BPF (the agent started without CAP_BPF, CAP_PERFMON and
# CAP_SYS_ADMIN) the agent still runs: it applies, it probes with the
# sockets' kernel receive timestamps, and status says why there is no eBPF.
. "$(dirname "$0")/lib.sh"

command -v setpriv >/dev/null || { echo "SKIP: setpriv (util-linux) missing"; exit 77; }
G=egt-ng-$$ P=egt-np-$$
for n in $G $P; do
	ip netns add $n || fail "netns"
	NSES+=($n)
	ip -n $n link set lo up
done
ip -n $G link add eth0 type veth peer name up0 netns $P
ip -n $G link add eth1 type veth peer name p-eth1
ip -n $G link add eth2 type veth peer name p-eth2
ip -n $P link set up0 up
ip -n $P addr add 10.16.64.129/30 dev up0
ip netns exec $P python3 "$ROOT/tests/integration/echo.py" >/dev/null 2>&1 &
PIDS+=($!)
disown $!
dir=$T/t
mkdir -p "$dir"
node_conf "$dir/node.conf" 210102001000 "$ROOT/profiles/township.conf" enforce \
	'uplink = "eth0"; downlink = [ "eth1" ]; lan = [ "eth2" ];'

ip netns exec $G setpriv --bounding-set -bpf,-perfmon,-sys_admin \
	"$AGENT" -c "$dir/node.conf" >>"$dir/agent.log" 2>&1 &
AGENT_PID=$!
PIDS+=($AGENT_PID)
disown $AGENT_PID
wait_for 5 ctl "$dir" status || fail "agent without BPF did not start"
ctl "$dir" status --json >"$T/st.json"
[ "$(json_field "$T/st.json" 'd["state"]')" = converged ] || fail "not applied: $(cat "$T/st.json")"
[ "$(json_field "$T/st.json" 'd["monitor"]["counters"]')" = none ] ||
	fail "eBPF loaded although it should not: $(cat "$T/st.json")"
json_field "$T/st.json" 'd["monitor"]["reason"]' | grep -qi "not permitted\|BPF" ||
	fail "status does not say why: $(json_field "$T/st.json" 'd["monitor"]')"
grep -q "link monitor without eBPF" "$dir/agent.log" || fail "the log does not say it"
up() {
	ctl "$dir" links --json >"$T/l.json" &&
		[ "$(json_field "$T/l.json" "[t['state'] for t in d['targets'] if t['relation'] == 'parent'][0]")" = up ]
}
wait_for 6 up || fail "the parent is not up without BPF: $(cat "$T/l.json")"
sleep 2
ctl "$dir" links --json >"$T/l.json"
python3 - "$T/l.json" <<'PY' || fail "RTT without BPF: $(cat "$T/l.json")"
import json, sys
d = json.load(open(sys.argv[1]))
t = [t for t in d["targets"] if t["relation"] == "parent"][0]
assert t["kernel_timestamps"] is False, t
assert t["rtt_ms"] is not None and 0 < t["rtt_ms"] <= t["user_rtt_ms"], t
PY
ip netns exec $G tc filter show dev eth0 ingress | grep -q linkmon && fail "a program got attached"
echo "PASS: without BPF the agent applies and probes (socket timestamps) and says why"
