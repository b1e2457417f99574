#!/bin/bash
# The control socket as a server that no client can wear down, with a real
# agent (the example township, probing an egnet echo responder as its
# parent every 200 ms):
# - 300 clients that leave before their answer leave no descriptor or
#   memory behind;
# - 1,000 idle clients: at most 32 are kept, none for more than the 5 s
#   deadline, and an engineer's status still gets through meanwhile;
# - a client sending a byte at a time is cut off at the deadline; a
#   request over 64 KiB is refused;
# - requests of the wrong type are refused and change nothing;
# - with no descriptor left, accept() failures neither spin the loop nor
#   flood the log, and the socket works again afterwards;
# - all the while probes go out on time (the parent is never down) and
#   drift is corrected at once.
. "$(dirname "$0")/lib.sh"

FLOOD="python3 $ROOT/tests/integration/ctlflood.py"
G=egt-cg-$$ P=egt-cp-$$
for n in $G $P; do
	ip netns add $n || fail "netns"
	NSES+=($n)
	ip -n $n link set lo up
done
ip -n $G link add eth0 type veth peer name up0 netns $P
ip -n $G link add eth1 type veth peer name p-eth1
ip -n $G link add eth2 type veth peer name p-eth2
ip -n $G link set p-eth1 up
ip -n $G link set p-eth2 up
ip -n $P link set up0 up
ip -n $P addr add 10.16.64.129/30 dev up0
ip netns exec $P python3 "$ROOT/tests/integration/echo.py" >/dev/null 2>&1 &
PIDS+=($!)

cp -r "$ROOT/profiles" "$T/p"
sed -i 's/interval = 1000;/interval = 200;/' "$T/p/include/probe.conf"
dir=$T/t
mkdir -p "$dir"
node_conf "$dir/node.conf" 210102001000 "$T/p/township.conf" enforce \
	'uplink = "eth0"; downlink = [ "eth1" ]; lan = [ "eth2" ];'
agent_start $G "$dir/node.conf" || fail "agent did not start"
SOCK=$dir/agent.sock
PID=$AGENT_PID

parent() { # FIELD of the parent target
	ctl "$dir" links --json >"$T/l.json" || return 1
	json_field "$T/l.json" "[t['$1'] for t in d['targets'] if t['relation'] == 'parent'][0]"
}
wait_for 5 sh -c "[ \"\$(python3 -c \"import json,subprocess;d=json.loads(subprocess.run(['$CTL','links','--json','--socket','$SOCK'],capture_output=True).stdout);print([t['state'] for t in d['targets'] if t['relation']=='parent'][0])\")\" = up ]" ||
	fail "parent never up"
fds() { ls /proc/$PID/fd | wc -l; }
rss_kb() { awk '/VmRSS/ {print $2}' /proc/$PID/status; }
cpu_ticks() { awk '{print $14 + $15}' /proc/$PID/stat; }
sent0=$(parent sent)
t0=$(date +%s.%N)
fd0=$(fds)
rss0=$(rss_kb)

# 1. clients that leave before their answer
$FLOOD leave 300 "$SOCK" || fail "leave"
sleep 0.5
[ "$(fds)" -le "$fd0" ] || fail "300 clients that left: $(fds) descriptors, $fd0 before"
rss1=$(rss_kb)
[ $((rss1 - rss0)) -lt 16384 ] || fail "300 clients that left: RSS $rss0 -> $rss1 kB"
echo "300 leaving clients: descriptors $fd0 -> $(fds), RSS $rss0 -> $rss1 kB"

# 2. 1,000 idle clients; status gets through meanwhile
$FLOOD idle 1000 7 "$SOCK" >"$T/idle" &
IDLE=$!
sleep 1
[ "$(fds)" -le $((fd0 + 32)) ] || fail "idle clients: $(fds) descriptors (cap 32 over $fd0)"
ctl "$dir" status --json >"$T/s.json" || fail "status refused while idle clients hold the socket"
json_field "$T/s.json" 'd["control"]["evicted"] > 0' | grep -q True ||
	fail "no idle client was given up for the engineer: $(json_field "$T/s.json" 'd["control"]')"
wait $IDLE
read -r opened closed busy <"$T/idle"
[ "$closed" -eq "$opened" ] || fail "idle clients: $closed of $opened closed after 7 s"
sleep 0.3
[ "$(fds)" -le "$fd0" ] || fail "after the idle clients: $(fds) descriptors, $fd0 before"
echo "1000 idle clients: $opened connected, $closed closed by the agent"

