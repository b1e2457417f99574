#!/bin/bash
# The report spool under crashes: a writer (tests/support/spool_writer.c)
# appending and acknowledging as fast as it can is killed with SIGKILL at
# random moments, 60 times (every other run also kills itself part-way
# through writing a record); after each kill the spool is reopened and
# checked against what the writer said it had queued and acknowledged
# (every queued record present unless acknowledged, acknowledged ones
# gone, in order, whole, sequence numbers never repeated, no damaged
# stretch: a torn tail is truncated, not left for a later append to bury).
# Then a byte in the middle of an older segment is damaged: exactly that
# record is skipped.  Last, under strace: every append's data is
# fdatasync'ed, and a new segment's folder fsync'ed, before the writer
# is told it is queued.
. "$(dirname "$0")/lib.sh"

W="$ROOT/$B/tests/spool_writer"
[ -x "$W" ] || fail "$W is not built (make tests-build)"
sp="$tmp/spool"
log="$tmp/log"
runs=${SPOOL_CRASH_RUNS:-60}

for i in $(seq 1 "$runs"); do
	{ # (bash's "Killed" notices to /dev/null)
		"$W" write "$sp" "$log" "$i" 2>"$tmp/err" &
		pid=$!
		# a random moment: 10 to 300 ms in
		sleep "0.$(printf '%03d' $((RANDOM % 290 + 10)))"
		kill -KILL "$pid"
		wait "$pid"
	} 2>/dev/null
	if [ -s "$tmp/err" ]; then
		cat "$tmp/err"
		fail "run $i: the writer failed on its own"
	fi
	out=$("$W" check "$sp" "$log" 2>&1) || fail "run $i: $out"
done
echo "after $runs kills: $out"

seq=$("$W" flip "$sp") || fail "no segment to damage: $seq"
out=$("$W" check "$sp" "$log" "$seq" 2>&1) ||
	fail "a damaged record ($seq) in the middle: $out"
echo "record $seq damaged: $out"

# The order of system calls: pwrite64 of the segment, fdatasync of it
# (and fsync of the folder after creating a segment), then the "Q" line.
if command -v strace >/dev/null; then
	rm -rf "$sp" "$log"
	# (LeakSanitizer cannot run under ptrace)
	ASAN_OPTIONS=detect_leaks=0 strace -o "$tmp/trace" \
		-e trace=openat,pwrite64,fdatasync,fsync,write \
		"$W" write "$sp" "$log" 1 200 || fail "strace of the writer"
	awk -v dir="$sp" '
	/^openat\(/ && index($0, "\"" dir "\"") && /O_DIRECTORY/ {
		dirfd = $NF
	}
	/^openat\(/ && /\.seg"/ && /O_CREAT/ { newseg = 1 }
	/^pwrite64\(/ { split($0, a, /[(,]/); dirty[a[2]] = 1 }
	/^fdatasync\(/ && / = 0$/ { split($0, a, /[()]/); dirty[a[2]] = 0 }
	/^fsync\(/ && / = 0$/ { split($0, a, /[()]/); if (a[2] == dirfd) newseg = 0 }
	/^write\([0-9]+, "Q / {
		n++
		for (fd in dirty)
			if (dirty[fd]) { print "not synced before: " $0; bad = 1 }
		if (newseg) { print "folder not synced before: " $0; bad = 1 }
	}
	END {
		if (n < 200) { print "only " n " appends seen"; bad = 1 }
		exit bad
	}' "$tmp/trace" || fail "an append returned before its data was synced"
	echo "strace: 200 appends, each synced before it was reported"
else
	echo "strace not installed: the sync order is not checked"
fi
