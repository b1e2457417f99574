# The county example with a host in each zone around it, for firewall tests:
#   $G  the county gateway (agent), eth0..eth4
#   $U  the city side of the uplink (common), with the dedicated overlay
#   $L  a host on the county LAN (common)
#   $I  a host on the internet line (internet)
#   $TW a township on eth1 (common), with the dedicated overlay
# Each runs flow.py serve.  Addresses follow the plan (see render).
FLOW="python3 $ROOT/tests/integration/flow.py"

county_world() { # TAG [PROFILE]
	local tag=$1 profile=${2:-$ROOT/profiles/county.conf}
	G=egt-g-$tag U=egt-u-$tag L=egt-l-$tag I=egt-i-$tag TW=egt-t-$tag
	for n in $G $U $L $I $TW; do
		ip netns add "$n" || fail "netns $n"
		NSES+=("$n")
		ip -n "$n" link set lo up
	done
	ip -n "$G" link add eth0 type veth peer name up0 netns "$U"
	ip -n "$G" link add eth1 type veth peer name t0 netns "$TW"
	ip -n "$G" link add eth2 type veth peer name p-eth2
	ip -n "$G" link add eth3 type veth peer name lan0 netns "$L"
	ip -n "$G" link add eth4 type veth peer name inet0 netns "$I"
	ip -n "$G" link set p-eth2 up

	ip -n "$U" link set up0 up
	ip -n "$U" addr add 10.16.64.1/30 dev up0
	ip -n "$U" route add default via 10.16.64.2
	ip -n "$U" link add vxd type vxlan id 1002 local 10.16.64.1 dstport 4789 dev up0
	ip netns exec "$U" bridge fdb append 00:00:00:00:00:00 dev vxd dst 10.16.64.2
	ip -n "$U" link set vxd up
	ip -n "$U" addr add 172.17.16.1/30 dev vxd
	ip -n "$U" route add 172.17.0.0/16 via 172.17.16.2
	ip -n "$U" route add 10.16.64.64/26 via 172.17.16.2 table 7 # for dedicated>common
	ip -n "$U" route add 192.0.2.32/29 via 172.17.16.2 table 7  # for dedicated>internet
	ip -n "$U" rule add from 172.17.16.1 lookup 7 pref 100

	ip -n "$L" link set lan0 up
	ip -n "$L" addr add 10.16.64.66/26 dev lan0
	ip -n "$L" route add default via 10.16.64.65

	ip -n "$I" link set inet0 up
	ip -n "$I" addr add 192.0.2.33/29 dev inet0
	ip -n "$I" route add 10.16.64.64/26 via 192.0.2.34
	ip -n "$I" route add 172.17.16.32/30 via 192.0.2.34

	ip -n "$TW" link set t0 up
	ip -n "$TW" addr add 10.16.64.130/30 dev t0
	ip -n "$TW" route add default via 10.16.64.129
	ip -n "$TW" link add vxt type vxlan id 1003 local 10.16.64.130 dstport 4789 dev t0
	ip netns exec "$TW" bridge fdb append 00:00:00:00:00:00 dev vxt dst 10.16.64.129
	ip -n "$TW" link set vxt up
	ip -n "$TW" addr add 172.17.16.34/30 dev vxt
	ip -n "$TW" route add 172.17.0.0/16 via 172.17.16.33

	for n in $G $U $L $I $TW; do
		ip netns exec "$n" $FLOW serve >/dev/null 2>&1 &
		PIDS+=($!)
		disown $!
	done

	WDIR=$T/county
	mkdir -p "$WDIR"
	node_conf "$WDIR/node.conf" 210102000000 "$profile" enforce \
		'uplink = "eth0"; downlink = [ "eth1", "eth2" ]; lan = [ "eth3" ]; internet = "eth4";' \
		'addresses = { internet = [ "192.0.2.34/29" ]; };
gateways = { isp1 = "192.0.2.33"; isp2 = "192.0.2.38"; };'
}

# Routes the test adds by hand (proto static, not ours) so that packets of
# every zone pair reach the firewall instead of dying for want of a route.
cross_routes() {
	ip -n "$G" route add 192.0.2.32/29 dev eth4 table 100
	ip -n "$G" route add 10.16.64.64/26 dev eg-lan table 102
	ip -n "$G" route add 10.16.64.64/26 dev eg-lan table 101
	ip -n "$G" route add 172.17.16.32/30 dev eg-ded-down table 100
	ip -n "$G" route add 172.17.16.32/30 dev eg-ded-down table 102
	ip -n "$G" route add 192.0.2.32/29 dev eth4 table 101
}

# flow NS proto host port [src]: 0 when it passes
flow() {
	if [ "$2" = icmp ]; then
		ip netns exec "$1" ping -c1 -W1 ${5:+-I $5} "$3" >/dev/null 2>&1
	else
		ip netns exec "$1" $FLOW try "$2" "$3" "$4" ${5:+"$5"}
	fi
}
