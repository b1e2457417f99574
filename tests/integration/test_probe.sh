#!/bin/bash
# Probes from the example township: its parent (an egnet echo responder in
# the parent's namespace) and its villages (no agent: ICMP).  RTT comes
# from kernel timestamps (eBPF's for egnet echo, the sockets' for ICMP
# echo, which the programs do not stamp) and is not above the user-space
# RTT; a delaying relay raises it by about the delay; a cut of the parent's
# link is marked down within (down_after + 1) intervals and up again when
# restored; a reply with the wrong sequence number is ignored and counted;
# a village that answers is up with 0% loss, one that does not is down
# with 100%.
. "$(dirname "$0")/lib.sh"

ECHO="python3 $ROOT/tests/integration/echo.py"
G=egt-pg-$$ P=egt-pp-$$ V=egt-pv-$$ L=egt-pl-$$
for n in $G $P $V $L; do
	ip netns add $n || fail "netns"
	NSES+=($n)
	ip -n $n link set lo up
done
ip -n $G link add eth0 type veth peer name up0 netns $P
ip -n $G link add eth1 type veth peer name v0 netns $V
ip -n $G link add eth2 type veth peer name l0 netns $L
ip -n $P link set up0 up
ip -n $P addr add 10.16.64.129/30 dev up0
ip -n $P route add default via 10.16.64.130
ip -n $V link set v0 up
ip -n $V addr add fd45:676e:410:404::1/127 dev v0 nodad
ip -n $V route add default via fd45:676e:410:404::
ip -n $L link set l0 up
ip -n $L addr add 10.16.64.250/26 dev l0
ip -n $L route add default via 10.16.64.193

# a fast probe profile: 200 ms, down after 3, up after 2
cp -r "$ROOT/profiles" "$T/p"
sed -i 's/interval = 1000;/interval = 200;/' "$T/p/include/probe.conf"
dir=$T/t
mkdir -p "$dir"
node_conf "$dir/node.conf" 210102001000 "$T/p/township.conf" enforce \
	'uplink = "eth0"; downlink = [ "eth1" ]; lan = [ "eth2" ];'

start_echo() {
	ip netns exec $P $ECHO "$@" >/dev/null 2>&1 &
	ECHO_PID=$!
	PIDS+=($ECHO_PID)
	disown $ECHO_PID
	sleep 0.3
}
start_echo
agent_start $G "$dir/node.conf" || fail "agent did not start"

target() { # CODE FIELD: from egnetctl links --json
	ctl "$dir" links --json >"$T/l.json" || return 1
	json_field "$T/l.json" "[t['$2'] for t in d['targets'] if t['code'] == '$1'][0]"
}
PARENT=210102000000
wait_for 3 sh -c "[ \"\$(python3 -c \"import json;d=json.load(open('$T/l.json'));print([t['state'] for t in d['targets'] if t['code']=='$PARENT'][0])\" 2>/dev/null)\" = up ] || { \"$CTL\" links --json --socket \"$dir/agent.sock\" >\"$T/l.json\"; false; }" ||
	fail "parent never up: $(cat "$T/l.json")"
sleep 2

# RTT from the kernel, positive, not above the user-space RTT
# with eBPF here, the RTT must come from the kernel's timestamps
if [ "$(json_field "$T/l.json" 'd["monitor"]["counters"]')" = ebpf ]; then
	[ "$(target $PARENT timestamps)" = ebpf ] &&
		[ "$(target $PARENT kernel_timestamps)" = True ] ||
		fail "eBPF is attached but the RTT is not from its timestamps: $(target $PARENT timestamps)"
else
	echo "note: no eBPF here ($(json_field "$T/l.json" 'd["monitor"]["reason"]')): socket timestamps"
