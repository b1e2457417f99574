#!/bin/bash
# The agent under the limits its systemd unit sets: a user that is not root
# (uid EGNET_TEST_UID, default 61234, no passwd entry needed) with exactly
# CAP_NET_ADMIN CAP_NET_RAW CAP_BPF CAP_PERFMON (inheritable, ambient and
# bounding set; no CAP_SYS_ADMIN), started by setpriv, as the service
# manager would.  In its own namespaces it must:
#  - run with that uid and exactly those capabilities (/proc/PID/status);
#  - apply the township profile: converged, table inet egnet, routes of
#    protocol egnet and its policy rules in the kernel, forwarding on;
#  - attach its BPF programs (bpftool sees linkmon_ingress/egress on the
#    uplink) and count the probes' packets with them;
#  - probe: its parent (egnet echo) up, a village that answers ICMP up;
#  - report to a collector that runs as the same user with no capability
#    at all: the collector has its reports;
#  - feed the service manager's watchdog (NOTIFY_SOCKET, WATCHDOG_USEC) at
#    half the interval, and so must the collector;
#  - make no system call the unit's SystemCallFilter= refuses, and open no
#    socket of a family RestrictAddressFamilies= refuses (strace -f of both
#    daemons, tests/integration/unitcheck.py), and write files only in
#    what stands for their StateDirectory= and RuntimeDirectory=.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/colllib.sh"

for tool in setpriv bpftool python3 curl strace systemd-analyze; do
	command -v $tool >/dev/null || { echo "SKIP: $tool not installed"; exit 77; }
done
ECHO="python3 $ROOT/tests/integration/echo.py"
U=${EGNET_TEST_UID:-61234}
TC=210102001000
CAPS=+net_admin,+net_raw,+bpf,+perfmon
G=egcap-g-$$ P=egcap-p-$$ L=egcap-l-$$ N=egcap-n-$$
chmod 755 "$T"

# ---- namespaces: the township G, its parent P, a LAN village L, the NOC N ----
for n in $G $P $L $N; do
	ip netns add $n || fail "netns $n"
	NSES+=($n)
	ip -n $n link set lo up
done
ip -n $G link add eth0 type veth peer name up0 netns $P
ip -n $G link add eth1 type veth peer name p-eth1
ip -n $G link set p-eth1 up
ip -n $G link add eth2 type veth peer name l0 netns $L
ip -n $P link set up0 up
ip -n $P addr add 10.16.64.129/30 dev up0
ip -n $P route add default via 10.16.64.130
ip -n $L link set l0 up
ip -n $L addr add 10.16.64.250/26 dev l0
ip -n $L route add default via 10.16.64.193
noc_line $N $G 9

# notify_listen NAME: a service manager's notification socket $T/NAME.sock,
# what it gets one line per message in $T/NAME.log
notify_listen() {
	python3 - "$T/$1.sock" >"$T/$1.log" 2>&1 <<'PY' &
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
os.chmod(sys.argv[1], 0o777)
while True:
    print(s.recv(4096).decode(errors="replace").replace("\n", " "), flush=True)
PY
	PIDS+=($!)
	disown $!
	wait_for 5 test -S "$T/$1.sock" || fail "no notify socket $1"
}
# keepalives NAME: WATCHDOG=1 in 4 s, about 4 at WATCHDOG_USEC = 2 s
keepalives() {
	local n0 n1
	grep -q "READY=1" "$T/$1.log" || fail "$1: no READY=1: $(cat "$T/$1.log")"
	n0=$(grep -c "WATCHDOG=1" "$T/$1.log")
	sleep 4
	n1=$(grep -c "WATCHDOG=1" "$T/$1.log")
	[ $((n1 - n0)) -ge 3 ] && [ $((n1 - n0)) -le 6 ] ||
		fail "$1 watchdog: $((n1 - n0)) keep-alives in 4 s, want about 4"
}

