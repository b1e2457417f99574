#!/bin/bash
# The collector's HTTP server over mutual TLS, on 127.0.0.1 and free ports,
# with certificates made by packaging/egnet-pki: a node's certificate is
# taken and names the node; none, another CA's, an expired one and
# plaintext on the TLS port are refused; plaintext is off unless allowed;
# a body past max_body gets 413 before it is sent; 200 keep-alive
# connections at once, answered from another thread; silent clients hold
# no worker and are cut after the timeout; SIGHUP with a broken config
# keeps the running one and logs file:line; SIGTERM exits 0.
# No root needed; runs tests/egnet-collector-test (the test routes).
set -u
B=${B:-build}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
COLL="$ROOT/$B/tests/egnet-collector-test"
PROBE="python3 $ROOT/tests/integration/tls_probe.py"
. "$ROOT/tests/integration/colllib.sh"
coll_scratch egnet-tls

[ -x "$COLL" ] || { echo "SKIP: $COLL not built (make tests-build)"; exit 77; }
command -v curl >/dev/null || { echo "SKIP: needs curl"; exit 77; }

CODE=210102001000
pki_make "$T/pki" "localhost 127.0.0.1" "$CODE"
"$PKI" node "$T/pki" 2101 >/dev/null 2>&1 && fail "egnet-pki took a 4-digit code"
[ "$(stat -c %a "$T/pki/nodes/$CODE.key")" = 600 ] || fail "node key not 0600"
pki_make "$T/other" "" "$CODE"

# an expired node certificate of the right CA (openssl ca sets past dates)
mkdir -p "$T/exp" && : >"$T/exp/index.txt"
cat >"$T/exp/ca.cnf" <<CNF
[ca]
default_ca = c
[c]
database = $T/exp/index.txt
new_certs_dir = $T/exp
serial = $T/exp/serial
default_md = sha256
policy = p
x509_extensions = e
[p]
commonName = supplied
[e]
basicConstraints = critical,CA:FALSE
extendedKeyUsage = clientAuth
subjectAltName = URI:urn:egnet:node:$CODE
CNF
echo 01 >"$T/exp/serial"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$T/exp/n.key" 2>/dev/null &&
	openssl req -new -key "$T/exp/n.key" -subj "/CN=$CODE" -out "$T/exp/n.csr" 2>/dev/null &&
	openssl ca -batch -config "$T/exp/ca.cnf" -cert "$T/pki/ca.crt" \
		-keyfile "$T/pki/ca.key" -in "$T/exp/n.csr" -out "$T/exp/n.crt" \
		-startdate 20200101000000Z -enddate 20200201000000Z >/dev/null 2>&1 ||
	fail "cannot make the expired certificate"

# client certificates of the right CA made by hand: CN only (a node code),
# a monitoring system's (no node), one for serverAuth only
pki_cert "$T/cn" 210102001001 "extendedKeyUsage=clientAuth"
pki_cert "$T/prom" prometheus "extendedKeyUsage=clientAuth"
pki_cert "$T/srvonly" 210102001000 "extendedKeyUsage=serverAuth"

PORT=$($PROBE freeport)
PLAIN=$($PROBE freeport)
[ "$PORT" != "$PLAIN" ] || PLAIN=$((PORT + 1))
conf() { # conf FILE [TLS-EXTRA] [TOP-EXTRA] [LIMITS-EXTRA]
	coll_conf "$1" "127.0.0.1:$PORT" "limits = { max_body = 1000; timeout = 2; threads = 2; ${4:-} };
${3:-}" "${2:-}"
}

N=(--cacert "$T/pki/ca.crt" --cert "$T/pki/nodes/$CODE.crt" --key "$T/pki/nodes/$CODE.key")
U="https://127.0.0.1:$PORT"
req() { curl -s -o "$T/body" -w '%{http_code}' --max-time 5 "$@"; }

conf "$T/c.conf"
coll_start - "$T/c.conf"