fi
python3 - "$T/l.json" <<'PY' || fail "RTT: $(cat "$T/l.json")"
import json, sys
d = json.load(open(sys.argv[1]))
t = [t for t in d["targets"] if t["relation"] == "parent"][0]
assert t["rtt_ms"] is not None and t["rtt_ms"] > 0, t
assert t["rtt_ms"] <= t["user_rtt_ms"], t
assert t["received"] > 0 and t["loss_pct"] < 50, t  # the first may die in ARP
PY
base=$(target $PARENT rtt_avg_ms)

# a delaying relay: +50 ms
kill $ECHO_PID
start_echo --delay 50
sleep 3
ctl "$dir" links --json >"$T/l.json"
python3 - "$T/l.json" "$base" <<'PY' || fail "delay not seen: $(cat "$T/l.json")"
import json, sys
d = json.load(open(sys.argv[1]))
t = [t for t in d["targets"] if t["relation"] == "parent"][0]
rise = t["rtt_ms"] - float(sys.argv[2])
assert 40 <= rise <= 80, (rise, t)
print("RTT %.3f ms -> %.3f ms with a 50 ms relay" % (float(sys.argv[2]), t["rtt_ms"]))
PY
kill $ECHO_PID
start_echo

# a cut, then back (the parent answering steadily first)
parent_is() {
	ctl "$dir" links --json >"$T/l.json" 2>/dev/null &&
		[ "$(json_field "$T/l.json" "[t['state'] for t in d['targets'] if t['code'] == '$PARENT'][0]")" = "$1" ]
}
wait_for 3 parent_is up || fail "parent not up before the cut"
sleep 1
t0=$(date +%s%3N)
ip -n $P link set up0 down
wait_for 3 sh -c "\"$CTL\" links --json --socket \"$dir/agent.sock\" >\"$T/l.json\"; python3 -c \"import json;d=json.load(open('$T/l.json'));exit([t['state'] for t in d['targets'] if t['code']=='$PARENT'][0] != 'down')\"" ||
	fail "the cut was not seen"
# the agent's own time of the event, not our polling's
t1=$(json_field "$T/l.json" "[t['since_ms'] for t in d['targets'] if t['code'] == '$PARENT'][0]")
took=$(python3 -c "print(($t1 - $t0) / 1000)")
# (3 + 1) intervals, and 50 ms for the timers' scheduling on a busy machine
python3 -c "import sys; sys.exit(0 if $took <= (3 + 1) * 0.2 + 0.05 else 1)" ||
	fail "down after $took s, more than (3+1) intervals of 0.2 s"
grep -q "parent $PARENT .* is down" "$dir/agent.log" || fail "no down event in the log"
ip -n $P link set up0 up
wait_for 3 sh -c "\"$CTL\" links --json --socket \"$dir/agent.sock\" >\"$T/l.json\"; python3 -c \"import json;d=json.load(open('$T/l.json'));exit([t['state'] for t in d['targets'] if t['code']=='$PARENT'][0] != 'up')\"" ||
	fail "not up again after the restore"
echo "cut seen in $took s"

# villages: 001 answers ICMP (IPv6 plan), 002 has nobody, 003 is the
# inventory's IPv4 address on the LAN
sleep 1.5
ctl "$dir" links --json >"$T/l.json"
python3 - "$T/l.json" <<'PY' || fail "villages: $(cat "$T/l.json")"
import json, sys
d = json.load(open(sys.argv[1]))
v = {t["code"]: t for t in d["targets"] if t["relation"] == "village"}
assert v["210102001001"]["method"] == "icmp"
# up, answering: at most the first probes lost to neighbour discovery
assert v["210102001001"]["state"] == "up" and v["210102001001"]["loss_pct"] < 20, v["210102001001"]
assert v["210102001002"]["state"] == "down" and v["210102001002"]["loss_pct"] == 100, v["210102001002"]
assert v["210102001003"]["state"] == "up" and v["210102001003"]["address"] == "10.16.64.250", v["210102001003"]
# ICMPv6 and ICMP: both times from the socket, not above user space's
for c in ("210102001001", "210102001003"):
    assert v[c]["timestamps"] == "socket" and v[c]["kernel_timestamps"] is True, v[c]
    assert 0 < v[c]["rtt_ms"] <= v[c]["user_rtt_ms"], v[c]
