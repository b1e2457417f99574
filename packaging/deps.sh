#!/bin/sh
# Install every build and test dependency of egnet.  Idempotent: when all
# packages are present it says nothing and exits 0 in well under a second.
# Debian/Ubuntu through apt-get, RHEL-family through dnf.
set -eu

DEB="make gcc pkg-config clang llvm bpftool libbpf-dev libelf-dev zlib1g-dev
libconfig-dev libjansson-dev libcmocka-dev libnl-3-dev libnl-route-3-dev
libnftnl-dev libmnl-dev libevent-dev libsystemd-dev iproute2 nftables
iputils-ping valgrind python3 iperf3 libmicrohttpd-dev libgnutls28-dev
libcurl4-openssl-dev libsqlite3-dev sqlite3 openssl curl strace prometheus socat
libsnmp-dev snmpd snmp"

RPM="make gcc pkgconf-pkg-config clang llvm bpftool libbpf-devel elfutils-libelf-devel
zlib-devel libconfig-devel jansson-devel libcmocka-devel libnl3-devel
libnftnl-devel libmnl-devel libevent-devel systemd-devel iproute nftables
iputils valgrind python3 iperf3 libmicrohttpd-devel gnutls-devel
libcurl-devel sqlite-devel sqlite openssl curl strace socat
net-snmp-devel net-snmp net-snmp-utils"

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
		st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
		[ "$st" = installed ] || missing="$missing $p"
	done
	[ -z "$missing" ] && exit 0
	need_root $missing
	echo "deps: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null
	# promtool (tests/cli/test_metrics.sh) comes in the prometheus
	# package, whose server would start and listen on :9090: services are
	# kept from starting during the install (policy-rc.d, unless the
	# machine has one), and that one is disabled and stopped after it
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
	case " $missing " in *" prometheus "*)
		if command -v systemctl >/dev/null 2>&1; then
			systemctl disable --now prometheus >/dev/null 2>&1 || true
		fi
		;;
	esac
elif command -v rpm >/dev/null 2>&1; then
	missing=
	for p in $RPM; do
		rpm -q "$p" >/dev/null 2>&1 || missing="$missing $p"
	done
	[ -z "$missing" ] && exit 0
	need_root $missing
	echo "deps: installing$missing"
	# shellcheck disable=SC2086
	dnf install -y -q $missing
else
	echo "deps: neither dpkg nor rpm found; install by hand:" >&2
	echo "  $DEB" >&2
	exit 1
fi
