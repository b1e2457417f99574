#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# test_linkmon.sh - agent/linkmon.c against the kernel, through the driver
# `bpf_chain linkmon` (commands on stdin, one answer line each):
#
#  - without privileges linkmon_open() fails cleanly with its reason;
#  - a restart after a crash (SIGKILL) replaces egnet's filter instead of
#    adding a second one; other software's tc filters and the clsact qdisc
#    it made are left alone, and still see every packet;
#  - the counters per class and direction equal exactly what was sent:
#    ICMP echoes and UDP datagrams from sockets (UDP also as GSO, which
#    counts as the packets on the wire), and hand-made frames from raw
#    sockets - TCP, UDP and egnet probes over IPv4 with options, IPv6,
#    non-first fragments, VLAN-tagged frames, ARP, malformed headers - each
#    with the class it must get;
#  - drops by the kernel's reason: datagrams to a closed port and to a port
#    a netfilter rule drops count exactly as NO_SOCKET and NETFILTER_DROP
#    on the link they came in by; drops in another namespace do not count;
#  - probe timestamps: tx < rx, rx - tx within the RTT user space measured
#    around its send and receive, deleted once read; half-seen probes;
#  - linkmon_sync() attaches and detaches to match its list, keeps links in
#    place, reports a missing link but does the others, and removes a
#    clsact qdisc only when it made it and nothing else uses it;
#  - after close, and after detach_all following a crash, no egnet filter
#    is left (tc -j and bpftool -j), and the other filters still are.
#
# Namespace A is the gateway (links veth-a and veth-c, monitored; veth-m,
# where the foreign filters mirror to), B its peer (veth-b, veth-d).  IPv6
# is off and neighbours are static so only the test's frames cross.
#
# Environment: B (build dir, default build); program $B/tests/bpf_chain.
# Exit: 0 PASS, 1 FAIL, 77 SKIP (not root, missing tool or kernel feature).
set -eu

B=${B:-build}
prog=$B/tests/bpf_chain
port=7789 # probe port (also the driver's default)

ns_a=egt-lm-$$-a
ns_b=egt-lm-$$-b
mac_a=02:00:c0:00:02:01
mac_b=02:00:c0:00:02:02
mac_c=02:00:c0:00:02:05
mac_d=02:00:c0:00:02:06
ip_a=192.0.2.1 # TEST-NET-1, only ever inside the two namespaces
ip_b=192.0.2.2
ip_c=192.0.2.5
ip_d=192.0.2.6
prio=230       # LINKMON_TC_PRIORITY
handle=0xe6e7  # LINKMON_TC_HANDLE

tmp=
ns_made=
declare -A drv_pid drv_fd
bg_pids=

skip() {
	echo "SKIP: $*"
	exit 77
}

# The verdict goes to fd 3, the script's original stdout.
exec 3>&1

