#!/bin/bash
# The packages (make deb, make rpm; built once and reused while no source
# is newer than them):
#  - lintian on the .debs: no error (warnings printed); rpmlint on the
#    .rpms and the spec: no error;
#  - installed with dpkg -i in a copy of this machine: an overlay over /
#    in a mount namespace of the test's own, its upper layer on a tmpfs,
#    so this machine is left exactly as it was whatever happens; every
#    step runs chrooted in it and in a network namespace of the test's;
#  - there: the units pass systemd-analyze verify, their exposure is
#    printed and within the goals (collector 2.0, agent 4.0); egnetctl
#    validate accepts every shipped example; egnet-agent -n too;
#  - the installed agent as the unit runs it (user egnet, its four
#    capabilities) applies the township profile; an upgrade to a rebuilt
#    package (same files, a higher version) and the agent's restart
#    change nothing in the kernel: no link, address, route, rule or
#    nftables event at all, the same links (ifindex) and no apply;
#  - removal takes egnet's state out of the kernel (the kernel as before
#    the agent ran), purge leaves no file of ours: the file list of the
#    copy after the purge is the one before the install, and no file
#    differs from this machine's (dpkg's own records aside);
#  - the same with the .rpm packages, installed by rpm (--nodeps: this
#    machine's libraries are not in rpm's database) in a fresh copy, the
#    upgrade to release 2, and rpm -e (which keeps the user egnet, as the
#    RPM guidelines ask: /etc/passwd and /etc/group are not compared).
. "$(dirname "$0")/lib.sh"

for tool in dpkg-deb lintian rpmlint rpmbuild dpkg-buildpackage systemd-analyze unshare chroot setpriv nft; do
	command -v $tool >/dev/null || { echo "SKIP: $tool not installed"; exit 77; }
done
grep -qw overlay /proc/filesystems || { echo "SKIP: no overlayfs"; exit 77; }
PKG=$ROOT/build/pkg
V=$(sed -n 's/^#define EGNET_VERSION "\([^"]*\)".*/\1/p' "$ROOT/common/defaults.h")
ARCH=$(dpkg --print-architecture)
DEBS="$PKG/egnet-agent_${V}_$ARCH.deb $PKG/egnet-collector_${V}_$ARCH.deb"
RPMS="$PKG/egnet-agent-$V-1.$(uname -m).rpm $PKG/egnet-collector-$V-1.$(uname -m).rpm"
RPMS_UP="$PKG/egnet-agent-$V-2.$(uname -m).rpm $PKG/egnet-collector-$V-2.$(uname -m).rpm"

# ---- build, unless the packages are newer than every source ------------------
stale() { # FILE...: one is missing or older than a source
	local f newer
	for f in "$@"; do
		[ -e "$f" ] || return 0
		newer=$(cd "$ROOT" && find agent bpf collector common ctl packaging profiles docs \
			Makefile README.md -newer "$f" -type f -print -quit)
		[ -n "$newer" ] && return 0
	done
	return 1
}
# shellcheck disable=SC2086
if stale $DEBS; then
	echo "building the .deb packages"
	PKGDIR=$PKG "$ROOT/packaging/pkg.sh" deb >/dev/null || fail "make deb"
fi
# shellcheck disable=SC2086
if stale $RPMS $RPMS_UP; then
	echo "building the .rpm packages (releases 1 and 2)"
	PKGDIR=$PKG RELEASE=2 "$ROOT/packaging/pkg.sh" rpm >/dev/null || fail "make rpm (release 2)"
	PKGDIR=$PKG "$ROOT/packaging/pkg.sh" rpm >/dev/null || fail "make rpm"
fi

