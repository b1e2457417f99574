#!/bin/bash
# The SNMP poller against a real snmpd (the site's router) in the agent's
# namespace, on 127.0.0.1: an SNMPv3 authPriv (SHA-256/AES) device and the
# same snmpd over v2c with allow_community; its interfaces are veths of
# that namespace.  The poller's values equal snmpget's; counters and rates
# move with traffic from another namespace; an interface renamed (two names
# swapped) is found at its new ifIndex, and a name no row had is found
# by ifDescr once an interface takes it; snmpd stopped -> the device is down
# after down_after polls and its interfaces unknown, restarted -> up; a
# wrong v3 pass phrase -> a clear error, the device down, the agent fine;
# a reload (SIGHUP) without a device: the poller follows it; the
# collector's last report carries the devices;
# a fake device answering garbage, huge datagrams and hostile replies
# leaves the agent unharmed; the agent is also the AgentX subagent of
# that snmpd (one net-snmp set-up and event bridge for both): EGNET-MIB
# is served while the devices are polled, and again after snmpd's
# restart.  Configs that break the policy are refused with file:line.
. "$(dirname "$0")/lib.sh"
command -v snmpd >/dev/null || { echo "SKIP: snmpd not installed"; exit 77; }
command -v snmpget >/dev/null || { echo "SKIP: snmpget not installed"; exit 77; }
export MIBS= MIBDIRS=/nonexistent

ns=egt-snmp-$$
peer=egt-snmpp-$$
dir=$T/t
setup_township "$ns" "$dir"
# the router's interfaces: veths whose peers sit in $peer
ip netns add "$peer" || fail "namespace $peer"
NSES+=("$peer")
for i in swa swb swc; do
	ip -n "$ns" link add "$i" type veth peer name "q-$i" || fail "veth $i"
	ip -n "$ns" link set "q-$i" netns "$peer"
	ip -n "$ns" link set "$i" up
	ip -n "$peer" link set "q-$i" up
done
ip -n "$ns" addr add 10.77.1.1/24 dev swa
ip -n "$peer" addr add 10.77.1.2/24 dev q-swa
ip -n "$ns" link set swc down # admin down: ifAdminStatus 2

PORT=16161
SNMPD_PID=
snmpd_start() { # [PASS]
	cat >"$T/snmpd.conf" <<CONF
agentaddress udp:127.0.0.1:$PORT
engineID egnet-test-$$
sysName router-$$
createUser egnetuser SHA-256 "authpass1234" AES "privpass1234"
rouser egnetuser authpriv
createUser otheruser SHA-256 "otherpass1234" AES "privpass1234"
rouser otheruser authpriv
rocommunity egnetpub 127.0.0.1
master agentx
agentXSocket $T/agentx
CONF
	SNMP_PERSISTENT_DIR=$T/snmp-persist ip netns exec "$ns" snmpd -f -C \
		-c "$T/snmpd.conf" -Lf "$T/snmpd.log" >/dev/null 2>&1 &
	SNMPD_PID=$!
	disown "$SNMPD_PID"
	PIDS+=("$SNMPD_PID")
	wait_for 10 ip netns exec "$ns" snmpget -v2c -c egnetpub \
		127.0.0.1:$PORT 1.3.6.1.2.1.1.3.0 || fail "snmpd did not start"
}
snmpd_stop() {
	kill "$SNMPD_PID"
	wait_for 10 sh -c "! kill -0 $SNMPD_PID 2>/dev/null"
}
v3get() {
	ip netns exec "$ns" snmpget -On -Oq -v3 -l authPriv -u egnetuser \
		-a SHA-256 -A authpass1234 -x AES -X privpass1234 \
		127.0.0.1:$PORT "$@"
}
snmpd_start

