#!/bin/bash
# The NOC dashboard against a real collector on 127.0.0.1 (mutual TLS, a
# free port, the example inventory, web.root the repo's collector/web):
#  - the static files as served: Content-Type, ETag and 304, HEAD without
#    a body, the security headers, 404 JSON for API paths and clients that
#    read JSON, an HTML 404 for a browser, nothing outside the root
#    ("..", "%2e%2e", a symlink, a hidden file, a NUL), no method but GET
#    and HEAD;
#  - then tests/web/dashboard.test.js in headless Chromium (Debian's
#    /usr/bin/chromium, driven by playwright-core from tests/web's
#    package-lock.json), fed by reports posted over mutual TLS;
#  - SIGHUP reads the files again (a changed file, a new ETag); a root it
#    cannot read is a warning with file:line and the files stay served;
#  - SIGTERM: the collector exits 0 (and a sanitizer build found nothing).
# Screenshots in $B/screenshots.  No root needed.
set -u
B=${B:-build}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
WEB="$ROOT/tests/web"
. "$ROOT/tests/integration/colllib.sh"
coll_scratch egnet-web

[ -x "$COLL" ] || { echo "SKIP: $COLL not built (make)"; exit 77; }
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] || { echo "SKIP: no Chromium at $CHROMIUM (make deps installs Debian's chromium)"; exit 77; }
command -v node >/dev/null || { echo "SKIP: no node (make deps installs nodejs)"; exit 77; }
if [ ! -d "$WEB/node_modules/playwright-core" ]; then
	(cd "$WEB" && npm ci --no-audit --no-fund --loglevel=error) >"$T/npm.log" 2>&1 ||
		fail "npm ci in tests/web: $(tail -n 5 "$T/npm.log")"
fi

# ---- certificates: the collector's, each gateway's, the NOC browser's -------------
INV="$ROOT/profiles/examples/inventory.csv"
# shellcheck disable=SC2046 # one code a word
pki_make "$T/pki" "localhost 127.0.0.1" $(awk -F, '/^[0-9]/ && substr($1, 10) == "000" { print $1 }' "$INV")
# a monitoring system's certificate: of the CA, for clients, naming no node
pki_cert "$T/pki/noc" noc-dashboard "extendedKeyUsage=clientAuth"

# ---- a web root of the test's: the dashboard, and what must not be served ----------
mkdir -p "$T/web/sub" "$T/outside"
cp "$ROOT"/collector/web/* "$T/web/"
echo secret >"$T/outside/secret.txt"
echo hidden >"$T/web/.hidden.txt"
ln -s "$T/outside/secret.txt" "$T/web/link.txt"
ln -s "$T/outside" "$T/web/linkdir"
echo '{"a":1}' >"$T/web/sub/data.json"
echo 'not served' >"$T/web/notes.md"
mkdir -p "$T/web/sub/deeper" && echo deep >"$T/web/sub/deeper/x.txt"

PORT=$(python3 "$ROOT/tests/integration/tls_probe.py" freeport) || fail "no free port"
COLL_INV=$INV coll_conf "$T/coll.conf" "127.0.0.1:$PORT" 'log_level = "info";
web = { root = "'"$T"'/web"; refresh_s = 1; };'
"$COLL" -n -c "$T/coll.conf" >"$T/check.log" 2>&1 || fail "the config: $(cat "$T/check.log")"
coll_start - "$T/coll.conf" 5
n=$(($(ls "$ROOT/collector/web" | wc -l) + 1)) # and sub/data.json; nothing else
grep -q "dashboard: $n files" "$T/coll.log" || fail "the web root's $n files: $(grep dashboard "$T/coll.log")"

U=https://127.0.0.1:$PORT
C=(curl -s --cacert "$T/pki/ca.crt" --cert "$T/pki/noc.crt" --key "$T/pki/noc.key" --path-as-is)
hdr() { tr -d '\r' <"$T/h" | awk -v k="$1" 'tolower($1) == tolower(k) ":" { sub(/^[^:]*: */, ""); print; exit }'; }
get() { # get PATH [CURL ARGS]: status in $st, headers in $T/h, body in $T/b
	local p=$1
	shift
	rm -f "$T/b" "$T/h"
	st=$("${C[@]}" -D "$T/h" -o "$T/b" -w '%{http_code}' "$@" "$U$p")
}

