#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# pkg.sh deb|rpm - egnet's packages, built from a copy of the source tree
# under $PKGDIR (default build/pkg) so the tree itself stays clean:
#   deb: PKGDIR/deb/egnet-VERSION/ with packaging/debian as debian/,
#        dpkg-buildpackage -b -us -uc; the .deb files end in PKGDIR
#   rpm: PKGDIR/rpm/ as rpmbuild's _topdir, the tree as Source0;
#        rpmbuild -bb packaging/rpm/egnet.spec; the .rpm files end in PKGDIR
# VERSION is common/defaults.h's EGNET_VERSION; RELEASE (rpm only, default
# 1) the package's release.  Exit 0, or 1 with the tool's output.
set -eu

what=${1:-}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PKGDIR=${PKGDIR:-build/pkg}
case $PKGDIR in /*) ;; *) PKGDIR=$ROOT/$PKGDIR ;; esac
VERSION=$(sed -n 's/^#define EGNET_VERSION "\([^"]*\)".*/\1/p' "$ROOT/common/defaults.h")
[ -n "$VERSION" ] || { echo "pkg.sh: no EGNET_VERSION in common/defaults.h" >&2; exit 1; }

# copy_tree DIR: the source tree without build outputs or git's data
copy_tree() {
	rm -rf "$1"
	mkdir -p "$1"
	(cd "$ROOT" && tar --exclude='./build' --exclude='./build-*' \
		--exclude='./.git' --exclude='./node_modules' -cf - .) |
		tar -xf - -C "$1"
}

log=
run() { # LOG CMD...: quiet unless it fails
	log=$1
	shift
	if ! "$@" >"$log" 2>&1; then
		tail -n 40 "$log" >&2
		echo "pkg.sh: $* failed (whole output: $log)" >&2
		exit 1
	fi
}

case $what in
deb)
	for t in dpkg-buildpackage dh; do
		command -v $t >/dev/null || { echo "pkg.sh: $t missing (apt-get install debhelper dpkg-dev)" >&2; exit 1; }
	done
	dch=$(sed -n '1s/^egnet (\([^)]*\)).*/\1/p' "$ROOT/packaging/debian/changelog")
	[ "$dch" = "$VERSION" ] || {
		echo "pkg.sh: packaging/debian/changelog is at $dch, the code at $VERSION" >&2
		exit 1
	}
	src=$PKGDIR/deb/egnet-$VERSION
	copy_tree "$src"
	rm -rf "$src/debian"
	cp -r "$ROOT/packaging/debian" "$src/debian"
	rm -f "$PKGDIR"/egnet-*_"$VERSION"_*.deb
	(cd "$src" && run "$PKGDIR/deb/build.log" dpkg-buildpackage -b -us -uc)
	mv "$PKGDIR"/deb/*.deb "$PKGDIR"/
	for f in "$PKGDIR"/deb/*.ddeb; do [ -e "$f" ] && mv "$f" "$PKGDIR"/; done
	ls "$PKGDIR"/egnet-*_"$VERSION"_*.deb
	;;
rpm)
	command -v rpmbuild >/dev/null || { echo "pkg.sh: rpmbuild missing (apt-get install rpm)" >&2; exit 1; }
	rel=${RELEASE:-1}
	top=$PKGDIR/rpm
	rm -rf "$top"
	mkdir -p "$top/SOURCES" "$top/SPECS"
	copy_tree "$top/egnet-$VERSION"
	tar -C "$top" -czf "$top/SOURCES/egnet-$VERSION.tar.gz" "egnet-$VERSION"
	rm -rf "$top/egnet-$VERSION"
	cp "$ROOT/packaging/rpm/egnet.spec" "$top/SPECS/"
	# --nodeps where the build host is not RPM-based (its libraries are
	# Debian packages, unknown to rpm's database)
	nodeps=
	command -v dpkg >/dev/null && ! rpm -q glibc >/dev/null 2>&1 && nodeps=--nodeps
	run "$top/build.log" rpmbuild -bb $nodeps --define "_topdir $top" \
		--define "egnet_version $VERSION" --define "egnet_release $rel" \
		"$top/SPECS/egnet.spec"
	rm -f "$PKGDIR"/egnet-*-"$VERSION-$rel".*.rpm
	find "$top/RPMS" -name '*.rpm' -exec mv {} "$PKGDIR"/ \;
	ls "$PKGDIR"/egnet-*-"$VERSION-$rel".*.rpm
	;;
*)
	echo "usage: pkg.sh deb|rpm" >&2
	exit 2
	;;
esac
