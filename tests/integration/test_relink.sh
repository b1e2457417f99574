#!/bin/bash
# A physical interface that leaves the configuration is let go of: moving
# the township's uplink from eth0 to eth3 takes egnet's addresses off eth0
# (the same address on two links would answer ARP twice) and leaves the
# link itself as it is; the kernel then equals the new render.  (Addresses
# others put on a managed link are removed while it is managed; that the
# release takes only ours is checked in tests/unit/test_change.c.)  A rollback
# moves them back, and lets eth3 go the same way.
. "$(dirname "$0")/lib.sh"

NS=egt-rl-$$
dir=$T/t
mkdir -p "$dir"
ns_new "$NS" eth0 eth1 eth2 eth3
conf() { # UPLINK
	node_conf "$dir/node.conf" 210102001000 "$ROOT/profiles/township.conf" enforce \
		"uplink = \"$1\"; downlink = [ \"eth1\" ]; lan = [ \"eth2\" ];"
}
ours_on() { # DEV: egnet's uplink addresses on DEV, as "v4 v6"
	ip -n "$NS" -br addr show dev "$1" | grep -o '10\.16\.64\.130/30\|fd45:676e:410:400::1/127' | paste -sd' '
}
conf eth0
agent_start "$NS" "$dir/node.conf" || fail "agent did not start"
[ "$(ours_on eth0)" = "10.16.64.130/30 fd45:676e:410:400::1/127" ] || fail "first apply: eth0 has '$(ours_on eth0)'"

conf eth3
ctl "$dir" apply >"$T/apply.out" || fail "apply with the uplink on eth3: $(cat "$T/apply.out")"
[ -z "$(ours_on eth0)" ] || fail "eth0 kept egnet's addresses: $(ours_on eth0)"
ip -n "$NS" -br link show dev eth0 | grep -q UP || fail "eth0 itself was not left as it was"
[ "$(ours_on eth3)" = "10.16.64.130/30 fd45:676e:410:400::1/127" ] || fail "eth3 has '$(ours_on eth3)'"
"$CTL" render --node "$dir/node.conf" --json >"$T/render.json"
$KCHECK equal "$NS" "$T/render.json" >"$T/diff" || fail "kernel differs from the render: $(cat "$T/diff")"

ctl "$dir" rollback >/dev/null || fail "rollback"
[ "$(ours_on eth0)" = "10.16.64.130/30 fd45:676e:410:400::1/127" ] || fail "rollback: eth0 has '$(ours_on eth0)'"
[ -z "$(ours_on eth3)" ] || fail "rollback: eth3 kept egnet's addresses: $(ours_on eth3)"
echo "PASS: a link that leaves the configuration loses egnet's addresses; rollback moves them back"
