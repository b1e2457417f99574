#!/bin/bash
# A peer set with single addresses and prefixes, with real packets: the
# single addresses go to the hash set (h_SET_4), the prefixes to the
# interval set (p_SET_4), and a rule with peers = "noc" lets through what
# either holds and nothing else.  ssh to the county gateway is for the NOC
# only: from a NOC host given as one address, from one in the NOC's prefix,
# and refused from the city's gateway, which is in neither.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fwlib.sh"

cp -r "$ROOT/profiles" "$T/p"
cat >"$T/p/include/sets.conf" <<'SETS'
noc = [ "10.8.0.0/24", "10.9.9.9/32", "fd45:676e:3ff:ffff::/64" ];
SETS
county_world fp$$ "$T/p/county.conf"
agent_start "$G" "$WDIR/node.conf" || fail "agent did not start"
wait_for 20 ctl "$WDIR" status || fail "county not converged: $(ctl "$WDIR" status)"

ip netns exec "$G" nft list set inet egnet h_noc_4 | grep -q '10\.9\.9\.9' ||
	fail "10.9.9.9 not in the hash set: $(ip netns exec "$G" nft list set inet egnet h_noc_4)"
ip netns exec "$G" nft list set inet egnet p_noc_4 | grep -q '10\.8\.0\.0/24' ||
	fail "10.8.0.0/24 not in the interval set: $(ip netns exec "$G" nft list set inet egnet p_noc_4)"

# NOC hosts behind the city side of the uplink: one single address, one in
# the prefix; the county answers them through its default route, the city
ip -n "$U" addr add 10.9.9.9/32 dev up0
ip -n "$U" addr add 10.8.0.7/32 dev up0

counters() { ctl "$WDIR" status --json >"$T/st.json" || fail "status"; }
accepted() {
	json_field "$T/st.json" "d['firewall']['pairs'].get('common>local', {}).get('accepted', {}).get('packets', 0)"
}
counters
a0=$(accepted)
flow "$U" tcp 10.16.64.2 22 10.9.9.9 || fail "ssh from 10.9.9.9 (the hash set) refused"
counters
a1=$(accepted)
[ "$a1" -gt "$a0" ] || fail "common>local accepted did not move for the hash set's peer ($a0)"
flow "$U" tcp 10.16.64.2 22 10.8.0.7 || fail "ssh from 10.8.0.7 (the interval set) refused"
flow "$U" tcp 10.16.64.2 22 10.16.64.1 && fail "ssh from the city gateway (no peer) let through"
flow "$U" tcp 10.16.64.2 22 10.9.9.9 || fail "ssh from 10.9.9.9 refused the second time"
echo "PASS: peers from the hash set and the interval set pass, others do not"
