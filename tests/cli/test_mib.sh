#!/bin/bash
# EGNET-MIB: smilint at level 3 finds nothing (no error, no warning), and
# does find a fault put in a copy (so a silent smilint is not a broken
# one); snmptranslate -Tp shows the tree with its tables, columns and
# notifications under the placeholder enterprise 32473; the names resolve
# to the numbers the agent serves; make install puts the MIB where
# net-snmp looks for MIBs.  The IETF base modules are taken where they are
# installed, else the tests' stand-ins (tests/support/mibs).
. "$(dirname "$0")/lib.sh"

command -v smilint >/dev/null && command -v snmptranslate >/dev/null ||
	{ echo "SKIP: smilint or snmptranslate missing (packaging/deps.sh)"; exit 77; }

base=$ROOT/tests/support/mibs
for d in /usr/share/snmp/mibs/ietf /usr/share/snmp/mibs /usr/share/mibs/ietf; do
	[ -f "$d/SNMPv2-SMI.txt" ] || [ -f "$d/SNMPv2-SMI" ] && { base=$d; break; }
done
echo "base modules from $base"

out=$(SMIPATH="$base" smilint -l 3 -s mibs/EGNET-MIB.txt 2>&1)
[ -z "$out" ] || fail "smilint -l 3: $out"

# a fault smilint must see: an object without STATUS
sed '0,/^    STATUS      current$/{/^    STATUS      current$/d}' mibs/EGNET-MIB.txt >"$tmp/EGNET-MIB.txt"
cmp -s mibs/EGNET-MIB.txt "$tmp/EGNET-MIB.txt" && fail "the fault was not put in"
out=$(SMIPATH="$base" smilint -l 3 -s "$tmp/EGNET-MIB.txt" 2>&1)
[ -n "$out" ] || fail "smilint says nothing of a broken copy"

tr() { snmptranslate -M "$ROOT/mibs:$base" -m EGNET-MIB "$@" 2>&1; }
tr -Tp EGNET-MIB::egnetMIB >"$tmp/tree" || fail "snmptranslate -Tp: $(cat "$tmp/tree")"
grep -q "Cannot\|Unlinked\|Did not find" "$tmp/tree" && fail "snmptranslate: $(cat "$tmp/tree")"
for n in "egnetMIB(32473)" "egnetNodeCode(1)" "egnetNodeDrift(7)" \
	"egnetLinkTable(2)" "Index: egnetLinkIndex" "Counter64 egnetLinkInOctets(6)" \
	"Counter64 egnetLinkDrops(10)" "egnetTargetTable(3)" "Gauge     egnetTargetRtt(5)" \
	"egnetTargetDown(1)" "egnetTargetUp(2)" "egnetDrift(3)" \
	"egnetNotificationGroup(4)"; do
	grep -qF -- "$n" "$tmp/tree" || fail "snmptranslate -Tp has no $n: $(cat "$tmp/tree")"
done
# the numbers the agent serves (agent/snmp/agentx_mib.h)
for pair in "egnetNodeCode.0 .1.3.6.1.4.1.32473.1.1.1.0" \
	"egnetNodeApplyState.0 .1.3.6.1.4.1.32473.1.1.6.0" \
	"egnetLinkName.1 .1.3.6.1.4.1.32473.1.2.1.2.1" \
	"egnetLinkOutPkts.3 .1.3.6.1.4.1.32473.1.2.1.9.3" \
	"egnetTargetCode.2 .1.3.6.1.4.1.32473.1.3.1.2.2" \
	"egnetTargetJitter.1 .1.3.6.1.4.1.32473.1.3.1.7.1" \
	"egnetTargetDown .1.3.6.1.4.1.32473.0.1" "egnetDrift .1.3.6.1.4.1.32473.0.3"; do
	set -- $pair
	got=$(tr -On "EGNET-MIB::$1")
	[ "$got" = "$2" ] || fail "$1 is $got, not $2"
done

make --no-print-directory -s B="$B" install DESTDIR="$tmp/root" >"$tmp/install.log" 2>&1 ||
	fail "make install: $(tail -5 "$tmp/install.log")"
cmp -s mibs/EGNET-MIB.txt "$tmp/root/usr/share/snmp/mibs/EGNET-MIB.txt" ||
	fail "make install did not put EGNET-MIB in /usr/share/snmp/mibs"
echo "PASS: EGNET-MIB lint-clean, its tree and numbers, installed"
