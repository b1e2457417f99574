#!/bin/bash
# Every shipped profile validates on its own and with its example node;
# egnet-agent -n accepts every example, the packages' agent.conf.example
# validates; the collector accepts the example inventory.  A shipped file that stops validating fails here.
. "$(dirname "$0")/lib.sh"

n=0
for p in profiles/*.conf; do
	out=$("$CTL" validate --profile "$p" 2>&1) || fail "validate --profile $p: $out"
	[ "$out" = ok ] || fail "validate --profile $p printed: $out"
	n=$((n + 1))
done
[ $n -eq 4 ] || fail "expected 4 shipped profiles, found $n"

for node in province city county township; do
	conf=profiles/examples/$node.conf
	out=$("$CTL" validate --profile profiles/$node.conf --node "$conf" \
		--inventory profiles/examples/inventory.csv 2>&1) ||
		fail "validate $conf: $out"
	out=$("$AGENT" -n -c "$conf" 2>&1) || fail "egnet-agent -n -c $conf: $out"
	[ "$out" = "configuration OK" ] || fail "egnet-agent -n printed: $out"
done

# the packages' /etc/egnet/agent.conf.example (its paths are the
# installed ones: the tree's files stand in)
out=$("$CTL" validate --node packaging/agent.conf.example --profile profiles/county.conf \
	--inventory profiles/examples/inventory.csv 2>&1) || fail "validate agent.conf.example: $out"

# a profile of another level is refused for a node
out=$("$CTL" validate --profile profiles/county.conf \
	--node profiles/examples/township.conf 2>&1) && fail "county profile accepted for a township"
grep -q "node.code: 210102001000 is a township, but profile county" <<<"$out" ||
	fail "level mismatch message: $out"

out=$("$COLLECTOR" -n -i profiles/examples/inventory.csv 2>&1) ||
	fail "collector -n: $out"
grep -q "inventory OK: 39 nodes" <<<"$out" || fail "collector -n printed: $out"

# usage errors exit 2, not 1
"$CTL" render >/dev/null 2>&1
[ $? -eq 2 ] || fail "render without --node must exit 2"
"$CTL" frobnicate >/dev/null 2>&1
[ $? -eq 2 ] || fail "an unknown command must exit 2"
echo "PASS: shipped profiles and examples validate"