# ---- lintian, rpmlint ------------------------------------------------------------
# shellcheck disable=SC2086
lintian --pedantic $DEBS >"$T/lintian.txt" 2>&1
grep -v "running with root privileges" "$T/lintian.txt" | grep "^[WIP]:" | sed 's/^/NOTE: lintian: /'
echo "NOTE: lintian: $(grep -c '^E:' "$T/lintian.txt") errors, $(grep -c '^W:' "$T/lintian.txt") warnings"
grep -q "^E:" "$T/lintian.txt" && fail "lintian errors: $(grep '^E:' "$T/lintian.txt")"
# shellcheck disable=SC2086
rpmlint -r "$ROOT/packaging/rpm/egnet.rpmlintrc" $RPMS "$ROOT/packaging/rpm/egnet.spec" >"$T/rpmlint.txt" 2>&1
grep -E "^egnet.*: [WE]:" "$T/rpmlint.txt" | sed 's/^/rpmlint: /'
echo "NOTE: rpmlint: $(grep -o '[0-9]* errors, [0-9]* warnings' "$T/rpmlint.txt") (the warnings in the test's log)"
grep -q " 0 errors," "$T/rpmlint.txt" || fail "rpmlint: $(grep -E ': E:|errors' "$T/rpmlint.txt")"

# ---- the upgrade: the same packages rebuilt with a higher version ---------------
for d in $DEBS; do
	n=$(basename "$d" "_${V}_$ARCH.deb")
	rm -rf "$T/re"
	dpkg-deb -R "$d" "$T/re" || fail "dpkg-deb -R $d"
	sed -i "s/^Version: .*/Version: $V+rebuild1/" "$T/re/DEBIAN/control"
	dpkg-deb -b --root-owner-group "$T/re" "$T/${n}_up.deb" >/dev/null || fail "dpkg-deb -b"
done
rm -rf "$T/re"
cp $DEBS "$T/"
cp "$ROOT/tests/integration/nlwatch.py" "$T/"
for r in $RPMS; do cp "$r" "$T/$(basename "$r" "-$V-1.$(uname -m).rpm").rpm"; done
for r in $RPMS_UP; do cp "$r" "$T/$(basename "$r" "-$V-2.$(uname -m).rpm")_up.rpm"; done

# ---- the copy of this machine, in the test's namespaces --------------------------
cat >"$T/inner.sh" <<'INNER'
set -u
T=$1 V=$2 ARCH=$3 PM=$4
M=$T/ov/m
fail() { echo "FAIL: $*"; exit 1; }
# what this script started ends with it (the mounts end with its namespace)
APID= IPMON= NFTMON=
trap 'kill -9 $APID $IPMON $NFTMON 2>/dev/null' EXIT
mkdir -p "$T/ov"
mount -t tmpfs egnet-test "$T/ov" || fail "tmpfs"
mkdir -p "$T/ov/u" "$T/ov/w" "$M"
mount -t overlay overlay -o "lowerdir=/,upperdir=$T/ov/u,workdir=$T/ov/w" "$M" || fail "overlay"
mount -t proc proc "$M/proc"
mount --rbind /sys "$M/sys"
mount --rbind /dev "$M/dev"
mount -t tmpfs tmpfs "$M/run"
mount -t tmpfs tmpfs "$M/tmp"
mkdir -p "$M/tmp/t"
mount --bind "$T" "$M/tmp/t"
C() { chroot "$M" "$@"; }
export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8
# what is there, for the comparison after the purge (dpkg's records,
# logs and caches its triggers refresh aside)
# (rpm: its database, and the user it keeps)
SKIP='^var/lib/dpkg/\|^var/log/\|^var/cache/\|^etc/\(passwd\|group\|shadow\|gshadow\)-$\|^var/lib/rpm\|^root/.rpmdb'
# (rpm: also /usr/share/licenses, the distribution's folder on RHEL,
# which rpm makes on this machine for the packages' licenses and leaves)
[ "$PM" = rpm ] && SKIP="$SKIP\\|^etc/\\(passwd\\|group\\|shadow\\|gshadow\\|subuid\\|subgid\\)\$\\|^usr/share/licenses\$"
files() {
	(cd "$M" && find etc usr var opt srv root home -xdev 2>/dev/null | grep -v "$SKIP" | sort)
}
files >"$T/files.before"
snap() {
	{
		ip -j -d link show | python3 -c '
import json, sys
for l in sorted(json.load(sys.stdin), key=lambda l: l["ifname"]):
    print("link", l["ifindex"], l["ifname"], l.get("link_type"), l.get("master", "-"), l.get("mtu"))'
		ip -j addr show | python3 -c '
import json, sys
for l in json.load(sys.stdin):
    for a in l.get("addr_info", []):
        if a.get("scope") != "link":
            print("addr", l["ifname"], a["local"], a["prefixlen"])' | sort
		ip route show table all | grep -v "fe80\|^multicast" | sort
		ip -6 route show table all | grep -v "fe80\|^multicast" | sort
		ip rule show | sort
		ip -6 rule show | sort
		nft list ruleset | sed 's/counter packets [0-9]* bytes [0-9]*/counter/'
	} >"$1"
}
snap "$T/k.before"

