#!/bin/bash
# TLS session tickets on the collector (tls.tickets, tls.ticket_lifetime),
# driven by openssl s_client with -sess_out/-sess_in against
# tests/egnet-collector-test on 127.0.0.1 (POST /test/node answers the
# node the connection's certificate names, and needs one):
#  - a node's second connection resumes ("Reused") and keeps its identity,
#    over TLS 1.3 and 1.2;
#    egnet_tls_handshakes_total counts one resumed and the full ones;
#  - another node holding the first one's ticket but not its secret (the
#    ticket is what a ClientHello shows on the wire) is not taken for it:
#    refused, or a full handshake naming its own code;
#  - a forged ticket (a byte flipped) gives a full handshake, the sender's
#    own identity;
#  - a certificate that expired after its ticket was given is refused on
#    the resumed connection (403 bad_cert): it is verified again;
#  - a ticket older than ticket_lifetime is not taken, nor one given before
#    a restart (the key lives in memory only);
#  - tickets = false: no resumption;
#  - ticket_lifetime out of range: `egnet-collector -n` names file:line.
# No root needed.
set -u
B=${B:-build}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SRV="$ROOT/$B/tests/egnet-collector-test"
PKI="$ROOT/packaging/egnet-pki"
T=$(mktemp -d /tmp/egnet-resume.XXXXXX)
SRV_PID=

teardown() {
	[ -n "$SRV_PID" ] && kill -9 "$SRV_PID" 2>/dev/null
	rm -rf "$T"
}
trap teardown EXIT
trap 'exit 1' INT TERM

fail() {
	echo "FAIL: $*"
	[ -f "$T/srv.log" ] && { echo "--- server log"; tail -n 20 "$T/srv.log"; }
	exit 1
}

[ -x "$SRV" ] || { echo "SKIP: $SRV not built (make tests-build)"; exit 77; }
command -v openssl >/dev/null || { echo "SKIP: needs openssl"; exit 77; }
command -v curl >/dev/null || { echo "SKIP: needs curl"; exit 77; }

A=210102001000
BB=210102001001
"$PKI" init "$T/pki" >/dev/null &&
	"$PKI" collector "$T/pki" localhost 127.0.0.1 >/dev/null &&
	"$PKI" node "$T/pki" "$A" >/dev/null &&
	"$PKI" node "$T/pki" "$BB" >/dev/null || fail "egnet-pki"

# node A's certificate valid for a few seconds from now (openssl ca sets
# the dates), to see it refused once expired on a resumed session
mkdir -p "$T/exp" && : >"$T/exp/index.txt" && echo 01 >"$T/exp/serial"
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
unique_subject = no
[p]
commonName = supplied
[e]
basicConstraints = critical,CA:FALSE
extendedKeyUsage = clientAuth
subjectAltName = URI:urn:egnet:node:$A
CNF
EXP_S=6
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$T/exp/n.key" 2>/dev/null &&
	openssl req -new -key "$T/exp/n.key" -subj "/CN=$A" -out "$T/exp/n.csr" 2>/dev/null &&
	openssl ca -batch -config "$T/exp/ca.cnf" -cert "$T/pki/ca.crt" \
		-keyfile "$T/pki/ca.key" -in "$T/exp/n.csr" -out "$T/exp/n.crt" \
		-startdate "$(date -u -d '-1 min' +%Y%m%d%H%M%SZ)" \
		-enddate "$(date -u -d "+$EXP_S sec" +%Y%m%d%H%M%SZ)" >/dev/null 2>&1 ||
	fail "cannot make the short-lived certificate"
EXP_AT=$(($(date +%s) + EXP_S))