umask 077
printf 'auth_pass = "authpass1234";\npriv_pass = "privpass1234";\n' >"$T/v3.secret"
printf 'auth_pass = "wrongpass999";\npriv_pass = "privpass1234";\n' >"$T/bad.secret"
umask 022
SNMPCONF="snmp = { interval = 1; timeout_ms = 300; retries = 1; down_after = 2;
  agentx = { enabled = true; socket = \"$T/agentx\"; retry = 1; retry_max = 2; };
  devices = (
    { name = \"router\"; address = \"127.0.0.1\"; port = $PORT; version = 3;
      user = \"egnetuser\"; auth = \"SHA-256\"; priv = \"AES\";
      secrets = \"$T/v3.secret\"; interfaces = [ \"swa\", \"swb\", \"swc\" ]; },
    { name = \"router-v2c\"; address = \"127.0.0.1\"; port = $PORT;
      version = \"2c\"; community = \"egnetpub\"; allow_community = true;
      interfaces = [ \"swa\", \"lo\", \"swz\" ]; },
    { name = \"badpass\"; address = \"127.0.0.1\"; port = $PORT; version = 3;
      user = \"otheruser\"; auth = \"SHA-256\"; priv = \"AES\";
      secrets = \"$T/bad.secret\"; interfaces = [ \"swa\" ]; },
    { name = \"fake\"; address = \"127.0.0.1\"; port = 16199;
      version = \"2c\"; community = \"x\"; allow_community = true;
      interfaces = [ \"swa\" ]; }
  ); };"
echo "$SNMPCONF" >>"$dir/node.conf"

# a collector in a NOC namespace: the reports carry the devices
COLL="$ROOT/$B/egnet-collector"
PKI="$ROOT/packaging/egnet-pki"
NOC=egt-snmpn-$$
TC=210102001000
"$PKI" init "$T/pki" >/dev/null || fail "egnet-pki init"
"$PKI" collector "$T/pki" collector 10.251.1.1 >/dev/null || fail "egnet-pki collector"
"$PKI" node "$T/pki" $TC >/dev/null || fail "egnet-pki node"
ip netns add "$NOC" || fail "namespace $NOC"
NSES+=("$NOC")
ip -n "$NOC" link set lo up
ip link add mg0 netns "$ns" type veth peer name nc1 netns "$NOC" || fail "veth to the NOC"
ip -n "$ns" addr add 10.251.1.2/30 dev mg0
ip -n "$ns" link set mg0 up
ip -n "$NOC" addr add 10.251.1.1/30 dev nc1
ip -n "$NOC" link set nc1 up
cat >"$T/coll.conf" <<CONF
listen = [ "10.251.1.1:8443" ];
tls = { cert = "$T/pki/collector/collector.crt"; key = "$T/pki/collector/collector.key";
	ca = "$T/pki/ca.crt"; };
inventory = "$ROOT/profiles/examples/inventory.csv";
state_dir = "$T/cstate";
CONF
ip netns exec "$NOC" "$COLL" -c "$T/coll.conf" >"$T/coll.log" 2>&1 &
PIDS+=($!)
disown $!
wait_for 10 grep -q "serving:" "$T/coll.log" || fail "the collector did not start"
cat >>"$dir/node.conf" <<CONF
collector = { url = "https://10.251.1.1:8443"; interval = 1; timeout = 2;
	ca = "$T/pki/ca.crt"; cert = "$T/pki/nodes/$TC.crt"; key = "$T/pki/nodes/$TC.key";
	source = "none"; };
CONF
api() {
	ip netns exec "$NOC" curl -sS --max-time 10 --cacert "$T/pki/ca.crt" \
		--cert "$T/pki/nodes/$TC.crt" --key "$T/pki/nodes/$TC.key" \
		"https://10.251.1.1:8443$1"
}
"$CTL" validate --node "$dir/node.conf" >"$T/val" 2>&1 || fail "validate: $(cat "$T/val")"

# the fake device: garbage, huge datagrams, hostile replies (fakesnmp.py)
ip netns exec "$ns" python3 "$ROOT/tests/integration/fakesnmp.py" 127.0.0.1 16199 \
	>"$T/fake.log" 2>&1 &
PIDS+=($!)
disown $!

agent_start "$ns" "$dir/node.conf" || fail "agent did not start"
snmp_json() { ctl "$dir" snmp --json >"$T/snmp.json"; }
dev() { # NAME EXPR over the device as v
	python3 - "$T/snmp.json" "$1" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
v = [x for x in d["devices"] if x["name"] == sys.argv[2]][0]
def i(n): return [x for x in v["interfaces"] if x["name"] == n][0]
r = eval(sys.argv[3])
print(r)
sys.exit(0 if r not in (False, None) else 1)
PY
}
up_with_counters() { snmp_json && dev router 'v["state"] == "up" and "in_bps" in i("swa")'; }
wait_for 20 up_with_counters || fail "router not up with rates: $(cat "$T/snmp.json")"
dev router-v2c 'v["state"] == "up"' >/dev/null || fail "v2c device not up: $(cat "$T/snmp.json")"

# the same agent is the AgentX subagent of that snmpd: one net-snmp for
# both, EGNET-MIB served while the devices are polled
EG=.1.3.6.1.4.1.32473
has_subtree() {
	ip netns exec "$ns" snmpget -On -v2c -c egnetpub 127.0.0.1:$PORT $EG.1.1.1.0 2>/dev/null |
		grep -q "\"$TC\""
}
ax_connected() {
	ctl "$dir" status >"$T/status.txt" && grep -q "^agentx   $T/agentx: connected" "$T/status.txt"
}
wait_for 10 ax_connected || fail "AgentX not connected beside the poller: $(cat "$T/status.txt")"
wait_for 5 has_subtree || fail "EGNET-MIB not served beside the poller"

# values equal snmpget's: ifIndex, status, sysName; counters between two polls
idx() { ip -n "$ns" -j link show "$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["ifindex"])'; }
for n in swa swb swc; do
	k=$(idx $n)
	dev router "i('$n')['ifindex'] == $k" >/dev/null || fail "$n: ifindex not $k"
	oper=$(v3get 1.3.6.1.2.1.2.2.1.8.$k | awk '{print $2}')
	admin=$(v3get 1.3.6.1.2.1.2.2.1.7.$k | awk '{print $2}')
	words=(x up down testing unknown dormant notPresent lowerLayerDown)
	dev router "i('$n')['oper'] == '${words[$oper]}' and i('$n')['admin'] == '${words[$admin]}'" >/dev/null ||
		fail "$n: oper/admin not $oper/$admin as snmpget says: $(cat "$T/snmp.json")"
done
dev router "i('swc')['admin'] == 'down'" >/dev/null || fail "swc not admin down"
sysname=$(v3get 1.3.6.1.2.1.1.5.0 | cut -d' ' -f2- | tr -d '"')
dev router "v['sys_name'] == '$sysname'" >/dev/null || fail "sysName not $sysname: $(cat "$T/snmp.json")"
k=$(idx swa)
wait_for 5 up_with_counters || fail "counters: $(cat "$T/snmp.json")"
before=$(dev router "i('swa')['in_octets']")
g=$(v3get 1.3.6.1.2.1.31.1.1.1.6.$k | awk '{print $2}')
sleep 2.2
wait_for 5 up_with_counters || fail "counters: $(cat "$T/snmp.json")"
after=$(dev router "i('swa')['in_octets']")
[ "$before" -le "$g" ] && [ "$g" -le "$after" ] ||
	fail "ifHCInOctets: poller $before then $after, snmpget $g between"
ein=$(v3get 1.3.6.1.2.1.2.2.1.14.$k | awk '{print $2}')
dev router "i('swa')['errors']['in'] == $ein" >/dev/null || fail "ifInErrors not $ein"

# traffic: counters and rates move
# (snmpd refreshes its counters every few seconds: a rate shows when it did)
ip netns exec "$peer" ping -q -i 0.01 -s 1400 -c 1200 10.77.1.1 >/dev/null 2>&1 &
PING=$!
moving() { snmp_json && dev router "i('swa')['in_bps'] > 100000 and i('swa')['in_octets'] > $after + 100000"; }
wait_for 12 moving || fail "no rate with traffic: $(cat "$T/snmp.json")"
kill $PING 2>/dev/null; wait $PING 2>/dev/null

# status and the reports carry it; the collector's last report shows it
ctl "$dir" status --json >"$T/status.json"
json_field "$T/status.json" '[x["state"] for x in d["snmp"]]' | grep -q up ||
	fail "status --json has no snmp"
in_report() {
	api "/api/v1/nodes/$TC" >"$T/node.json" &&
		python3 - "$T/node.json" "$(idx swa)" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))["last_report"]["snmp"]
r = [x for x in d if x["name"] == "router"][0]
f = [x for x in r["interfaces"] if x["name"] == "swa"][0]
assert r["state"] == "up" and r["sys_name"].startswith("router-"), r
assert f["ifindex"] == int(sys.argv[2]) and f["state"] == "up", f
assert f["counters"]["in_octets"] > 0 and f["rates"] is not None, f
b = [x for x in d if x["name"] == "badpass"][0]
assert b["state"] == "down" and "authentication" in b["error"], b
assert all(x["state"] == "unknown" for x in b["interfaces"]), b
PY
}
wait_for 10 in_report || fail "the collector's last report: $(cat "$T/node.json")"

# wrong pass phrase: a clear error, down, agent fine (another user of the
# same engine: USM keeps one key per engine and user)
dev badpass 'v["state"] == "down" and "authentication" in v["error"]' >/dev/null ||
	fail "wrong v3 pass phrase: $(cat "$T/snmp.json")"
dev fake "v['state'] != 'up' or i('swa')['oper'] == 'unknown'" >/dev/null || fail "fake device taken as real: $(cat "$T/snmp.json")"

# two names swapped (snmpd's ifName follows a rename only when it starts
# again, ifDescr at once): after the restart below sysUpTime went back,
# and each name is found at its new ifIndex
ka=$(idx swa) kb=$(idx swb)
ip -n "$ns" link set swa down; ip -n "$ns" link set swb down
ip -n "$ns" link set swa name swtmp; ip -n "$ns" link set swb name swa
ip -n "$ns" link set swtmp name swb
ip -n "$ns" link set swa up; ip -n "$ns" link set swb up

# a name no row has (swz) is looked for again: swc renamed swz shows in
# ifDescr at once (ifName keeps the old name until snmpd starts again),
# and the v2c device finds it there
snmp_json
dev router-v2c "i('swz')['ifindex'] == 0 and v['state'] == 'up'" >/dev/null ||
	fail "swz found before it exists: $(cat "$T/snmp.json")"
kc=$(idx swc)
ip -n "$ns" link set swc name swz
byd() { snmp_json && dev router-v2c "i('swz')['ifindex'] == $kc and i('swz')['by'] == 'ifDescr'"; }
wait_for 20 byd || fail "swz not found by ifDescr: $(cat "$T/snmp.json")"

# snmpd stopped: down after down_after polls, interfaces unknown
snmpd_stop
down() { snmp_json && dev router "v['state'] == 'down' and i('swa')['oper'] == 'unknown' and 'in_octets' not in i('swa')"; }
wait_for 10 down || fail "router not down after snmpd stopped: $(cat "$T/snmp.json")"
dev router 'v["failed_in_a_row"] >= 2' >/dev/null || fail "down before down_after polls"
snmpd_start
wait_for 15 up_with_counters || fail "router not up again: $(cat "$T/snmp.json")"
wait_for 10 has_subtree || fail "EGNET-MIB not served again after snmpd's restart: $(ctl "$dir" status)"
moved() { snmp_json && dev router "i('swa')['ifindex'] == $kb and i('swb')['ifindex'] == $ka and v['state'] == 'up'"; }
wait_for 15 moved || fail "swapped interfaces not found at their new ifIndex: $(cat "$T/snmp.json")"

# a reload without the fake device: the poller follows it
ctl "$dir" status >"$T/status.txt"
grep -q "^snmp     4 devices: 2 up, 2 down" "$T/status.txt" || fail "status: $(cat "$T/status.txt")"
python3 - "$dir/node.conf" <<'PY'
import re, sys
p = sys.argv[1]
s = open(p).read()
s = re.sub(r',\n    \{ name = "fake";[^}]*\}', '', s)
open(p, "w").write(s)
PY
kill -HUP "$AGENT_PID"
three() { snmp_json && dev router "len(json.load(open(sys.argv[1]))['devices']) == 3"; }
wait_for 5 three || fail "the fake device still polled after the reload: $(cat "$T/snmp.json")"
wait_for 10 up_with_counters || fail "router not up after the reload: $(cat "$T/snmp.json")"

kill -0 "$AGENT_PID" || fail "the agent died"
ctl "$dir" status >/dev/null; [ $? -le 1 ] || fail "status after all that"
# a clean stop; a sanitizer build's findings at exit fail the test
agent_stop
grep -E "runtime error|AddressSanitizer|LeakSanitizer" "$dir/agent.log" &&
	fail "the sanitizer found something"

# the policy: refused with file:line
for bad in 'version = "2c"; community = "c";' \
	'version = 3; user = "u"; auth = "SHA-256"; secrets = "'$T/v3.secret'";' \
	'version = 3; user = "u"; level = "noAuthNoPriv";' \
	'version = 3; user = "u"; auth = "MD5"; priv = "AES"; secrets = "'$T/v3.secret'";'; do
	c=$T/bad.conf
	sed '/^snmp = /,$d' "$dir/node.conf" >"$c"
	printf 'snmp = { devices = ( { name = "d"; address = "127.0.0.1";\n  %s interfaces = [ "x" ]; } ); };\n' "$bad" >>"$c"
	"$CTL" validate --node "$c" >"$T/out" 2>&1 && fail "accepted: $bad"
	grep -q "bad.conf:[0-9]*: snmp.devices" "$T/out" || fail "no file:line for $bad: $(cat "$T/out")"
done
chmod 644 "$T/v3.secret"
sed '/^snmp = /,$d' "$dir/node.conf" >"$c"
echo "$SNMPCONF" >>"$c"
"$CTL" validate --node "$c" >"$T/out" 2>&1 && fail "a world-readable secrets file accepted"
grep -q "readable by root only" "$T/out" || fail "secrets mode: $(cat "$T/out")"
echo "PASS: test_snmp"