# 3. slow and oversize requests
secs=$($FLOOD slow "$SOCK")
python3 -c "import sys; sys.exit(not 4.5 <= $secs <= 7.5)" ||
	fail "a byte-at-a-time client was kept $secs s (deadline 5 s)"
ans=$($FLOOD big "$SOCK")
case $ans in *"request too long"*) ;; *) fail "70,000-byte request: $ans" ;; esac
echo "slow client cut after $secs s; oversize request: $ans"

# 4. requests of the wrong type change nothing
ctl "$dir" status --json >"$T/before.json" || fail "status"
sleep 1.1
for req in '{"cmd": "apply", "confirm_when": 5}' \
	'{"cmd": "apply", "confirm": "120"}' \
	'{"cmd": "apply", "confirm": -1}' \
	'{"cmd": "apply", "confirm": 3, "confirm_when": "reachable", "force": true}' \
	'{"cmd": "apply", "cmd": "apply"}' \
	'{"cmd": "rollback", "to": "previous"}' \
	'{"cmd": "apply", "confirm_when": "reachable\u0000"}'; do
	ans=$($FLOOD send "$SOCK" "$req")
	case $ans in '{"ok":false,"error":'*) ;; *) fail "$req: $ans" ;; esac
done
ctl "$dir" status --json >"$T/after.json" || fail "status"
python3 - "$T/before.json" "$T/after.json" <<'PY' || fail "a refused request changed the agent"
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:])
assert a["last_apply"] == b["last_apply"], (a["last_apply"], b["last_apply"])
assert a["state"] == b["state"] == "converged", (a["state"], b["state"])
assert "pending" not in b or not b["pending"], b.get("pending")
PY

# 5. probes and drift on time under a flood of requests
$FLOOD hammer 4 "$SOCK" >"$T/hammer" &
HAM=$!
sleep 1
addr=$(ip -n $G -j -4 addr show dev eg-lan | python3 -c 'import json,sys; a=json.load(sys.stdin)[0]["addr_info"][0]; print("%s/%s" % (a["local"], a["prefixlen"]))')
ip -n $G addr del "$addr" dev eg-lan
wait_for 2 sh -c "ip -n $G -4 addr show dev eg-lan | grep -q '${addr%/*}'" ||
	fail "drift not corrected within 2 s under a flood of requests"
wait $HAM
echo "drift corrected under a flood of $(cat "$T/hammer") status requests in 4 s"

# 6. no descriptor left: accept() fails; the loop must not spin
fd_now=$(fds)
hard=$(prlimit --pid $PID --nofile --noheadings --output HARD)
prlimit --pid $PID --nofile=$((fd_now + 2)):$hard || fail "prlimit"
c0=$(cpu_ticks)
lines0=$(grep -c 'accept' "$dir/agent.log")
$FLOOD idle 40 3 "$SOCK" >/dev/null
c1=$(cpu_ticks)
lines1=$(grep -c 'accept' "$dir/agent.log")
prlimit --pid $PID --nofile=$hard:$hard || fail "prlimit back"
hz=$(getconf CLK_TCK)
python3 -c "import sys; sys.exit(not ($c1 - $c0) / $hz < 0.5)" ||
	fail "accept() failures: $(((c1 - c0) * 1000 / hz)) ms of CPU in 3 s: the loop spins"
[ $((lines1 - lines0)) -le 2 ] || fail "accept() failures logged $((lines1 - lines0)) times in 3 s"
wait_for 3 ctl "$dir" status || fail "status does not work again after the descriptors came back"
ctl "$dir" status --json >"$T/s.json"
json_field "$T/s.json" 'd["control"]["accept_errors"] > 0' | grep -q True ||
	fail "accept() never failed: the test did not starve the agent"
echo "accept() failures for 3 s: $(((c1 - c0) * 1000 / hz)) ms CPU, $((lines1 - lines0)) log lines"

# all along: the parent was never down and probes went out on time
sent1=$(parent sent)
t1=$(date +%s.%N)
grep -q 'parent .* is down' "$dir/agent.log" && fail "the parent was marked down during the attack"
python3 -c "import sys; n = $sent1 - $sent0; e = ($t1 - $t0) / 0.2; print('probes sent %d, expected %.0f' % (n, e)); sys.exit(not n >= 0.9 * e)" ||
	fail "probes fell behind during the attack"
kill -0 $PID || fail "the agent died"
echo "PASS: the control socket holds against leaving, idle, slow, oversize, mistyped and descriptor-starved clients; probes and drift on time"
