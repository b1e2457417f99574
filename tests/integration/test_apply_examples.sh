#!/bin/bash
# The township and the county example, applied by a real agent in fresh
# namespaces: the kernel equals `egnetctl render` exactly (checked with ip -j
# and bridge -j), and a second apply plans nothing and writes nothing.
. "$(dirname "$0")/lib.sh"

# `ip route` names our protocol once packaging/iproute2/egnet.conf is in
proto_file=/etc/iproute2/rt_protos.d/egnet.conf
if [ ! -e "$proto_file" ]; then
	mkdir -p /etc/iproute2/rt_protos.d
	cp "$ROOT/packaging/iproute2/egnet.conf" "$proto_file"
	trap 'rm -f "$proto_file"; teardown' EXIT
fi

for level in township county; do
	ns=egt-ex-$level-$$
	dir=$T/$level
	"setup_$level" "$ns" "$dir"
	agent_start "$ns" "$dir/node.conf" || fail "$level agent did not start"
	# the first start applies the configuration
	ctl "$dir" status --json >"$dir/status.json"
	[ "$(json_field "$dir/status.json" 'd["state"]')" = converged ] ||
		fail "$level: state after start: $(cat "$dir/status.json")"
	"$CTL" render --node "$dir/node.conf" --json >"$dir/render.json" ||
		fail "$level: render"
	$KCHECK equal "$ns" "$dir/render.json" >"$dir/diff" ||
		fail "$level: kernel differs from render:
$(cat "$dir/diff")"

	# second apply: empty plan, no netlink write
	ctl "$dir" plan --json >"$dir/plan.json" || fail "$level: plan"
	[ "$(json_field "$dir/plan.json" 'len(d["ops"])')" = 0 ] ||
		fail "$level: second plan not empty: $(cat "$dir/plan.json")"
	ctl "$dir" apply --json >"$dir/apply.json" || fail "$level: re-apply"
	[ "$(json_field "$dir/apply.json" 'd["writes"]')" = 0 ] ||
		fail "$level: re-apply wrote: $(cat "$dir/apply.json")"
	$KCHECK equal "$ns" "$dir/render.json" >"$dir/diff" ||
		fail "$level: kernel differs after re-apply: $(cat "$dir/diff")"
	# proto egnet on our routes only, and every rule in our range
	n=$(ip -n "$ns" -j route show table all proto 147 |
		python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
	[ "$n" -gt 5 ] || fail "$level: only $n routes of proto 147"
	ip -n "$ns" route show table 100 | grep -q "proto egnet" ||
		fail "$level: ip route does not show proto egnet"
	agent_stop
	echo "PASS: $level applied exactly as rendered; re-apply wrote nothing"
done
