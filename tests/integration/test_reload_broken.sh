#!/bin/bash
# Broken inputs on reload and at start.  An agent that runs a good
# configuration is given, one at a time, files the readers refuse: an
# @include of a directory, of a FIFO and of a device, a routing table of
# 2^32 + 100, a GBK name and a lone CR in the inventory, an inventory path
# that is /dev/zero.  On SIGHUP it keeps running its configuration: it
# does not hang or die, the kernel is unchanged, apply is refused, and
# status says the files still run (read when) and the reload was refused
# with each problem at its file:line.  Then with a broken @include at
# start it runs the last good copy and status names that copy.
. "$(dirname "$0")/lib.sh"

NS=egt-rb-$$
cp -r "$ROOT/profiles" "$T/p"
dir=$T/t
setup_township "$NS" "$dir" enforce "$T/p/township.conf"
sed -i "s|$ROOT/profiles/examples/inventory.csv|$T/p/examples/inventory.csv|" "$dir/node.conf"
agent_start "$NS" "$dir/node.conf" || fail "agent did not start"
wait_for 5 sh -c "\"$CTL\" status --socket \"$dir/agent.sock\" >/dev/null" ||
	fail "not converged: $(ctl "$dir" status)"
mkdir "$T/p/include/dir.conf"
mkfifo "$T/p/fifo"

kernelraw() { # addresses, egnet's routes, rules, firewall (no counters)
	ip -n "$NS" -br addr show scope global
	ip -n "$NS" -4 route show table all proto 147
	ip -n "$NS" -6 route show table all proto 147
	ip -n "$NS" rule show
	ip netns exec "$NS" nft list table inet egnet | sed 's/packets [0-9]* bytes [0-9]*//'
}
kernel() { kernelraw | md5sum; }
# the state the agent settled in (links come up, addresses settle)
before=
for _ in $(seq 50); do
	sleep 0.2
	now=$(kernel)
	[ "$now" = "$before" ] && break
	before=$now
done
kernelraw >"$T/k1"
cp "$T/p/township.conf" "$T/t.orig"
cp "$T/p/include/zones.conf" "$T/z.orig"
cp "$T/p/examples/inventory.csv" "$T/i.orig"
cp "$dir/node.conf" "$T/n.orig"
pl=$(grep -n -m1 '@include "include/probe.conf"' "$T/p/township.conf" | cut -d: -f1)
zl=$(grep -n -m1 'table = 100;' "$T/p/include/zones.conf" | cut -d: -f1)
il=$(($(wc -l <"$T/i.orig") + 1))
cases=0

# broken WANT...: SIGHUP, then the agent alive, the kernel as before,
# status: files running, reload refused with every WANT; apply refused.
broken() {
	kill -HUP "$AGENT_PID"
	refused() { ctl "$dir" status --json | grep -q reload_refused; }
	wait_for 5 refused || fail "case $cases: no refused reload in status: $(ctl "$dir" status --json)"
	kill -0 "$AGENT_PID" 2>/dev/null || fail "case $cases: the agent died"
	ctl "$dir" status --json >"$T/st.json"
	python3 - "$T/st.json" "$@" <<'PY' || fail "case $cases: status: $(cat "$T/st.json")"
import json, sys
d = json.load(open(sys.argv[1]))
c = d["config"]
assert c["ok"] is True and c["running"] == "files" and c["loaded"] > 0, c
for want in sys.argv[2:]:
    assert want in c["reload_refused"], (want, c["reload_refused"])
assert d["state"] == "converged", d
PY
	ctl "$dir" status >"$T/st.txt"
	grep -q "^reload   REFUSED" "$T/st.txt" || fail "case $cases: status text: $(cat "$T/st.txt")"
	grep -q "^config   the files, read " "$T/st.txt" || fail "case $cases: status text does not say the files run: $(cat "$T/st.txt")"
	grep -qF "  $1" "$T/st.txt" || fail "case $cases: status text does not name the problem: $(cat "$T/st.txt")"
	ctl "$dir" apply >"$T/apply.out" 2>&1 && fail "case $cases: apply of broken files accepted"
	[ "$(kernel)" = "$before" ] || { kernelraw >"$T/k2"; diff "$T/k1" "$T/k2"; fail "case $cases: the kernel changed"; }
	cp "$T/t.orig" "$T/p/township.conf"
	cp "$T/z.orig" "$T/p/include/zones.conf"
	cp "$T/i.orig" "$T/p/examples/inventory.csv"
	cp "$T/n.orig" "$dir/node.conf"
	cases=$((cases + 1))
}

P=$T/p
sed -i "${pl}s|include/probe.conf|include/dir.conf|" "$P/township.conf"
broken "$P/township.conf:$pl: @include \"include/dir.conf\": $P/include/dir.conf is a directory, not a file"
sed -i "${pl}s|include/probe.conf|$P/fifo|" "$P/township.conf"
broken "$P/township.conf:$pl: @include \"$P/fifo\": $P/fifo is a FIFO, not a file"
sed -i "${pl}s|include/probe.conf|/dev/zero|" "$P/township.conf"
broken "$P/township.conf:$pl: @include \"/dev/zero\": /dev/zero is a device, not a file"
# several problems in one run: the table and the inventory
sed -i "${zl}s|table = 100;|table = 4294967396;|" "$P/include/zones.conf"
printf '210102001009,\xc4\xe3\xba\xc3,\n210102001008,a\rb,\n' >>"$P/examples/inventory.csv"
broken "$P/include/zones.conf:$zl: zones.common.table: 4294967396 is out of range 1..2147483647" \
	"$P/examples/inventory.csv:$il: not UTF-8 (byte 0xc4 at column 14)" \
	"$P/examples/inventory.csv:$((il + 1)): a carriage return (CR) inside the line, at column 15"
sed -i "s|$P/examples/inventory.csv|/dev/zero|" "$dir/node.conf"
broken "/dev/zero: cannot read the inventory: is a device, not a file"

# fixed files and a reload: the refusal is gone
kill -HUP "$AGENT_PID"
clear() { ! ctl "$dir" status --json | grep -q reload_refused; }
wait_for 5 clear || fail "the refusal stays after a good reload"

# at start: a broken @include, and the agent runs the last good copy
hash=$(ctl "$dir" status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["profile"]["hash"])')
[ -n "$hash" ] || fail "no state hash in status"
agent_stop
sed -i "${pl}s|include/probe.conf|include/dir.conf|" "$P/township.conf"
agent_start "$NS" "$dir/node.conf" || fail "the agent did not start on its last good copy"
ctl "$dir" status --json >"$T/st.json"
python3 - "$T/st.json" "$P/township.conf:$pl: @include" "$hash" <<'PY' || fail "status at start: $(cat "$T/st.json")"
import json, sys
d = json.load(open(sys.argv[1]))
c = d["config"]
assert c["ok"] is False and c["running"] == "last-good" and c["saved"] > 0, c
assert any(p.startswith(sys.argv[2]) for p in c["problems"]), c
if sys.argv[3]:
    assert c["hash"] == sys.argv[3], (c["hash"], sys.argv[3])
PY
[ "$(kernel)" = "$before" ] || fail "the kernel changed at a start on the copy"
echo "PASS: broken inputs on reload ($cases cases): the agent runs on, kernel unchanged, apply refused, status truthful; at start it runs the last good copy"
