#!/bin/bash
# Reload and drift agree on one applied state.  Files that ask for another
# kernel state (another rule priority range and probe port) are not taken
# by a reload: they wait for an apply, and until then the agent guards,
# watches and probes what it applied — its rule range, its port — with no
# drift, also after a restart.  The apply then puts them on.
. "$(dirname "$0")/lib.sh"

NS=egt-rs-$$
cp -r "$ROOT/profiles" "$T/p"
dir=$T/t
setup_township "$NS" "$dir" enforce "$T/p/township.conf"
agent_start "$NS" "$dir/node.conf" || fail "agent did not start"
ctl "$dir" status >/dev/null || fail "not converged"
rules() { ip -n "$NS" -j rule show | python3 -c '
import json, sys
print(sorted(r["priority"] for r in json.load(sys.stdin) if 10000 <= r["priority"] < 30000))'; }
r0=$(rules)
case $r0 in "[10000"*) ;; *) fail "rules before: $r0" ;; esac
port_open() { ip netns exec "$NS" ss -Hlun "sport = :$1" | grep -q .; }
port_open 7789 || fail "no probe socket on 7789"

sed -i 's/rule_priority = 10000;/rule_priority = 20000;/; s/port = 7789;/port = 7790;/' "$T/p/include/probe.conf"
kill -HUP "$AGENT_PID"
wait_for 3 grep -q "ask for another state" "$dir/agent.log" || fail "the reload does not say the files wait for an apply"
sleep 1.5 # drift checks run meanwhile (netlink events, and at once on reload)
check_held() { # WHAT: the applied configuration runs, the files wait
	ctl "$dir" status --json >"$T/st.json"
	python3 - "$T/st.json" <<'PY' || fail "$1: status: $(cat "$T/st.json")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["state"] == "converged", d["state"]
assert not d.get("drift"), d.get("drift")
c = d["config"]
assert c["ok"] and c["running"] == "applied-copy" and c["staged"]["hash"], c
PY
	[ "$(rules)" = "$r0" ] || fail "$1: rules changed: $(rules), were $r0"
	port_open 7789 || fail "$1: the applied probe port 7789 is not open"
	port_open 7790 && fail "$1: the files' port 7790 is open before any apply"
	ctl "$dir" status | grep -q "^files    ask for another state" ||
		fail "$1: status text does not say the files wait: $(ctl "$dir" status)"
}
check_held "after the reload"

# a restart finds the same: files waiting, the applied configuration runs
agent_stop
agent_start "$NS" "$dir/node.conf" || fail "agent did not restart"
sleep 1
check_held "after a restart"

# the apply puts the files on
ctl "$dir" apply >/dev/null || fail "apply of the waiting files"
r1=$(rules)
case $r1 in "[20000"*) ;; *) fail "rules after the apply: $r1" ;; esac
wait_for 3 port_open 7790 || fail "the new probe port is not open after the apply"
port_open 7789 && fail "the old probe port is still open after the apply"
ctl "$dir" status --json >"$T/st.json"
json_field "$T/st.json" '"staged" not in d["config"] and d["config"]["running"] == "files"' | grep -q True ||
	fail "after the apply: $(json_field "$T/st.json" 'd["config"]')"
echo "PASS: a reload of files that ask for another state leaves the applied one guarded, watched and probed; the apply puts them on"
