#!/bin/bash
# The agent SIGKILLed while it reports, many times, loses and duplicates
# nothing.  A township agent in its namespace reports every second (and at
# once on the link changes the test makes) over mutual TLS to a real
# collector in a NOC namespace, on a line slowed to 20 KB/s (a report takes
# 150 ms, a replay of ten a second or more); it is killed with SIGKILL
# KILLS times (default 40, SEED makes the choices again) and started again
# each time.  The kill comes, by turns:
#  - at the K-th change of a file in the spool (inotify): inside an
#    append (a segment created or written), a reservation of numbers
#    (spool.meta.tmp, its rename) or an ack (acks.log);
#  - at a random moment of the run (its posts, its answers);
#  - in the runs after an outage, while the backlog is replayed: once the
#    agent's status counts K acks, or at the K-th write of the journal.
# The path to the collector is cut for stretches of five kills (the spool
# fills), going down and coming back in the middle of a run.  Half the
# kills come with a power cut: every spool segment loses a random part of
# what was written after its last fdatasync (the agent runs with
# tests/support/synclog.c preloaded, which logs each sync's file size), so
# what the spool calls queued must have been synced.  The ack journal is
# left whole (a lost ack costs a duplicate the collector absorbs, and
# would blur the count below).
# After each kill the spool is read from the disk by a parser of the test's
# own (tests/integration/spoolkill.py): whole records but for a torn tail,
# the ack journal whole, no seq's record ever changing, reserved_to moving
# by blocks of 1024, the torn tails counted by the next start, nothing
# corrupt, dropped or failed to queue in the agent's status; and of the
# records the collector has stored, those the journal does not acknowledge
# are at most the two requests the kill (or an outage) cut off.  At the
# end, the agent drained and stopped: every seq the agent queued (its
# status' last_seq in each run, every record seen on disk) is stored at
# the collector (seq_ranges) or still waits in the spool; within a run's
# block the seqs form one range from its start, so the only gaps are the
# unused ends of blocks a restart skipped (a hole is a lost report); every
# seq the ack journal ever held is stored; the collector stored each
# report once (its count equals the numbers in its ranges) and answered at
# most two duplicates per request cut off.
. "$(dirname "$0")/lib.sh"

COLL="$ROOT/$B/egnet-collector"
PKI="$ROOT/packaging/egnet-pki"
SYNCLOG_SO="$ROOT/$B/tests/synclog.so"
SK="python3 $ROOT/tests/integration/spoolkill.py"
NOC=egkill-noc-$$
TWP=egkill-t-$$
TC=210102001000
KILLS=${KILLS:-40}
SEED=${SEED:-$$}
RANDOM=$SEED
echo "seed $SEED, $KILLS kills"

[ -f "$SYNCLOG_SO" ] || fail "$SYNCLOG_SO is not built (make tests-build)"
"$PKI" init "$T/pki" >/dev/null || fail "egnet-pki init"
"$PKI" collector "$T/pki" collector 10.250.1.1 127.0.0.1 >/dev/null || fail "egnet-pki collector"
"$PKI" node "$T/pki" $TC >/dev/null || fail "egnet-pki node $TC"

setup_township "$TWP" "$T/t"
ip netns add "$NOC" || fail "namespace $NOC"
NSES+=("$NOC")
ip -n "$NOC" link set lo up
ip link add mg0 netns "$TWP" type veth peer name nc1 netns "$NOC" || fail "veth"
ip -n "$TWP" addr add 10.250.1.2/30 dev mg0
ip -n "$TWP" link set mg0 up
# 20 KB/s from the agent: a report of ~3 KB takes 150 ms, so a replay of
# ten takes a second and a kill can land in the middle of it
tc -n "$TWP" qdisc add dev mg0 root tbf rate 160kbit burst 4kb latency 2s ||
	fail "tc tbf on mg0"
ip -n "$NOC" addr add 10.250.1.1/30 dev nc1
ip -n "$NOC" link set nc1 up

cat >"$T/coll.conf" <<CONF
listen = [ "10.250.1.1:8443", "127.0.0.1:8443" ];
tls = { cert = "$T/pki/collector/collector.crt"; key = "$T/pki/collector/collector.key";
	ca = "$T/pki/ca.crt"; };
