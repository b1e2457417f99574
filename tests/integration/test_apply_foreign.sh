#!/bin/bash
# Objects egnet does not own survive apply, re-apply and rollback untouched:
# a proto static route in one of our tables and in main, a rule outside our
# priority range, another link, and an address added by hand on a link that
# plays no role.
. "$(dirname "$0")/lib.sh"

ns=egt-fo-$$
dir=$T/t
setup_township "$ns" "$dir"
ip -n "$ns" link add other0 type veth peer name other1
ip -n "$ns" link set other0 up
ip -n "$ns" link set other1 up
ip -n "$ns" addr add 198.51.100.7/24 dev other0
ip -n "$ns" addr add 2001:db8:77::7/64 dev other0 nodad
ip -n "$ns" route add 203.0.113.0/24 dev other0 proto static table 100
ip -n "$ns" route add 203.0.114.0/24 dev other0 proto static
ip -n "$ns" rule add pref 500 from 198.51.100.0/24 lookup 200
ip -n "$ns" -6 rule add pref 501 from 2001:db8:77::/64 lookup 200

foreign() {
	{
		ip -n "$ns" -j route show table 100 proto static
		ip -n "$ns" -j route show proto static
		ip -n "$ns" -j rule show pref 500
		ip -n "$ns" -6 -j rule show pref 501
		ip -n "$ns" -j addr show dev other0 | python3 -c '
import json,sys
for l in json.load(sys.stdin):
    print(l["ifname"], l["mtu"], sorted(a["local"] for a in l["addr_info"] if a.get("scope") != "link"))'
	} >"$1"
}
foreign "$T/before"
grep -q 203.0.113.0 "$T/before" || fail "setup: no static route"

agent_start "$ns" "$dir/node.conf" || fail "agent did not start"
"$CTL" render --node "$dir/node.conf" --json >"$T/render.json"
$KCHECK equal "$ns" "$T/render.json" >"$T/diff" || fail "apply: $(cat "$T/diff")"
foreign "$T/after-apply"
diff -u "$T/before" "$T/after-apply" || fail "foreign objects changed by apply"

# a second profile (other MTU on the LAN bridge), then rollback
cp -r "$ROOT/profiles" "$T/p"
sed -i '/name = "eg-lan"/,/mtu = 1500/ s/mtu = 1500/mtu = 1400/' "$T/p/township.conf"
sed -i "s|profile = \"[^\"]*\"|profile = \"$T/p/township.conf\"|" "$dir/node.conf"
ctl "$dir" apply >/dev/null || fail "second apply"
[ "$(ip -n "$ns" -j link show eg-lan | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["mtu"])')" = 1400 ] ||
	fail "second profile not applied"
foreign "$T/after-reapply"
diff -u "$T/before" "$T/after-reapply" || fail "foreign objects changed by re-apply"

ctl "$dir" rollback >/dev/null || fail "rollback"
$KCHECK equal "$ns" "$T/render.json" >"$T/diff" || fail "rollback did not return: $(cat "$T/diff")"
foreign "$T/after-rollback"
diff -u "$T/before" "$T/after-rollback" || fail "foreign objects changed by rollback"
echo "PASS: foreign route, rules, link and addresses untouched by apply, re-apply and rollback"