# a node's certificate: the route answers, with the node's code
st=$(req "${N[@]}" "$U/test/echo") || fail "curl with a node certificate"
[ "$st" = 200 ] || fail "node certificate: status $st $(cat "$T/body")"
grep -q "\"node\":\"$CODE\"" "$T/body" || fail "identity not from the certificate: $(cat "$T/body")"
st=$(req "${N[@]}" -d '{}' "$U/test/node")
[ "$st" = 200 ] || fail "route that needs a node: $st"

# the CN when there is no SAN URI; none for a monitoring system's
st=$(req --cacert "$T/pki/ca.crt" --cert "$T/cn.crt" --key "$T/cn.key" "$U/test/echo")
[ "$st" = 200 ] && grep -q '"node":"210102001001"' "$T/body" || fail "CN identity: $st $(cat "$T/body")"
st=$(req --cacert "$T/pki/ca.crt" --cert "$T/prom.crt" --key "$T/prom.key" "$U/test/echo")
[ "$st" = 200 ] && ! grep -q '"node":"' "$T/body" || fail "a certificate naming no node: $st $(cat "$T/body")"
st=$(req --cacert "$T/pki/ca.crt" --cert "$T/prom.crt" --key "$T/prom.key" -d '{}' "$U/test/node")
[ "$st" = 403 ] && grep -q no_identity "$T/body" || fail "no node, node route: $st $(cat "$T/body")"
st=$(req --cacert "$T/pki/ca.crt" --cert "$T/srvonly.crt" --key "$T/srvonly.key" "$U/test/echo")
[ "$st" = 403 ] && grep -q bad_cert "$T/body" || fail "a serverAuth certificate as a client: $st $(cat "$T/body")"

# answered later from another thread
st=$(req "${N[@]}" "$U/test/async?delay_ms=200")
[ "$st" = 200 ] && grep -q '"async":true' "$T/body" || fail "async route: $st $(cat "$T/body")"

# 404, 405 with Allow, JSON errors
st=$(req "${N[@]}" "$U/nothing/here")
[ "$st" = 404 ] && grep -q '"error":"not_found"' "$T/body" || fail "404: $st $(cat "$T/body")"
allow=$(curl -s -D - -o /dev/null -X DELETE "${N[@]}" "$U/test/echo" | tr -d '\r' | grep -i '^allow:')
grep -q "GET" <<<"$allow" && grep -q "POST" <<<"$allow" || fail "405 without Allow: $allow"

# no client certificate, another CA's, an expired one: refused
st=$(req --cacert "$T/pki/ca.crt" "$U/test/echo")
[ "$st" = 403 ] && grep -q '"error":"no_cert"' "$T/body" || fail "no certificate: $st $(cat "$T/body")"
st=$(req --cacert "$T/pki/ca.crt" --cert "$T/other/nodes/$CODE.crt" --key "$T/other/nodes/$CODE.key" "$U/test/echo")
[ "$st" = 200 ] && fail "another CA's certificate was taken"
st=$(req --cacert "$T/pki/ca.crt" --cert "$T/exp/n.crt" --key "$T/exp/n.key" "$U/test/echo")
[ "$st" = 200 ] && fail "an expired certificate was taken"
grep -q '"error":"bad_cert"' "$T/body" || fail "expired: not refused as bad_cert: $st $(cat "$T/body")"
grep -qi 'expired' "$T/body" || fail "expired: the reason does not say so: $(cat "$T/body")"

# plaintext to the TLS port; the plaintext port closed by default
st=$(req "http://127.0.0.1:$PORT/test/echo")
[ "$st" = 200 ] && fail "plaintext HTTP answered on the TLS port"
st=$(req "http://127.0.0.1:$PLAIN/test/echo")
[ "$st" = 000 ] || fail "a plaintext listener without allow_plaintext: $st"