# ---- install -----------------------------------------------------------------------
RPM="rpm --dbpath /var/lib/rpm"
conffiles() { # PACKAGE: its configuration files, one a line
	case $PM in
	deb) C dpkg-query -W -f='${Conffiles}\n' "$1" | awk '{print $1}' ;;
	rpm) C $RPM -qc "$1" ;;
	esac
}
pkg_files() { # PACKAGE
	case $PM in
	deb) C dpkg -L "$1" ;;
	rpm) C $RPM -ql "$1" ;;
	esac
}
case $PM in
deb) C dpkg -i /tmp/t/egnet-agent_${V}_$ARCH.deb /tmp/t/egnet-collector_${V}_$ARCH.deb ;;
rpm) mkdir -p "$M/var/lib/rpm" && C $RPM --initdb &&
	C $RPM --nodeps -i /tmp/t/egnet-agent.rpm /tmp/t/egnet-collector.rpm ;;
esac >"$T/install.log" 2>&1 || fail "install ($PM): $(cat "$T/install.log")"
C getent passwd egnet >/dev/null || fail "no user egnet"
# installing changed nothing in the kernel (no firewall, no route)
snap "$T/k.installed"
diff -u "$T/k.before" "$T/k.installed" >"$T/k.diff" || fail "the install changed the kernel: $(cat "$T/k.diff")"
for f in /etc/egnet/agent.conf.example /etc/iproute2/rt_protos.d/egnet.conf; do
	conffiles egnet-agent | grep -qx "$f" || fail "$f is not a conffile"
done
conffiles egnet-collector | grep -qx /etc/egnet/collector.conf.example ||
	fail "collector.conf.example is not a conffile"
for lvl in province city county township; do
	C egnetctl validate --profile /usr/share/egnet/profiles/$lvl.conf >"$T/v.log" 2>&1 ||
		fail "egnetctl validate --profile $lvl: $(cat "$T/v.log")"
	C egnetctl validate --node /usr/share/egnet/profiles/examples/$lvl.conf >"$T/v.log" 2>&1 ||
		fail "egnetctl validate --node $lvl: $(cat "$T/v.log")"
done
C egnet-agent -n -c /usr/share/egnet/profiles/examples/county.conf 2>&1 | grep -q "configuration OK" ||
	fail "egnet-agent -n"
C egnet-collector -n -i /usr/share/egnet/profiles/examples/inventory.csv >/dev/null 2>&1 ||
	fail "egnet-collector -n -i"
C man -w egnet-agent egnet-collector egnetctl egnet-pki 5 egnet-profile >/dev/null 2>&1 || fail "man pages"
C bash -c '. /usr/share/bash-completion/bash_completion 2>/dev/null; . /usr/share/bash-completion/completions/egnetctl; complete -p egnetctl' >/dev/null ||
	fail "bash completion"

