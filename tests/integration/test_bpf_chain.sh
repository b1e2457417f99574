#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# test_bpf_chain.sh - the BPF build chain works end to end: bpf_chain loads
# the linkmon skeleton, attaches it at tc ingress/egress of a veth in a
# private namespace, and the counters it prints match exactly the traffic
# we send.  Checks the kernel independently with bpftool and tc while the
# programs are attached and after bpf_chain has exited.
#
# Two fresh namespaces joined by a veth pair, torn down by an EXIT trap also
# on failure.  IPv6 is off and the neighbours are static so the only frames
# on the link are our 10 echo requests and 10 replies.
#
# Environment: B (build dir, default build); program $B/tests/bpf_chain.
# Exit: 0 PASS, 1 FAIL, 77 SKIP (not root, missing tool or kernel feature).
set -eu

B=${B:-build}
prog=$B/tests/bpf_chain

count=10		# echo requests sent
payload=100		# ping -s: ICMP payload bytes
# skb->len at tc for one echo: Ethernet 14 + IPv4 20 + ICMP 8 + payload,
# the same both ways (a reply mirrors its request).
frame_len=$((14 + 20 + 8 + payload))

ns_a=egt-bpf-$$-a
ns_b=egt-bpf-$$-b
if_a=veth-a
if_b=veth-b
mac_a=02:00:c0:00:02:01
mac_b=02:00:c0:00:02:02
ip_a=192.0.2.1		# TEST-NET-1, only ever inside the two namespaces
ip_b=192.0.2.2

tmp=
pid=
ns_made=

skip() {
	echo "SKIP: $*"
	exit 77
}

# The verdict goes to fd 3, the script's original stdout: a trap can run
# inside a function whose stdout is redirected to a capture file.
exec 3>&1

fail() {
	echo "FAIL: $*" >&3
	if [ -n "$tmp" ] && [ -s "$tmp/err" ]; then
		sed 's/^/  /' "$tmp/err" >&2
	fi
	exit 1
}

teardown() {
	if [ -n "$pid" ]; then
		kill -TERM "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	for ns in $ns_made; do
		ip netns del "$ns" 2>/dev/null || true
	done
	if [ -n "$tmp" ]; then
		rm -rf "$tmp"
	fi
}

in_a() {
	ip netns exec "$ns_a" "$@"
}

