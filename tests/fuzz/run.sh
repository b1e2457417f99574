#!/bin/bash
# Run fuzz harnesses for a bounded time: tests/fuzz/run.sh NAME... [-- ARGS]
# Each build/fuzz/fuzz_NAME runs FUZZ_SECONDS (default 60) on
# build/fuzz/corpus/NAME (where new inputs go) and the seeds in
# tests/fuzz/corpus/NAME, with tests/fuzz/NAME.dict when there is one;
# crashes are written to build/fuzz/crash/NAME/, the log to
# build/fuzz/NAME.log.  Prints one line per harness (runs, coverage,
# corpus) and exits 1 when any crashed.
set -u
FZ=${FZ:-build/fuzz}
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
cd "$(dirname "$0")/../.." || exit 1

targets=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do
	targets+=("$1")
	shift
done
[ "${1:-}" = -- ] && shift

# leaks of libraries that are not ours (see the file)
export LSAN_OPTIONS=suppressions=$PWD/tests/fuzz/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}

failed=()
for t in "${targets[@]}"; do
	bin=$FZ/fuzz_$t
	log=$FZ/$t.log
	opts=(-max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048
		-print_final_stats=1 -artifact_prefix="$FZ/crash/$t/")
	[ -f "tests/fuzz/$t.dict" ] && opts+=(-dict="tests/fuzz/$t.dict")
	# firewall states hold whole tables: let inputs grow to 64 KiB
	[ "$t" = fw ] && opts+=(-max_len=65536)
	mkdir -p "$FZ/corpus/$t" "$FZ/crash/$t"
	"$bin" "${opts[@]}" "$@" "$FZ/corpus/$t" "tests/fuzz/corpus/$t" \
		>"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
	last=$(grep -E '^#[0-9]+' "$log" | tail -n1)
	cov=$(sed -n 's/.* cov: \([0-9]*\) ft: \([0-9]*\) corp: \([0-9]*\).*/cov \1, ft \2, corpus \3/p' <<<"$last")
	if [ $rc -eq 0 ]; then
		printf 'fuzz/%-10s %s runs in %ss, %s\n' "$t" "${runs:-?}" \
			"$FUZZ_SECONDS" "${cov:-no coverage line}"
	else
		failed+=("$t")
		printf 'fuzz/%-10s FAILED (exit %d) after %s runs, %s; see %s\n' \
			"$t" "$rc" "${runs:-?}" "${cov:-?}" "$log"
		grep -E 'ERROR|FUZZ_CHECK|SUMMARY|Test unit written' "$log" |
			head -n 5 | sed 's/^/      | /'
	fi
done
[ ${#failed[@]} -eq 0 ]