# ---- the units ----------------------------------------------------------------------
for u in egnet-agent egnet-collector; do
	unit=$(pkg_files $u | grep "/$u.service\$") || fail "$u ships no unit"
	C systemd-analyze verify "$unit" >"$T/verify.log" 2>&1
	[ -s "$T/verify.log" ] && fail "systemd-analyze verify $u: $(cat "$T/verify.log")"
	C systemd-analyze security --offline=true "$unit" >"$T/sec.$u" 2>&1
	x=$(sed -n "s/.*Overall exposure level for $u.service: \([0-9.]*\).*/\1/p" "$T/sec.$u")
	[ "$PM" = deb ] && echo "NOTE: systemd-analyze security: $u.service exposure $x"
	case $u in egnet-agent) goal=4.0 ;; *) goal=2.0 ;; esac
	[ -n "$x" ] && python3 -c "import sys; sys.exit(0 if $x <= $goal else 1)" ||
		fail "$u exposure $x above $goal: $(grep '✗' "$T/sec.$u")"
done

# ---- the agent as the unit runs it ---------------------------------------------------
cat >"$M/etc/egnet/agent.conf" <<CONF
node = { code = "210102001000"; name = "package test"; profile = "/usr/share/egnet/profiles/township.conf";
	inventory = "/usr/share/egnet/profiles/examples/inventory.csv"; drift = "enforce"; };
interfaces = { uplink = "eth0"; downlink = [ "eth1" ]; lan = [ "eth2" ]; };
CONF
caps=+net_admin,+net_raw,+bpf,+perfmon
start_agent() {
	install -d -o "$(C id -u egnet)" -g "$(C id -g egnet)" -m 0750 "$M/var/lib/egnet" "$M/run/egnet"
	# chroot execs setpriv, which execs the agent: one pid
	chroot "$M" setpriv --reuid=egnet --regid=egnet --init-groups --inh-caps=-all,$caps \
		--ambient-caps=-all,$caps --bounding-set=-all,$caps --no-new-privs \
		/usr/sbin/egnet-agent -c /etc/egnet/agent.conf >>"$T/agent.log" 2>&1 &
	APID=$!
	for _ in $(seq 100); do
		C egnetctl status >/dev/null 2>&1
		[ $? -ne 3 ] && return 0
		sleep 0.1
	done
	fail "the agent did not start: $(cat "$T/agent.log")"
}
stop_agent() {
	kill $APID
	wait $APID
	APID=
}
converged() {
	for _ in $(seq 100); do
		C egnetctl status --json >"$T/st.json" 2>/dev/null
		grep -q '"state": *"converged"' "$T/st.json" && return 0
		sleep 0.1
	done
	fail "not converged: $(cat "$T/st.json") $(cat "$T/agent.log")"
}
start_agent
converged
nft list table inet egnet >/dev/null || fail "no table inet egnet"
stop_agent
# the kernel's own follow-ups of the links the apply set up (IPv6
# link-local addresses after DAD) are over before the upgrade
for _ in $(seq 100); do
	[ -z "$(ip -6 addr show tentative)" ] && break
	sleep 0.1
done
sleep 1
snap "$T/k.applied"

# ---- upgrade: nothing written ----------------------------------------------------------
python3 "$T/nlwatch.py" >"$T/ipmon.log" 2>&1 &
IPMON=$!
nft monitor >"$T/nftmon.log" 2>&1 &
NFTMON=$!
sleep 0.5
case $PM in
deb) C dpkg -i /tmp/t/egnet-agent_up.deb /tmp/t/egnet-collector_up.deb ;;
rpm) C $RPM --nodeps -U /tmp/t/egnet-agent_up.rpm /tmp/t/egnet-collector_up.rpm ;;
esac >"$T/upgrade.log" 2>&1 || fail "upgrade ($PM): $(cat "$T/upgrade.log")"
case $PM in
deb) C dpkg-query -W -f='${Version}' egnet-agent | grep -q "+rebuild1" ;;
rpm) C $RPM -q --qf '%{RELEASE}' egnet-agent | grep -q "^2" ;;
esac || fail "not upgraded"
: >"$T/agent.log"
start_agent
converged
sleep 1
kill $IPMON $NFTMON
wait $IPMON $NFTMON 2>/dev/null
IPMON= NFTMON=
snap "$T/k.upgraded"
diff -u "$T/k.applied" "$T/k.upgraded" >"$T/k.diff" || fail "the upgrade changed the kernel: $(cat "$T/k.diff")"
# (the kernel's link-local addresses of links that come up are not ours;
# the tc filters are detached at the stop and attached again at the start)
grep -v "^watching\|fe80:\|qdisc\|tfilter\|chain" "$T/ipmon.log" >"$T/ipmon.ours"
tcev=$(grep -c "qdisc\|tfilter\|chain" "$T/ipmon.log")
[ -s "$T/ipmon.ours" ] && fail "netlink events during the upgrade: $(head "$T/ipmon.log")"
[ -s "$T/nftmon.log" ] && fail "nftables events during the upgrade: $(head "$T/nftmon.log")"
grep -q "applied profile" "$T/agent.log" && fail "the upgraded agent applied: $(cat "$T/agent.log")"
echo "NOTE: $PM upgrade: 0 link/address/route/rule events, 0 nftables events, same ifindexes ($tcev tc events: linkmon's filters attached again)"
stop_agent

