#!/bin/bash
# egnet-pki reader: a NOC workstation's (a browser's, a reverse proxy's)
# client certificate.  Made by packaging/egnet-pki with its PKCS#12 copy;
# names no node (CN the reader's name, SAN urn:egnet:reader:NAME,
# clientAuth); the collector lets it read (the API, the dashboard) and
# refuses the reports it posts (403); a name that is a division code, a
# bad name or an existing file is refused and nothing is written.
# No root needed.
set -u
B=${B:-build}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$ROOT/tests/integration/colllib.sh"
coll_scratch egnet-reader

[ -x "$COLL" ] || { echo "SKIP: $COLL not built"; exit 77; }
command -v openssl >/dev/null || { echo "SKIP: needs openssl"; exit 77; }
command -v curl >/dev/null || { echo "SKIP: needs curl"; exit 77; }

CODE=210102000000
pki_make "$T/pki" "localhost 127.0.0.1" $CODE
EGNET_PKI_P12_PASS=s3cret "$PKI" reader "$T/pki" noc-wall-1 >/dev/null || fail "egnet-pki reader"
R=$T/pki/readers/noc-wall-1
for f in key crt p12; do [ -s "$R.$f" ] || fail "no $R.$f"; done
[ "$(stat -c %a "$R.key")" = 600 ] || fail "the key is $(stat -c %a "$R.key"), not 600"
[ "$(stat -c %a "$R.p12")" = 600 ] || fail "the PKCS#12 file is $(stat -c %a "$R.p12"), not 600"
openssl x509 -in "$R.crt" -noout -text >"$T/text" || fail "the certificate does not parse"
grep -q 'Subject: CN = noc-wall-1' "$T/text" || fail "subject: $(grep Subject: "$T/text")"
grep -q 'TLS Web Client Authentication' "$T/text" || fail "no clientAuth"
grep -q 'URI:urn:egnet:reader:noc-wall-1' "$T/text" || fail "no reader URI"
grep -q 'urn:egnet:node:' "$T/text" && fail "a reader's certificate names a node"
openssl verify -CAfile "$T/pki/ca.crt" "$R.crt" >/dev/null || fail "not signed by the CA"
# the PKCS#12 copy: the same certificate and key, under its pass phrase
openssl pkcs12 -in "$R.p12" -passin pass:s3cret -nokeys -clcerts 2>/dev/null |
	openssl x509 -noout -fingerprint >"$T/p12.fp" || fail "the PKCS#12 file does not open"
openssl x509 -in "$R.crt" -noout -fingerprint | cmp -s - "$T/p12.fp" || fail "PKCS#12 holds another certificate"
openssl pkcs12 -in "$R.p12" -passin pass:wrong -nokeys >/dev/null 2>&1 && fail "PKCS#12 opens with a wrong pass phrase"

# refusals: nothing written
for bad in 210102000000 "a b" "../x" "" ".hidden" "$(printf 'x%.0s' $(seq 65))"; do
	"$PKI" reader "$T/pki" "$bad" >"$T/out" 2>&1 && fail "took the reader name '$bad'"
	[ $? = 1 ] || fail "'$bad': exit status not 1"
done
[ "$(ls "$T/pki/readers")" = "$(printf 'noc-wall-1.crt\nnoc-wall-1.key\nnoc-wall-1.p12')" ] ||
	fail "a refused name left files: $(ls "$T/pki/readers")"
"$PKI" reader "$T/pki" noc-wall-1 >"$T/out" 2>&1 && fail "overwrote an existing reader"
grep -q 'exists already' "$T/out" || fail "no reason for the existing reader: $(cat "$T/out")"
openssl x509 -in "$R.crt" -noout -fingerprint | cmp -s - "$T/p12.fp" || fail "the existing reader was changed"
"$PKI" reader "$T/pki" >/dev/null 2>&1; [ $? = 2 ] || fail "no usage error without a name"

# the collector: the reader reads, and posts nothing
PORT=$(python3 "$ROOT/tests/integration/tls_probe.py" freeport)
coll_conf "$T/c.conf" "127.0.0.1:$PORT" 'web = { root = ""; };'
coll_start - "$T/c.conf"
st=$(coll_as "$R" /api/v1/nodes -o "$T/nodes.json" -w '%{http_code}') || fail "GET as the reader"
[ "$st" = 200 ] || fail "GET /api/v1/nodes as the reader: $st $(cat "$T/nodes.json")"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["nodes"], d' "$T/nodes.json" ||
	fail "the nodes: $(head -c 300 "$T/nodes.json")"
awk '/^```json/{f=1;next}/^```/{if(f){exit}}f' "$ROOT/docs/report.md" >"$T/r.json"
st=$(coll_post "$R" "$T/r.json") || fail "POST as the reader"
[ "$st" = 403 ] || fail "a reader's report: $st $(cat "$T/post.json"), not 403"
st=$(coll_post $CODE "$T/r.json")
[ "$st" = 200 ] || fail "the node's own report: $st $(cat "$T/post.json")"
coll_stop || fail "the collector did not stop cleanly"
echo "PASS: egnet-pki reader: a client certificate naming no node (PKCS#12 too); it reads, its reports are refused"
