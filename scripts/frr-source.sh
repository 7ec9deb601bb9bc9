#!/usr/bin/env bash
# Fetch Debian's source of the *installed* frr version through a private apt
# configuration (never touching /etc/apt), apply Debian's patches, and configure
# it with the flags of debian/rules so that headers and struct layouts match
# /usr/lib/frr/bgpd exactly.  Idempotent: a tree configured for the installed
# version is reused.
#
# usage: scripts/frr-source.sh [BUILD_DIR]   (default: ./build/frr)
# prints the path of the configured tree on its last line.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$top/build/frr}
mkdir -p "$out"
out=$(cd "$out" && pwd)

ver=$(dpkg-query -W -f='${Version}' frr 2>/dev/null || true)
if [ -z "$ver" ]; then
	echo "frr-source: the frr package is not installed" >&2
	exit 1
fi
upver=${ver%-*}          # 8.4.4
stamp="$out/.configured-$ver"
src="$out/frr-$upver"

if [ -f "$stamp" ] && [ -f "$src/config.h" ]; then
	echo "$src"
	exit 0
fi

# --- private apt configuration ------------------------------------------------
apt="$out/apt"
mkdir -p "$apt/lists/partial" "$apt/sources.list.d" "$apt/archives/partial"
mirror=${FRR_SOURCE_MIRROR:-http://deb.debian.org/debian}
secmirror=${FRR_SOURCE_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
cat >"$apt/sources.list" <<SRC
deb-src $mirror bookworm main
deb-src $mirror bookworm-updates main
deb-src $secmirror bookworm-security main
SRC
aptopts=(-o "Dir::Etc::SourceList=$apt/sources.list"
	 -o "Dir::Etc::SourceParts=$apt/sources.list.d"
	 -o "Dir::State::Lists=$apt/lists"
	 -o "Dir::Cache::Archives=$apt/archives"
	 -o "APT::Sandbox::User=root")
apt-get -q "${aptopts[@]}" update >&2

rm -rf "$out/dl" && mkdir -p "$out/dl"
cd "$out/dl"
if ! apt-get -q "${aptopts[@]}" source --download-only "frr=$ver" >&2; then
	echo "frr-source: frr source $ver is not on the mirror; refusing to build against another version" >&2
	exit 1
fi
rm -rf "$src"
dpkg-source --no-check -x "frr_$ver.dsc" "$src" >&2   # applies debian/patches
cd "$src"

# --- configure exactly like debian/rules -------------------------------------
# The flag list below is the "configured with" line of Debian's bgpd (bgpd -v),
# minus the documentation switches that do not affect any header.
if [ ! -x configure ]; then
	./bootstrap.sh >&2
fi
./configure -q \
	--build=x86_64-linux-gnu --prefix=/usr '--includedir=${prefix}/include' \
	'--mandir=${prefix}/share/man' '--infodir=${prefix}/share/info' \
	--sysconfdir=/etc --localstatedir=/var --disable-option-checking \
	--disable-silent-rules '--libdir=${prefix}/lib/x86_64-linux-gnu' \
	'--libexecdir=${prefix}/lib/x86_64-linux-gnu' --disable-maintainer-mode \
	--localstatedir=/var/run/frr --sbindir=/usr/lib/frr --sysconfdir=/etc/frr \
	--with-vtysh-pager=/usr/bin/pager --libdir=/usr/lib/x86_64-linux-gnu/frr \
	--with-moduledir=/usr/lib/x86_64-linux-gnu/frr/modules \
	--disable-dependency-tracking --enable-rpki --disable-scripting \
	--disable-pim6d --with-libpam --enable-snmp --enable-fpm \
	--disable-protobuf --disable-zeromq --enable-ospfapi --enable-bgp-vnc \
	--enable-multipath=256 --enable-user=frr --enable-group=frr \
	--enable-vty-group=frrvty --enable-configfile-mask=0640 \
	--enable-logfile-mask=0640 build_alias=x86_64-linux-gnu \
	PYTHON=/usr/bin/python3 >&2
make -s lib/route_types.h lib/version.h lib/clippy >&2
touch "$stamp"
echo "$src"