# a body past max_body: 413 on the headers, none of the body sent
line=$($PROBE headers-only 127.0.0.1 "$PORT" "$T/pki/ca.crt" "$T/pki/nodes/$CODE.crt" \
	"$T/pki/nodes/$CODE.key" /test/echo 100000000) || fail "headers-only probe"
grep -q " 413 " <<<"$line" || fail "Content-Length past max_body: '$line'"
head -c 5000 /dev/zero | tr '\0' x >"$T/big"
st=$(req "${N[@]}" --data-binary @"$T/big" "$U/test/echo")
[ "$st" = 413 ] && grep -q '"error":"too_large"' "$T/body" || fail "5000 bytes: $st"
st=$(req "${N[@]}" -H 'Transfer-Encoding: chunked' --data-binary @"$T/big" "$U/test/echo")
[ "$st" = 200 ] && fail "a chunked body past max_body was taken"
head -c 900 /dev/zero | tr '\0' x >"$T/small"
st=$(req "${N[@]}" -H 'Transfer-Encoding: chunked' --data-binary @"$T/small" "$U/test/echo")
[ "$st" = 200 ] && grep -q '"length":900' "$T/body" || fail "chunked 900 bytes: $st $(cat "$T/body")"

# 200 keep-alive connections at once (curl --parallel: one process, its
# connections reused), 1000 requests each held 100 ms in another thread:
# done in a few seconds, where 2 workers one request at a time would take
# 100 s.
for _ in $(seq 1000); do
	printf 'url = "%s"\noutput = /dev/null\n' "$U/test/async?delay_ms=100"
done >"$T/urls"
t0=$(date +%s.%N)
curl -s -Z --parallel-max 200 --parallel-immediate "${N[@]}" -w '%{http_code} %{num_connects}\n' \
	-K "$T/urls" >"$T/par" 2>"$T/par.err" || fail "curl --parallel: $(cat "$T/par.err")"
t1=$(date +%s.%N)
ok=$(grep -c '^200 ' "$T/par")
conns=$(awk '{ n += $2 } END { print n }' "$T/par")
secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
echo "1000 requests over 200 connections: $ok answered 200 in $secs s, $conns connections"
[ "$ok" = 1000 ] || fail "1000 parallel requests: only $ok answered 200"
[ "$conns" -le 400 ] || fail "keep-alive: $conns connections for 1000 requests"
awk -v s="$secs" 'BEGIN { exit !(s < 20) }' || fail "1000 parallel requests took $secs s"

# silent clients: 50 connections sending nothing; others are still
# answered, and the silent ones are cut after the 2 s timeout
$PROBE silent 127.0.0.1 "$PORT" 50 8 >"$T/silent" &
probe=$!
sleep 0.3 # the silent connections are open (the probe opens them first)
t0=$(date +%s.%N)
for i in 1 2 3 4 5; do
	st=$(req "${N[@]}" "$U/test/echo")
	[ "$st" = 200 ] || fail "answer $i while 50 clients are silent: $st"
done
t1=$(date +%s.%N)
awk -v a="$t0" -v b="$t1" 'BEGIN { exit !(b - a < 2) }' ||
	fail "5 requests took $(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}') s beside silent clients"
wait "$probe"
read -r closed longest <<<"$(sed 's/closed=\([0-9]*\) longest=\(.*\)/\1 \2/' "$T/silent")"
[ "$closed" = 50 ] || fail "silent clients not all cut: $(cat "$T/silent")"
awk -v l="$longest" 'BEGIN { exit !(l >= 1.5 && l < 6) }' ||
	fail "silent clients cut after ${longest} s (timeout 2)"

# counters
st=$(req "${N[@]}" "$U/metrics")
grep -q 'egnet_http_rejected_total{reason="no_cert"} [1-9]' "$T/body" || fail "no_cert not counted"
grep -q 'egnet_http_rejected_total{reason="too_large"} [1-9]' "$T/body" || fail "too_large not counted"
grep -q 'egnet_http_request_duration_seconds_count [1-9]' "$T/body" || fail "latency not counted"

