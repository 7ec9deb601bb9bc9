#!/usr/bin/env bash
# Apply Debian's patches of frr (FRR_TREE/debian/patches/series, quilt
# layout) to an upstream FRR tree, as dpkg-source -x does when it unpacks
# Debian's frr source.  Used by debian/rules, where FRR's upstream source and
# Debian's debian/ directory of frr come as two orig components of this
# source package.  Offline; stops at the first patch that does not apply.
#
# usage: scripts/frr-apply-patches.sh FRR_TREE
set -euo pipefail

tree=${1:?usage: frr-apply-patches.sh FRR_TREE}
series="$tree/debian/patches/series"
[ -f "$series" ] || { echo "frr-apply-patches: no $series" >&2; exit 1; }
n=0
# series lines: "name [-pN]"; '#' starts a comment
while read -r name opt _; do
	name=${name%%#*}
	[ -n "$name" ] || continue
	case "$opt" in -p[0-9]*) strip=$opt ;; *) strip=-p1 ;; esac
	echo "frr-apply-patches: $name" >&2
	patch -d "$tree" -s -f -N --no-backup-if-mismatch "$strip" <"$tree/debian/patches/$name"
	n=$((n + 1))
done <"$series"
echo "frr-apply-patches: $n patches applied" >&2
