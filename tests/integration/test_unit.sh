#!/bin/bash
# The packaged systemd unit starts the agent on its last good
# configuration when the files are broken, as the design promises.  There
# is no systemd to run the unit here, so this runs its commands the way
# systemd does: every ExecStartPre= in order, each of which must exit 0
# unless it is marked '-', then ExecStart=, with the unit's paths pointed
# at the test's build and files.
. "$(dirname "$0")/lib.sh"

UNIT=$ROOT/packaging/systemd/egnet-agent.service
NS=egt-un-$$
cp -r "$ROOT/profiles" "$T/p"
dir=$T/t
setup_township "$NS" "$dir" enforce "$T/p/township.conf"
agent_start "$NS" "$dir/node.conf" || fail "agent did not start"
[ -f "$dir/state/good/meta.json" ] || fail "no last good copy after the first apply"
agent_stop

# the files break; the unit starts
sed -i 's/window = 60;/window = "sixty";/' "$T/p/include/probe.conf"
unit_cmd() { # the command of a unit line, paths made the test's
	sed -e "s|/usr/sbin/egnet-agent|$AGENT|g" -e "s|/etc/egnet/agent.conf|$dir/node.conf|g" <<<"$1"
}
pre=0
while IFS= read -r line; do
	cmd=${line#ExecStartPre=}
	must=1
	while :; do # systemd's prefixes
		case $cmd in
		-*) must=0; cmd=${cmd#-} ;;
		[@+!:]*) cmd=${cmd#?} ;;
		*) break ;;
		esac
	done
	pre=$((pre + 1))
	ip netns exec "$NS" $(unit_cmd "$cmd") >>"$dir/pre.log" 2>&1
	rc=$?
	[ $rc = 0 ] || [ $must = 0 ] ||
		fail "ExecStartPre=$cmd exits $rc with broken files and a good copy: the unit would never start"
done < <(grep '^ExecStartPre=' "$UNIT")
start=$(grep '^ExecStart=' "$UNIT" | head -n 1)
[ -n "$start" ] || fail "no ExecStart= in $UNIT"
start=$(unit_cmd "${start#ExecStart=}")
ip netns exec "$NS" $start >>"$dir/agent.log" 2>&1 &
AGENT_PID=$!
disown $AGENT_PID
PIDS+=($AGENT_PID)
wait_for 5 sh -c "\"$CTL\" status --socket \"$dir/agent.sock\" >/dev/null; [ \$? = 7 ]" ||
	fail "the unit's agent is not running on the last good copy: $(ctl "$dir" status)"
grep -q "running with the last good one" "$dir/agent.log" || fail "the log does not say it runs on the copy"
echo "PASS: the unit ($pre ExecStartPre) starts the agent on its last good configuration with broken files"