PORT=$(python3 "$ROOT/tests/integration/tls_probe.py" freeport) || fail "no free port"
start() { # start TLS-EXTRA
	cat >"$T/c.conf" <<CONF
listen = [ "127.0.0.1:$PORT" ];
tls = { cert = "$T/pki/collector/localhost.crt"; key = "$T/pki/collector/localhost.key";
	ca = "$T/pki/ca.crt"; $1 };
inventory = "$ROOT/profiles/examples/inventory.csv";
state_dir = "$T/state";
log_level = "warning";
CONF
	"$SRV" -c "$T/c.conf" >>"$T/srv.log" 2>&1 &
	SRV_PID=$!
	for _ in $(seq 100); do
		(exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && return 0
		sleep 0.05
	done
	fail "the collector did not start"
}
stop() {
	kill "$SRV_PID" && wait "$SRV_PID"
	SRV_PID=
}

# post CRT KEY [s_client options...]: "New"/"Reused" and the answer's
# status and node, or "failed" when the handshake failed
post() {
	local crt=$1 key=$2 out
	shift 2
	out=$(printf 'POST /test/node HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n' |
		timeout 10 openssl s_client -connect "127.0.0.1:$PORT" -cert "$crt" -key "$key" \
			-CAfile "$T/pki/ca.crt" -ign_eof "$@" 2>&1)
	local hs st node
	hs=$(grep -oE '^(New|Reused), TLSv1\.[23]' <<<"$out" | cut -d, -f1)
	st=$(grep -oE 'HTTP/1\.1 [0-9]{3}' <<<"$out" | cut -d' ' -f2)
	node=$(grep -oE '"node":"[0-9]{12}"' <<<"$out" | cut -d'"' -f4)
	why=$(grep -oE '"error":"[a-z_]+"' <<<"$out" | cut -d'"' -f4)
	echo "${hs:-failed} ${st:-none} ${node:-none}${why:+ $why}"
}
pa() { post "$T/pki/nodes/$A.crt" "$T/pki/nodes/$A.key" "$@"; }
pb() { post "$T/pki/nodes/$BB.crt" "$T/pki/nodes/$BB.key" "$@"; }

# tamper IN OUT FIELD: the session file with one byte of its resumption
# secret ("psk") or of its ticket ("ticket") flipped
tamper() {
	python3 - "$1" "$2" "$3" <<'PY' || fail "cannot tamper with $1"
import base64, re, subprocess, sys
src, dst, field = sys.argv[1:]
pem = open(src).read()
der = bytearray(base64.b64decode("".join(
    l for l in pem.splitlines() if not l.startswith("-----"))))
text = subprocess.run(["openssl", "sess_id", "-in", src, "-text", "-noout"],
                      capture_output=True, text=True, check=True).stdout
if field == "psk":
    part = bytes.fromhex(re.search(r"Resumption PSK: ([0-9A-F]+)", text).group(1))
else:  # the ticket's first 16 bytes, as the hex dump shows them
    line = re.search(r"TLS session ticket:\n\s+0000 - ([0-9a-f -]+?)\s{2,}", text).group(1)
    part = bytes.fromhex(line.replace("-", " ").replace(" ", ""))
i = der.find(part)
assert i > 0 and der.find(part, i + 1) < 0, "not found once"
der[i + len(part) // 2] ^= 0x5A
b64 = base64.b64encode(bytes(der)).decode()
with open(dst, "w") as f:
    f.write("-----BEGIN SSL SESSION PARAMETERS-----\n")
    f.write("\n".join(b64[k:k + 64] for k in range(0, len(b64), 64)))
    f.write("\n-----END SSL SESSION PARAMETERS-----\n")
PY
}

metric() { # metric NAME{LABELS}: its value from /metrics
	curl -s --cacert "$T/pki/ca.crt" --cert "$T/pki/nodes/$A.crt" \
		--key "$T/pki/nodes/$A.key" "https://127.0.0.1:$PORT/metrics" |
		awk -v m="$1" '$1 == m { print $2 }'
}

# ---- tickets on (the default), a lifetime longer than this part ----
start "ticket_lifetime = 60;"
r=$(pa -sess_out "$T/a.sess")
[ "$r" = "New 200 $A" ] || fail "first connection: $r"
[ -s "$T/a.sess" ] || fail "no session (ticket) given"
openssl sess_id -in "$T/a.sess" -text -noout | grep -q "TLS session ticket:" ||
	fail "the session has no ticket"
r=$(pa -sess_in "$T/a.sess")
[ "$r" = "Reused 200 $A" ] || fail "resumed connection: $r (want Reused 200 $A)"

# TLS 1.2 (RFC 5077 tickets) alike
r=$(pa -tls1_2 -sess_out "$T/a12.sess")
[ "$r" = "New 200 $A" ] || fail "TLS 1.2, first connection: $r"
r=$(pa -tls1_2 -sess_in "$T/a12.sess")
[ "$r" = "Reused 200 $A" ] || fail "TLS 1.2, resumed: $r (want Reused 200 $A)"

# B with A's ticket but not its secret: never A.  GnuTLS aborts the
# handshake on a binder that does not match (RFC 8446 4.2.11), after
# s_client has printed "New": no answer at all
tamper "$T/a.sess" "$T/a-psk.sess" psk
r=$(pb -sess_in "$T/a-psk.sess")
case "$r" in
"failed none none" | "New none none" | "New 200 $BB") ;;
*) fail "B with A's ticket and a wrong secret: $r" ;;
esac
# a forged ticket: full handshake, the sender's own certificate
tamper "$T/a.sess" "$T/a-tkt.sess" ticket
r=$(pb -sess_in "$T/a-tkt.sess")
[ "$r" = "New 200 $BB" ] || fail "forged ticket: $r (want New 200 $BB)"
r=$(pa -sess_in "$T/a-tkt.sess")
[ "$r" = "New 200 $A" ] || fail "forged ticket, A: $r (want New 200 $A)"

