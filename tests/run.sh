#!/bin/bash
# Run every test: unit (cmocka, under valgrind unless sanitized), replays
# of the fuzz corpora (the same), CLI and golden tests, then integration
# tests (root: network namespaces, BPF).
# Each test exits 0 (pass), 77 (skipped, with its reason) or else (fail).
# A passing test's lines that begin with "NOTE: " are shown under it.
# Ends with one line: "N passed, N failed, N skipped".
set -u
B=${B:-build}
export B
cd "$(dirname "$0")/.." || exit 1

pass=0 fail=0 skip=0
failed=()
logdir=$(mktemp -d /tmp/egnet-tests.XXXXXX)
trap 'rm -rf "$logdir"' EXIT

run() {
	local name=$1 rc log
	shift
	log="$logdir/${name//\//_}.log"
	"$@" >"$log" 2>&1
	rc=$?
	case $rc in
	0)
		pass=$((pass + 1))
		printf 'PASS  %s\n' "$name"
		# figures a test wants seen (a unit's exposure, say)
		grep '^NOTE: ' "$log" | sed 's/^NOTE: /      /'
		;;
	77)
		skip=$((skip + 1))
		printf 'SKIP  %s: %s\n' "$name" \
			"$(grep -m1 -i 'skip' "$log" | sed 's/^SKIP:* *//')"
		;;
	*)
		fail=$((fail + 1))
		failed+=("$name")
		printf 'FAIL  %s (exit %d)\n' "$name" "$rc"
		sed 's/^/      | /' "$log" | tail -n 40
		;;
	esac
}

valgrind_cmd=()
if [ "${SANITIZE:-0}" != 1 ] && [[ "$B" != *sanitize* ]] &&
	command -v valgrind >/dev/null; then
	valgrind_cmd=(valgrind -q --leak-check=full --show-leak-kinds=definite,indirect
		--errors-for-leak-kinds=definite,indirect --error-exitcode=99)
fi

for t in "$B"/tests/unit/test_*; do
	[ -x "$t" ] || continue
	run "unit/$(basename "$t")" "${valgrind_cmd[@]}" "$t"
done

# Fuzz harnesses replay their seeds and regression inputs (tests/fuzz/).
for t in "$B"/tests/fuzz/replay_*; do
	[ -x "$t" ] || continue
	n=${t##*/replay_}
	dirs=(tests/fuzz/corpus/"$n")
	[ -d tests/fuzz/regress/"$n" ] && dirs+=(tests/fuzz/regress/"$n")
	run "fuzz/replay_$n" "${valgrind_cmd[@]}" "$t" "${dirs[@]}"
done

for t in tests/cli/test_*.sh; do
	run "cli/$(basename "$t" .sh)" bash "$t"
done

# The dashboard in headless Chromium (no root needed).
for t in tests/web/test_*.sh; do
	run "web/$(basename "$t" .sh)" bash "$t"
done

for t in tests/integration/test_*.sh; do
	name="integration/$(basename "$t" .sh)"
	if [ "$(id -u)" != 0 ]; then
		skip=$((skip + 1))
		printf 'SKIP  %s: needs root (network namespaces); run sudo make check\n' "$name"
		continue
	fi
	run "$name" bash "$t"
done

echo
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
