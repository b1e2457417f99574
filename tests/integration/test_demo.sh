#!/bin/bash
# The live demo (sudo make demo) runs to its end: four agents apply their
# profiles, see their parents up, put a link set down by hand right, and
# see a cut of the township's line and its repair.  The script checks each
# step itself and exits 1 when one does not happen; here its account is
# checked too, and that it left no namespace behind.
. "$(dirname "$0")/lib.sh"

out=$T/demo.out
B=$B "$ROOT/demo/province.sh" >"$out" 2>&1
rc=$?
[ $rc = 0 ] || { cat "$out"; fail "demo exited with $rc"; }
for want in "township -> parent county (210102000000): up" \
	"drift corrected" \
	"county: township 210102001000 down" \
	"restored: county sees the township up again" \
	"collector: the cut of the township's line, as the county reported it" \
	"demo done"; do
	grep -qF "$want" "$out" || { cat "$out"; fail "the demo did not show: $want"; }
done
left=$(ip netns list | grep -c '^egd' || true)
[ "$left" = 0 ] || fail "the demo left $left namespaces"
echo "PASS: the live demo ran to its end and cleaned up"
