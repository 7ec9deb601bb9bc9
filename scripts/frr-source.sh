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

# --- configure exactly like Debian's frr (shared with debian/rules) -----------
"$top/scripts/frr-configure.sh" "$src"
touch "$stamp"
echo "$src"