# Called in a command substitution it ends only that subshell: the marker
# file makes the caller's own failure exit quietly instead of adding a
# second, misleading FAIL line.
fail() {
	local f
	if [ -n "$tmp" ] && [ -e "$tmp/failed" ]; then
		exit 1
	fi
	[ -z "$tmp" ] || : >"$tmp/failed"
	echo "FAIL: $*" >&3
	if [ -n "$tmp" ]; then
		for f in "$tmp"/*.out "$tmp"/*.err; do
			[ -s "$f" ] || continue
			echo "--- $(basename "$f")" >&2
			tail -n 30 "$f" | sed 's/^/  /' >&2
		done
	fi
	exit 1
}

teardown() {
	local p
	for p in "${drv_pid[@]}"; do
		disown "$p" 2>/dev/null || true
	done
	for p in "${drv_pid[@]}" $bg_pids; do
		kill -9 "$p" 2>/dev/null || true
	done
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

in_b() {
	ip netns exec "$ns_b" "$@"
}

# drv_start NAME: a driver in namespace A reading commands from a FIFO.
drv_start() {
	local name=$1 fd
	mkfifo "$tmp/$name.in"
	: >"$tmp/$name.out"
	# Not through in_a: $! must be the driver (ip netns exec execs it),
	# not a subshell, so that SIGKILL reaches it.
	ip netns exec "$ns_a" "$prog" linkmon -v <"$tmp/$name.in" \
		>"$tmp/$name.out" 2>"$tmp/$name.err" &
	drv_pid[$name]=$!
	exec {fd}>"$tmp/$name.in"
	drv_fd[$name]=$fd
}

# drv NAME COMMAND...: send one command, print its one answer line.
drv() {
	local name=$1 out n line
	shift
	out="$tmp/$name.out"
	n=$(wc -l <"$out")
	echo "$*" >&"${drv_fd[$name]}"
	for _ in $(seq 200); do
		[ "$(wc -l <"$out")" -gt "$n" ] && break
		kill -0 "${drv_pid[$name]}" 2>/dev/null || break
		sleep 0.05
	done
	line=$(sed -n "$((n + 1))p" "$out")
	[ -n "$line" ] || fail "driver $name gave no answer to '$*'"
	printf '%s\n' "$line"
}

# drv_ok NAME COMMAND...: the command must answer "ok"; prints the answer.
drv_ok() {
	local name=$1 ans
	shift
	ans=$(drv "$name" "$@")
	[[ $ans == ok* ]] || fail "driver $name: '$*' answered '$ans'"
	printf '%s\n' "$ans"
}

# drv_kill NAME: SIGKILL, as a crash: nothing gets detached.  Disowned
# first, so the shell prints no job notice for it.
drv_kill() {
	local name=$1 fd=${drv_fd[$1]} pid=${drv_pid[$1]}
	disown "$pid"
	kill -9 "$pid"
	for _ in $(seq 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.02
	done
	exec {fd}>&-
	unset "drv_pid[$name]" "drv_fd[$name]"
}

# drv_quit NAME: end of input: the driver closes linkmon and exits 0.
drv_quit() {
	local name=$1 fd=${drv_fd[$1]} rc=0
	echo quit >&"$fd"
	exec {fd}>&-
	wait "${drv_pid[$name]}" || rc=$?
	unset "drv_pid[$name]" "drv_fd[$name]"
	[ "$rc" -eq 0 ] || fail "driver $name exited with status $rc"
}

# egnet_ids DEV HOOK: program ids of egnet filters (bpf, our priority and
# handle) on the hook, one a line.
egnet_ids() {
	local json
	json=$(in_a tc -j filter show dev "$1" "$2") ||
		fail "tc filter show dev $1 $2 failed"
	jq -r --argjson prio "$prio" --arg handle "$handle" \
		'.[] | select(.kind == "bpf" and .pref == $prio and
		.options.handle? == $handle) | .options.prog.id' <<<"$json"
}

# linkmon_progs: "DEV KIND ID" of every linkmon program bpftool sees
# attached anywhere in namespace A.
linkmon_progs() {
	local json
	json=$(in_a bpftool -j net show) || fail "bpftool net show failed"
	jq -r '.[].tc[] | select(.name | startswith("linkmon_")) |
		"\(.devname) \(.kind) \(.id)"' <<<"$json" | sort
}

# expect_one DEV: exactly one egnet filter on each hook of DEV, and the
# same programs bpftool sees.  Prints "INGRESS_ID EGRESS_ID".
expect_one() {
	local dev=$1 in eg seen
	in=$(egnet_ids "$dev" ingress)
	eg=$(egnet_ids "$dev" egress)
	[ "$(grep -c . <<<"$in")" -eq 1 ] ||
		fail "$dev ingress has egnet filters '$(paste -sd ' ' <<<"$in")', want exactly one"
	[ "$(grep -c . <<<"$eg")" -eq 1 ] ||
		fail "$dev egress has egnet filters '$(paste -sd ' ' <<<"$eg")', want exactly one"
	seen=$(linkmon_progs | grep "^$dev " | cut -d' ' -f2- | paste -sd ' ')
	[ "$seen" = "clsact/egress $eg clsact/ingress $in" ] ||
		fail "bpftool shows '$seen' on $dev, tc shows ingress $in egress $eg"
	echo "$in $eg"
}

# expect_none DEV: no egnet filter on DEV, by tc and by bpftool.
expect_none() {
	local dev=$1 left
	left="$(egnet_ids "$dev" ingress)$(egnet_ids "$dev" egress)"
	[ -z "$left" ] || fail "egnet filter still on $dev: $left"
	left=$(linkmon_progs | grep "^$dev " || true)
	[ -z "$left" ] || fail "bpftool still shows on $dev: $left"
}

# foreign HOOK: "PACKETS" of the foreign mirror filter on veth-a HOOK;
# fails when it is not there exactly once.
foreign() {
	local json n
	json=$(in_a tc -s -j filter show dev veth-a "$1") ||
		fail "tc filter show dev veth-a $1 failed"
	n=$(jq '[.[] | select(.kind == "u32" and .options.actions?)] | length' <<<"$json")
	[ "$n" -eq 1 ] || fail "foreign filter on veth-a $1: $n of them, want 1"
	jq '.[] | select(.kind == "u32" and .options.actions?) |
		.options.actions[0].stats.packets' <<<"$json"
}

has_clsact() {
	in_a tc -j qdisc show dev "$1" | jq -e 'any(.[]; .kind == "clsact")' >/dev/null
}

# Value of key $2 ("in.udp") in answer line $1, as "PACKETS/BYTES".
field() {
	sed -n "s/.* $2=\\([0-9]*\\/[0-9]*\\).*/\\1/p" <<<"$1"
}

# Value of key $2 in "ok a=1 b=2" line $1.
num() {
	sed -n "s/.* $2=\\([0-9]*\\).*/\\1/p" <<<"$1"
}

[ "$(id -u)" -eq 0 ] || skip "needs root"
for tool in ip tc ping bpftool jq python3 sysctl mkfifo; do
	command -v "$tool" >/dev/null || skip "$tool not installed"
done
[ -x "$prog" ] || fail "$prog not built (make $prog)"

trap teardown EXIT
trap 'fail "interrupted"' INT TERM HUP
trap 'fail "unexpected error at line $LINENO"' ERR
tmp=$(mktemp -d)

# ---- Helper for traffic: sinks, the probe echo, UDP senders, raw frames.
cat >"$tmp/pk.py" <<'EOF'
import select, socket, struct, sys

MAGIC = 0x45474E31
UDP_SEGMENT = 103


