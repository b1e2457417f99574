#!/bin/bash
# The firewall transaction: a table made by someone else survives apply,
# re-apply and rollback; while the ruleset is replaced 100 times an allowed
# flow loses no packet and a denied flow never gets one through; a policy
# that fails validation, or a transaction the kernel refuses, leaves table
# inet egnet exactly as it was (nft -j list, byte for byte).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fwlib.sh"

cp -r "$ROOT/profiles" "$T/p"
cp -r "$ROOT/profiles" "$T/q"
sed -i 's|log_rate = "10/minute"|log_rate = "11/minute"|' "$T/q/county.conf"
county_world fa$$ "$T/p/county.conf"
# the table as nft -j lists it; counter values are zeroed, since the
# kernel's own IPv6 chatter moves them while we look
nft_list() {
	ip netns exec "$G" nft -j list table inet "$1" |
		sed -E 's/"packets": [0-9]+/"packets": 0/g; s/"bytes": [0-9]+/"bytes": 0/g'
}

# someone else's table, with a rule and a counter
ip netns exec "$G" nft add table inet other
ip netns exec "$G" nft add chain inet other c '{ type filter hook input priority 10; }'
ip netns exec "$G" nft add rule inet other c tcp dport 9 counter drop
nft_list other >"$T/other.before"

agent_start "$G" "$WDIR/node.conf" "$AGENT_FP" || fail "agent did not start"
cross_routes
nft_list egnet >/dev/null || fail "no table inet egnet"
use() { sed -i "s|profile = \"[^\"]*\"|profile = \"$1\"|" "$WDIR/node.conf"; }

# 1. another table survives apply, re-apply, rollback
use "$T/q/county.conf"
ctl "$WDIR" apply >/dev/null || fail "re-apply with a changed policy"
ip netns exec "$G" nft list chain inet egnet input | grep -q "limit rate 11/minute" ||
	fail "the changed policy is not in the kernel"
ctl "$WDIR" rollback >/dev/null || fail "rollback"
ip netns exec "$G" nft list chain inet egnet input | grep -q "limit rate 10/minute" ||
	fail "rollback did not restore the policy"
nft_list other >"$T/other.after"
cmp -s "$T/other.before" "$T/other.after" || fail "table inet other changed:
$(diff "$T/other.before" "$T/other.after")"

# 2. 100 replacements under traffic: 50 cycles of two policies
ip netns exec "$L" ping -q -i 0.01 -c 1500 -W 1 10.16.64.1 >"$T/allowed.out" 2>&1 &
allowed=$!
ip netns exec "$I" ping -q -i 0.01 -c 1500 -W 1 10.16.64.66 >"$T/denied.out" 2>&1 &
denied=$!
n=0
for i in $(seq 50); do
	use "$T/q/county.conf"
	ctl "$WDIR" apply >/dev/null || fail "apply $n under traffic"
	use "$T/p/county.conf"
	ctl "$WDIR" apply >/dev/null || fail "apply $n under traffic"
	n=$((n + 2))
done
wait $allowed
wait $denied
grep -q " 0% packet loss" "$T/allowed.out" ||
	fail "the allowed flow lost packets during $n replacements: $(grep loss "$T/allowed.out")"
grep -q " 0 received" "$T/denied.out" ||
	fail "the denied flow got through during $n replacements: $(grep received "$T/denied.out")"
echo "$n replacements: $(grep -o '[0-9]* packets transmitted, [0-9]* received' "$T/allowed.out") (allowed), $(grep -o '[0-9]* received' "$T/denied.out") (denied)"

# 3. refusals change nothing, byte for byte
sleep 0.3
nft_list egnet >"$T/egnet.before"
cp "$T/p/county.conf" "$T/p/county.good"
sed -i 's|services = \[ "http", "https"|services = [ "http", "gopher"|' "$T/p/county.conf"
ctl "$WDIR" apply >"$T/out" 2>&1 && fail "a policy with an unknown service was applied"
grep -q "unknown service 'gopher'" "$T/out" || fail "refusal does not name the service: $(cat "$T/out")"
nft_list egnet >"$T/egnet.after"
cmp -s "$T/egnet.before" "$T/egnet.after" || fail "a refused policy changed table inet egnet"
cp "$T/p/county.good" "$T/p/county.conf"
agent_stop
use "$T/q/county.conf"
EGNET_FAILPOINT=nft.batch:0:fail agent_start "$G" "$WDIR/node.conf" "$AGENT_FP" ||
	fail "agent did not restart"
ctl "$WDIR" apply >"$T/out" 2>&1 && fail "a transaction the kernel refuses was reported applied"
grep -q "nftables refused the transaction" "$T/out" || fail "no kernel refusal: $(cat "$T/out")"
nft_list egnet >"$T/egnet.after"
cmp -s "$T/egnet.before" "$T/egnet.after" || fail "a refused transaction changed table inet egnet:
$(diff "$T/egnet.before" "$T/egnet.after" | head)"
nft_list other >"$T/other.after"
cmp -s "$T/other.before" "$T/other.after" || fail "table inet other changed"
echo "PASS: other table untouched; $n replacements atomic under traffic; refusals left the table byte for byte"
