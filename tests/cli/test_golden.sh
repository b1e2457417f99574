#!/bin/bash
# egnetctl render of every example node against the committed expected
# output (text and JSON), and egnet-agent -nv printing the same text.
# UPDATE_GOLDEN=1 rewrites the expected files after a deliberate change.
. "$(dirname "$0")/lib.sh"

for node in province city county township; do
	conf=profiles/examples/$node.conf
	for form in txt json; do
		want=tests/golden/$node.$form
		args=()
		[ $form = json ] && args=(--json)
		"$CTL" render --node "$conf" "${args[@]}" >"$tmp/out" 2>"$tmp/err" ||
			fail "render $conf ${args[*]}: $(cat "$tmp/err")"
		[ -s "$tmp/err" ] && fail "render $conf wrote to stderr: $(cat "$tmp/err")"
		if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
			cp "$tmp/out" "$want"
			continue
		fi
		[ -f "$want" ] || fail "missing golden file $want"
		diff -u "$want" "$tmp/out" || fail "render of $conf differs from $want"
	done
	"$AGENT" -n -v -c "$conf" >"$tmp/agent" 2>"$tmp/err" ||
		fail "egnet-agent -nv -c $conf: $(cat "$tmp/err")"
	diff -u "tests/golden/$node.txt" "$tmp/agent" ||
		fail "egnet-agent -nv differs from egnetctl render for $node"
	# JSON must parse and name the node
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["node"]["code"]' \
		"tests/golden/$node.json" || fail "golden $node.json is not valid JSON"
done
echo "PASS: golden renders of 4 example nodes"