def serve(argv):
    """serve [--echo PORT] PORT...: swallow UDP datagrams on the ports;
    on the echo port answer egnet requests as replies, except those whose
    seq has the top bit set (probes that are to go unanswered)."""
    echo = None
    if argv[0] == "--echo":
        echo = int(argv[1])
        argv = argv[2:] + [argv[1]]
    socks = {}
    for p in argv:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("0.0.0.0", int(p)))
        socks[s] = int(p)
    print("ready", flush=True)
    while True:
        for s in select.select(list(socks), [], [])[0]:
            data, peer = s.recvfrom(65535)
            if socks[s] != echo or len(data) < 32:
                continue
            magic, typ = struct.unpack("!IB", data[:5])
            seq = struct.unpack("!I", data[8:12])[0]
            if magic != MAGIC or typ != 1 or seq & 0x80000000:
                continue
            s.sendto(data[:4] + b"\x02" + data[5:], peer)


def udp(argv):
    """udp DST PORT SIZE COUNT [GSO]: COUNT sends of SIZE bytes (one
    datagram each, or GSO segments of GSO bytes)."""
    dst, port, size, count = argv[0], int(argv[1]), int(argv[2]), int(argv[3])
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    if len(argv) > 4:
        s.setsockopt(socket.IPPROTO_UDP, UDP_SEGMENT, int(argv[4]))
    for _ in range(count):
        s.sendto(b"u" * size, (dst, port))


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def probe(typ, seq):
    return struct.pack("!IBBHIIQQ", MAGIC, typ, 1, 0, seq, 0, 0, 0)