# ---- the collector: same user, no capability ------------------------------------
notify_listen cnotify
pki_make "$T/pki" "collector 10.250.9.1" $TC
chown -R $U:$U "$T/pki"
mkdir -p "$T/cstate" "$T/t" && chown $U:$U "$T/cstate" "$T/t"
coll_conf "$T/coll.conf" 10.250.9.1:8443
coll_run $N env NOTIFY_SOCKET="$T/cnotify.sock" WATCHDOG_USEC=2000000 \
	strace -f -qq -y -o "$T/coll.strace" setpriv --reuid=$U --regid=$U --clear-groups \
	--inh-caps=-all --ambient-caps=-all --bounding-set=-all --no-new-privs \
	"$COLL" -c "$T/coll.conf"
STRACE_C=$COLL_PID
coll_wait_ready 10

# ---- the agent: uid U, exactly the four capabilities -----------------------------
ip netns exec $P $ECHO >/dev/null 2>&1 &
PIDS+=($!)
disown $!
node_conf "$T/t/node.conf" $TC "$ROOT/profiles/township.conf" enforce \
	'uplink = "eth0"; downlink = [ "eth1" ]; lan = [ "eth2" ];' \
	"collector = { url = \"https://10.250.9.1:8443\"; interval = 1; timeout = 2;
	ca = \"$T/pki/ca.crt\"; cert = \"$T/pki/nodes/$TC.crt\"; key = \"$T/pki/nodes/$TC.key\";
	source = \"none\"; };"
notify_listen notify
ip netns exec $G env NOTIFY_SOCKET="$T/notify.sock" WATCHDOG_USEC=2000000 \
	strace -f -qq -y -o "$T/agent.strace" setpriv --reuid=$U --regid=$U --clear-groups \
	--inh-caps=-all,$CAPS --ambient-caps=-all,$CAPS \
	--bounding-set=-all,$CAPS --no-new-privs \
	"$AGENT" -c "$T/t/node.conf" >"$T/t/agent.log" 2>&1 &
STRACE_A=$!
PIDS+=($STRACE_A)
disown $STRACE_A
wait_for 10 test -S "$T/t/agent.sock" || fail "the agent did not start: $(cat "$T/t/agent.log")"
# strace's child; setpriv execs the agent in it
AGENT_PID=$(pgrep -P $STRACE_A)
grep -q "egnet-agent" /proc/$AGENT_PID/cmdline || fail "pid $AGENT_PID is not the agent"

# ---- its identity and capabilities -----------------------------------------------
python3 - $AGENT_PID $U <<'PY' || fail "the agent's credentials"
import sys
st = dict(l.split(":", 1) for l in open("/proc/%s/status" % sys.argv[1]))
uid = st["Uid"].split()
want = (1 << 12) | (1 << 13) | (1 << 38) | (1 << 39)  # NET_ADMIN NET_RAW PERFMON BPF
ok = True
if set(uid) != {sys.argv[2]}:
    print("uids", uid); ok = False
for k in ("CapEff", "CapPrm", "CapBnd", "CapAmb"):
    v = int(st[k], 16)
    if v != want:
        print("%s %#x, want %#x" % (k, v, want)); ok = False
if int(st["CapEff"], 16) & (1 << 21):
    print("CAP_SYS_ADMIN"); ok = False
sys.exit(0 if ok else 1)
PY

# ---- applied ---------------------------------------------------------------------
state_is() { ctl "$T/t" status --json >"$T/st.json" && [ "$(json_field "$T/st.json" "d['state']")" = "$1" ]; }
wait_for 10 state_is converged || fail "not converged: $(cat "$T/st.json")"
ip netns exec $G nft list table inet egnet >/dev/null || fail "no table inet egnet"
[ "$(ip -n $G -j route show table all proto 147 | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" -gt 0 ] ||
	fail "no routes of protocol egnet"
