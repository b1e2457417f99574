#!/bin/bash
# Incremental firewall updates, checked with nft -j on the kernel: a change
# of set elements only, and of rules only, is made in the existing table
# (its handle, its chains' handles and the counters of untouched rules
# stay; a full replace would renew the first two and zero the counters);
# a new set falls back to a full replace; an incremental transaction the
# kernel refuses leaves the table exactly as it was, handles included;
# rollback of an incremental change restores the old table in place; one
# element removed by hand is put back by the next apply.  The plan (and
# the apply's answer) names the update with its counts when it will be
# incremental, and the replace when the shape changes.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fwlib.sh"

cp -r "$ROOT/profiles" "$T/p"
county_world fi$$ "$T/p/county.conf"
agent_start "$G" "$WDIR/node.conf" "$AGENT_FP" || fail "agent did not start"
cross_routes

# info KEY: from nft -j list table inet egnet
#   table            the table's handle
#   chains           "input=H forward=H"
#   rule:COMMENT     "handle packets" of the first rule with that comment
#   comments:CHAIN   the rules' comments in order, one a line
#   elems:SET        the set's elements, one a line
info() {
	ip netns exec "$G" nft -j list table inet egnet >"$T/nft.json" ||
		fail "nft -j list table inet egnet"
	python3 - "$T/nft.json" "$1" <<'PY'
import json, sys
d = [x for x in json.load(open(sys.argv[1]))["nftables"]]
key = sys.argv[2]
def rules(chain=None):
    return [x["rule"] for x in d if "rule" in x and (chain is None or x["rule"]["chain"] == chain)]
if key == "table":
    print([x["table"]["handle"] for x in d if "table" in x][0])
elif key == "chains":
    print(" ".join("%s=%s" % (x["chain"]["name"], x["chain"]["handle"]) for x in d if "chain" in x))
elif key.startswith("rule:"):
    for r in rules():
        if r.get("comment") == key[5:]:
            pk = [e["counter"]["packets"] for e in r["expr"] if "counter" in e]
            print(r["handle"], pk[0] if pk else 0)
            break
elif key.startswith("comments:"):
    for r in rules(key[9:]):
        print(r.get("comment", ""))
elif key.startswith("elems:"):
    for x in d:
        if "set" in x and x["set"]["name"] == key[6:]:
            for e in x["set"].get("elem", []):
                print(json.dumps(e, sort_keys=True))
PY
}
# the table without counter values (the kernel's own chatter moves them)
nft_list() {
	ip netns exec "$G" nft -j list table inet egnet |
		sed -E 's/"packets": [0-9]+/"packets": 0/g; s/"bytes": [0-9]+/"bytes": 0/g'
}
ACC='egnet common>common accept'
# (tried twice: under load a first try can time out in ARP; a drop by the
# firewall fails both)
traffic() {
	flow "$L" tcp 10.16.64.1 8080 || flow "$L" tcp 10.16.64.1 8080 ||
		fail "common>common flow dropped"
}
applied() { # what: apply, and check it was said to be applied
	ctl "$WDIR" apply >"$T/out" 2>&1 || fail "$1: apply: $(cat "$T/out")"
}
# fwop FILE: the firewall operation's line in a plan or an apply's answer
fwop() { sed -n 's/^ *\(firewall [a-z]* table .*\)$/\1/p' "$1"; }
# plan_says WHAT LABEL: the plan's firewall operation is LABEL exactly
# (LABEL a regular expression of the whole line)
plan_says() {
	ctl "$WDIR" plan >"$T/plan" 2>&1 || fail "$1: plan: $(cat "$T/plan")"
	fwop "$T/plan" | grep -qx "$2" ||
		fail "$1: the plan says '$(fwop "$T/plan")', not '$2'"
}

traffic
table0=$(info table) chains0=$(info chains)
read -r acc_h acc_p <<<"$(info rule:"$ACC")"
[ "${acc_p:-0}" -gt 0 ] || fail "the common>common counter did not move"