# SIGHUP with a broken config: refused with file:line, the old one serves
cp "$T/c.conf" "$T/good.conf"
printf 'listen = [ "127.0.0.1:%s" ];\nlimits = { threads = 0; };\n' "$PORT" >"$T/c.conf"
kill -HUP "$COLL_PID"
for _ in $(seq 100); do
	grep -q "reload refused" "$T/coll.log" && break
	sleep 0.05
done
grep -q "reload refused" "$T/coll.log" || fail "a broken config was not refused"
grep -q "$T/c.conf:2: limits.threads: 0 is out of range" "$T/coll.log" ||
	fail "the reload's problem without file:line"
st=$(req "${N[@]}" "$U/test/echo")
[ "$st" = 200 ] || fail "not serving after a refused reload: $st"

# a good reload is taken
cp "$T/good.conf" "$T/c.conf"
kill -HUP "$COLL_PID"
for _ in $(seq 100); do
	grep -q "reloaded" "$T/coll.log" && break
	sleep 0.05
done
grep -q "reloaded" "$T/coll.log" || fail "a good config was not reloaded"

# SIGTERM: exit 0
coll_stop || fail "SIGTERM: exit $?"

# plaintext when allowed: no identity.  This run also has the service
# manager's socket (readiness, reload, stop, watchdog) and a connection limit
# of 8 on the TLS listener (16 over its two listeners).
conf "$T/c.conf" "allow_plaintext = true; plaintext_listen = [ \"127.0.0.1:$PLAIN\" ];" \
	"" "connections = 16;"
$PROBE notify "$T/notify.sock" 30 >"$T/notify" &
npid=$!
for _ in $(seq 100); do [ -S "$T/notify.sock" ] && break; sleep 0.05; done
NOTIFY_SOCKET="$T/notify.sock" WATCHDOG_USEC=200000 coll_start - "$T/c.conf"
st=$(req "http://127.0.0.1:$PLAIN/test/echo")
[ "$st" = 200 ] && grep -q '"node":null\|"method":"GET","length":0}' "$T/body" ||
	fail "plaintext listener: $st $(cat "$T/body")"
grep -q '"node":"' "$T/body" && fail "an identity on plaintext"
st=$(req -d '{}' "http://127.0.0.1:$PLAIN/test/node")
[ "$st" = 403 ] && grep -q no_identity "$T/body" || fail "plaintext to a node route: $st"
st=$(req "${N[@]}" "$U/test/echo")
[ "$st" = 200 ] || fail "TLS beside plaintext: $st"

# the connection limit: 8 silent connections fill the TLS listener; a
# request waits until the 2 s timeout frees their places, then is answered
$PROBE silent 127.0.0.1 "$PORT" 8 6 >"$T/silent" &
probe=$!
sleep 0.3
t0=$(date +%s.%N)
st=$(req "${N[@]}" "$U/test/echo")
t1=$(date +%s.%N)
wait "$probe"
[ "$st" = 200 ] || fail "a request behind the connection limit: $st"
awk -v a="$t0" -v b="$t1" 'BEGIN { exit !(b - a >= 1) }' ||
	fail "the connection limit did not hold a ninth connection back"

kill -HUP "$COLL_PID"
for _ in $(seq 100); do grep -q "reloaded" "$T/coll.log" && break; sleep 0.05; done
coll_stop || fail "SIGTERM (plaintext run): exit $?"
wait "$npid"
for m in READY=1 RELOADING=1 STOPPING=1 WATCHDOG=1; do
	grep -qx "$m" "$T/notify" || fail "no $m to the service manager: $(tr '\n' ' ' <"$T/notify")"
done
[ "$(grep -n -m1 -x READY=1 "$T/notify" | cut -d: -f1)" -lt \
	"$(grep -n -m1 -x RELOADING=1 "$T/notify" | cut -d: -f1)" ] || fail "RELOADING=1 before READY=1"
echo "PASS: collector mutual TLS, limits, async answers, reload, notify, stop"