ip -n $G rule show | grep -q "lookup" || fail "no policy rules"
[ "$(ip netns exec $G cat /proc/sys/net/ipv4/ip_forward)" = 1 ] || fail "forwarding off"
grep -qi "cannot turn forwarding on\|permission denied\|operation not permitted" "$T/t/agent.log" &&
	fail "the agent was refused something: $(grep -i 'denied\|not permitted\|cannot' "$T/t/agent.log")"

# ---- BPF --------------------------------------------------------------------------
bpf_on() {
	ip netns exec $G bpftool -j net show dev eth0 | python3 -c '
import json, sys
names = sorted(t["name"].split(":")[0] for e in json.load(sys.stdin) for t in e.get("tc", []))
sys.exit(0 if names == ["linkmon_egress", "linkmon_ingress"] else 1)'
}
wait_for 5 bpf_on || fail "bpftool: no linkmon programs on eth0: $(ip netns exec $G bpftool net show dev eth0)"
ctl "$T/t" links --json >"$T/l.json" || fail "egnetctl links"
[ "$(json_field "$T/l.json" "d['monitor']['counters']")" = ebpf ] ||
	fail "counters not by eBPF: $(json_field "$T/l.json" "d['monitor']")"
[ "$(json_field "$T/l.json" "d['monitor']['drops']")" = ebpf ] ||
	fail "drops not by eBPF: $(json_field "$T/l.json" "d['monitor']")"

# ---- probes -----------------------------------------------------------------------
target_up() {
	ctl "$T/t" links --json >"$T/l.json" &&
		[ "$(json_field "$T/l.json" "[t['state'] for t in d['targets'] if t['code'] == '$1'][0]")" = up ]
}
wait_for 15 target_up 210102000000 || fail "the parent is not up: $(cat "$T/l.json")"
wait_for 15 target_up 210102001003 || fail "the ICMP village is not up: $(cat "$T/l.json")"
python3 - "$T/l.json" <<'PY' || fail "no probe packets counted by eBPF on eth0"
import json, sys
d = json.load(open(sys.argv[1]))
l = [x for x in d["links"] if x["name"] == "eth0"][0]
c = l["counters"]["classes"]
n = sum(v["tx_packets"] for k, v in c.items() if "probe" in k)
sys.exit(0 if n > 0 and l["counters"]["tx_packets"] > 0 else 1)
PY

# ---- reports ---------------------------------------------------------------------
last_seq() { coll_field "/api/v1/nodes/$TC" 'd["last_seq"] or 0' --max-time 5; }
has_reports() { [ "$(last_seq)" -ge 3 ] 2>/dev/null; }
wait_for 20 has_reports || fail "the collector has no reports of $TC (last_seq $(last_seq))"

# ---- watchdog --------------------------------------------------------------------
keepalives notify
keepalives cnotify
COLL_PID=$(pgrep -P $STRACE_C)

# ---- the units' seccomp filters and socket families: what they did is allowed ---
kill $AGENT_PID $COLL_PID
wait_for 10 sh -c "! kill -0 $STRACE_A 2>/dev/null && ! kill -0 $STRACE_C 2>/dev/null" ||
	fail "the daemons did not stop"
python3 "$ROOT/tests/integration/unitcheck.py" "$ROOT/packaging/systemd/egnet-agent.service" \
	"$T/agent.strace" "$AGENT" "$T/t" >"$T/uc.txt" || fail "egnet-agent.service: $(cat "$T/uc.txt")"
echo "NOTE: egnet-agent: $(cat "$T/uc.txt")"
python3 "$ROOT/tests/integration/unitcheck.py" "$ROOT/packaging/systemd/egnet-collector.service" \
	"$T/coll.strace" "$COLL" "$T/cstate" >"$T/uc.txt" || fail "egnet-collector.service: $(cat "$T/uc.txt")"
echo "NOTE: egnet-collector: $(cat "$T/uc.txt")"

echo "PASS: agent as uid $U with $CAPS only: applied, BPF attached, probes up, reports in, watchdog fed"
