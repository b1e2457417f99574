#!/bin/bash
# SIGKILL at each step of a multi-step apply (a failure point in the test
# build of the agent): after a restart the kernel is in the old state or the
# new one, never a mix.
. "$(dirname "$0")/lib.sh"

ns=egt-cr-$$
dir=$T/t
setup_township "$ns" "$dir"
cp -r "$ROOT/profiles" "$T/p"
sed -i "s|profile = \"[^\"]*\"|profile = \"$T/p/township.conf\"|" "$dir/node.conf"
agent_start "$ns" "$dir/node.conf" "$AGENT_FP" || fail "agent did not start"
"$CTL" render --node "$dir/node.conf" --json >"$T/old.json"
$KCHECK equal "$ns" "$T/old.json" >"$T/d" || fail "first apply: $(cat "$T/d")"

# a change of many steps: MTUs, a new bridge port, routes, a new VNI
# (the overlay is re-created with its addresses and routes)
sed -i '/name = "eg-lan"/,/mtu = 1500/ s/mtu = 1500/mtu = 1400/' "$T/p/township.conf"
sed -i 's/vni = 1003;/vni = 1013;/' "$T/p/township.conf"
sed -i 's|^routes = (|routes = (\n\t{ zone = "common"; to = "10.250.0.0/16"; via = "parent"; },\n\t{ zone = "common"; to = "fd45:ffff::/32"; via = "parent"; },|' "$T/p/township.conf"
"$CTL" render --node "$dir/node.conf" --json >"$T/new.json"
ctl "$dir" plan --json >"$T/plan.json"
n=$(json_field "$T/plan.json" 'len(d["ops"])')
[ "$n" -ge 8 ] || fail "the change has only $n steps"
agent_stop

old=0 new=0
for k in $(seq 0 $((n - 1))); do
	EGNET_FAILPOINT="apply.op:$k:kill" agent_start "$ns" "$dir/node.conf" "$AGENT_FP" ||
		fail "agent did not start (k=$k)"
	ctl "$dir" apply >/dev/null 2>&1 # dies at step k
	wait_for 2 sh -c "! kill -0 $AGENT_PID" || fail "failure point $k did not kill the agent"
	agent_start "$ns" "$dir/node.conf" "$AGENT_FP" || fail "agent did not restart (k=$k)"
	if $KCHECK equal "$ns" "$T/old.json" >/dev/null; then
		old=$((old + 1))
	elif $KCHECK equal "$ns" "$T/new.json" >/dev/null; then
		new=$((new + 1))
	else
		$KCHECK equal "$ns" "$T/old.json" >"$T/d"
		fail "killed at step $k of $n: neither old nor new after restart: $(cat "$T/d")"
	fi
	agent_stop
	# back to the old state for the next round
	if ! $KCHECK equal "$ns" "$T/old.json" >/dev/null; then
		agent_start "$ns" "$dir/node.conf" "$AGENT_FP"
		ctl "$dir" rollback >/dev/null || fail "rollback after k=$k"
		agent_stop
	fi
done
echo "PASS: killed at each of $n steps: $old restarts in the old state, $new in the new, none mixed"