inventory = "$ROOT/profiles/examples/inventory.csv";
state_dir = "$T/cstate";
CONF
ip netns exec "$NOC" "$COLL" -c "$T/coll.conf" >"$T/coll.log" 2>&1 &
COLL_PID=$!
disown "$COLL_PID"
PIDS+=("$COLL_PID")
for _ in $(seq 200); do
	grep -q "serving:" "$T/coll.log" && break
	kill -0 "$COLL_PID" 2>/dev/null || fail "the collector died"
	sleep 0.05
done
grep -q "serving:" "$T/coll.log" || fail "the collector did not start"

# the API from inside the NOC, also while its line to the agent is down
api() {
	ip netns exec "$NOC" curl -sS --max-time 10 --cacert "$T/pki/ca.crt" \
		--cert "$T/pki/nodes/$TC.crt" --key "$T/pki/nodes/$TC.key" \
		"https://127.0.0.1:8443$1"
}

cat >>"$T/t/node.conf" <<CONF
collector = { url = "https://10.250.1.1:8443"; interval = 1; timeout = 2;
	ca = "$T/pki/ca.crt"; cert = "$T/pki/nodes/$TC.crt"; key = "$T/pki/nodes/$TC.key";
	source = "none"; };
CONF
# the agent with the sync log (an ASan build lets a preload go first)
cat >"$T/agent" <<SH
#!/bin/sh
export LD_PRELOAD="$SYNCLOG_SO" EGNET_SYNCLOG="$T/synclog"
export ASAN_OPTIONS="\${ASAN_OPTIONS:+\$ASAN_OPTIONS:}verify_asan_link_order=0"
exec "$AGENT" "\$@"
SH
chmod +x "$T/agent"
SP="$T/t/state/spool"

ms_now() { echo $(($(date +%s%N) / 1000000)); }
rnd() { echo $((RANDOM % ($2 - $1 + 1) + $1)); } # LO HI
msleep() { sleep "$(printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)))"; }

# poll MS: the agent's status until MS from now; the last answer kept
poll() {
	local until=$(($(ms_now) + $1))
	while :; do
		ctl "$T/t" status --json >"$T/st.tmp" 2>/dev/null &&
			mv -f "$T/st.tmp" "$T/st.json"
		[ "$(ms_now)" -lt "$until" ] || break
		sleep 0.05
	done
}

# path UP|DOWN: the management line to the collector
up=1
path() {
	if [ "$1" = DOWN ]; then
		ip -n "$NOC" link set nc1 down && up=0
	else
		ip -n "$NOC" link set nc1 up && up=1
	fi
}

