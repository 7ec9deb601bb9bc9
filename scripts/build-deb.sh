#!/usr/bin/env bash
# Build the frr-bgpd-erpolicy Debian package from this source tree.
# dpkg-buildpackage writes its results next to the source directory (../);
# they are moved into build/deb/.  The build itself runs in build/deb-obj
# (see debian/rules), with the FRR tree cached in build/frr.
# usage: scripts/build-deb.sh [extra dpkg-buildpackage args]
# prints the path of the .deb on its last line.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

if ! command -v dpkg-buildpackage >/dev/null || ! command -v dh >/dev/null; then
	echo "build-deb: dpkg-buildpackage/debhelper missing (scripts/deps.sh installs them)" >&2
	exit 1
fi

src=$(dpkg-parsechangelog -S Source)
ver=$(dpkg-parsechangelog -S Version)
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
parent=$(dirname "$top")
changes="$parent/${src}_${ver}_${arch}.changes"
out="$top/build/deb"
mkdir -p "$out"
# one package build at a time (debian/ and ../ are shared)
exec 8>"$top/build/.build-deb.lock"
flock 8
rm -f "$out/${src}"_* "$out/${src}"-dbgsym_*

# -b: binary only; no signing; -Jauto: parallel make in debian/rules
rc=0
dpkg-buildpackage -b -us -uc -Jauto "$@" || rc=$?

# Move what dpkg-buildpackage left in ../ (listed in the .changes), even
# after a failure, so nothing is left outside the tree.
files=()
if [ -f "$changes" ]; then
	while read -r f; do files+=("$f"); done < <(
		sed -n '/^Files:/,/^[^ ]/{/^ /p}' "$changes" | awk '{print $NF}')
	files+=("$(basename "$changes")")
fi
for f in "${files[@]}" "${src}_${ver}_${arch}.buildinfo"; do
	[ -e "$parent/$f" ] && mv -f "$parent/$f" "$out/"
done
[ $rc -eq 0 ] || { echo "build-deb: dpkg-buildpackage failed ($rc); build dir kept in build/deb-obj" >&2; exit $rc; }
# staging dirs and generated maintainer scripts are not kept in debian/
debian/rules clean >/dev/null 2>&1 || true

deb="$out/${src}_${ver}_${arch}.deb"
[ -f "$deb" ] || { echo "build-deb: $deb was not produced" >&2; exit 1; }
echo "build-deb: results in $out:" >&2
ls -1 "$out" >&2
echo "$deb"