def ip4(src, dst, proto, payload, opts=b"", frag=0, ihl=None):
    hl = 20 + len(opts)
    vihl = 0x40 | (hl // 4 if ihl is None else ihl)
    h = struct.pack("!BBHHHBBH4s4s", vihl, 0, hl + len(payload), 1, frag,
                    64, proto, 0, socket.inet_aton(src),
                    socket.inet_aton(dst)) + opts
    return h[:10] + struct.pack("!H", csum(h)) + h[12:] + payload


def ip6(src, dst, nh, payload):
    return struct.pack("!IHBB16s16s", 6 << 28, len(payload), nh, 64,
                       socket.inet_pton(socket.AF_INET6, src),
                       socket.inet_pton(socket.AF_INET6, dst)) + payload


def pseudo(src, dst, proto, n):
    if ":" in src:
        return (socket.inet_pton(socket.AF_INET6, src) +
                socket.inet_pton(socket.AF_INET6, dst) +
                struct.pack("!IxxxB", n, proto))
    return (socket.inet_aton(src) + socket.inet_aton(dst) +
            struct.pack("!xBH", proto, n))


def udph(src, dst, sport, dport, data):
    seg = struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data
    c = csum(pseudo(src, dst, 17, len(seg)) + seg) or 0xFFFF
    return seg[:6] + struct.pack("!H", c) + seg[8:]


def syn(src, dst, sport, dport):
    seg = struct.pack("!HHIIBBHHH", sport, dport, 1000, 0, 5 << 4, 0x02,
                      65535, 0, 0)
    c = csum(pseudo(src, dst, 6, len(seg)) + seg)
    return seg[:16] + struct.pack("!H", c) + seg[18:]


def mac(s):
    return bytes(int(x, 16) for x in s.split(":"))


def frames(argv):
    """frames IFACE SRC_MAC DST_MAC in|out: send the hand-made frames of
    the set on IFACE and print one "DIR CLASS BYTES" line per packet the
    monitored link (veth-a) must count, including the answers they get."""
    ifname, src, dst, which = argv
    sm, dm = mac(src), mac(dst)
    A, Bp = "192.0.2.1", "192.0.2.2"
    A6, B6 = "2001:db8::1", "2001:db8::2"
    out = []  # (frame, [(dir, class)...]) expected for each

    def eth(etype, payload, tags=()):
        h = dm + sm
        for tpid, vid in tags:
            h += struct.pack("!HH", tpid, vid)
        return h + struct.pack("!H", etype) + payload

    if which == "in":  # sent by the peer, received by veth-a
        for i in range(3):  # closed port: each SYN gets one RST (54 bytes)
            out.append((eth(0x0800, ip4(Bp, A, 6, syn(Bp, A, 40000 + i, 9))),
                        [("in", "tcp")], [("out", "tcp", 54)]))
        # IPv4 with 4 bytes of options: IHL 6 must be honoured
        out.append((eth(0x0800, ip4(Bp, A, 17, udph(Bp, A, 40100, 7789,
                   probe(1, 0x7FFF0010)), opts=b"\x01\x01\x01\x00")),
                   [("in", "probe")], []))
        # to the probe port without the magic: UDP
        out.append((eth(0x0800, ip4(Bp, A, 17, udph(Bp, A, 40101, 7789,
                   b"X" * 32))), [("in", "udp")], []))
        # a reply (from the probe port) without a request: PROBE, rx stamp
        out.append((eth(0x0800, ip4(Bp, A, 17, udph(Bp, A, 7789, 9000,
                   probe(2, 0x7FFF0001)))), [("in", "probe")], []))
        # an empty datagram to the probe port, the magic in the padding
        # after it: UDP (the UDP length says where the payload ends)
        out.append((eth(0x0800, ip4(Bp, A, 17, udph(Bp, A, 40106, 7789,
                   b"")) + probe(1, 0x7FFF0013)), [("in", "udp")], []))
        # the magic, but neither port is the probe port: UDP
        out.append((eth(0x0800, ip4(Bp, A, 17, udph(Bp, A, 40102, 9000,
                   probe(2, 0x7FFF0004)))), [("in", "udp")], []))
        # non-first fragments: by protocol only, never a probe
        fake = struct.pack("!HHHH", 7789, 7789, 40, 0) + probe(2, 0x7FFF0003)
        out.append((eth(0x0800, ip4(Bp, A, 17, fake, frag=8)),
                    [("in", "udp")], []))
        out.append((eth(0x0800, ip4(Bp, A, 6, b"T" * 20, frag=8)),
                    [("in", "tcp")], []))
        # IHL below 5: malformed, OTHER
        out.append((eth(0x0800, ip4(Bp, A, 17, b"\0" * 8, ihl=4)),
                    [("in", "other")], []))
        # UDP by protocol, but cut before its header
        out.append((eth(0x0800, ip4(Bp, A, 17, b"")), [("in", "udp")], []))
        # IPv6: ICMPv6, a probe, TCP; hop-by-hop in front of UDP is OTHER
        icmp6 = struct.pack("!BBHHH", 128, 0, 0, 1, 1) + b"p" * 16
        out.append((eth(0x86DD, ip6(B6, A6, 58, icmp6)), [("in", "icmp")], []))
        out.append((eth(0x86DD, ip6(B6, A6, 17, udph(B6, A6, 40103, 7789,
                   probe(1, 0x7FFF0011)))), [("in", "probe")], []))
        out.append((eth(0x86DD, ip6(B6, A6, 6, syn(B6, A6, 40104, 9))),
                    [("in", "tcp")], []))
        hbh = struct.pack("!BB", 17, 0) + b"\x01\x04\0\0\0\0"
        out.append((eth(0x86DD, ip6(B6, A6, 0, hbh + udph(B6, A6, 40105,
                   7789, probe(1, 0x7FFF0012)))), [("in", "other")], []))
        # ARP for an address nobody has: no answer
        arp = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, sm,
                          socket.inet_aton(Bp), b"\0" * 6,
                          socket.inet_aton("192.0.2.99"))
        out.append((eth(0x0806, arp), [("in", "other")], []))
    else:  # sent by the gateway out of veth-a, with VLAN tags in the frame
        tag = ((0x8100, 100),)
        out.append((eth(0x0800, ip4(A, Bp, 17, udph(A, Bp, 40300, 9001,
                   b"v" * 50)), tag), [("out", "udp")], []))
        # a request leaving: PROBE and a tx stamp, found behind the tag
        out.append((eth(0x0800, ip4(A, Bp, 17, udph(A, Bp, 40301, 7789,
                   probe(1, 0x7FFF0002))), tag), [("out", "probe")], []))
        arp = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, sm,
                          socket.inet_aton(A), b"\0" * 6,
                          socket.inet_aton("192.0.2.99"))
        out.append((eth(0x0806, arp, tag), [("out", "other")], []))
        # two tags: only one is parsed, so OTHER
        out.append((eth(0x0800, ip4(A, Bp, 17, udph(A, Bp, 40302, 9001,
                   b"q" * 10)), ((0x88A8, 10), (0x8100, 20))),
                   [("out", "other")], []))

    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((ifname, 0))
    for frame, counted, answers in out:
        s.send(frame)
        for d, c in counted:
            print(d, c, len(frame))
        for d, c, n in answers:
            print(d, c, n)


{"serve": serve, "udp": udp, "frames": frames}[sys.argv[1]](sys.argv[2:])
EOF

# ---- Namespaces and links.
for ns in "$ns_a" "$ns_b"; do
	ip netns add "$ns" || fail "cannot create namespace $ns"
	ns_made="$ns_made $ns"
	ip -n "$ns" link set lo up
	# Before the veths exist, so they never send router/neighbour
	# solicitations or MLD reports that would be counted.
	if [ -d /proc/sys/net/ipv6 ]; then
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1
	fi
done
ip -n "$ns_a" link add veth-a address "$mac_a" type veth \
	peer name veth-b address "$mac_b" netns "$ns_b" || skip "veth not available"
ip -n "$ns_a" link add veth-c address "$mac_c" type veth \
	peer name veth-d address "$mac_d" netns "$ns_b"
ip -n "$ns_a" link add veth-m type veth peer name veth-mp
ip -n "$ns_a" addr add "$ip_a/30" dev veth-a
ip -n "$ns_b" addr add "$ip_b/30" dev veth-b
ip -n "$ns_a" addr add "$ip_c/30" dev veth-c
ip -n "$ns_b" addr add "$ip_d/30" dev veth-d
# Permanent neighbours: no ARP ever crosses a link by itself.
ip -n "$ns_a" neigh add "$ip_b" lladdr "$mac_b" dev veth-a nud permanent
ip -n "$ns_b" neigh add "$ip_a" lladdr "$mac_a" dev veth-b nud permanent
ip -n "$ns_a" neigh add "$ip_d" lladdr "$mac_d" dev veth-c nud permanent
ip -n "$ns_b" neigh add "$ip_c" lladdr "$mac_c" dev veth-d nud permanent
for dev in veth-a veth-c veth-m veth-mp; do
	ip -n "$ns_a" link set "$dev" up
