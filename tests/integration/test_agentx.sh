#!/bin/bash
# The AgentX subagent beside a real snmpd (its master, on a socket of the
# test's own) and a real snmptrapd, in the test's namespaces:
#  - a walk of EGNET-MIB (loaded from mibs/) gives the node, the links and
#    the targets with the values of `egnetctl status` and `links --json`,
#    every instance the state asks for and no other, strictly increasing
#    (snmpwalk and snmpbulkwalk check the order), GETNEXT from anywhere
#    gives the next instance;
#  - the parent's link cut: snmptrapd receives egnetTargetDown for it, and
#    egnetTargetUp when restored; an address deleted under drift "report":
#    egnetDrift;
#  - snmpd restarted: the subtree is back within the retry interval;
#    snmpd hung: the ping finds it out, the agent goes on, and comes back;
#  - a master that answers garbage, or nothing, on the socket: the agent
#    goes on (control socket, probes), and takes the real snmpd back;
#  - the agent stops cleanly (no sanitizer finding in a sanitizer build).
. "$(dirname "$0")/lib.sh"

command -v snmpd >/dev/null && command -v snmptrapd >/dev/null &&
	command -v snmpwalk >/dev/null ||
	{ echo "SKIP: snmpd, snmptrapd or snmpwalk missing (packaging/deps.sh)"; exit 77; }

ECHO="python3 $ROOT/tests/integration/echo.py"
G=egt-ax-g-$$ P=egt-ax-p-$$
ip netns add $G || fail "netns"
NSES+=($G)
ip netns add $P || fail "netns"
NSES+=($P)
ip -n $G link set lo up
ip -n $P link set lo up
ip -n $G link add eth0 type veth peer name up0 netns $P
for i in eth1 eth2; do
	ip -n $G link add $i type veth peer name p-$i
	ip -n $G link set p-$i up
done
ip -n $P link set up0 up
ip -n $P addr add 10.16.64.129/30 dev up0
ip -n $P route add default via 10.16.64.130
ip netns exec $P $ECHO >/dev/null 2>&1 &
PIDS+=($!)
disown $!

# the IETF base modules where installed, else the tests' stand-ins
MIBDIRS="$ROOT/mibs:$ROOT/tests/support/mibs"
for d in /usr/share/snmp/mibs/ietf /usr/share/snmp/mibs /usr/share/mibs/ietf; do
	[ -f "$d/SNMPv2-SMI.txt" ] && { MIBDIRS="$ROOT/mibs:$d"; break; }
done
export SNMP_PERSISTENT_DIR=$T/persist MIBS=""
SNMP="-v2c -c egnet-test -t 2 -r 1 127.0.0.1:16161"
snmp() { ip netns exec $G "$@"; }

# a fast probe profile (200 ms, down after 3), drift reported not fixed
cp -r "$ROOT/profiles" "$T/p"
sed -i 's/interval = 1000;/interval = 200;/' "$T/p/include/probe.conf"
dir=$T/t
mkdir -p "$dir"
node_conf "$dir/node.conf" 210102001000 "$T/p/township.conf" report \
	'uplink = "eth0"; downlink = [ "eth1" ]; lan = [ "eth2" ];' \
	"snmp = { agentx = { enabled = true; socket = \"$T/master\"; retry = 1; retry_max = 1; ping = 1; timeout_ms = 200; }; };"

cat >"$T/snmpd.conf" <<CONF
master agentx
agentXSocket $T/master
agentaddress udp:127.0.0.1:16161
rocommunity egnet-test 127.0.0.1
trap2sink 127.0.0.1:16162 egnet-test
CONF
cat >"$T/snmptrapd.conf" <<CONF
authCommunity log egnet-test
CONF

snmpd_start() {
	ip netns exec $G snmpd -f -C -c "$T/snmpd.conf" -Lf "$T/snmpd.log" -p "$T/snmpd.pid" &
	SNMPD_PID=$!
	PIDS+=($SNMPD_PID)
	disown $SNMPD_PID
	wait_for 5 test -S "$T/master" || fail "snmpd made no AgentX socket"
}
snmpd_stop() {
	kill $SNMPD_PID 2>/dev/null
	for _ in $(seq 100); do
		kill -0 $SNMPD_PID 2>/dev/null || return 0
		sleep 0.05
	done
	kill -9 $SNMPD_PID
}
ip netns exec $G snmptrapd -f -C -c "$T/snmptrapd.conf" -On -Lf "$T/traps.log" \
	-p "$T/snmptrapd.pid" udp:127.0.0.1:16162 &
PIDS+=($!)
disown $!
snmpd_start
agent_start $G "$dir/node.conf" || fail "agent did not start"

EG=.1.3.6.1.4.1.32473
has_subtree() {
	snmp snmpget $SNMP -On $EG.1.1.1.0 2>/dev/null | grep -q '"210102001000"'
}
wait_for 5 has_subtree || fail "EGNET-MIB not served through snmpd: $(snmp snmpget $SNMP -On $EG.1.1.1.0 2>&1)"