# ---- remove, purge ---------------------------------------------------------------------
case $PM in
deb) C dpkg -r egnet-agent egnet-collector ;;
rpm) C $RPM --nodeps -e egnet-agent egnet-collector ;;
esac >"$T/remove.log" 2>&1 || fail "remove ($PM): $(cat "$T/remove.log")"
snap "$T/k.removed"
diff -u "$T/k.before" "$T/k.removed" >"$T/k.diff" ||
	fail "removal left egnet's state in the kernel: $(cat "$T/k.diff") $(cat "$T/remove.log")"
rm -f "$M/etc/egnet/agent.conf" # the administrator's, not the package's
if [ "$PM" = deb ]; then
	C dpkg -P egnet-agent egnet-collector >"$T/purge.log" 2>&1 || fail "dpkg -P: $(cat "$T/purge.log")"
	C getent passwd egnet >/dev/null && fail "user egnet left"
else
	rmdir "$M/etc/egnet" 2>/dev/null # rpm -e left it: the agent.conf was in it
fi
files >"$T/files.after"
# (what this machine itself made or removed meanwhile, under the copy,
# is not the packages': an added path counts when the copy's upper layer
# has it, a removed one when this machine still has it)
comm -13 "$T/files.before" "$T/files.after" | while read -r f; do
	[ -e "$T/ov/u/$f" ] || [ -L "$T/ov/u/$f" ] && echo "left: /$f"
done >"$T/files.diff"
comm -23 "$T/files.before" "$T/files.after" | while read -r f; do
	[ -e "/$f" ] && echo "removed: /$f"
done >>"$T/files.diff"
[ -s "$T/files.diff" ] && fail "purge left the file list changed: $(cat "$T/files.diff")"
# every file the copy changed is dpkg's, or as this machine has it
(cd "$T/ov/u" && find . -xdev \( -type f -o -type l -o -type c \) | sed 's|^\./||') |
	grep -v "$SKIP\\|^tmp/\\|^run/" |
	while read -r f; do
		if [ -c "$T/ov/u/$f" ]; then
			echo "deleted: /$f"
		elif ! cmp -s "$T/ov/u/$f" "/$f"; then
			echo "changed: /$f"
		fi
	done >"$T/changed"
[ -s "$T/changed" ] && fail "the packages changed files of the machine: $(cat "$T/changed")"
echo "INNER OK"
INNER
# each package manager in a fresh copy and a fresh namespace
for pm in ${PKG_TEST_PMS:-deb rpm}; do
	NS=egpkg-$pm-$$
	ns_new $NS eth0 eth1 eth2
	ip netns exec $NS unshare -m --propagation private bash "$T/inner.sh" "$T" "$V" "$ARCH" $pm >"$T/inner.log" 2>&1
	grep -v "^INNER OK" "$T/inner.log"
	grep -q "^INNER OK" "$T/inner.log" || fail "$pm: in the copy of the machine"
	umount "$T/ov" 2>/dev/null
	rm -rf "$T/ov"
done
echo "PASS: deb and rpm packages lint-clean, install, validate, upgrade without a write, purge without a trace"
