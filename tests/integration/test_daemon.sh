#!/bin/bash
# The daemon's robustness: hostile control-socket requests get an error and
# change nothing; SIGHUP with a broken configuration keeps the old one; an
# apply of a broken configuration is refused with the problems; a second
# agent on the same socket is refused; SIGTERM stops cleanly.
. "$(dirname "$0")/lib.sh"

ns=egt-dm-$$
dir=$T/t
setup_township "$ns" "$dir"
cp -r "$ROOT/profiles" "$T/p"
sed -i "s|profile = \"[^\"]*\"|profile = \"$T/p/township.conf\"|" "$dir/node.conf"
agent_start "$ns" "$dir/node.conf" || fail "agent did not start"
sock=$dir/agent.sock
[ "$(stat -c %a "$sock")" = 660 ] || fail "socket mode $(stat -c %a "$sock"), want 660"
$KCHECK snapshot "$ns" >"$T/before"

send() {
	python3 - "$sock" "$1" <<'PY'
import os, socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(os.fsencode(sys.argv[2]))
s.shutdown(socket.SHUT_WR)
print(s.makefile().read().strip())
PY
}
for req in 'not json\n' '[1,2]\n' '{"cmd": 7}\n' '{"cmd": "frob"}\n' \
	'{"cmd": "apply", "confirm": "x"}\n' '{"cmd": "apply", "confirm": -1}\n' \
	'{"cmd": "apply", "confirm_when": "never"}\n' '\xff\xfe\n'; do
	out=$(send "$(printf "$req")")
	grep -q '"ok": *false' <<<"$out" || fail "request $req answered: $out"
done
# a request far too long, without a newline
python3 - "$sock" <<'PY' || fail "long request"
import os, socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
try:
    s.sendall(b"{" * (200 * 1024))
except OSError:
    pass
s.settimeout(5)
data = s.recv(4096)
assert b"too long" in data, data
PY
kill -0 "$AGENT_PID" || fail "the agent died of a request"

# broken configuration: SIGHUP keeps the old one, apply refuses
sed -i '0,/mtu = 1500; },/ s//mtu = 99999; },/' "$T/p/township.conf"
kill -HUP "$AGENT_PID"
sleep 0.3
grep -q "reload refused" "$dir/agent.log" || fail "SIGHUP with a broken profile not refused"
ctl "$dir" apply >"$T/out" 2>&1 && fail "apply of a broken profile succeeded"
grep -q "township.conf:[0-9]*: links\[0\].mtu: 99999 is out of range" "$T/out" ||
	fail "apply does not name the problem: $(cat "$T/out")"
$KCHECK snapshot "$ns" >"$T/after"
diff -u "$T/before" "$T/after" || fail "hostile requests or a broken config changed the kernel"
ctl "$dir" status >/dev/null || fail "status not converged after refusals"

# a second agent on the same socket is refused, the first keeps running
cp "$ROOT/profiles/township.conf" "$T/p/township.conf"
ip netns exec "$ns" "$AGENT" -c "$dir/node.conf" >"$T/second.log" 2>&1 && fail "a second agent started"
grep -q "another agent answers" "$T/second.log" || fail "second agent: $(cat "$T/second.log")"
kill -0 "$AGENT_PID" || fail "the first agent died"

agent_stop
[ -e "$sock" ] && fail "socket left after SIGTERM"
echo "PASS: hostile requests refused, broken config kept out, one agent per socket, clean stop"