PARENT=210102000000
target_is() { # CODE STATE
	ctl "$dir" links --json >"$T/l.json" 2>/dev/null &&
		[ "$(json_field "$T/l.json" "[t['state'] for t in d['targets'] if t['code'] == '$1'][0]")" = "$2" ]
}
wait_for 5 target_is $PARENT up || fail "parent never up: $(cat "$T/l.json")"
sleep 1

# 1. the walk against egnetctl, numeric and with the MIB loaded
check_walk() { # WALKER
	ctl "$dir" links --json >"$T/before.json"
	ctl "$dir" status --json >"$T/status.json"
	snmp "$1" $SNMP -On -Oe -OQ $EG >"$T/walk.txt" 2>"$T/walk.err" ||
		fail "$1: $(cat "$T/walk.err")"
	ctl "$dir" links --json >"$T/after.json"
	grep -qi "not increasing" "$T/walk.txt" "$T/walk.err" && fail "$1: OID not increasing"
	python3 "$ROOT/tests/integration/agentx_check.py" "$T/walk.txt" \
		"$T/before.json" "$T/after.json" "$T/status.json" ||
		fail "$1 differs from egnetctl: $(cat "$T/walk.txt")"
}
check_walk snmpwalk
check_walk snmpbulkwalk
snmp snmpwalk $SNMP -M "$MIBDIRS" -m EGNET-MIB EGNET-MIB::egnetMIB >"$T/named.txt" 2>&1 ||
	fail "walk with the MIB: $(cat "$T/named.txt")"
for want in "egnetNodeCode.0 = STRING: 210102001000" \
	"egnetNodeLevel.0 = INTEGER: township(4)" \
	"egnetNodeApplyState.0 = INTEGER: converged(2)" \
	"egnetLinkName.1 = STRING: eth0" "egnetLinkRole.1 = STRING: uplink" \
	"egnetLinkOperStatus.1 = INTEGER: up(1)" \
	"egnetTargetCode.1 = STRING: $PARENT" "egnetTargetKind.1 = INTEGER: parent(1)" \
	"egnetTargetReachable.1 = INTEGER: reachable(1)"; do
	grep -qF "EGNET-MIB::$want" "$T/named.txt" || fail "walk with the MIB: no '$want': $(cat "$T/named.txt")"
done
grep -q "Counter64" "$T/named.txt" || echo "note: no counters here (no eBPF)"
# GETNEXT from names between instances: the next instance
for pair in "$EG.1.1.7.0 $EG.1.2.1.2.1" "$EG.1.2.1.2.999 $EG.1.2.1.3.1" \
	"$EG.1.1 $EG.1.1.1.0" "$EG $EG.1.1.1.0" "$EG.1.3.1.2.0 $EG.1.3.1.2.1"; do
	set -- $pair
	got=$(snmp snmpgetnext $SNMP -On "$1" | cut -d' ' -f1)
	[ "$got" = "$2" ] || fail "GETNEXT $1 gave $got, not $2"
done
# past the last instance: nothing more from us
last=$(tail -n 1 "$T/walk.txt" | cut -d' ' -f1)
got=$(snmp snmpgetnext $SNMP -On "$last" 2>&1)
case $got in $EG.*) fail "GETNEXT past the last instance gave $got" ;; esac
# a write is refused, nothing changes
snmp snmpset -v2c -c egnet-test 127.0.0.1:16161 $EG.1.1.1.0 s 999999999999 >/dev/null 2>&1 &&
	fail "a SET was accepted"
has_subtree || fail "after a SET the value changed"

# 2. traps: the parent's line cut, then restored; drift.  A trap counts
# when more of its kind (naming TEXT) are in the log than before the event.
traps() { # TRAP TEXT: how many
	grep -cE "OID: $EG\.0\.$1[[:space:]].*$2" "$T/traps.log"
}
more_traps() { # TRAP TEXT BEFORE
	[ "$(traps "$1" "$2")" -gt "$3" ]
}
n=$(traps 1 "\"$PARENT\"")
ip -n $P link set up0 down
wait_for 5 more_traps 1 "\"$PARENT\"" "$n" || fail "no egnetTargetDown for the parent: $(cat "$T/traps.log")"
target_is $PARENT down || fail "trap, but egnetctl does not say down"
snmp snmpget $SNMP -On $EG.1.3.1.4.1 | grep -q "INTEGER: 2" || fail "egnetTargetReachable.1 is not unreachable(2)"
n=$(traps 2 "\"$PARENT\"")
ip -n $P link set up0 up
wait_for 5 more_traps 2 "\"$PARENT\"" "$n" || fail "no egnetTargetUp for the parent: $(cat "$T/traps.log")"
n=$(traps 3 "")
ip -n $G addr del 10.16.64.193/26 dev eg-lan
wait_for 5 more_traps 3 "Gauge32: [1-9]" "$n" || fail "no egnetDrift: $(cat "$T/traps.log")"
snmp snmpget $SNMP -On $EG.1.1.6.0 $EG.1.1.7.0 >"$T/drift.txt"
grep -q "$EG.1.1.6.0 = INTEGER: 3" "$T/drift.txt" && ! grep -q "$EG.1.1.7.0 = Gauge32: 0" "$T/drift.txt" ||
	fail "drift not in the node group: $(cat "$T/drift.txt")"