done
for dev in veth-b veth-d; do
	ip -n "$ns_b" link set "$dev" up
done

# Other software's tc setup on veth-a, before egnet comes: a clsact qdisc,
# an ingress filter after egnet's priority that ends classification, and
# an egress filter before it that continues.  Both mirror to veth-m and so
# count in their action statistics every packet they see.
in_a tc qdisc add dev veth-a clsact 2>/dev/null || skip "no clsact qdisc"
in_a tc filter add dev veth-a ingress prio 49152 protocol all \
	u32 match u32 0 0 action mirred egress mirror dev veth-m 2>/dev/null ||
	skip "no u32 classifier or mirred action for the foreign filters"
in_a tc filter add dev veth-a egress prio 1 protocol all \
	u32 match u32 0 0 action mirred egress mirror dev veth-m continue

# ---- BPF at all?  Without it there is nothing to test.
drv_start d1
ans=$(drv d1 open $port)
case $ans in
ok) ;;
"error BPF not available"*) skip "linkmon cannot load here: ${ans#error }" ;;
*) fail "open: $ans" ;;
esac

# Without privileges: a clean refusal with the reason, no crash.
if command -v setpriv >/dev/null; then
	ans=$(echo "open $port" | in_a setpriv --reuid=65534 --regid=65534 \
		--clear-groups --inh-caps=-all --bounding-set=-all \
		"$prog" linkmon 2>"$tmp/nopriv.err") ||
		fail "unprivileged driver failed: $(cat "$tmp/nopriv.err")"
	[ "$ans" = "error BPF not available: Operation not permitted" ] ||
		fail "unprivileged open answered '$ans'"
else
	echo "note: setpriv missing, unprivileged open not checked"
fi

# Probe port 0 (probing off in the profile): counters without probes.
ans=$(printf 'open 0\nquit\n' | in_a "$prog" linkmon 2>"$tmp/port0.err") ||
	fail "driver with probe port 0 failed: $(cat "$tmp/port0.err")"
[ "$ans" = ok ] || fail "open with probe port 0 answered '$ans'"

# ---- A crash and a restart: still one egnet filter per hook.
drv_ok d1 sync veth-a >/dev/null
ids1=$(expect_one veth-a) || fail
drv_kill d1
[ "$(expect_one veth-a)" = "$ids1" ] ||
	fail "egnet filters on veth-a changed when the driver was killed"
has_clsact veth-c && fail "veth-c has a clsact qdisc before the test made one"

drv_start d2
drv_ok d2 open $port >/dev/null
drv_ok d2 sync veth-a veth-c >/dev/null
ids2=$(expect_one veth-a) || fail
for id in $ids2; do
	! grep -qw "$id" <<<"$ids1" ||
		fail "program $id of the killed driver still attached after the restart"
done
expect_one veth-c >/dev/null
# The killed driver's programs go once nothing holds them (RCU-deferred).
for id in $ids1; do
	for _ in $(seq 40); do
		bpftool prog show id "$id" >/dev/null 2>&1 || break
		sleep 0.05
	done
	! bpftool prog show id "$id" >/dev/null 2>&1 ||
		fail "program $id of the killed driver still loaded after the restart"
done
f_in0=$(foreign ingress) || fail
f_out0=$(foreign egress) || fail

# ---- Traffic.  Every packet crossing veth-a goes into $tmp/expect as
# "DIR CLASS BYTES" (bytes from the Ethernet header on).
ip netns exec "$ns_b" python3 "$tmp/pk.py" serve --echo $port 9001 \
	>"$tmp/peer.out" 2>&1 &
bg_pids="$bg_pids $!"
disown $!
ip netns exec "$ns_a" python3 "$tmp/pk.py" serve $port 9000 \
	>"$tmp/sink.out" 2>&1 &
bg_pids="$bg_pids $!"
disown $!
for f in peer sink; do
	for _ in $(seq 100); do
		grep -q ready "$tmp/$f.out" && break
		sleep 0.05
	done
	grep -q ready "$tmp/$f.out" || fail "$f UDP server did not start"
done
: >"$tmp/expect"
# expect N DIR CLASS BYTES
expect() {
	local i
	for i in $(seq "$1"); do
		echo "$2 $3 $4" >>"$tmp/expect"
	done
}

# Echoes both ways: Ethernet 14 + IPv4 20 + ICMP 8 + payload each.
in_b ping -c 4 -i 0.2 -s 100 -W 2 -q "$ip_a" >"$tmp/ping.out" ||
	fail "ping from the peer failed"
expect 4 in icmp 142
expect 4 out icmp 142
in_a ping -c 2 -i 0.2 -s 300 -W 2 -q "$ip_b" >"$tmp/ping.out" ||
	fail "ping to the peer failed"