dead() { # PID: gone or a zombie
	! kill -0 "$1" 2>/dev/null ||
		[ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" = Z ]
}

t0=$(ms_now)
cuts_off=0
for i in $(seq 1 "$KILLS"); do
	# kills 6-10, 16-20, ...: the collector away; the path goes down and
	# comes back in the middle of the first run of a stretch
	want=$(((i - 1) / 5 % 2 == 0))
	mode=post # or write: at the K-th change of the spool
	[ $((RANDOM % 2)) = 0 ] && mode=write
	k=$(rnd 1 5)
	# the runs after an outage, while the backlog is replayed: killed
	# once the agent says it has K acks (the first one the live
	# report's), or at the K-th write of the ack journal
	backlog=$(json_field "$T/state.json" 'd["runs"][-1]["backlog"] if d["runs"] else 0' 2>/dev/null || echo 0)
	if [ "$want" = 1 ] && [ "$backlog" -ge 3 ] && [ "$i" -gt 5 ]; then
		mode=replay k=$(rnd 2 "$backlog")
		[ $((RANDOM % 2)) = 0 ] && mode=ackwrite
	fi
	rm -f "$T/st.json"
	$SK begin "$T/state.json" "$SP" "$mode,$([ $want = 1 ] && echo up || echo down)"
	agent_start "$TWP" "$T/t/node.conf" "$T/agent" ||
		fail "run $i: the agent did not start again"
	cut_here=0
	if [ "$want" != "$up" ]; then
		poll "$(rnd 0 600)"
		if [ "$want" = 1 ]; then path UP; else path DOWN; fi
		cut_here=1
		cuts_off=$((cuts_off + 1))
	fi
	if [ $mode = replay ]; then
		acks() {
			poll 0
			[ "$(json_field "$T/st.json" 'd["collector"]["acknowledged"]' 2>/dev/null)" -ge "$k" ] 2>/dev/null
		}
		wait_for 4 acks
		kill -KILL "$AGENT_PID"
		how="killed at $(json_field "$T/st.json" 'd["collector"]["acknowledged"]' 2>/dev/null) acks"
	elif [ $mode = ackwrite ]; then
		$SK killon "$SP" "$AGENT_PID" "$k" 4000 acks.log >"$T/kill.out"
		how=$(cat "$T/kill.out")
	elif [ $mode = write ]; then
		# killed at the K-th change of a spool file: inside an append,
		# a reservation of numbers or an ack; a change of a link a
		# second in makes a report come at once
		$SK killon "$SP" "$AGENT_PID" "$k" 2000 >"$T/kill.out" &
		kp=$!
		flap=$(($(ms_now) + 1000))
		while kill -0 "$kp" 2>/dev/null; do
			poll 0
			if [ "$flap" -gt 0 ] && [ "$(ms_now)" -ge "$flap" ]; then
				ip -n "$TWP" link set p-eth2 down
				ip -n "$TWP" link set p-eth2 up
				flap=0
			fi
		done
		wait "$kp" || fail "run $i: $(cat "$T/kill.out")"
		how=$(cat "$T/kill.out")
	else
		d=$(rnd 100 1500)
		poll "$d"
		kill -KILL "$AGENT_PID"
		how="killed at $d ms"
	fi
	wait_for 5 dead "$AGENT_PID" || fail "run $i: the agent did not die"
	# what the collector has now (a request the kill cut off is
	# committed in some milliseconds)
	sleep 0.1
	api "/api/v1/nodes/$TC" >"$T/now.json" || fail "run $i: GET /api/v1/nodes/$TC"
	cut=nocut
	[ $((RANDOM % 2)) = 0 ] && cut=cut
	$SK end "$T/state.json" "$SP" "$T/st.json" $cut "$T/synclog" "$RANDOM" \
		"$T/now.json" "$cut_here" >"$T/end.out" ||
		fail "run $i ($how): $(cat "$T/end.out")"
	echo "$(cat "$T/end.out"); $how"
done
t1=$(ms_now)

# ---- the last run: the collector there, the spool drained -----------------------
[ "$up" = 1 ] || { path UP; cuts_off=$((cuts_off + 1)); }
rm -f "$T/st.json"
$SK begin "$T/state.json" "$SP" "drain"
agent_start "$TWP" "$T/t/node.conf" "$T/agent" || fail "the agent did not start at the end"
drained() {
	ctl "$T/t" status --json >"$T/st.tmp" && mv -f "$T/st.tmp" "$T/st.json" &&
		[ "$(json_field "$T/st.json" 'd["collector"]["spool"]["pending"] == 0 and d["collector"]["acknowledged"] > 0')" = True ]
}
wait_for 30 drained || fail "the spool did not drain: $(json_field "$T/st.json" 'd["collector"]')"
agent_stop
api "/api/v1/nodes/$TC" >"$T/now.json" || fail "GET /api/v1/nodes/$TC"
$SK end "$T/state.json" "$SP" "$T/st.json" nocut "$T/synclog" 0 "$T/now.json" 1 >"$T/end.out" ||
	fail "the last run: $(cat "$T/end.out")"
kill -0 "$COLL_PID" || fail "the collector died"
api "/api/v1/nodes/$TC" >"$T/node.json" || fail "GET /api/v1/nodes/$TC"
api /metrics >"$T/metrics" || fail "GET /metrics"
if grep -E "none are made|not queued|spool:" "$T/t/agent.log" >"$T/bad"; then
	fail "the agent's log: $(head -n 5 "$T/bad")"
fi
# requests a kill, an outage or the last stop may have cut off
$SK final "$T/state.json" "$SP" "$T/node.json" "$T/metrics" \
	$((KILLS + cuts_off + 1)) >"$T/final.out" ||
	fail "$(cat "$T/final.out"); ranges $(json_field "$T/node.json" 'd["seq_ranges"]')"
cat "$T/final.out"
echo "PASS: $KILLS kills in $(((t1 - t0) / 1000)) s, $cuts_off outages begun or ended mid-run: nothing lost, nothing stored twice, the agent always restarted"
