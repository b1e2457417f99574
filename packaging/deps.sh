#!/bin/sh
# Install every build and test dependency of egnet.  Idempotent: when all
# packages are present it says nothing and exits 0 in well under a second.
# Debian/Ubuntu through apt-get, RHEL-family through dnf.  The packaging
# tools (make deb, make rpm, tests/integration/test_packages.sh) are in
# the lists too: debhelper, dpkg-dev, lintian, rpm (rpmbuild), rpmlint,
# systemd (systemd-analyze), man-db.  Then the dashboard's test tooling
# (playwright-core, driving the distribution's Chromium) from
# tests/web/package-lock.json with npm ci.
set -eu
cd "$(dirname "$0")/.."

# tests/web/node_modules as the lock file says, when it is not yet (or the
# lock changed since): npm ci, quiet
web_tooling() {
	lock=tests/web/package-lock.json
	stamp=tests/web/node_modules/.package-lock.json
	[ -f "$lock" ] || return 0
	[ -f "$stamp" ] && [ ! "$lock" -nt "$stamp" ] && return 0
	command -v npm >/dev/null 2>&1 || { echo "deps: npm is missing" >&2; exit 1; }
	echo "deps: npm ci in tests/web (playwright-core)"
	(cd tests/web && npm ci --no-audit --no-fund --loglevel=error >/dev/null) || {
		echo "deps: npm ci in tests/web failed" >&2
		exit 1
	}
}

DEB="make gcc pkg-config clang llvm bpftool libbpf-dev libelf-dev zlib1g-dev
libconfig-dev libjansson-dev libcmocka-dev libnl-3-dev libnl-route-3-dev
libnftnl-dev libmnl-dev libevent-dev libsystemd-dev iproute2 nftables
iputils-ping valgrind python3 iperf3 libmicrohttpd-dev libgnutls28-dev
libcurl4-openssl-dev libsqlite3-dev sqlite3 openssl curl strace prometheus socat
chromium nodejs npm debhelper dpkg-dev lintian rpm rpmlint systemd man-db
libsnmp-dev snmpd snmptrapd snmp smitools"

RPM="make gcc pkgconf-pkg-config clang llvm bpftool libbpf-devel elfutils-libelf-devel
zlib-devel libconfig-devel jansson-devel libcmocka-devel libnl3-devel
libnftnl-devel libmnl-devel libevent-devel systemd-devel iproute nftables
iputils valgrind python3 iperf3 libmicrohttpd-devel gnutls-devel
libcurl-devel sqlite-devel sqlite openssl curl strace socat
chromium nodejs npm rpm-build rpmlint systemd
net-snmp-devel net-snmp net-snmp-utils libsmi"

need_root() {
	if [ "$(id -u)" != 0 ]; then
		echo "deps: missing packages: $*" >&2
		echo "deps: run 'sudo make deps' to install them" >&2
		exit 1
	fi
}

if command -v dpkg-query >/dev/null 2>&1; then
	missing=
	for p in $DEB; do
		# nodejs from elsewhere (NodeSource) carries its own npm
		[ "$p" = npm ] && command -v npm >/dev/null 2>&1 && continue
		st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
		[ "$st" = installed ] || missing="$missing $p"
	done
	[ -z "$missing" ] && { web_tooling; exit 0; }
	need_root $missing
	echo "deps: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null
	# promtool (tests/cli/test_metrics.sh) comes in the prometheus
	# package, whose server would start and listen on :9090, and snmpd
	# (the AgentX master of tests/integration/test_agentx.sh, started by
	# the test itself) would listen on :161: services are kept from
	# starting during the install (policy-rc.d, unless the machine has
	# one), and those are disabled and stopped after it
	rcd=
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
		chmod 755 /usr/sbin/policy-rc.d
		rcd=y
	fi
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null || {
		[ -n "$rcd" ] && rm -f /usr/sbin/policy-rc.d
		exit 1
	}
	[ -n "$rcd" ] && rm -f /usr/sbin/policy-rc.d
	for svc in prometheus snmpd snmptrapd; do
		case " $missing " in *" $svc "*)
			if command -v systemctl >/dev/null 2>&1; then
				systemctl disable --now $svc >/dev/null 2>&1 || true
			fi
			;;
		esac
	done
	web_tooling
elif command -v rpm >/dev/null 2>&1; then
	missing=
	for p in $RPM; do
		[ "$p" = npm ] && command -v npm >/dev/null 2>&1 && continue
		rpm -q "$p" >/dev/null 2>&1 || missing="$missing $p"
	done
	[ -z "$missing" ] && { web_tooling; exit 0; }
	need_root $missing
	echo "deps: installing$missing"
	# shellcheck disable=SC2086
	dnf install -y -q $missing
	web_tooling
else
	echo "deps: neither dpkg nor rpm found; install by hand:" >&2
	echo "  $DEB" >&2
	exit 1
fi
