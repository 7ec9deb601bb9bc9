#!/usr/bin/env bash
# Configure an FRR source tree (Debian's patches already applied) with the
# flags of Debian's frr debian/rules, so that its config.h and struct layouts
# match the installed /usr/lib/frr/bgpd, then generate the few files the
# module's build needs from it (route_types.h, version.h, clippy).
# Shared by scripts/frr-source.sh (developer builds, FRR fetched with apt) and
# debian/rules (package build, FRR from the source package's orig-frr
# component): both configure FRR the same way.  Works offline.
#
# usage: scripts/frr-configure.sh FRR_TREE
#
# The list is dh_auto_configure's standard flags followed by frr's own
# (debian/rules of frr 8.4.4-1.1~deb12u2), with the host's multiarch triplet.
# Left out: --enable-doc/--enable-doc-html (documentation only), and
# PYTHON=/usr/bin/python3 instead of PYTHON=python3 so that a python3 earlier
# on PATH is not used.  topotests/test_packaging.py compares the result with
# the "configured with" line of the installed bgpd (bgpd -v).
set -euo pipefail

tree=${1:?usage: frr-configure.sh FRR_TREE}
cd "$tree"

# FRR >= 8.5 (Debian 13's 10.3 and later): Debian's own steps, as
# scripts/frr-source.sh does for such targets -- dh_autoreconf and frr's
# "debian/rules override_dh_auto_configure", so the flags are those of the
# tree's debian/rules by construction -- then the generated files a module
# includes: route_types.h, version.h, clippy and the headers of FRR's
# BUILT_SOURCES (lib/mgmt.pb-c.h, ...).  Run from a package build, the outer
# make's and dh's variables must not reach frr's debian/rules.
if [ -f python/xref2vtysh.py ]; then
	[ -f debian/rules ] || { echo "frr-configure: $tree has no debian/rules" >&2; exit 1; }
	clean_env=(env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u DH_INTERNAL_OPTIONS
		-u DH_INTERNAL_OVERRIDE -u DEB_RULES_REQUIRES_ROOT)
	"${clean_env[@]}" dh_autoreconf >&2
	"${clean_env[@]}" debian/rules override_dh_auto_configure >&2
	built=$("${clean_env[@]}" make -s -f Makefile -f - erp-print-built <<-'EOF' | tr ' ' '\n' | grep '\.h$' | tr '\n' ' '
	erp-print-built: ; @echo $(BUILT_SOURCES)
	EOF
	)
	# shellcheck disable=SC2086
	"${clean_env[@]}" make -s lib/route_types.h lib/version.h lib/clippy $built >&2
	exit 0
fi

arch() { dpkg-architecture -q"$1" 2>/dev/null; }
build_type=${DEB_BUILD_GNU_TYPE:-$(arch DEB_BUILD_GNU_TYPE)}
host_type=${DEB_HOST_GNU_TYPE:-$(arch DEB_HOST_GNU_TYPE)}
multiarch=${DEB_HOST_MULTIARCH:-$(arch DEB_HOST_MULTIARCH)}
if [ -z "$build_type" ] || [ -z "$multiarch" ]; then
	echo "frr-configure: dpkg-architecture failed (dpkg-dev missing?)" >&2
	exit 1
fi
cross=()
[ "$host_type" = "$build_type" ] || cross=(--host="$host_type")

if [ ! -x configure ]; then
	./bootstrap.sh >&2
fi
# shellcheck disable=SC2016 # ${prefix} is for configure, as in dh_auto_configure
./configure -q \
	--build="$build_type" "${cross[@]}" --prefix=/usr \
	'--includedir=${prefix}/include' '--mandir=${prefix}/share/man' \
	'--infodir=${prefix}/share/info' --sysconfdir=/etc --localstatedir=/var \
	--disable-option-checking --disable-silent-rules \
	"--libdir=\${prefix}/lib/$multiarch" \
	"--libexecdir=\${prefix}/lib/$multiarch" --disable-maintainer-mode \
	--localstatedir=/var/run/frr --sbindir=/usr/lib/frr --sysconfdir=/etc/frr \
	--with-vtysh-pager=/usr/bin/pager --libdir="/usr/lib/$multiarch/frr" \
	--with-moduledir="/usr/lib/$multiarch/frr/modules" \
	--disable-dependency-tracking --enable-rpki --disable-scripting \
	--disable-pim6d --with-libpam --enable-snmp --enable-fpm \
	--disable-protobuf --disable-zeromq --enable-ospfapi --enable-bgp-vnc \
	--enable-multipath=256 --enable-user=frr --enable-group=frr \
	--enable-vty-group=frrvty --enable-configfile-mask=0640 \
	--enable-logfile-mask=0640 PYTHON=/usr/bin/python3 >&2
make -s lib/route_types.h lib/version.h lib/clippy >&2
