# Helpers for the CLI tests: B is the build folder, tmp a scratch folder
# removed on exit, fail() reports and exits 1.
set -u
B=${B:-build}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT" || exit 1
CTL="$ROOT/$B/egnetctl"
AGENT="$ROOT/$B/egnet-agent"
COLLECTOR="$ROOT/$B/egnet-collector"
tmp=$(mktemp -d /tmp/egnet-cli.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

fail() {
	echo "FAIL: $*"
	exit 1
}