expect 2 out icmp 342
expect 2 in icmp 342
# UDP datagrams; Ethernet 14 + IPv4 20 + UDP 8 + payload.
in_b python3 "$tmp/pk.py" udp "$ip_a" 9000 200 5 || fail "UDP to the gateway"
expect 5 in udp 242
in_a python3 "$tmp/pk.py" udp "$ip_b" 9001 50 2 || fail "UDP to the peer"
expect 2 out udp 92
# GSO: one send of 400 bytes in segments of 100 is 4 packets on the wire,
# each with its own headers, however many skbs the kernel made of it.
in_a python3 "$tmp/pk.py" udp "$ip_b" 9001 400 1 100 || fail "UDP GSO to the peer"
expect 4 out udp 142
in_b python3 "$tmp/pk.py" udp "$ip_a" 9000 400 1 100 || fail "UDP GSO to the gateway"
expect 4 in udp 142
# Hand-made frames, and what they make the gateway answer.
in_b python3 "$tmp/pk.py" frames veth-b "$mac_b" "$mac_a" in >>"$tmp/expect" ||
	fail "sending raw frames from the peer"
in_a python3 "$tmp/pk.py" frames veth-a "$mac_a" "$mac_b" out >>"$tmp/expect" ||
	fail "sending raw frames from the gateway"

# Probes out of veth-a, echoed by the peer: 14 + 20 + 8 + 32 bytes each.
kmax=0
for seq in 1 2 3; do
	ans=$(drv_ok d2 probe "$ip_b" $seq)
	tx=$(num "$ans" tx) rx=$(num "$ans" rx) t0=$(num "$ans" t0) t1=$(num "$ans" t1)
	[ "$tx" -gt 0 ] && [ "$rx" -gt "$tx" ] ||
		fail "probe $seq: kernel times tx=$tx rx=$rx, want 0 < tx < rx ($ans)"
	krtt=$((rx - tx))
	urtt=$((t1 - t0))
	[ "$krtt" -le "$urtt" ] ||
		fail "probe $seq: kernel RTT $krtt ns above the user-space RTT $urtt ns"
	echo "probe $seq: kernel RTT $krtt ns, user-space RTT $urtt ns"
	[ "$krtt" -gt "$kmax" ] && kmax=$krtt
	ans=$(drv_ok d2 probe_ts $seq)
	[ "$ans" = "ok tx=0 rx=0" ] ||
		fail "probe $seq: timestamps not deleted once both were read ($ans)"
done
expect 3 out probe 74
expect 3 in probe 74
# One the peer does not answer: sent, so tx; no reply, so rx 0, and it
# stays until the reply comes.
ans=$(drv d2 probe "$ip_b" 2147483649 300)
tx=$(num "$ans" tx)
[[ $ans == timeout* ]] && [ "$tx" -gt 0 ] && [ "$(num "$ans" rx)" = 0 ] ||
	fail "unanswered probe: '$ans', want timeout with tx > 0 and rx 0"
[ "$(drv_ok d2 probe_ts 2147483649)" = "ok tx=$tx rx=0" ] ||
	fail "unanswered probe's tx stamp did not stay"
expect 1 out probe 74
# The raw frames' probes: a reply never requested (rx only), a request
# behind a VLAN tag (tx only), a non-first fragment (nothing).
ans=$(drv_ok d2 probe_ts $((0x7fff0001)))
[ "$(num "$ans" tx)" = 0 ] && [ "$(num "$ans" rx)" -gt 0 ] ||
	fail "unrequested reply: '$ans', want tx 0 and rx > 0"
# Our own request with that seq starts afresh: tx now, rx from its reply.
ans=$(drv_ok d2 probe "$ip_b" $((0x7fff0001)))
tx=$(num "$ans" tx) rx=$(num "$ans" rx)
[ "$tx" -gt 0 ] && [ "$rx" -gt "$tx" ] ||
	fail "probe after a stray reply: '$ans', want 0 < tx < rx"
expect 1 out probe 74
expect 1 in probe 74
ans=$(drv_ok d2 probe_ts $((0x7fff0002)))
[ "$(num "$ans" tx)" -gt 0 ] && [ "$(num "$ans" rx)" = 0 ] ||
	fail "request behind a VLAN tag: '$ans', want tx > 0 and rx 0"
for seq in $((0x7fff0003)) $((0x7fff0004)) $((0x7fff0010)) $((0x7fff0011)) \
	$((0x7fff0012)) $((0x7fff0013)); do
	ans=$(drv_ok d2 probe_ts $seq)
	[ "$ans" = "ok tx=0 rx=0" ] ||
		fail "probe seq $seq must not have been timestamped: '$ans'"
done

