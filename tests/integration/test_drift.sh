#!/bin/bash
# Drift: an owned address deleted by hand is put back within 1 s under
# drift = "enforce", and is reported (status, exit 4) but left alone under
# "report"; an extra rule in our range and a deleted route are drift too.
. "$(dirname "$0")/lib.sh"

for policy in enforce report; do
	ns=egt-dr-$policy-$$
	dir=$T/$policy
	setup_township "$ns" "$dir" "$policy"
	agent_start "$ns" "$dir/node.conf" || fail "$policy: agent did not start"
	"$CTL" render --node "$dir/node.conf" --json >"$dir/render.json"
	$KCHECK equal "$ns" "$dir/render.json" >/dev/null || fail "$policy: first apply"

	t0=$(date +%s.%N)
	ip -n "$ns" addr del 10.16.64.193/26 dev eg-lan
	ip -n "$ns" route del default table 101
	ip -n "$ns" rule add pref 10500 from 10.9.9.9 lookup 100
	if [ $policy = enforce ]; then
		wait_for 1 $KCHECK equal "$ns" "$dir/render.json" ||
			fail "enforce: not corrected within 1 s: $($KCHECK equal "$ns" "$dir/render.json")"
		t1=$(date +%s.%N)
		grep -q "drift corrected" "$dir/agent.log" || fail "enforce: no log of the correction"
		echo "corrected in $(python3 -c "print(round($t1 - $t0, 3))") s"
	else
		sleep 1
		ip -n "$ns" -br addr show eg-lan | grep -q 10.16.64.193 &&
			fail "report: the address was put back"
		ctl "$dir" status --json >"$dir/st.json"
		rc=$?
		[ $rc -eq 4 ] || fail "report: status exit $rc, want 4"
		json_field "$dir/st.json" '"\n".join(d["drift"])' >"$dir/drift"
		grep -q "address add 10.16.64.193/26 dev eg-lan" "$dir/drift" || fail "report: address not named: $(cat "$dir/drift")"
		grep -q "rule del priority 10500 from 10.9.9.9/32" "$dir/drift" || fail "report: rule not named: $(cat "$dir/drift")"
		grep -q "route add default via 172.17.16.33 dev eg-ded-up table 101" "$dir/drift" || fail "report: route not named: $(cat "$dir/drift")"
		# an apply puts it right and clears the drift
		ctl "$dir" apply >/dev/null || fail "report: apply"
		$KCHECK equal "$ns" "$dir/render.json" >/dev/null || fail "report: apply did not correct"
		ctl "$dir" status >/dev/null || fail "report: status after apply is not converged"
	fi
	agent_stop
done
echo "PASS: drift corrected within 1 s (enforce) and reported (report)"