# 1. elements only: one address more in the NOC set
cp "$T/p/include/sets.conf" "$T/sets.orig"
sed -i 's|"10.8.0.0/24"|"10.8.0.0/24", "10.9.0.7/32"|' "$T/p/include/sets.conf"
# a single address is one element, in the hash set h_noc_4; the /24 stays
# an interval
plan_says "element change" "firewall update table inet egnet: +1 -0 elements, +0 -0 rules"
ctl "$WDIR" apply --json >"$T/out" 2>&1 || fail "element change: apply: $(cat "$T/out")"
[ "$(json_field "$T/out" 'd["plan"][0]')" = "firewall update table inet egnet: +1 -0 elements, +0 -0 rules" ] ||
	fail "element change: the apply's answer does not say the update: $(cat "$T/out")"
info elems:h_noc_4 | grep -qx '"10.9.0.7"' || fail "10.9.0.7 is not in h_noc_4: $(info elems:h_noc_4)"
info elems:p_noc_4 | grep -q '10.9.0.7' && fail "10.9.0.7 is in p_noc_4: $(info elems:p_noc_4)"
[ "$(info table)" = "$table0" ] || fail "element change: the table was re-created ($table0 -> $(info table))"
[ "$(info chains)" = "$chains0" ] || fail "element change: chains re-created ($chains0 -> $(info chains))"
read -r h p <<<"$(info rule:"$ACC")"
[ "$h" = "$acc_h" ] || fail "element change: rule handle $acc_h -> $h"
[ "$p" -ge "$acc_p" ] || fail "element change: the counter of an untouched rule went from $acc_p to $p"
echo "element change: in place (table $table0, chains $chains0), counter $acc_p -> $p"

# 2. an interval that grows and swallows another: /24 + /32 -> /15 (the
# /24 out of p_noc_4, the /32 out of h_noc_4, the /15 in; the kernel
# refuses overlaps, so all go in one go)
sed -i 's|"10.8.0.0/24", "10.9.0.7/32"|"10.8.0.0/15"|' "$T/p/include/sets.conf"
applied "interval merge"
[ "$(info elems:p_noc_4 | wc -l)" = 1 ] || fail "merge: p_noc_4 is $(info elems:p_noc_4)"
info elems:h_noc_4 | grep -q . && fail "merge: h_noc_4 is $(info elems:h_noc_4)"
info elems:p_noc_4 | grep -q '"10.8.0.0".*15\|"len": 15' || fail "merge: p_noc_4 is $(info elems:p_noc_4)"
[ "$(info table)" = "$table0" ] || fail "interval merge: the table was re-created"

# 3. rules only: ssh between https and dns for common>internet (rules in the
# middle of the forward chain)
cp "$T/p/county.conf" "$T/county.orig"
info comments:forward >"$T/fwd.before"
sed -i 's|services = \[ "http", "https", "dns"|services = [ "http", "https", "ssh", "dns"|' "$T/p/county.conf"
plan_says "rule change" "firewall update table inet egnet: +0 -0 elements, +1 -0 rules"
applied "rule change"
[ "$(info table)" = "$table0" ] || fail "rule change: the table was re-created"
[ "$(info chains)" = "$chains0" ] || fail "rule change: chains re-created"
read -r h p2 <<<"$(info rule:"$ACC")"
[ "$h" = "$acc_h" ] || fail "rule change: rule handle $acc_h -> $h"
[ "$p2" -ge "$p" ] || fail "rule change: the counter of an untouched rule went from $p to $p2"
info comments:forward >"$T/fwd.after"
n_before=$(grep -c 'common>internet accept' "$T/fwd.before")
n_after=$(grep -c 'common>internet accept' "$T/fwd.after")
[ "$n_after" = $((n_before + 1)) ] || fail "rule change: $n_before -> $n_after common>internet accept rules"
# the order is the compiled one: the agent's own read-back compares it, and
# here the new rule sits among its pair's rules, the others unmoved
diff <(grep -v 'common>internet accept' "$T/fwd.before") \
	<(grep -v 'common>internet accept' "$T/fwd.after") >/dev/null ||
	fail "rule change moved other rules"
