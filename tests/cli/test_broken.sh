#!/bin/bash
# Broken copies of the shipped files are never accepted, and the message
# names the right file, line and setting.  Each case copies profiles/ to a
# scratch folder, breaks one line (found by its text, so the case follows
# the file), and expects exit 1 with the exact problem line.
. "$(dirname "$0")/lib.sh"

cases=0

# break FILE PATTERN REPLACEMENT: edit the first line matching PATTERN;
# sets LINE to its number.
break_line() {
	local file=$1 pat=$2 rep=$3
	LINE=$(grep -n -m1 -- "$pat" "$file" | cut -d: -f1)
	[ -n "$LINE" ] || fail "pattern '$pat' not in $file"
	sed -i "${LINE}s|$pat|$rep|" "$file"
}

# expect NODE WANT: validate the copy of node NODE; WANT is the problem line
# with the scratch folder written as @.
expect() {
	local node=$1 want=${2//@/$tmp/p} out rc
	out=$("$CTL" validate --node "$tmp/p/examples/$node.conf" 2>&1)
	rc=$?
	[ $rc -eq 1 ] || fail "case $cases: exit $rc, want 1; output: $out"
	grep -qxF -- "$want" <<<"$out" ||
		fail "case $cases: want line: $want
got:
$out"
	cases=$((cases + 1))
}

fresh() {
	rm -rf "$tmp/p"
	cp -r profiles "$tmp/p"
}

fresh
break_line "$tmp/p/township.conf" "mtu = 1500; }," "mtu = 15000; },"
expect township "@/township.conf:$LINE: links[0].mtu: 15000 is out of range 1280..9216"

fresh
break_line "$tmp/p/include/plan.conf" "county = 7; township = 6; }" "county = 15; township = 6; }"
expect county "@/include/plan.conf:$LINE: plans.extranet.ipv4.bits: bits of the levels (25) overflow the 24 host bits of the root prefix /8"

fresh
break_line "$tmp/p/county.conf" 'role = "internet"; kind = "physical"; zone = "internet"' \
	'role = "internet"; kind = "physical"; zone = "internett"'
expect county "@/county.conf:$LINE: zone: zone 'internett' is used but not defined"

fresh
break_line "$tmp/p/include/rules-base.conf" '"ssh", "snmp"' '"sshh", "snmp"'
expect township "@/include/rules-base.conf:$LINE: services: unknown service 'sshh'"

fresh
break_line "$tmp/p/township.conf" 'role = "downlink"; kind = "bridge"' 'role = "down"; kind = "bridge"'
expect township "@/township.conf:$LINE: links[1].role: unknown value 'down' (one of: uplink, downlink, lan, internet)"

fresh
break_line "$tmp/p/examples/township.conf" 'code = "210102001000"' 'code = "210102000000"'
expect township "@/examples/township.conf:$LINE: node.code: 210102000000 is a county, but profile township ($tmp/p/township.conf) is for a township"

fresh
break_line "$tmp/p/examples/inventory.csv" '^210102002003,东兴社区,' '210102002002,东兴社区,'
expect county "@/examples/inventory.csv:$LINE: code: duplicate code 210102002002 (first at line $((LINE - 1)))"

fresh
break_line "$tmp/p/examples/county.conf" 'uplink = "eth0";' 'uplink = 7;'
expect county "@/examples/county.conf:$LINE: interfaces.uplink: must be an interface name or an array of them, not an integer"

fresh
break_line "$tmp/p/province.conf" 'via = "gateway:isp1"' 'via = "gateway:isp9"'
expect province "@/province.conf:$LINE: via: gateway 'isp9' is not in the node config's gateways ($tmp/p/examples/province.conf)"

fresh
break_line "$tmp/p/include/zones.conf" "table = 101;" "table = 100;"
expect city "@/include/zones.conf:$LINE: zones.dedicated.table: table 100 is already used by zone common (line $((LINE - 5)))"

# Semantic cross-checks: names, addresses, next hops, routes, sets, ports.
fresh
break_line "$tmp/p/township.conf" 'name = "eg-down"' 'name = "lo"'
expect township "@/township.conf:$LINE: links[1].name: 'lo' is not a valid interface name: 'lo' is the loopback device"

fresh
break_line "$tmp/p/examples/township.conf" 'lan = \[ "eth2" \]' 'lan = [ "eg-down" ]'
expect township "@/examples/township.conf:$LINE: interfaces.lan: 'eg-down' is the downlink bridge link the profile creates (@/township.conf:21): it cannot also be a port of bridge eg-lan"

fresh
break_line "$tmp/p/examples/county.conf" '"192.0.2.34/29"' '"192.0.2.32/29"'
expect county "@/examples/county.conf:$LINE: addresses.internet[0]: 192.0.2.32/29 is the subnet's own address"

fresh
break_line "$tmp/p/examples/county.conf" 'isp2 = "192.0.2.38"' 'isp2 = "192.0.2.99"'
expect county "@/examples/county.conf:$LINE: gateways.isp2: next hop 192.0.2.99 is on no subnet of zone internet's links: the kernel takes a gateway only on a connected subnet (route @/county.conf:49)"

fresh
break_line "$tmp/p/examples/province.conf" 'national = "59.255.1.1"' 'national = "0.0.0.0"'
expect province "@/examples/province.conf:$LINE: gateways.national: 0.0.0.0 is the unspecified address: not a next hop"

fresh
break_line "$tmp/p/city.conf" '{ zone = "dedicated"; to = "default"; via = "parent"; }' '{ zone = "common"; to = "default"; via = "parent"; }'
expect city "@/city.conf:$LINE: to: the route to default in zone common (metric 0) is already given at line 40: the kernel holds one route per table, destination and metric"

fresh
break_line "$tmp/p/township.conf" 'port = 4789;' 'port = 7789;'
l=$(grep -n 'port = 7789;' "$tmp/p/include/probe.conf" | cut -d: -f1)
expect township "@/township.conf:$((LINE - 1)): port: VXLAN port 7789 is the probe port (probe.port at @/include/probe.conf:$l): one UDP socket would get both"

fresh
break_line "$tmp/p/include/sets.conf" '"10.8.0.0/24",' '"10.8.0.0/24", "10.8.0.0/25",'
expect county "@/include/sets.conf:$LINE: firewall.sets.noc[1]: '10.8.0.0/25' is inside '10.8.0.0/24' (line $LINE) of set noc"

fresh
break_line "$tmp/p/examples/township.conf" '10.8.0.10:8443' '10.8.0.10:9443'
expect township "@/examples/township.conf:$LINE: collector.url: port 9443 is not the collector's port 8443 (firewall.collector_port of @/township.conf, by default)"

# Several problems in several files: all named in one run.
fresh
break_line "$tmp/p/township.conf" "mtu = 1500; }," "mtu = 15000; },"
l1=$LINE
break_line "$tmp/p/examples/township.conf" 'drift = "enforce"' 'drift = "fix"'
l2=$LINE
out=$("$CTL" validate --node "$tmp/p/examples/township.conf" 2>&1) && fail "accepted"
grep -qxF "$tmp/p/township.conf:$l1: links[0].mtu: 15000 is out of range 1280..9216" <<<"$out" || fail "first of two: $out"
grep -qxF "$tmp/p/examples/township.conf:$l2: node.drift: unknown value 'fix' (one of: enforce, report)" <<<"$out" || fail "second of two: $out"
cases=$((cases + 1))

# The agent checks the same way.
"$AGENT" -n -c "$tmp/p/examples/township.conf" >/dev/null 2>&1 && fail "egnet-agent -n accepted a broken copy"

echo "PASS: $cases broken copies refused with file, line and setting"
