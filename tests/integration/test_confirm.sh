#!/bin/bash
# Commit-confirm: `apply --confirm 2` without confirm is rolled back within
# 3 s; with confirm it is kept; an agent killed (SIGKILL) while an apply is
# pending rolls it back when it starts again after the deadline; and
# --confirm-when reachable confirms by itself when the parent answers.
. "$(dirname "$0")/lib.sh"

ns=egt-cc-$$
dir=$T/t
setup_township "$ns" "$dir"
cp -r "$ROOT/profiles" "$T/p"
sed -i "s|profile = \"[^\"]*\"|profile = \"$T/p/township.conf\"|" "$dir/node.conf"
agent_start "$ns" "$dir/node.conf" || fail "agent did not start"
"$CTL" render --node "$dir/node.conf" --json >"$T/old.json"
$KCHECK equal "$ns" "$T/old.json" >"$T/d" || fail "first apply: $(cat "$T/d")"

# the change: another MTU on the LAN bridge and on the uplink (and on the
# VXLAN over it, which must keep 50 bytes below its underlay)
sed -i '/name = "eg-lan"/,/mtu = 1500/ s/mtu = 1500/mtu = 1400/' "$T/p/township.conf"
sed -i '0,/mtu = 1500; },/ s//mtu = 1480; },/' "$T/p/township.conf"
sed -i 's/mtu = 1450; }/mtu = 1430; }/' "$T/p/township.conf"
"$CTL" render --node "$dir/node.conf" --json >"$T/new.json"
cmp -s "$T/old.json" "$T/new.json" && fail "the test change changes nothing"

# 1. no confirm: back to the old state within 3 s
ctl "$dir" apply --confirm 2 >/dev/null || fail "apply --confirm 2"
$KCHECK equal "$ns" "$T/new.json" >"$T/d" || fail "pending state is not the new one: $(cat "$T/d")"
ctl "$dir" status >/dev/null
[ $? -eq 5 ] || fail "status during a commit-confirm must exit 5"
t0=$(date +%s.%N)
wait_for 4 $KCHECK equal "$ns" "$T/old.json" || fail "not rolled back"
t1=$(date +%s.%N)
python3 -c "import sys; sys.exit(0 if $t1 - $t0 <= 3.0 else 1)" ||
	fail "rollback took $(python3 -c "print(round($t1 - $t0, 2))") s after the apply returned"
ctl "$dir" status --json >"$T/st.json"
[ "$(json_field "$T/st.json" 'd["state"] + " " + d["last_apply"]["result"]')" = "converged rolled-back" ] ||
	fail "status after the rollback: $(cat "$T/st.json")"

# 2. confirmed: kept, past the deadline too
ctl "$dir" apply --confirm 2 >/dev/null || fail "apply --confirm 2 (second)"
ctl "$dir" confirm >/dev/null || fail "confirm"
sleep 2.5
$KCHECK equal "$ns" "$T/new.json" >"$T/d" || fail "a confirmed apply was not kept: $(cat "$T/d")"
ctl "$dir" confirm >/dev/null 2>&1 && fail "a second confirm must be refused"

# 3. killed while pending: the restart rolls back
ctl "$dir" rollback >/dev/null || fail "rollback to the old state"
$KCHECK equal "$ns" "$T/old.json" >"$T/d" || fail "rollback: $(cat "$T/d")"
ctl "$dir" apply --confirm 2 >/dev/null || fail "apply --confirm 2 (third)"
kill -9 "$AGENT_PID"
sleep 2.5
$KCHECK equal "$ns" "$T/new.json" >"$T/d" || fail "nobody should have touched it yet: $(cat "$T/d")"
agent_start "$ns" "$dir/node.conf" || fail "agent did not restart"
$KCHECK equal "$ns" "$T/old.json" >"$T/d" || fail "restart after the deadline did not roll back: $(cat "$T/d")"
grep -q "deadline passed while the agent was down" "$dir/agent.log" ||
	fail "the restart does not say why it rolled back"

# 4. confirm-when reachable: the parent (a namespace at the other end of
# the uplink, answering egnet echo as its agent would) answers the
# prober's probes after the change, so the apply confirms itself
pns=egt-cp-$$
ip netns add "$pns" && NSES+=("$pns")
ip -n "$ns" link set p-eth0 netns "$pns"
ip -n "$pns" link set lo up
ip -n "$pns" link set p-eth0 up
ip -n "$pns" addr add 10.16.64.129/30 dev p-eth0
ip netns exec "$pns" python3 "$ROOT/tests/integration/echo.py" >/dev/null 2>&1 &
ECHO_PID=$!
PIDS+=("$ECHO_PID")
ctl "$dir" apply --confirm 5 --confirm-when reachable >/dev/null || fail "apply --confirm-when reachable"
wait_for 3 sh -c "\"$CTL\" status --socket \"$dir/agent.sock\" >/dev/null" ||
	fail "did not confirm itself: $(ctl "$dir" status)"
sleep 5.5
$KCHECK equal "$ns" "$T/new.json" >"$T/d" || fail "a self-confirmed apply was rolled back: $(cat "$T/d")"

# 5. ... and when the parent does not answer, the deadline rolls it back
ctl "$dir" rollback >/dev/null || fail "rollback before case 5"
kill "$ECHO_PID"
ip -n "$pns" addr flush dev p-eth0
ctl "$dir" apply --confirm 2 --confirm-when reachable >/dev/null || fail "apply (case 5)"
wait_for 4 $KCHECK equal "$ns" "$T/old.json" ||
	fail "an unreachable parent did not roll the apply back"
echo "PASS: commit-confirm rolls back in time, keeps a confirmed apply, survives SIGKILL, confirms when the parent answers"