# ---- the static files ---------------------------------------------------------------
get /
[ "$st" = 200 ] && cmp -s "$T/b" "$ROOT/collector/web/index.html" || fail "GET /: $st"
[ "$(hdr Content-Type)" = "text/html; charset=utf-8" ] || fail "/: Content-Type $(hdr Content-Type)"
csp=$(hdr Content-Security-Policy)
[[ "$csp" == *"default-src 'self'"* && "$csp" == *"frame-ancestors 'none'"* ]] || fail "/: CSP '$csp'"
[ "$(hdr X-Content-Type-Options)" = nosniff ] || fail "/: no nosniff"
[ "$(hdr X-Frame-Options)" = DENY ] || fail "/: no X-Frame-Options"
[ "$(hdr Cache-Control)" = no-cache ] || fail "/: Cache-Control $(hdr Cache-Control)"
etag=$(hdr ETag)
[[ "$etag" =~ ^\"[0-9a-f]{16}\"$ ]] || fail "/: ETag '$etag'"
get / -H "If-None-Match: $etag"
[ "$st" = 304 ] && [ ! -s "$T/b" ] || fail "If-None-Match: $st, $(cat "$T/b" 2>/dev/null | wc -c) bytes"
get / -H 'If-None-Match: "0000000000000000"'
[ "$st" = 200 ] || fail "another ETag: $st"
get /app.js -I
# (curl -I writes the headers where the body would go)
[ "$st" = 200 ] && ! grep -q SPDX "$T/b" || fail "HEAD /app.js: $st, with a body"
[ "$(hdr Content-Length)" = "$(stat -c %s "$ROOT/collector/web/app.js")" ] || fail "HEAD: Content-Length $(hdr Content-Length)"
[ "$(hdr Content-Type)" = "text/javascript; charset=utf-8" ] || fail "app.js: $(hdr Content-Type)"
for f in style.css:text/css chart.js:text/javascript favicon.svg:image/svg+xml sub/data.json:application/json; do
	get "/${f%%:*}"
	[ "$st" = 200 ] && [[ "$(hdr Content-Type)" == "${f#*:}"* ]] || fail "/${f%%:*}: $st $(hdr Content-Type)"
done
cmp -s "$T/b" "$T/web/sub/data.json" || fail "sub/data.json: not its bytes"

# nothing outside the root, nothing hidden, nothing of a type not served
for p in /link.txt /linkdir/secret.txt /.hidden.txt /notes.md /sub/deeper/x.txt \
	/../outside/secret.txt /%2e%2e/outside/secret.txt /sub/..%2f..%2foutside/secret.txt \
	/sub/%2e%2e/index.html '/index.html%00' '/%00' /index.html/ //index.html \
	/sub/ '/a%5c..%5cindex.html'; do
	get "$p"
	[ "$st" = 404 ] || [ "$st" = 400 ] || {
		# libmicrohttpd decodes %00 into a NUL that ends the path: the file
		# named before it, never anything else
		[[ "$p" == *%00* ]] && [ "$st" = 200 ] && cmp -s "$T/b" "$ROOT/collector/web/index.html" && continue
		fail "$p: $st $(head -c 80 "$T/b")"
	}
	grep -q secret "$T/b" && fail "$p: the file outside the root was served"
done
get /nothing/here
[ "$st" = 404 ] && grep -q '"error":"not_found"' "$T/b" || fail "404 for a JSON client: $st $(cat "$T/b")"
get /api/v1/nothing -H 'Accept: text/html'
[ "$st" = 404 ] && grep -q '"error":"not_found"' "$T/b" || fail "an API path answers JSON: $st $(cat "$T/b")"
get /nothing -H 'Accept: text/html,application/xhtml+xml'
[ "$st" = 404 ] && grep -q '<h1>404' "$T/b" && [[ "$(hdr Content-Type)" == text/html* ]] ||
	fail "an HTML 404 for a browser: $st $(hdr Content-Type)"
[[ "$(hdr Content-Security-Policy)" == *"default-src 'self'"* ]] || fail "the 404 page without its CSP"
get /app.js -X POST -d x
[ "$st" = 405 ] && [[ "$(hdr Allow)" == "GET, HEAD" ]] || fail "POST /app.js: $st Allow $(hdr Allow)"
get /app.js -X DELETE
[ "$st" = 405 ] || fail "DELETE /app.js: $st"
get "/$(printf 'a%.0s' $(seq 300)).js"
[ "$st" = 404 ] || fail "a 300-byte name: $st"
# no client certificate: refused as every other path
st=$(curl -s --cacert "$T/pki/ca.crt" -o /dev/null -w '%{http_code}' "$U/")
[ "$st" = 403 ] || fail "/ without a client certificate: $st"

# /api/v1/changes: the first answer says to start from the tree
get /api/v1/changes
[ "$st" = 200 ] && python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); assert j["reset"] and j["refresh_ms"] == 1000 and j["version"] >= 1, j' "$T/b" ||
	fail "/api/v1/changes: $st $(head -c 300 "$T/b")"
get '/api/v1/changes?since=x'
[ "$st" = 400 ] || fail "changes?since=x: $st"
echo "ok   the static files and their headers; nothing outside the root"

# the dashboard's files are the repo's from here on
rm -f "$T/web/link.txt" "$T/web/linkdir"

# ---- in Chromium ------------------------------------------------------------------------
SHOTS="$ROOT/$B/screenshots"
mkdir -p "$SHOTS"
PORT=$PORT PKI="$T/pki" INVENTORY="$INV" SHOTS="$SHOTS" REFRESH_MS=1000 CHROMIUM="$CHROMIUM" \
	node "$WEB/dashboard.test.js" || fail "in Chromium (screenshots in $SHOTS)"

# ---- a reload (SIGHUP) reads the files again; a root it cannot read keeps them ------
get /style.css
old=$(hdr ETag)
echo '/* changed */' >>"$T/web/style.css"
kill -HUP "$COLL_PID"
for _ in $(seq 100); do grep -q "reloaded" "$T/coll.log" && break; sleep 0.05; done
get /style.css
[ "$st" = 200 ] && grep -q changed "$T/b" && [ "$(hdr ETag)" != "$old" ] ||
	fail "the reload did not serve the changed file (ETag $old -> $(hdr ETag))"
sed -i "s|root = \"$T/web\"|root = \"$T/nowhere\"|" "$T/coll.conf"
kill -HUP "$COLL_PID"
for _ in $(seq 100); do grep -q "files served so far stay" "$T/coll.log" && break; sleep 0.05; done
grep -q "coll.conf:[0-9]*: web.root: $T/nowhere: No such file or directory: the files served so far stay" "$T/coll.log" ||
	fail "no warning with file:line for a root that cannot be read: $(grep web.root "$T/coll.log")"
get /style.css
[ "$st" = 200 ] && grep -q changed "$T/b" || fail "a root that cannot be read dropped the files: $st"
echo "ok   SIGHUP reads the files again; a root that cannot be read keeps them"

coll_stop
rc=$?
[ "$rc" = 0 ] || fail "SIGTERM: the collector exited $rc"
# a sanitizer build's findings (SANITIZE=1) fail the test too
grep -E "AddressSanitizer|LeakSanitizer|runtime error:" "$T/coll.log" && fail "sanitizer findings in the collector's log"
echo "PASS (screenshots in $SHOTS)"