resumed=$(metric 'egnet_tls_handshakes_total{resumed="true"}')
full=$(metric 'egnet_tls_handshakes_total{resumed="false"}')
[ "$resumed" = 2 ] || fail "egnet_tls_handshakes_total resumed=true is '$resumed', want 2"
# A's two first, B's and A's forged ones, this scrape's (B's wrong secret:
# maybe)
[ "${full:-0}" -ge 5 ] && [ "$full" -le 6 ] ||
	fail "egnet_tls_handshakes_total resumed=false is '$full', want 5 or 6"

# the short-lived certificate: taken now, refused resumed once expired
r=$(post "$T/exp/n.crt" "$T/exp/n.key" -sess_out "$T/e.sess")
[ "$r" = "New 200 $A" ] || fail "short-lived certificate while valid: $r"
while [ "$(date +%s)" -le $((EXP_AT + 1)) ]; do sleep 0.5; done
r=$(post "$T/exp/n.crt" "$T/exp/n.key" -sess_in "$T/e.sess")
[ "$r" = "Reused 403 none bad_cert" ] ||
	fail "expired certificate on a resumed session: $r (want Reused 403 none bad_cert)"

# a restart: the key is gone, so is every ticket
r=$(pa -sess_out "$T/a2.sess")
[ "$r" = "New 200 $A" ] || fail "before the restart: $r"
stop

# ---- a short lifetime ----
start "ticket_lifetime = 2;"
r=$(pa -sess_in "$T/a2.sess")
[ "$r" = "New 200 $A" ] || fail "a ticket of before the restart: $r (want New)"
r=$(pa -sess_out "$T/a3.sess")
[ "$r" = "New 200 $A" ] || fail "short lifetime, first: $r"
openssl sess_id -in "$T/a3.sess" -text -noout |
	grep -q "lifetime hint: 2 (seconds)" || fail "the ticket's lifetime is not 2 s"
r=$(pa -sess_in "$T/a3.sess")
[ "$r" = "Reused 200 $A" ] || fail "short lifetime, at once: $r (want Reused)"
sleep 4
r=$(pa -sess_in "$T/a3.sess")
[ "$r" = "New 200 $A" ] || fail "a ticket past its lifetime: $r (want New)"
stop

# ---- tickets off ----
start "tickets = false;"
r=$(pa -sess_out "$T/a4.sess")
[ "$r" = "New 200 $A" ] || fail "tickets off, first: $r"
# no ticket given (s_client then writes no session at all), where the
# first part asserted one after the same exchange
if [ -s "$T/a4.sess" ]; then
	openssl sess_id -in "$T/a4.sess" -text -noout | grep -q "TLS session ticket:" &&
		fail "tickets off: a ticket was given"
fi
resumed=$(metric 'egnet_tls_handshakes_total{resumed="true"}')
[ "$resumed" = 0 ] || fail "tickets off: resumed=true is '$resumed'"
stop

# ---- the settings checked ----
for bad in "ticket_lifetime = 0;" "ticket_lifetime = 604801;" "tickets = 1;"; do
	sed -i "s/ca = \"$(sed 's/[\/&]/\\&/g' <<<"$T/pki/ca.crt")\";.*/ca = \"$(sed 's/[\/&]/\\&/g' <<<"$T/pki/ca.crt")\"; $bad };/" "$T/c.conf"
	out=$("$SRV" -n -c "$T/c.conf" 2>&1) && fail "-n took '$bad'"
	line=$(grep -n "$bad" "$T/c.conf" | cut -d: -f1)
	setting=tls.${bad%% *}
	grep -q "^$T/c.conf:$line: $setting" <<<"$out" ||
		fail "'$bad': want $T/c.conf:$line: $setting, got: $out"
done
echo "PASS"
