#!/bin/bash
# egnet-agent --purge, what the packages run when the agent is removed:
#  - refused while an agent answers on the control socket;
#  - after an agent that was killed (-9: its BPF filters left on the links),
#    the kernel is as it was before the agent ever ran: links, addresses,
#    routes (every table), rules, the whole nftables ruleset and the tc
#    filters compared; the foreign table, route, rule and tc filter put
#    there beforehand are still there; the state files are gone;
#  - a second purge has nothing to do (0 operations);
#  - with the configuration broken, the state files alone are enough.
. "$(dirname "$0")/lib.sh"

for tool in nft tc bpftool python3; do
	command -v $tool >/dev/null || { echo "SKIP: $tool not installed"; exit 77; }
done
C=egpurge-c-$$
dir=$T/c
setup_county $C "$dir"
in_c() { ip netns exec $C "$@"; }

# someone else's things, which purge must leave
in_c nft add table inet other
in_c nft add chain inet other input '{ type filter hook input priority 10; }'
in_c nft add rule inet other input tcp dport 22 counter accept
ip -n $C link add dummy9 type veth peer name dummy9p
ip -n $C link set dummy9p up
ip -n $C link set dummy9 up
ip -n $C addr add 198.51.100.1/24 dev dummy9
ip -n $C route add 203.0.113.0/24 via 198.51.100.2 proto static
ip -n $C rule add priority 50 from 198.51.100.0/24 lookup main
tc -n $C qdisc add dev dummy9 clsact
tc -n $C filter add dev dummy9 ingress prio 7 bpf obj "$ROOT/$B/bpf/empty.bpf.o" sec tc da ||
	fail "a foreign tc filter"

# snapshot: what the kernel holds, as text to compare (operational state
# and counters left out: the agent sets its links up, traffic counts)
snap() {
	{
		ip -n $C -j link show | python3 -c '
import json, sys
for l in sorted(json.load(sys.stdin), key=lambda l: l["ifname"]):
    print("link", l["ifname"], l.get("link_type"), l.get("master", "-"), l.get("mtu"))'
		ip -n $C -j addr show | python3 -c '
import json, sys
for l in json.load(sys.stdin):
    for a in l.get("addr_info", []):
        if a.get("scope") != "link":
            print("addr", l["ifname"], a["local"], a["prefixlen"])' | sort
		ip -n $C route show table all | grep -v "^local fe80\|^fe80\|^multicast\|^anycast fe80" | sort
		ip -n $C -6 route show table all | grep -v "fe80\|^multicast" | sort
		ip -n $C rule show | sort
		ip -n $C -6 rule show | sort
		in_c nft list ruleset | sed 's/counter packets [0-9]* bytes [0-9]*/counter/'
		for i in $(ip -n $C -o link show | awk -F': ' '{print $2}' | sed 's/@.*//'); do
			tc -n $C filter show dev "$i" ingress 2>/dev/null | sed "s/^/$i in /"
			tc -n $C filter show dev "$i" egress 2>/dev/null | sed "s/^/$i out /"
		done
	} >"$1"
}
snap "$T/before"
for want in "table inet other" "dummy9 in .*empty" "203.0.113.0/24 .*proto static" "^50:.*198.51.100.0/24"; do
	grep -q "$want" "$T/before" || fail "the snapshot does not show '$want'"
done

agent_start $C "$dir/node.conf" || fail "agent did not start: $(cat "$dir/agent.log")"
state_is() { ctl "$dir" status --json >"$T/st.json" && [ "$(json_field "$T/st.json" "d['state']")" = "$1" ]; }
wait_for 10 state_is converged || fail "not converged: $(cat "$T/st.json")"
in_c nft list table inet egnet >/dev/null || fail "no table inet egnet after the apply"
snap "$T/applied"
cmp -s "$T/before" "$T/applied" && fail "the apply changed nothing: the comparison is blind"
grep -q linkmon "$T/applied" || fail "no linkmon filter after the apply"

# refused while the agent runs; nothing changed
in_c "$AGENT" --purge -c "$dir/node.conf" >"$T/p0.log" 2>&1 && fail "purge while the agent runs succeeded"
grep -q "an agent is running" "$T/p0.log" || fail "refusal: $(cat "$T/p0.log")"
snap "$T/still"
diff -u "$T/applied" "$T/still" >/dev/null || fail "a refused purge changed the kernel: $(diff -u "$T/applied" "$T/still")"

# the agent killed: its filters stay on the links
kill -9 $AGENT_PID
wait_for 5 sh -c "! kill -0 $AGENT_PID"
grep -q linkmon <(snap /dev/stdout) || fail "no filter left by the killed agent"

in_c "$AGENT" --purge -c "$dir/node.conf" >"$T/p1.log" 2>&1 || fail "purge: $(cat "$T/p1.log")"
snap "$T/after"
diff -u "$T/before" "$T/after" >"$T/diff" || fail "the kernel after purge differs from before the agent: $(cat "$T/diff")"
for f in applied previous pending journal; do
	[ -e "$dir/state/$f.json" ] && fail "$f.json left"
done
in_c "$AGENT" --purge -c "$dir/node.conf" >"$T/p2.log" 2>&1 || fail "second purge: $(cat "$T/p2.log")"
grep -q "(0 operations)" "$T/p2.log" || fail "second purge did something: $(cat "$T/p2.log")"

# again, with the profile broken: the node config says where the state
# files are, and they are enough
agent_start $C "$dir/node.conf" || fail "agent did not start again"
wait_for 10 state_is converged || fail "not converged again"
agent_stop
in_c "$AGENT" -n -c "$dir/node.conf" -p /nonexistent >/dev/null 2>&1 && fail "the broken profile loads"
in_c "$AGENT" --purge -c "$dir/node.conf" -p /nonexistent >"$T/p3.log" 2>&1 ||
	fail "purge with a broken profile: $(cat "$T/p3.log")"
snap "$T/after2"
diff -u "$T/before" "$T/after2" >"$T/diff" || fail "with a broken profile: $(cat "$T/diff")"
echo "PASS: purge leaves the kernel as it was before the agent, foreign objects kept"