sleep 0.3 # the last answers (RSTs) are sent from softirq
ans=$(drv_ok d2 read veth-a)
bad=
summary=
for dir in in out; do
	for cls in tcp udp icmp other probe; do
		want=$(awk -v d=$dir -v c=$cls '$1 == d && $2 == c { p++; b += $3 }
			END { printf "%d/%d", p, b }' "$tmp/expect")
		got=$(field "$ans" "$dir.$cls")
		[ "$got" = "$want" ] || bad="$bad $dir.$cls=$got (want $want)"
		summary="$summary $dir.$cls=$got"
	done
done
[ -z "$bad" ] || fail "counters on veth-a:$bad"
ans=$(drv_ok d2 read veth-c)
[ -z "$(grep -oE '=[0-9]*[1-9][0-9]*/' <<<"$ans")" ] ||
	fail "veth-c saw no traffic but counts: $ans"

# The foreign filters saw every packet too: egnet's filter neither hid
# packets from the one after it nor was skipped by the one before it.
tot_in=$(awk '$1 == "in"' "$tmp/expect" | wc -l)
tot_out=$(awk '$1 == "out"' "$tmp/expect" | wc -l)
# The mirror counts skbs: a GSO send of 4 segments may be one skb or 4
# when tc sees it, depending on the kernel and the device.
f_in=$(($(foreign ingress) - f_in0))
f_out=$(($(foreign egress) - f_out0))
[ "$f_out" -eq "$tot_out" ] || [ "$f_out" -eq $((tot_out - 3)) ] ||
	fail "foreign egress filter saw $f_out packets, want $tot_out (or $((tot_out - 3)) with a GSO skb)"
[ "$f_in" -eq "$tot_in" ] || [ "$f_in" -eq $((tot_in - 3)) ] ||
	fail "foreign ingress filter saw $f_in packets, want $tot_in (or $((tot_in - 3)) with a GSO skb)"
echo "foreign filters saw $f_in of $tot_in packets in, $f_out of $tot_out out"

# ---- Drops by reason (skb:kfree_skb), where the kernel gives reasons.
# reason_count ANSWER REASON: packets of REASON in a "drops" answer.
reason_count() {
	local n
	n=$(sed -n "s/.* $2=\([0-9]*\)\/.*/\1/p" <<<"$1")
	echo "${n:-0}"
}
ans=$(drv d2 drops veth-a)
case $ans in
"off: the kernel gives no drop reasons")
	echo "drops: skipped, the kernel gives no drop reasons"
	drops_summary=" (drops: kernel without reasons)" ;;
ok*)
	command -v nft >/dev/null || fail "nft missing (make deps)"
	d0=$ans
	c0=$(drv_ok d2 drops veth-c)
	# 6 datagrams to a closed port: the socket lookup drops them; 4 to
	# a port a netfilter rule drops; both on the way in on veth-a.
	in_a nft -f - <<'NFT' || fail "nft rule for the drop test"
table inet egt_drop {
	chain in { type filter hook input priority 0; udp dport 9556 drop; }
}
NFT
	in_b python3 "$tmp/pk.py" udp "$ip_a" 9555 20 6 || fail "UDP to a closed port"
	in_b python3 "$tmp/pk.py" udp "$ip_a" 9556 20 4 || fail "UDP to a dropped port"
	# Drops in another namespace are not ours, even on a device with
	# the same ifindex as a watched one (veth-b in B and veth-a in A).
	in_a python3 "$tmp/pk.py" udp "$ip_b" 9557 20 5 || fail "UDP to the peer's closed port"
	idx_a=$(in_a cat /sys/class/net/veth-a/ifindex)
	idx_b=$(in_b cat /sys/class/net/veth-b/ifindex)
	sleep 0.2
	d1=$(drv_ok d2 drops veth-a)
	nosock=$(($(reason_count "$d1" NO_SOCKET) - $(reason_count "$d0" NO_SOCKET)))
	nfdrop=$(($(reason_count "$d1" NETFILTER_DROP) - $(reason_count "$d0" NETFILTER_DROP)))
	[ "$nosock" -eq 6 ] && [ "$nfdrop" -eq 4 ] ||
		fail "drops on veth-a: NO_SOCKET +$nosock (want 6), NETFILTER_DROP +$nfdrop (want 4); before '$d0', after '$d1' (veth-b in the peer namespace has ifindex $idx_b, veth-a $idx_a)"
	[ "$(drv_ok d2 drops veth-c)" = "$c0" ] ||
		fail "veth-c counted drops it did not have: '$c0' -> '$(drv d2 drops veth-c)'"
	in_a nft delete table inet egt_drop
	echo "drops on veth-a: NO_SOCKET +$nosock, NETFILTER_DROP +$nfdrop; none from the peer namespace (veth-b ifindex $idx_b, veth-a $idx_a)"
	drops_summary="; drops NO_SOCKET=$nosock NETFILTER_DROP=$nfdrop" ;;
*) fail "drops veth-a: $ans" ;;
esac

# ---- sync: links in place stay as they are; unlisted links are detached,
# and the clsact qdisc egnet made goes with them when nothing else is on it.
# tc monitor shows every change the kernel makes: none may touch veth-a.
# A clsact qdisc added to and removed from veth-mp brackets the sync, so
# the monitor is known to listen before it and to have printed all of it
# (veth-mp is where the mirrors send to, never monitored).
ip netns exec "$ns_a" tc monitor >"$tmp/monitor.out" 2>&1 &
mon=$!
bg_pids="$bg_pids $mon"
disown $mon
# Listening once an added marker qdisc shows (added again until it does).
for i in $(seq 50); do
	in_a tc qdisc add dev veth-mp clsact
	sleep 0.05
	grep -q "clsact.*dev veth-mp" "$tmp/monitor.out" && break
	in_a tc qdisc del dev veth-mp clsact