# linkmon filters on $if_a as seen by bpftool, "KIND=PROG:ID" sorted, one
# per line; empty when none.  Fails (and so FAILs the test) when bpftool
# cannot answer, rather than reading as "nothing attached".
linkmon_filters() {
	local json found

	json=$(in_a bpftool -j net show dev "$if_a") || return 1
	found=$(jq -r '.[].tc[] | select(.name | startswith("linkmon_")) |
		"\(.kind)=\(.name | sub(":.*"; "")):\(.id)"' <<<"$json") ||
		return 1
	sort <<<"$found"
}

# Value of key $1 in bpf_chain's result line.
field() {
	sed -n "s/.*\\b$1=\\([0-9]*\\).*/\\1/p" "$tmp/out"
}

[ "$(id -u)" -eq 0 ] || skip "needs root"
for tool in ip tc ping bpftool jq sysctl; do
	command -v "$tool" >/dev/null || skip "$tool not installed"
done
[ -x "$prog" ] || fail "$prog not built (make $prog)"

trap teardown EXIT
trap 'fail "interrupted"' INT TERM HUP
# Any setup step failing unexpectedly still ends in one FAIL line.
trap 'fail "unexpected error at line $LINENO"' ERR
tmp=$(mktemp -d)

for ns in "$ns_a" "$ns_b"; do
	ip netns add "$ns" || fail "cannot create namespace $ns"
	ns_made="$ns_made $ns"
	ip -n "$ns" link set lo up
	# Before the veth exists, so it never sends router/neighbour
	# solicitations or MLD reports that would be counted.
	if [ -d /proc/sys/net/ipv6 ]; then
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1
	fi
done

ip -n "$ns_a" link add "$if_a" address "$mac_a" type veth \
	peer name "$if_b" address "$mac_b" netns "$ns_b" ||
	skip "veth not available"
ip -n "$ns_a" addr add "$ip_a/30" dev "$if_a"
ip -n "$ns_b" addr add "$ip_b/30" dev "$if_b"
# Permanent neighbours: no ARP request/reply ever crosses the link.
ip -n "$ns_a" neigh add "$ip_b" lladdr "$mac_b" dev "$if_a" nud permanent
ip -n "$ns_b" neigh add "$ip_a" lladdr "$mac_a" dev "$if_b" nud permanent
ip -n "$ns_a" link set "$if_a" up
ip -n "$ns_b" link set "$if_b" up

# Probe the kernel feature bpf_chain relies on, so its absence is a skip.
in_a tc qdisc add dev "$if_a" clsact 2>/dev/null || skip "no clsact qdisc"
in_a tc qdisc del dev "$if_a" clsact || fail "cannot remove probe clsact"

# The time limit is a safety net; we stop it with SIGTERM once ping is done.
ip netns exec "$ns_a" "$prog" "$if_a" 30 >"$tmp/out" 2>"$tmp/err" &
pid=$!
for _ in $(seq 50); do
	grep -q '^attached ' "$tmp/out" && break
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
grep -q '^attached ' "$tmp/out" || fail "bpf_chain did not attach to $if_a"

filters=$(linkmon_filters) || fail "bpftool net show dev $if_a failed"
kinds=$(cut -d: -f1 <<<"$filters" | paste -sd ' ')
[ "$kinds" = "clsact/egress=linkmon_egress clsact/ingress=linkmon_ingress" ] ||
	fail "bpftool shows '$kinds' on $if_a, want linkmon_ingress and linkmon_egress"
ids=$(cut -d: -f2 <<<"$filters")

in_a ping -c "$count" -i 0.2 -s "$payload" -W 2 -q "$ip_b" >"$tmp/ping" ||
	fail "ping $ip_a -> $ip_b failed: $(tail -n 2 "$tmp/ping" | head -n 1)"

kill -TERM "$pid" 2>/dev/null || true	# already gone: wait tells why
rc=0
wait "$pid" || rc=$?
pid=
[ "$rc" -eq 0 ] || fail "bpf_chain exited with status $rc"

result=$(grep '^ingress_packets=' "$tmp/out") ||
	fail "bpf_chain printed no counters"
want_bytes=$((count * frame_len))
for dir in ingress egress; do
	packets=$(field "${dir}_packets")
	bytes=$(field "${dir}_bytes")
	[ "$packets" = "$count" ] ||
		fail "${dir}_packets=$packets, want $count ($result)"
	[ "$bytes" = "$want_bytes" ] ||
		fail "${dir}_bytes=$bytes, want $want_bytes ($result)"
done

# Detached: no filter on the interface, and bpf_chain made the clsact qdisc
# so it must have removed it too.
left=$(linkmon_filters) || fail "bpftool net show dev $if_a failed"
[ -z "$left" ] ||
	fail "still attached to $if_a after exit: $(paste -sd ' ' <<<"$left")"
qdiscs=$(in_a tc -j qdisc show dev "$if_a") || fail "tc qdisc show failed"
qdiscs=$(jq -r '.[].kind' <<<"$qdiscs") || fail "tc printed bad JSON"
! grep -qx clsact <<<"$qdiscs" || fail "clsact qdisc left on $if_a"

# The programs are freed once their last reference goes; that is deferred
# (RCU), so give the kernel a moment before calling them leaked.
for id in $ids; do
	for _ in $(seq 20); do
		bpftool prog show id "$id" >/dev/null 2>&1 || break
		sleep 0.1
	done
	! bpftool prog show id "$id" >/dev/null 2>&1 ||
		fail "program id $id still loaded after bpf_chain exited"
done

echo "PASS: bpf_chain counted $count+$count echoes of $frame_len bytes on $if_a ($result)"