ip netns exec "$G" nft -a list chain inet egnet forward >"$T/fwd.txt"
awk '/common>internet accept/ {n++; if (/dport 22 /) at=n} END {exit !(at == 3)}' "$T/fwd.txt" ||
	fail "rule change: the ssh rule is not third of its pair: $(grep 'common>internet accept' "$T/fwd.txt")"
flow "$L" tcp 192.0.2.33 22 || fail "rule change: ssh to the internet still dropped"
echo "rule change: in place, ssh rule third of its pair, counter $p -> $p2"

# 4. rollback of an incremental change: back to the /15 set, in place
ctl "$WDIR" rollback >"$T/out" 2>&1 || fail "rollback: $(cat "$T/out")"
flow "$L" tcp 192.0.2.33 22 && fail "rollback: ssh to the internet passes"
info comments:forward | cmp -s - "$T/fwd.before" || fail "rollback did not restore the forward chain"
[ "$(info table)" = "$table0" ] || fail "rollback: the table was re-created"
read -r h p3 <<<"$(info rule:"$ACC")"
[ "$h" = "$acc_h" ] && [ "$p3" -ge "$p2" ] || fail "rollback: untouched rule $acc_h/$p2 -> $h/$p3"
cp "$T/county.orig" "$T/p/county.conf"

# 5. drift of one element: removed by hand, put back by apply, in place
ip netns exec "$G" nft delete element inet egnet p_noc_4 '{ 10.8.0.0/15 }' ||
	fail "nft delete element"
info elems:p_noc_4 | grep -q . && fail "the element was not removed by hand"
applied "drift"
info elems:p_noc_4 | grep -q '10.8.0.0' || fail "drift: 10.8.0.0/15 not put back"
[ "$(info table)" = "$table0" ] || fail "drift: the table was re-created"

# 6. a refused incremental transaction changes nothing, handles included
agent_stop
EGNET_FAILPOINT=nft.batch:0:fail agent_start "$G" "$WDIR/node.conf" "$AGENT_FP" ||
	fail "agent did not restart"
sleep 0.3
nft_list >"$T/before.json"
sed -i 's|"10.8.0.0/15"|"10.8.0.0/15", "10.20.0.1/32"|' "$T/p/include/sets.conf"
ctl "$WDIR" apply >"$T/out" 2>&1 && fail "a refused incremental transaction was reported applied"
grep -q "nftables refused the transaction" "$T/out" || fail "no kernel refusal: $(cat "$T/out")"
nft_list >"$T/after.json"
cmp -s "$T/before.json" "$T/after.json" || fail "a refused transaction changed the table:
$(diff "$T/before.json" "$T/after.json" | head)"
agent_stop
agent_start "$G" "$WDIR/node.conf" "$AGENT_FP" || fail "agent did not restart"

# 7. a new set: a structural change, the table replaced whole
traffic
traffic
read -r h p_before <<<"$(info rule:"$ACC")"
[ "$p_before" -ge 2 ] || fail "no traffic counted before the replace ($p_before)"
cat "$T/sets.orig" >"$T/p/include/sets.conf"
echo 'extra = [ "10.30.0.0/16" ];' >>"$T/p/include/sets.conf"
plan_says "new set" 'firewall replace table inet egnet ([0-9]* rules, 11 sets, [0-9]* elements)'
applied "new set"
ip netns exec "$G" nft list set inet egnet p_extra_4 >/dev/null || fail "no set p_extra_4"
[ "$(info table)" != "$table0" ] || fail "a new set did not re-create the table"
read -r h p4 <<<"$(info rule:"$ACC")"
# counters start again (a stray packet of an earlier flow may count one)
[ "$p4" -lt "$p_before" ] && [ "$p4" -le 1 ] || fail "a full replace kept counter $p4 (was $p_before)"
echo "PASS: elements, a merge, rules in the middle, rollback and drift in place; a refused transaction left the table byte for byte; a new set replaced the table"
