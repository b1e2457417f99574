#!/bin/bash
# The zone firewall with real packets: a host in every zone around the
# example county; for every zone pair the flows its policy allows pass and
# the others are dropped, and the counters of that pair move accordingly
# (egnetctl status --json).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fwlib.sh"

county_world fw$$
agent_start "$G" "$WDIR/node.conf" || fail "agent did not start"
ip -n "$G" -j link show eg-lan >/dev/null 2>&1 || fail "county not applied"
cross_routes
ip netns exec "$G" nft list table inet egnet >/dev/null || fail "no table inet egnet"

counters() { ctl "$WDIR" status --json >"$T/st.json" || fail "status"; }
pair() { # PAIR accepted|dropped: packets
	json_field "$T/st.json" "d['firewall']['pairs'].get('$1', {}).get('$2', {}).get('packets', 0)"
}

checks=0
# expect pass|drop PAIR NS PROTO HOST [PORT [SRC]]
expect() {
	local want=$1 p=$2 ns=$3 proto=$4 host=$5 port=${6:-0} src=${7:-} got key
	counters
	key=$([ "$want" = pass ] && echo accepted || echo dropped)
	local before
	before=$(pair "$p" "$key")
	if flow "$ns" "$proto" "$host" "$port" $src; then got=pass; else got=drop; fi
	[ "$got" = "$want" ] || fail "$p: $proto $host:$port from $ns: $got, want $want"
	counters
	[ "$(pair "$p" "$key")" -gt "$before" ] ||
		fail "$p: $proto $host:$port: the $key counter did not move ($before)"
	checks=$((checks + 1))
}

# common > common: LAN to the city side, LAN to a township
expect pass common\>common "$L" tcp 10.16.64.1 8080
expect pass common\>common "$L" udp 10.16.64.130 9999
expect pass common\>common "$L" icmp 10.16.64.1
# common > internet: web, dns, ntp only
expect pass common\>internet "$L" tcp 192.0.2.33 80
expect pass common\>internet "$L" tcp 192.0.2.33 443
expect pass common\>internet "$L" udp 192.0.2.33 53
expect drop common\>internet "$L" tcp 192.0.2.33 8080
expect drop common\>internet "$L" tcp 192.0.2.33 22
expect drop common\>internet "$L" icmp 192.0.2.33
# internet > common: nothing
expect drop internet\>common "$I" tcp 10.16.64.66 80
expect drop internet\>common "$I" icmp 10.16.64.66
# internet <> dedicated: never
expect drop internet\>dedicated "$I" tcp 172.17.16.34 8080
expect drop dedicated\>internet "$U" tcp 192.0.2.33 80 172.17.16.1
# common <> dedicated: never
expect drop common\>dedicated "$L" tcp 172.17.16.34 8080
expect drop dedicated\>common "$U" tcp 10.16.64.66 8080 172.17.16.1
# dedicated > dedicated: the overlay from the city to a township
expect pass dedicated\>dedicated "$U" tcp 172.17.16.34 8080 172.17.16.1
expect pass dedicated\>dedicated "$U" icmp 172.17.16.34 0 172.17.16.1
# to the gateway itself
expect pass common\>local "$L" egnet 10.16.64.65 7789
expect pass common\>local "$L" icmp 10.16.64.65
expect drop common\>local "$L" tcp 10.16.64.65 22    # ssh: the NOC only
expect drop common\>local "$L" udp 10.16.64.65 9999
expect pass dedicated\>local "$U" icmp 172.17.16.2 0 172.17.16.1
expect drop dedicated\>local "$U" tcp 172.17.16.2 22 172.17.16.1
expect drop internet\>local "$I" icmp 192.0.2.34
expect drop internet\>local "$I" egnet 192.0.2.34 7789

# the drops are logged with the zone pair, at the profile's rate
ip netns exec "$G" nft list chain inet egnet forward | grep -q 'log prefix "egnet drop internet>common "' ||
	fail "no log rule naming internet>common"
# a rule deleted or added by hand in our table is drift, put right
h=$(ip netns exec "$G" nft -a list chain inet egnet forward |
	grep 'comment "egnet internet>common drop"' | head -1 | sed 's/.*# handle //')
[ -n "$h" ] || fail "no internet>common drop rule to delete"
ip netns exec "$G" nft delete rule inet egnet forward handle "$h"
ip netns exec "$G" nft add rule inet egnet forward tcp dport 4444 accept
wait_for 2 sh -c "ip netns exec $G nft list chain inet egnet forward | grep -q 'egnet internet>common drop' &&
	! ip netns exec $G nft list chain inet egnet forward | grep -q 4444" ||
	fail "firewall drift not corrected: $(ip netns exec "$G" nft list chain inet egnet forward | head -20)"
expect drop internet\>common "$I" tcp 10.16.64.66 80

# The kernel's drops on the internet line (eth4) by reason, through
# egnetctl links: every packet the firewall drops coming in on eth4 is a
# NETFILTER_DROP there, so that count moves exactly as much as the drop
# counters of the pairs from the internet zone, which eth4 alone is.
snap() { # NAME: status and links as they are now
	ctl "$WDIR" status --json >"$T/$1.st.json" || fail "status"
	ctl "$WDIR" links --json >"$T/$1.l.json" || fail "links"
}
snap d0
ip netns exec "$I" python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(20):
    s.sendto(b"x" * 32, ("10.16.64.66", 9999))'
sleep 0.3
snap d1
python3 - "$T" <<'PY' || fail "drops on eth4 do not match the firewall's drop counters"
import json, sys
t = sys.argv[1]
def nf(n):
    l = [l for l in json.load(open(f"{t}/{n}.l.json"))["links"] if l["name"] == "eth4"][0]
    return l["drops"]["reasons"].get("NETFILTER_DROP", {}).get("packets", 0)
def fw(n):
    pairs = json.load(open(f"{t}/{n}.st.json"))["firewall"]["pairs"]
    return sum(v.get("dropped", {}).get("packets", 0)
               for k, v in pairs.items() if k.startswith("internet>"))
dk, df = nf("d1") - nf("d0"), fw("d1") - fw("d0")
print(f"eth4: NETFILTER_DROP +{dk}, internet>* drop counters +{df}")
assert dk >= 20 and dk == df, (dk, df)
PY
ctl "$WDIR" links | grep -q "^drops on eth4: .*NETFILTER_DROP [0-9]" ||
	fail "egnetctl links does not show the drops on eth4: $(ctl "$WDIR" links)"
echo "PASS: $checks flows across every zone pair of the county behave as the policy says, counters moved; drops by reason match"