done
grep -q "clsact.*dev veth-mp" "$tmp/monitor.out" || fail "tc monitor does not listen"
drv_ok d2 sync veth-a >/dev/null
# Everything before the marker's removal has been printed once it shows.
in_a tc qdisc del dev veth-mp clsact
for i in $(seq 50); do
	grep -q "deleted.*dev veth-mp" "$tmp/monitor.out" && break
	sleep 0.05
done
kill "$mon"
grep -q "deleted.*dev veth-mp" "$tmp/monitor.out" ||
	fail "tc monitor did not show the end marker"
[ "$(expect_one veth-a)" = "$ids2" ] ||
	fail "sync re-attached veth-a although it was in place"
expect_none veth-c
has_clsact veth-c && fail "clsact qdisc egnet made on veth-c left after detach"
grep -q "dev veth-c" "$tmp/monitor.out" ||
	fail "tc monitor saw nothing of veth-c's detach (monitor broken?)"
! grep "dev veth-a" "$tmp/monitor.out" ||
	fail "sync changed veth-a's tc setup although egnet's filter was in place"
# A missing link is reported, and the links after it are still done.
ans=$(drv d2 sync nosuch0 veth-a veth-c)
[[ $ans == "error nosuch0: No such device"* ]] ||
	fail "sync with a missing link answered '$ans'"
expect_one veth-c >/dev/null
[ "$(expect_one veth-a)" = "$ids2" ] || fail "sync changed veth-a's filters"
# Somebody else's program in egnet's place (another agent, killed): sync
# notices and puts its own back.
drv_start d3
drv_ok d3 open $port >/dev/null
drv_ok d3 attach veth-a >/dev/null
drv_kill d3
[ "$(expect_one veth-a)" != "$ids2" ] || fail "second driver did not replace the filter"
drv_ok d2 sync veth-a veth-c >/dev/null
[ "$(expect_one veth-a)" = "$ids2" ] ||
	fail "sync left another program in egnet's filter on veth-a"
# A clsact egnet made but another filter came to: it stays, so does that.
in_a tc filter add dev veth-c ingress prio 49152 protocol all \
	u32 match u32 0 0 action mirred egress mirror dev veth-m
drv_ok d2 detach veth-c >/dev/null
expect_none veth-c
has_clsact veth-c || fail "detach removed the clsact qdisc another filter uses"
[ "$(in_a tc -j filter show dev veth-c ingress | jq '[.[] | select(.kind == "u32")] | length')" -gt 0 ] ||
	fail "detach removed another filter from veth-c"
# A clsact egnet did not make stays even when it is left empty.
in_a tc filter del dev veth-c ingress prio 49152
drv_ok d2 attach veth-c >/dev/null
expect_one veth-c >/dev/null
drv_ok d2 detach veth-c >/dev/null
expect_none veth-c
has_clsact veth-c || fail "detach removed a clsact qdisc egnet did not make"
drv_ok d2 sync veth-a veth-c >/dev/null
expect_one veth-c >/dev/null

# ---- Close: nothing of egnet's left, everything else still there.
drv_quit d2
expect_none veth-a
expect_none veth-c
foreign ingress >/dev/null
foreign egress >/dev/null
has_clsact veth-a || fail "close removed the clsact qdisc egnet did not make"

# ---- detach_all after a crash.
drv_start d4
drv_ok d4 open $port >/dev/null
drv_ok d4 sync veth-a veth-c >/dev/null
expect_one veth-a >/dev/null
drv_kill d4
expect_one veth-a >/dev/null
ans=$(echo detach_all | in_a "$prog" linkmon 2>"$tmp/detach_all.err")
[ "$ans" = ok ] || fail "detach_all answered '$ans'"
[ -z "$(linkmon_progs)" ] || fail "linkmon programs left after detach_all: $(linkmon_progs)"
expect_none veth-a
expect_none veth-c
foreign ingress >/dev/null
foreign egress >/dev/null

# ---- The one-shot mode benchmarks use: attach, count, close on SIGTERM.
ip netns exec "$ns_a" "$prog" linkmon veth-a 30 >"$tmp/oneshot.out" \
	2>"$tmp/oneshot.err" &
oneshot=$!
for _ in $(seq 100); do
	grep -q '^attached ' "$tmp/oneshot.out" && break
	kill -0 "$oneshot" 2>/dev/null || break
	sleep 0.05
done
grep -q '^attached ifname=veth-a$' "$tmp/oneshot.out" ||
	fail "one-shot mode did not attach"
expect_one veth-a >/dev/null
in_b ping -c 3 -i 0.2 -s 100 -W 2 -q "$ip_a" >"$tmp/ping.out" ||
	fail "ping from the peer failed"
kill -TERM "$oneshot"
rc=0
wait "$oneshot" || rc=$?
[ "$rc" -eq 0 ] || fail "one-shot mode exited with status $rc"
ans=$(grep '^ok ' "$tmp/oneshot.out") || fail "one-shot mode printed no counters"
[ "$(field "$ans" in.icmp)" = 3/426 ] && [ "$(field "$ans" out.icmp)" = 3/426 ] ||
	fail "one-shot mode counted '$ans', want 3/426 ICMP each way"
expect_none veth-a

echo "PASS: linkmon counted exactly on veth-a:$summary; probe kernel RTT up to $kmax ns$drops_summary; one filter after a crash and restart; foreign filters intact"
