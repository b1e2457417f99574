#!/bin/bash
# The last good configuration.  Every apply keeps a copy of the files it
# applied (node config, profile and its includes, inventory) in the state
# folder, the one before in good.previous.  An agent whose files are
# broken when it starts (after a "reboot": the namespace made anew, the
# kernel state gone) runs with that copy: it puts the gateway back as it
# was, status says the files have problems (file:line, exit 7), apply is
# refused, and a reload of fixed files ends it.  Without a copy a broken
# configuration still keeps the agent from starting.
. "$(dirname "$0")/lib.sh"

NS=egt-lg-$$
cp -r "$ROOT/profiles" "$T/p"
dir=$T/t
setup_township "$NS" "$dir" enforce "$T/p/township.conf"
agent_start "$NS" "$dir/node.conf" || fail "agent did not start"
wait_for 5 sh -c "\"$CTL\" status --socket \"$dir/agent.sock\" >/dev/null" ||
	fail "not converged: $(ctl "$dir" status)"
good=$dir/state/good
for f in meta.json node.conf profile/township.conf profile/include/probe.conf \
	profile/include/plan.conf inventory.csv; do
	[ -f "$good/$f" ] || fail "no $f in the copy: $(cd "$good" && find . | sort)"
done
cmp -s "$good/profile/include/probe.conf" "$T/p/include/probe.conf" ||
	fail "the copy of probe.conf differs from the file"

# a change that touches no kernel state is applied all the same: the copy
# follows, the one before moves to good.previous
sed -i 's/interval = 1000;/interval = 500;/' "$T/p/include/probe.conf"
ctl "$dir" apply >/dev/null || fail "apply of a new probe interval"
grep -q "interval = 500;" "$good/profile/include/probe.conf" || fail "the copy did not follow the apply"
grep -q "interval = 1000;" "$dir/state/good.previous/profile/include/probe.conf" ||
	fail "the copy before is not in good.previous"

# break the profile, then "reboot": agent gone, namespace made anew
line=$(grep -n "window = 60;" "$T/p/include/probe.conf" | cut -d: -f1)
sed -i 's/window = 60;/window = "sixty";/' "$T/p/include/probe.conf"
agent_stop
ip netns del "$NS"
ns_new "$NS" eth0 eth1 eth2
ip -n "$NS" -4 addr show dev eth0 | grep -q 10.16.64.130 && fail "the reboot kept addresses"

agent_start "$NS" "$dir/node.conf" || fail "the agent did not start with a broken profile and a good copy"
up() { ip -n "$NS" -4 addr show dev eth0 | grep -q "10.16.64.130/30"; }
wait_for 5 up || fail "the gateway was not put back from the copy: $(ip -n "$NS" -br addr)"
ip netns exec "$NS" nft list table inet egnet >/dev/null || fail "no firewall after the reboot"
ctl "$dir" status --json >"$T/st.json"
python3 - "$T/st.json" "$line" <<'PY' || fail "status: $(cat "$T/st.json")"
import json, sys
d = json.load(open(sys.argv[1]))
c = d["config"]
assert c["ok"] is False and c["running"] == "last-good" and c["saved"] > 0, c
assert any("probe.conf:%s" % sys.argv[2] in p and "window" in p for p in c["problems"]), c
assert d["state"] == "converged", d
PY
ctl "$dir" status >"$T/st.txt"
rc=$?
[ $rc = 7 ] || fail "status exit $rc, want 7 (files with problems): $(cat "$T/st.txt")"
grep -q "HAS PROBLEMS" "$T/st.txt" || fail "status text: $(cat "$T/st.txt")"
grep -q "probe.conf:$line" "$T/st.txt" || fail "status does not name the file and line: $(cat "$T/st.txt")"
grep -q "running with the last good one" "$dir/agent.log" || fail "the log does not say it"
# it answers probes (its parent would otherwise mark it down)
ctl "$dir" links --json >"$T/l.json" || fail "links"
[ "$(json_field "$T/l.json" 'd["monitor"]["probing"]')" = True ] || fail "not probing on the copy"

# apply is refused, and changes nothing
ours() { # egnet's routes (proto 147), both families
	{ ip -n "$NS" -4 -j route show table all proto 147; ip -n "$NS" -6 -j route show table all proto 147; } | md5sum
}
before=$(ours)
ctl "$dir" apply >"$T/apply.out" 2>&1 && fail "apply of broken files accepted"
[ "$(ours)" = "$before" ] || fail "a refused apply changed routes"

# fixed files and a reload: no problems any more
sed -i 's/window = "sixty";/window = 60;/' "$T/p/include/probe.conf"
kill -HUP "$AGENT_PID"
fixed() { ctl "$dir" status >/dev/null; }
wait_for 3 fixed || fail "status after the fix and a reload: exit $(ctl "$dir" status >/dev/null; echo $?)"
[ "$(ctl "$dir" status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["config"]["ok"])')" = True ] ||
	fail "config still has problems after the fix"

# no copy: broken files keep the agent from starting, as before
agent_stop
sed -i 's/window = 60;/window = "sixty";/' "$T/p/include/probe.conf"
rm -rf "$dir/state/good" "$dir/state/good.previous"
ip netns exec "$NS" "$AGENT" -c "$dir/node.conf" >"$T/nocopy.out" 2>&1 &
pid=$!
PIDS+=($pid)
for _ in $(seq 50); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
kill -0 $pid 2>/dev/null && fail "started with broken files and no copy"
wait $pid
rc=$?
[ $rc = 1 ] || fail "exit $rc without a copy, want 1"
grep -q "probe.conf:$line" "$T/nocopy.out" || fail "no file:line without a copy: $(cat "$T/nocopy.out")"
echo "PASS: the last good configuration: kept on apply, put the gateway back after a reboot with broken files, status 7 with file:line, apply refused, reload of fixed files ends it"
