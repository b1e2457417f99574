#!/bin/bash
# Without BPF (the agent started without CAP_BPF, CAP_PERFMON and
# CAP_SYS_ADMIN) the agent still runs: it applies, it probes with the
# sockets' kernel timestamps (the send time from the error queue, the
# receive time with the reply), and status says why there is no eBPF.  The
# RTT is not above the user-space RTT; a delaying relay raises it by about
# the delay, and so does netem on the parent's link where the kernel has it.
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
start_echo() {
	ip netns exec $P python3 "$ROOT/tests/integration/echo.py" "$@" >/dev/null 2>&1 &
	ECHO_PID=$!
	PIDS+=($ECHO_PID)
	disown $ECHO_PID
	sleep 0.3
}
start_echo
# a fast probe profile: 200 ms
cp -r "$ROOT/profiles" "$T/p"
sed -i 's/interval = 1000;/interval = 200;/' "$T/p/include/probe.conf"
dir=$T/t
mkdir -p "$dir"
node_conf "$dir/node.conf" 210102001000 "$T/p/township.conf" enforce \
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
# both times from the socket: sent (error queue) and received
assert t["timestamps"] == "socket" and t["kernel_timestamps"] is True, t
assert t["rtt_ms"] is not None and 0 < t["rtt_ms"] <= t["user_rtt_ms"], t
PY
ctl "$dir" links >"$T/links.txt" || fail "egnetctl links"
grep -q "^parent .* socket " "$T/links.txt" || fail "links does not show the timestamps: $(cat "$T/links.txt")"
ip netns exec $G tc filter show dev eth0 ingress | grep -q linkmon && fail "a program got attached"

# the error queue is drained: a socket with anything left on it reports an
# error at every turn of the event loop, and the agent would spin
cpu() { awk '{print $14 + $15}' "/proc/$AGENT_PID/stat"; }
c0=$(cpu)
sleep 2
c1=$(cpu)
hz=$(getconf CLK_TCK)
python3 -c "import sys; sys.exit(0 if ($c1 - $c0) / $hz < 0.5 else 1)" ||
	fail "the agent used $(( (c1 - c0) * 1000 / hz )) ms of CPU in 2 s: spinning?"

rise_is() { # BASE LABEL: the parent's last RTT is BASE + about 50 ms
	ctl "$dir" links --json >"$T/l.json"
	python3 - "$T/l.json" "$1" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
t = [t for t in d["targets"] if t["relation"] == "parent"][0]
assert t["timestamps"] == "socket", t
rise = t["rtt_ms"] - float(sys.argv[2])
assert 40 <= rise <= 80, (rise, t)
assert t["rtt_ms"] <= t["user_rtt_ms"], t
print("%s: RTT %.3f ms -> %.3f ms" % (sys.argv[3], float(sys.argv[2]), t["rtt_ms"]))
PY
}
base=$(json_field "$T/l.json" '[t["rtt_avg_ms"] for t in d["targets"] if t["relation"] == "parent"][0]')

# a delaying relay: +50 ms
kill $ECHO_PID
start_echo --delay 50
sleep 1.5
rise_is "$base" "a 50 ms relay" || fail "relay delay not seen without BPF: $(cat "$T/l.json")"
kill $ECHO_PID
start_echo

# netem on the parent's side of the link, where the kernel has it
if ip netns exec $P tc qdisc add dev up0 root netem delay 50ms 2>"$T/netem.err"; then
	sleep 1.5
	rise_is "$base" "netem 50 ms" || fail "netem delay not seen without BPF: $(cat "$T/l.json")"
	ip netns exec $P tc qdisc del dev up0 root
else
	echo "note: no netem here ($(head -n1 "$T/netem.err")): that part skipped"
fi
echo "PASS: without BPF the agent applies and probes (socket timestamps, +50 ms seen) and says why"