assert v["210102001002"]["timestamps"] is None, v["210102001002"]
PY

# a child's link cut in the child's namespace (village 001 on eth1), then
# back: down within (3 + 1) intervals by the agent's clock, up again
VIL=210102001001
vil_is() {
	ctl "$dir" links --json >"$T/l.json" 2>/dev/null &&
		[ "$(json_field "$T/l.json" "[t['state'] for t in d['targets'] if t['code'] == '$VIL'][0]")" = "$1" ]
}
t0=$(date +%s%3N)
ip -n $V link set v0 down
wait_for 3 vil_is down || fail "the child's cut was not seen: $(cat "$T/l.json")"
t1=$(json_field "$T/l.json" "[t['since_ms'] for t in d['targets'] if t['code'] == '$VIL'][0]")
vtook=$(python3 -c "print(($t1 - $t0) / 1000)")
python3 -c "import sys; sys.exit(0 if $vtook <= (3 + 1) * 0.2 + 0.05 else 1)" ||
	fail "child down after $vtook s, more than (3+1) intervals of 0.2 s"
grep -q "village $VIL .* is down" "$dir/agent.log" || fail "no down event for the child in the log"
ip -n $V link set v0 up
# a link going down takes its IPv6 addresses and routes with it
ip -n $V addr replace fd45:676e:410:404::1/127 dev v0 nodad
ip -n $V route replace default via fd45:676e:410:404::
wait_for 4 vil_is up || fail "the child is not up again after the restore"
echo "child's cut seen in $vtook s"

# the links' counters through egnetctl: the egnet probes to the parent
# both ways on eth0, the ICMP echoes to the village on the downlink
# bridge eg-down and on eth1, its port
if [ "$(json_field "$T/l.json" 'd["monitor"]["counters"]')" = ebpf ]; then
	python3 - "$T/l.json" <<'PY' || fail "link counters: $(cat "$T/l.json")"
import json, sys
d = json.load(open(sys.argv[1]))
l = {l["name"]: l for l in d["links"]}
p = l["eth0"]["counters"]["classes"]["probe"]
assert p["tx_packets"] > 0 and p["rx_packets"] > 0, l["eth0"]
assert p["tx_bytes"] == p["tx_packets"] * 74, p  # 14 + 20 + 8 + 32
i = l["eg-down"]["counters"]["classes"]["icmp"]
assert i["tx_packets"] > 0 and i["rx_packets"] > 0, l["eg-down"]
# and on eth1 itself, the bridge's port: the village's own line
assert l["eth1"]["role"] == "port" and l["eth1"]["bridge"] == "eg-down", l["eth1"]
i = l["eth1"]["counters"]["classes"]["icmp"]
assert i["tx_packets"] > 0 and i["rx_packets"] > 0, l["eth1"]
c = l["eth0"]["counters"]
assert c["tx_packets"] >= p["tx_packets"] and c["rx_packets"] >= p["rx_packets"], c
PY
fi

# a reply with the wrong sequence number is ignored and counted
kill $ECHO_PID
start_echo --wrong-seq
bad0=$(target $PARENT bad)
sleep 1.5
bad1=$(target $PARENT bad)
[ "$bad1" -gt "$bad0" ] || fail "wrong replies not counted ($bad0 -> $bad1)"
[ "$(target $PARENT state)" = down ] || fail "wrong replies kept the parent up"

