#!/bin/bash
# The readers from the command line: egnetctl validate and egnet-agent -n
# given an empty path, a directory, a device, a FIFO, an @include of a
# directory or of a FIFO, a wide integer, a file that is not UTF-8.  Each
# exits 1 (never 2, never hangs) with the exact FILE:LINE: message.
. "$(dirname "$0")/lib.sh"

cases=0
# run_expect WANT CMD...: exit 1 within 10 s and WANT ("@/" = the scratch
# copy of profiles/) among the output lines.
run_expect() {
	local want=${1//@\//$tmp/p/} out rc
	shift
	out=$(timeout 10 "$@" 2>&1 </dev/null)
	rc=$?
	[ $rc -eq 1 ] || fail "case $cases ($*): exit $rc, want 1; output: $out"
	grep -qxF -- "$want" <<<"$out" ||
		fail "case $cases ($*): want line: $want
got:
$out"
	cases=$((cases + 1))
}

cp -r profiles "$tmp/p"
mkdir "$tmp/p/include/dir.conf"
mkfifo "$tmp/p/fifo"
node=$tmp/p/examples/township.conf

for tool in ctl agent; do
	if [ $tool = ctl ]; then
		cmd="$CTL validate --node" P=--profile I=--inventory
	else
		cmd="$AGENT -n -c" P=-p I=-i
	fi
	run_expect "profile: empty path: name a file" $cmd "$node" $P ''
	run_expect "inventory: empty path: name a file" $cmd "$node" $I ''
	run_expect "@/fifo: cannot read the profile: is a FIFO, not a file" \
		$cmd "$node" $P "$tmp/p/fifo"
	run_expect "/dev/zero: cannot read the inventory: is a device, not a file" \
		$cmd "$node" $I /dev/zero
	run_expect "@/include: cannot read the profile: is a directory, not a file" \
		$cmd "$node" $P "$tmp/p/include"
done
run_expect "node config: empty path: name a file" "$CTL" validate --node ''
run_expect "/dev/zero: cannot read the node config: is a device, not a file" \
	"$AGENT" -n -c /dev/zero

# an @include of a directory, then of a FIFO: the line of the @include
cp "$tmp/p/township.conf" "$tmp/p/t.orig"
line=$(grep -n -m1 '@include "include/probe.conf"' "$tmp/p/township.conf" | cut -d: -f1)
sed -i "${line}s|include/probe.conf|include/dir.conf|" "$tmp/p/township.conf"
for cmd in "$CTL validate --node" "$AGENT -n -c"; do
	run_expect "@/township.conf:$line: @include \"include/dir.conf\": @/include/dir.conf is a directory, not a file" \
		$cmd "$node"
done
sed -i "${line}s|include/dir.conf|$tmp/p/fifo|" "$tmp/p/township.conf"
run_expect "@/township.conf:$line: @include \"@/fifo\": @/fifo is a FIFO, not a file" \
	"$CTL" validate --node "$node"

# an absolute @include is taken as written
cp "$tmp/p/t.orig" "$tmp/p/township.conf"
sed -i "${line}s|\"include/probe.conf\"|\"$tmp/p/include/probe.conf\"|" "$tmp/p/township.conf"
out=$("$CTL" validate --node "$node" 2>&1) || fail "absolute @include: $out"

# a routing table of 2^32 + 100 is not table 100; a GBK name in the
# inventory is not a name
cp "$tmp/p/t.orig" "$tmp/p/township.conf"
zl=$(grep -n -m1 'table = 100;' "$tmp/p/include/zones.conf" | cut -d: -f1)
sed -i "${zl}s|table = 100;|table = 4294967396;|" "$tmp/p/include/zones.conf"
printf '210102001009,\xc4\xe3\xba\xc3,\n' >>"$tmp/p/examples/inventory.csv"
il=$(wc -l <"$tmp/p/examples/inventory.csv")
for cmd in "$CTL validate --node" "$AGENT -n -c"; do
	run_expect "@/include/zones.conf:$zl: zones.common.table: 4294967396 is out of range 1..2147483647" \
		$cmd "$node"
	run_expect "@/examples/inventory.csv:$il: not UTF-8 (byte 0xc4 at column 14)" \
		$cmd "$node"
done
echo "PASS: readers: $cases cases refused with exit 1 and file:line"
