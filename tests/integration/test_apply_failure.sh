#!/bin/bash
# A failure in the middle of a plan leaves the kernel exactly as before:
# (1) an operation the kernel refuses (a route via a gateway on the LAN
# that the namespace holds as a local address of its own, which validate
# cannot know; last in the plan, after links and addresses were made), on
# a fresh node
# and on one that already has a state; (2) a test-only failure point at
# several steps of the plan.
. "$(dirname "$0")/lib.sh"

ns=egt-fa-$$
dir=$T/t
setup_township "$ns" "$dir"
cp -r "$ROOT/profiles" "$T/p"
# a route the kernel refuses: its gateway is on the LAN's subnet, as validate
# wants, but a local address of the namespace (IPv6 takes no such gateway)
ip -n "$ns" link set lo up
ip -n "$ns" -6 addr add fd45:676e:410:403::99/128 dev lo nodad
sed -i 's|^routes = (|routes = (\n\t{ zone = "common"; to = "fd45:99::/64"; via = "fd45:676e:410:403::99"; },|' "$T/p/township.conf"
sed -i "s|profile = \"[^\"]*\"|profile = \"$T/p/township.conf\"|" "$dir/node.conf"
"$CTL" validate --node "$dir/node.conf" >/dev/null || fail "the broken profile must still validate"

$KCHECK snapshot "$ns" >"$T/fresh"
agent_start "$ns" "$dir/node.conf" || fail "agent did not start"
$KCHECK snapshot "$ns" >"$T/after"
diff -u "$T/fresh" "$T/after" >"$T/d" || fail "a refused apply changed a fresh node: $(cat "$T/d")"
ctl "$dir" status --json >"$T/st.json"
json_field "$T/st.json" 'd["last_apply"]["result"]' | grep -qx rolled-back ||
	fail "status does not say rolled back: $(cat "$T/st.json")"
json_field "$T/st.json" 'd["last_apply"]["message"]' | grep -q "fd45:99::/64" ||
	fail "the failure does not name the route: $(cat "$T/st.json")"
agent_stop

# now from an applied state: the good profile first, then the bad one
sed -i "s|profile = \"[^\"]*\"|profile = \"$ROOT/profiles/township.conf\"|" "$dir/node.conf"
agent_start "$ns" "$dir/node.conf" "$AGENT_FP" || fail "agent did not start"
"$CTL" render --node "$dir/node.conf" --json >"$T/render.json"
$KCHECK equal "$ns" "$T/render.json" >"$T/d" || fail "good apply: $(cat "$T/d")"
$KCHECK snapshot "$ns" >"$T/good"
sed -i '/name = "eg-lan"/,/mtu = 1500/ s/mtu = 1500/mtu = 1400/' "$T/p/township.conf"
sed -i "s|profile = \"[^\"]*\"|profile = \"$T/p/township.conf\"|" "$dir/node.conf"
ctl "$dir" apply >"$T/out" 2>&1 && fail "a refused apply reported success"
grep -q "undone" "$T/out" || fail "apply output does not say it was undone: $(cat "$T/out")"
$KCHECK snapshot "$ns" >"$T/after"
diff -u "$T/good" "$T/after" >"$T/d" || fail "a refused apply changed the state: $(cat "$T/d")"
agent_stop

# failure points: fail at step k of a plan from the good state to a
# changed one (another LAN MTU and an extra route), for several k
sed -i 's|^\t{ zone = "common"; to = "fd45:99::/64"; via = "fd45:676e:410:403::99"; },|\t{ zone = "common"; to = "10.250.0.0/16"; via = "parent"; },|' "$T/p/township.conf"
agent_start "$ns" "$dir/node.conf" "$AGENT_FP" || fail "agent did not start"
ctl "$dir" plan --json >"$T/plan.json"
n=$(json_field "$T/plan.json" 'len(d["ops"])')
[ "$n" -ge 2 ] || fail "plan too short for the test: $(cat "$T/plan.json")"
agent_stop
steps=0
for fp in $(seq 0 $((n - 1)) | sed 's/^/apply.op:/; s/$/:fail/') apply.verify:1:fail; do
	EGNET_FAILPOINT=$fp agent_start "$ns" "$dir/node.conf" "$AGENT_FP" ||
		fail "agent did not start ($fp)"
	ctl "$dir" apply >/dev/null 2>&1 && fail "failure point $fp did not fail the apply"
	$KCHECK snapshot "$ns" >"$T/after"
	diff -u "$T/good" "$T/after" >"$T/d" || fail "failure at $fp left a change: $(cat "$T/d")"
	agent_stop
	steps=$((steps + 1))
done
# the kernel took the change but applied.json could not be written: the
# apply fails and is rolled back, as nothing would know what the kernel has
cp "$dir/state/applied.json" "$T/applied.before"
EGNET_FAILPOINT=state.commit:0:fail agent_start "$ns" "$dir/node.conf" "$AGENT_FP" ||
	fail "agent did not start (state.commit)"
ctl "$dir" apply >"$T/out" 2>&1 && fail "an apply whose state could not be saved reported success"
grep -q "saving the applied state" "$T/out" || fail "the failed state write is not named: $(cat "$T/out")"
$KCHECK snapshot "$ns" >"$T/after"
diff -u "$T/good" "$T/after" >"$T/d" || fail "an unrecorded apply was left in the kernel: $(cat "$T/d")"
cmp -s "$dir/state/applied.json" "$T/applied.before" || fail "applied.json changed"
[ ! -e "$dir/state/journal.json" ] || fail "the journal is left after the rollback"
ctl "$dir" status --json >"$T/st.json"
json_field "$T/st.json" 'd["last_apply"]["result"]' | grep -qx rolled-back ||
	fail "status after an unrecorded apply: $(json_field "$T/st.json" 'd["last_apply"]')"
agent_stop
# an apply that fails and whose undo fails too: the journal stays, status
# says what could not be undone, and the next start restores the state
# before the apply from the journal
EGNET_FAILPOINT="apply.op:$((n - 1)):fail,apply.undo:0:fail" \
	agent_start "$ns" "$dir/node.conf" "$AGENT_FP" || fail "agent did not start (undo)"
ctl "$dir" apply >"$T/out" 2>&1 && fail "an apply failing at its last step reported success"
grep -q "could not be undone" "$T/out" || fail "the failed undo is not said: $(cat "$T/out")"
[ -e "$dir/state/journal.json" ] || fail "a failed undo removed the journal"
agent_stop
: >"$dir/agent.log"
agent_start "$ns" "$dir/node.conf" "$AGENT_FP" || fail "agent did not start after the failed undo"
grep -q "restored the state before the interrupted apply" "$dir/agent.log" ||
	fail "the journal was not used at start: $(cat "$dir/agent.log")"
[ ! -e "$dir/state/journal.json" ] || fail "the journal is left after it was restored"
$KCHECK snapshot "$ns" >"$T/after"
diff -u "$T/good" "$T/after" >"$T/d" || fail "the journal did not restore the state: $(cat "$T/d")"
agent_stop
steps=$((steps + 1))
# and the same apply without a failure point goes through
agent_start "$ns" "$dir/node.conf" "$AGENT_FP" || fail "agent did not start"
ctl "$dir" apply >/dev/null || fail "the apply without a failure point failed"
"$CTL" render --node "$dir/node.conf" --json >"$T/render2.json"
$KCHECK equal "$ns" "$T/render2.json" >"$T/d" || fail "final apply: $(cat "$T/d")"
echo "PASS: kernel-refused route, $steps failure points (a failed undo among them, restored from its journal) and a failed state write left the state exactly as before"