# the human view
ctl "$dir" links >"$T/links.txt" || fail "egnetctl links"
grep -q "^parent .*$PARENT" "$T/links.txt" || fail "links output: $(cat "$T/links.txt")"
grep -q "^village .* socket " "$T/links.txt" || fail "links output, TIMES: $(cat "$T/links.txt")"
# an apply of another probe port (the firewall opens it too): new sockets,
# and the programs already attached take the new port at once (the parent's RTT from eBPF again,
# its probes still counted as probes on eth0)
probes_out() {
	ctl "$dir" links --json >"$T/l.json" &&
		json_field "$T/l.json" "[l for l in d['links'] if l['name'] == 'eth0'][0]['counters']['classes']['probe']['tx_packets']"
}
n0=$(probes_out)
sed -i 's/port = 7789;/port = 7790;/' "$T/p/include/probe.conf"
kill $ECHO_PID
start_echo --port 7790
ctl "$dir" apply >/dev/null || fail "apply of a new probe port"
wait_for 4 parent_is up || fail "parent not up on the new port: $(cat "$T/l.json")"
sleep 0.5
ctl "$dir" links --json >"$T/l.json"
if [ "$(json_field "$T/l.json" 'd["monitor"]["counters"]')" = ebpf ]; then
	[ "$(target $PARENT timestamps)" = ebpf ] ||
		fail "new port: the RTT is not from eBPF: $(target $PARENT timestamps)"
	n1=$(probes_out)
	[ "$n1" -gt "$n0" ] || fail "new port: probes not counted as probes ($n0 -> $n1)"
fi
ip netns exec $G ss -uln | grep -q ':7790 ' || fail "no socket on the new port"
ip netns exec $G ss -uln | grep -q ':7789 ' && fail "the old port is still open"
sed -i 's/port = 7790;/port = 7789;/' "$T/p/include/probe.conf"
kill $ECHO_PID
start_echo
ctl "$dir" apply >/dev/null || fail "apply of a new probe port"
wait_for 4 parent_is up || fail "parent not up on the old port again"

# the agent's programs: one per direction while it runs, none after it
# stops, still one after a crash and two restarts
ours() { ip netns exec $G tc filter show dev eth0 "$1" | grep -c "linkmon_" || true; }
# bpftool's view: linkmon programs on any device of the namespace
bpf_seen() {
	ip netns exec $G bpftool -j net show 2>/dev/null | python3 -c '
import json, sys
print(sum(1 for d in json.load(sys.stdin) for t in d.get("tc", [])
          if t.get("name", "").startswith("linkmon_")))'
}
if [ "$(json_field "$T/l.json" 'd["monitor"]["counters"]')" = ebpf ]; then
	n_watched=$(json_field "$T/l.json" 'len(d["links"])')
	[ "$(ours ingress)" = 1 ] && [ "$(ours egress)" = 1 ] ||
		fail "while running: $(ours ingress) in, $(ours egress) out"
	[ "$(bpf_seen)" = $((2 * n_watched)) ] ||
		fail "bpftool net: $(bpf_seen) linkmon programs, want 2 on each of $n_watched links"
	agent_stop
	[ "$(ours ingress)" = 0 ] && [ "$(ours egress)" = 0 ] ||
		fail "programs left after the agent stopped"
	[ "$(bpf_seen)" = 0 ] || fail "bpftool net still shows $(bpf_seen) linkmon programs after the stop"
	agent_start $G "$dir/node.conf" || fail "restart 1"
	kill -9 "$AGENT_PID"
	sleep 0.2
	agent_start $G "$dir/node.conf" || fail "restart 2"
	[ "$(ours ingress)" = 1 ] && [ "$(ours egress)" = 1 ] ||
		fail "after a crash and a restart: $(ours ingress) in, $(ours egress) out"
	[ "$(bpf_seen)" = $((2 * n_watched)) ] ||
		fail "bpftool net after a crash and a restart: $(bpf_seen) linkmon programs, want $((2 * n_watched))"
fi
echo "PASS: probes: kernel RTT, +50 ms seen, cut in $took s, child's cut in $vtook s, villages by ICMP (socket timestamps), wrong replies counted, probe port changed by an apply"