echo "traps: egnetTargetDown, egnetTargetUp, egnetDrift received"

# 3. snmpd restarted: back within the retry interval (1 s), and a margin
snmpd_stop
snmpd_start
t0=$(date +%s%3N)
wait_for 5 has_subtree || fail "the subtree did not come back after snmpd's restart"
t1=$(date +%s%3N)
echo "subtree back $((t1 - t0)) ms after snmpd restarted"
[ $((t1 - t0)) -le 3000 ] || fail "back after $((t1 - t0)) ms, more than the retry (1 s) and 2 s"
ctl "$dir" status --json >"$T/status.json"
[ "$(json_field "$T/status.json" 'd["agentx"]["connects"]')" -ge 2 ] ||
	fail "status does not count the new connection: $(json_field "$T/status.json" 'd["agentx"]')"
ctl "$dir" status >"$T/status.txt"
grep -q "^agentx   $T/master: connected, [2-9] connections, [0-9]* requests, [1-9][0-9]* traps sent" "$T/status.txt" ||
	fail "egnetctl status: $(cat "$T/status.txt")"

# 3b. snmpd hung (stopped): the ping finds it out within the ping interval
# and the answer's timeout, the loop is held 200 ms at a time at most;
# going on again, it has the subtree back.  Stopped for 10 s at least:
# the tries (every second) fill its accept queue (6 connections), and a
# connect() to it blocks from then on, which the agent must cut
kill -STOP $SNMPD_PID
gone() { grep -c "AgentX: lost the master" "$dir/agent.log"; }
n=$(gone)
slowest=0
end=$(($(date +%s) + 10))
while [ "$(date +%s)" -lt $end ]; do
	a=$(date +%s%3N)
	timeout 10 "$CTL" status --socket "$dir/agent.sock" >/dev/null
	[ $? -ne 124 ] || { kill -CONT $SNMPD_PID; fail "no status answer in 10 s with snmpd hung"; }
	b=$(date +%s%3N)
	[ $((b - a)) -gt $slowest ] && slowest=$((b - a))
	sleep 0.15
done
kill -CONT $SNMPD_PID
[ "$(gone)" -gt "$n" ] || fail "a hung snmpd was not found out by the ping"
[ $slowest -le 1000 ] || fail "a status answer took $slowest ms with snmpd hung"
wait_for 8 has_subtree || fail "the subtree did not come back after snmpd went on"
echo "snmpd hung: left after a ping, slowest status answer $slowest ms; back after it went on"

# 4. a hostile master: garbage and silence, the agent unharmed
snmpd_stop
python3 "$ROOT/tests/integration/agentx_master.py" "$T/master" "$T/hostile.log" &
HOSTILE=$!
PIDS+=($HOSTILE)
disown $HOSTILE
wait_for 5 test -S "$T/master" || fail "hostile master did not start"
slowest=0
end=$(($(date +%s) + 12))
while [ "$(date +%s)" -lt $end ]; do
	kill -0 $AGENT_PID 2>/dev/null || fail "the agent died with a hostile master"
	a=$(date +%s%3N)
	ctl "$dir" status --json >/dev/null
	rc=$?
	[ $rc -eq 0 ] || [ $rc -eq 4 ] || fail "status failed ($rc) with a hostile master"
	b=$(date +%s%3N)
	[ $((b - a)) -gt $slowest ] && slowest=$((b - a))
	sleep 0.2
done
n=$(wc -l <"$T/hostile.log")
[ "$n" -ge 7 ] || fail "the agent tried the hostile master only $n times: $(cat "$T/hostile.log")"
echo "hostile master: $n connections ($(cut -d' ' -f2 "$T/hostile.log" | sort -u | tr '\n' ' ')), slowest status answer $slowest ms"
# the loop is held at most timeout_ms (200) at a time
[ $slowest -le 1000 ] || fail "a status answer took $slowest ms with a silent master"
target_is $PARENT up || fail "probes stopped with a hostile master: $(cat "$T/l.json")"
kill $HOSTILE
rm -f "$T/master"
snmpd_start
wait_for 5 has_subtree || fail "the subtree did not come back after the hostile master"
kill -0 $AGENT_PID || fail "agent gone"
# a clean stop: the subagent closes and net-snmp shuts down (a sanitizer
# build's findings at exit are in the log)
agent_stop
grep -E "AddressSanitizer|LeakSanitizer|runtime error" "$dir/agent.log" &&
	fail "the sanitizer found something"
grep -q "stopping" "$dir/agent.log" || fail "the agent did not stop cleanly"
echo "PASS: EGNET-MIB as egnetctl shows it, traps, snmpd restart, hostile master"
