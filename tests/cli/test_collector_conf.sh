#!/bin/bash
# egnet-collector -n: the shipped example (with its files put in place),
# then broken copies, each refused with exit 1 and the exact FILE:LINE:
# SETTING: problem line.  No root, no network.
. "$(dirname "$0")/lib.sh"

PKI="$ROOT/packaging/egnet-pki"
"$PKI" init "$tmp/pki" >/dev/null || fail "egnet-pki init"
"$PKI" collector "$tmp/pki" collector 127.0.0.1 >/dev/null || fail "egnet-pki collector"

# the example, its paths pointed at the scratch folder
sed -e "s|/etc/egnet/pki|$tmp/pki|" \
	-e "s|/etc/egnet/inventory.csv|$ROOT/profiles/examples/inventory.csv|" \
	collector/examples/collector.conf >"$tmp/good.conf"
out=$("$COLLECTOR" -n -c "$tmp/good.conf" 2>&1) || fail "the example: $out"
grep -q "config OK: $tmp/good.conf, 2 TLS and 0 plaintext listeners" <<<"$out" ||
	fail "the example printed: $out"
grep -q "inventory OK: 39 nodes" <<<"$out" || fail "no inventory line: $out"

cases=0
# expect PATTERN REPLACEMENT WANT: a copy of good.conf with the first line
# matching PATTERN replaced (LINE is its number, @ in WANT the file)
expect() {
	local pat=$1 rep=$2 want out rc line
	cp "$tmp/good.conf" "$tmp/c.conf"
	line=$(grep -n -m1 -- "$pat" "$tmp/c.conf" | cut -d: -f1)
	[ -n "$line" ] || fail "pattern '$pat' not in the example"
	sed -i "${line}s|$pat|$rep|" "$tmp/c.conf"
	want=${3//@/$tmp/c.conf}
	want=${want//LINE/$line}
	out=$("$COLLECTOR" -n -c "$tmp/c.conf" 2>&1)
	rc=$?
	[ $rc -eq 1 ] || fail "case $cases ($rep): exit $rc, want 1; output: $out"
	grep -qxF -- "$want" <<<"$out" || fail "case $cases: want line: $want
got:
$out"
	cases=$((cases + 1))
}

expect '"0.0.0.0:8443"' '"0.0.0.0:0"' \
	"@:LINE: listen[0]: '0.0.0.0:0': the port must be 1..65535"
expect '"0.0.0.0:8443"' '"collector.example:8443"' \
	"@:LINE: listen[0]: 'collector.example' is not an IPv4 address (names are not resolved)"
expect '"\[::\]:8443"' '"[::]"' "@:LINE: listen[1]: '[::]' is not [IPV6]:PORT"
expect '"\[::\]:8443"' '"[1.2.3.4]:8443"' "@:LINE: listen[1]: '1.2.3.4' is not an IPv6 address"
expect '"\[::\]:8443"' '"0.0.0.0:8443"' "@:LINE: listen[1]: 0.0.0.0:8443 is listed twice (line LINE)"
expect '^listen = .*' 'listen = 8443;' '@:LINE: listen: must be a list of "ADDR:PORT", not an integer'
expect '^listen = .*' '' "@: missing required setting 'listen'"
expect 'allow_plaintext = false' 'allow_plaintext = "no"' \
	"@:LINE: tls.allow_plaintext: must be a boolean (true or false), not a string"
expect 'allow_plaintext = false' 'allow_plaintext = true' \
	'@:LINE: tls.allow_plaintext: allow_plaintext needs plaintext_listen = ["ADDR:PORT", ...]'
expect '# plaintext_listen' 'plaintext_listen' \
	"@:LINE: tls.plaintext_listen: plaintext listeners need allow_plaintext = true"
expect 'ca = ' 'cafile = ' "@:LINE: tls.cafile: unknown setting"
expect 'ca = ' 'ca = "nothing.crt"; #' \
	"@:LINE: tls.ca: $tmp/nothing.crt: No such file or directory"
expect 'events_days = 180' 'events_days = 0' \
	"@:LINE: retention.events_days: 0 is out of range 180..3650"
expect 'max_body = 1048576' 'max_body = 4294967396' \
	"@:LINE: limits.max_body: 4294967396 is out of range 1..268435456"
expect 'threads = 4' 'threads = "four"' "@:LINE: limits.threads: must be an integer, not a string"
expect 'timeout = 30' 'timeout = 0' "@:LINE: limits.timeout: 0 is out of range 1..3600"
expect 'log_level = "info"' 'log_level = "loud"' \
	"@:LINE: log_level: unknown value 'loud' (one of: error, warning, info, debug)"
expect '^state_dir' 'statedir' "@:LINE: statedir: unknown setting"
expect '^limits = {' 'limits = 3; more = {' "@:LINE: limits: must be a group { ... }"
expect '^retention = {' 'retention = {{' "@:LINE: syntax error"

# a key that is not the certificate's
"$PKI" collector "$tmp/pki" other >/dev/null
expect 'collector.key' 'other.key' \
	"@:LINE: tls.key: $tmp/pki/collector/collector.crt and $tmp/pki/collector/other.key: certificate and key: The certificate and the given key do not match."

# a CA file that holds no certificate
printf 'not a certificate\n' >"$tmp/bad-ca.crt"
expect 'ca = .*' "ca = \"$tmp/bad-ca.crt\";" "@:LINE: tls.ca: $tmp/bad-ca.crt: no certificate in it"

# an inventory that is broken: its own file:line
printf 'code,name\n210000000000,Liaoning\n21010000000x,Shenyang\n' >"$tmp/inv.csv"
expect '^inventory = .*' "inventory = \"$tmp/inv.csv\";" \
	"$tmp/inv.csv:3: code: code '21010000000x' has a non-digit at position 12"
echo "PASS: collector -n: the example and $cases broken copies"
