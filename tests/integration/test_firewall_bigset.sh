#!/bin/bash
# A firewall set of 100,000 addresses, read back as the kernel has it.
# The kernel dumps a big hash set in several messages and grows its hash
# table in the background after a big insert, which can reorder it between
# two messages: a read then has elements twice and others missing, the
# update that follows is a needless replace, and the agent sees drift that
# is not there.
#  - fw_bench update (the agent's code): replace with 100,000 addresses,
#    read back at once, update to 100,010 from what was read (incremental,
#    +10 exactly), read back at once: equal to the compiled table.  Rounds.
#  - the agent: its first apply, a table deleted by hand and applied again,
#    ten addresses more (an incremental apply, whose plan shows the ten
#    lines): each time status converged at once, plan with nothing to do,
#    nft counting every address.
. "$(dirname "$0")/lib.sh"

N=100000
ROUNDS=4
ns=egt-bs-$$
DRV=$ROOT/$B/bench/fw_bench
[ -x "$DRV" ] || fail "$DRV is not built (make tests-build)"

# a copy of the standard profiles in DIR, noc grown to COUNT single
# addresses (with gaps, so none merge), and a county node config for it
grown() { # DIR COUNT
	mkdir -p "$1"
	cp -r "$ROOT/profiles" "$1/p"
	python3 - "$2" >"$1/p/include/sets.conf" <<'PY'
import sys
n = int(sys.argv[1])
print("noc = [ " + ", ".join('"100.%d.%d.%d/32"' % (64 + (i >> 15), (i >> 7) & 255, (i & 127) * 2)
                            for i in range(n)) + " ];")
PY
	node_conf "$1/node.conf" 210102000000 "$1/p/county.conf" report \
		'uplink = "eth0"; downlink = [ "eth1", "eth2" ]; lan = [ "eth3" ]; internet = "eth4";' \
		'addresses = { internet = [ "192.0.2.34/29" ]; }; gateways = { isp1 = "192.0.2.33"; isp2 = "192.0.2.38"; };'
}
grown "$T/a" "$N"
grown "$T/b" $((N + 10))
ns_new "$ns" eth0 eth1 eth2 eth3 eth4

for r in $(seq "$ROUNDS"); do
	ip netns exec "$ns" "$DRV" update "$T/a/node.conf" "$T/b/node.conf" >"$T/upd" 2>&1 ||
		fail "round $r: the table read back is not the compiled one: $(head -c 600 "$T/upd")"
	grep -q "incremental elems +10 -0 rules +0 -0" "$T/upd" ||
		fail "round $r: not an incremental +10 from the state read back: $(head -c 300 "$T/upd")"
done
echo "read back whole after $ROUNDS replaces of $N addresses and +10 updates"

dir=$T/a
agent_start "$ns" "$dir/node.conf" || fail "agent did not start"
count() { ip netns exec "$ns" nft list set inet egnet h_noc_4 | grep -o '100\.[0-9.]*' | wc -l; }
check() { # WHAT WANT
	local rc got
	ctl "$dir" status --json >"$dir/st.json"
	rc=$?
	[ $rc -eq 0 ] || fail "$1: status exit $rc, drift: $(json_field "$dir/st.json" '"; ".join(d.get("drift", []))[:400]')"
	ctl "$dir" plan >"$dir/plan" || fail "$1: plan"
	grep -q "element" "$dir/plan" && fail "$1: plan has element changes: $(head -c 400 "$dir/plan")"
	got=$(count)
	[ "$got" = "$2" ] || fail "$1: the kernel's set has $got addresses, want $2"
}
wait_for 30 ctl "$dir" status || fail "first apply did not converge: $(ctl "$dir" status)"
check "first apply" "$N"
ip netns exec "$ns" nft delete table inet egnet || fail "nft delete table"
ctl "$dir" apply >"$dir/apply" || fail "apply after delete: $(cat "$dir/apply")"
check "apply after delete" "$N"
cp "$T/b/p/include/sets.conf" "$dir/p/include/sets.conf"
ctl "$dir" plan >"$dir/plan10" || fail "+10: plan"
# the ten new addresses, as addresses (not the set's hex keys)
want10=$(python3 -c '
n = '"$N"'
for i in range(n, n + 10):
    print("    + elem h_noc_4 100.%d.%d.%d" % (64 + (i >> 15), (i >> 7) & 255, (i & 127) * 2))' | sort)
[ "$(grep "^    + elem h_noc_4 " "$dir/plan10" | sort)" = "$want10" ] ||
	fail "+10: the plan does not show the ten addresses: $(head -c 600 "$dir/plan10")"
ctl "$dir" apply >"$dir/apply" || fail "+10: apply: $(cat "$dir/apply")"
check "+10" $((N + 10))
agent_stop
echo "PASS: $N-address set read back whole after replaces and updates, by fw_bench and by the agent"
