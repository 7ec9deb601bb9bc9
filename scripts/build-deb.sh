#!/usr/bin/env bash
# Build the frr-bgpd-erpolicy Debian source package and, from it, the binary
# package, the way a Debian build daemon would: offline.
#
#  1. scripts/frr-source.sh gets Debian's source of the installed frr (the
#     only step that may use the network; cached in build/frr).
#  2. Orig tarballs in build/deb-src:
#       frr-bgpd-erpolicy_V.orig.tar.xz            this project's files
#                                                  (git ls-files, without debian/)
#       frr-bgpd-erpolicy_V.orig-frr.tar.xz        Debian's frr_X.orig.tar.xz
#       frr-bgpd-erpolicy_V.orig-frr-debian.tar.xz Debian's frr_X-R.debian.tar.xz
#     The two frr components are Debian's files byte for byte (their sha256
#     is checked against Debian's .dsc).
#  3. dpkg-source -b makes the .dsc; it is unpacked again with dpkg-source -x
#     and the binary package is built from that fresh tree, with no network
#     (unshare -n) when that is possible (root).
#
# Results (.dsc, tarballs, .deb, .buildinfo, .changes, build.log) go to
# build/deb/ (host) or build/targets/TARGET/deb/.
# usage: scripts/build-deb.sh [--target TARGET] [extra dpkg-buildpackage args]
# prints the path of the .deb on its last line.
#
# TARGET (scripts/target-lib.sh): host (default) is Debian 12's frr on this
# machine.  A root target (frr-10.3: Debian 13) gets its own source package:
# the frr components are that release's frr, debian/changelog gets an entry
# VERSION+debN for its suite, and debian/control's Build-Depends become frr's
# own build dependencies (read from the frr-debian component) plus frr,
# frr-snmp and frr-rpki-rtrlib at the target's exact version (vtysh is
# generated from their binaries' xref data); the binary package is built
# inside the target's root (scripts/in-target.sh), still without network.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
. scripts/target-lib.sh
target=host
case "${1:-}" in
--target) target=${2:?--target needs a name}; shift 2 ;;
--target=*) target=${1#--target=}; shift ;;
esac
target_load "$target"

for tool in dpkg-buildpackage dh dpkg-source git; do
	command -v "$tool" >/dev/null || {
		echo "build-deb: $tool missing (scripts/deps.sh installs what is needed)" >&2
		exit 1
	}
done

src=$(dpkg-parsechangelog -S Source)
ver=$(dpkg-parsechangelog -S Version)
upver=${ver%-*}
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
if [ -n "$T_ROOT" ]; then
	ver="$ver+deb$T_DEB_RELEASE"
	out="$T_DIR/deb"
	work="$T_DIR/deb-src"
else
	out="$top/build/deb"
	work="$top/build/deb-src"
fi
mkdir -p "$top/build" "$T_DIR"
# one package build at a time per target (its deb and deb-src are shared)
exec 8>"$T_DIR/.build-deb.lock"
flock 8

# --- 1. Debian's frr source of the target's version ---------------------------
frr_tree=$(scripts/frr-source.sh --target "$target" | tail -n 1)
frr_ver=$T_FRR_VERSION
frr_up=${frr_ver%-*}
dl="$(dirname "$frr_tree")/dl"
dsc="$dl/frr_$frr_ver.dsc"
frr_orig="$dl/frr_$frr_up.orig.tar.xz"
frr_debian="$dl/frr_$frr_ver.debian.tar.xz"
for f in "$dsc" "$frr_orig" "$frr_debian"; do
	[ -f "$f" ] || {
		echo "build-deb: $f missing: remove $(dirname "$frr_tree")/.configured-* and run scripts/frr-source.sh" >&2
		exit 1
	}
done
for f in "$frr_orig" "$frr_debian"; do
	want=$(sed -n '/^Checksums-Sha256:/,/^[^ ]/p' "$dsc" |
		awk -v n="$(basename "$f")" '$3 == n { print $1 }')
	got=$(sha256sum "$f" | cut -d' ' -f1)
	if [ -z "$want" ] || [ "$want" != "$got" ]; then
		echo "build-deb: $f does not match $dsc (sha256 $got, want ${want:-none})" >&2
		exit 1
	fi
done

# The debian/ directory of a root target's source package (see the top).
target_debian() {
	local d=$1 date maint
	# the entry's date: the commit the tree is at (newer than the entry
	# below it, and the same for every build of that commit)
	date=$(git log -1 --format=%cD)
	maint=$(dpkg-parsechangelog -l "$d/debian/changelog" -S Maintainer)
	{
		echo "$src ($ver) $T_SUITE; urgency=medium"
		echo
		echo "  * Build for Debian $T_DEB_RELEASE \"$T_SUITE\": frr $T_FRR_VERSION; vtysh generated"
		echo "    from the xref data of frr's binaries and the module."
		echo
		echo " -- $maint  $date"
		echo
		cat "$d/debian/changelog"
	} >"$d/debian/changelog.new"
	mv "$d/debian/changelog.new" "$d/debian/changelog"
	# with a second changelog entry, not an initial upload: drop that
	# override (and its comment), lintian would call it unused
	/usr/bin/python3 - "$d/debian/frr-bgpd-erpolicy.lintian-overrides" <<-'PY'
	import re, sys
	p = sys.argv[1]
	text = open(p).read()
	new = re.sub(r"(?:#[^\n]*\n)*[^\n]*initial-upload-closes-no-bugs[^\n]*\n\n?", "", text)
	assert new != text, "no initial-upload-closes-no-bugs override"
	open(p, "w").write(new)
	PY
	/usr/bin/python3 - "$d/debian/control" "$d/frr-debian/control" "$T_FRR_VERSION" <<-'PY'
	import re, sys
	ours, frrs, v = sys.argv[1:]
	def field(text, name):
	    return re.search(r"^%s:(.*(?:\n[ \t].*)*)" % name, text, re.M)
	def deps(value):
	    return [d.strip() for d in value.replace("\n", " ").split(",") if d.strip()]
	text = open(ours).read()
	m = field(text, "Build-Depends")
	frr_bd = deps(field(open(frrs).read().split("\n\n")[0], "Build-Depends").group(1))
	own = ["debhelper-compat (= 13)"] + ["%s (= %s)" % (p, v) for p in (
	    "frr", "frr-snmp", "frr-rpki-rtrlib")] + [
	    "autoconf", "automake", "libtool", "libcmocka-dev <!nocheck>", "perl", "pkgconf"]
	names = {d.split()[0] for d in own}
	new = own + [d for d in frr_bd if d.split()[0].split(":")[0] not in names]
	text = (text[:m.start()] + "Build-Depends: " + ",\n ".join(new) + ","
	        + text[m.end():])
	open(ours, "w").write(text)
	PY
}

# --- 2. orig tarballs -----------------------------------------------------------
rm -rf "$work" && mkdir -p "$work" "$out"
rm -f "$out/${src}"_* "$out/${src}"-dbgsym_* "$out/build.log"
epoch=$(dpkg-parsechangelog -S Timestamp)
tarflags=(--sort=name --owner=0 --group=0 --numeric-owner --mtime="@$epoch"
	--format=gnu)
# this project: the files of the work tree that git tracks or would track
# (not the ignored build products), NUL-separated
tree_files() {
	git ls-files -z --cached --others --exclude-standard -- "$@" |
		while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done
}
tree_files | grep -zv '^debian/' |
	tar -c "${tarflags[@]}" --null -T - --transform "s,^,$src-$upver/," |
	xz -6 >"$work/${src}_$upver.orig.tar.xz"
cp "$frr_orig" "$work/${src}_$upver.orig-frr.tar.xz"
cp "$frr_debian" "$work/${src}_$upver.orig-frr-debian.tar.xz"

# --- 3. source package, unpacked again, binary build ---------------------------
# dpkg-source -b looks for the orig tarballs next to the tree
stage="$work/$src-$upver"
mkdir -p "$stage/frr" "$stage/frr-debian"
tar -xf "$work/${src}_$upver.orig.tar.xz" -C "$stage" --strip-components=1
tar -xf "$work/${src}_$upver.orig-frr.tar.xz" -C "$stage/frr" --strip-components=1
tar -xf "$work/${src}_$upver.orig-frr-debian.tar.xz" -C "$stage/frr-debian" --strip-components=1
tree_files debian | tar -c --null -T - | tar -x -C "$stage"
[ -z "$T_ROOT" ] || target_debian "$stage"
(cd "$work" && dpkg-source -b "$src-$upver") >&2
rm -rf "$stage"
dscfile="${src}_$ver.dsc"
# a root target unpacks and builds with the root's dpkg and toolchain
in_target=()
[ -z "$T_ROOT" ] || in_target=(scripts/in-target.sh "$target")
"${in_target[@]}" sh -c 'cd "$1" && dpkg-source -x "$2" "$3"' x "$work" "$dscfile" "$src-$upver" >&2

netns=()
if [ "$(id -u)" = 0 ] && unshare -n true 2>/dev/null; then
	netns=(unshare -n)
	msg="build-deb: network: none (unshare -n)"
else
	msg="build-deb: network: present (unshare -n not possible here; debian/rules does not use it)"
fi
echo "$msg${T_ROOT:+; built in the $target root}" | tee "$out/build.log" >&2
rc=0
"${in_target[@]}" "${netns[@]}" sh -c 'cd "$1" && shift && exec dpkg-buildpackage -b -us -uc -Jauto "$@"' \
	x "$work/$src-$upver" "$@" >>"$out/build.log" 2>&1 || rc=$?

# Results: the source package and what dpkg-buildpackage listed in .changes
changes="${src}_${ver}_${arch}.changes"
files=("$dscfile" "${src}_$upver.orig.tar.xz" "${src}_$upver.orig-frr.tar.xz"
	"${src}_$upver.orig-frr-debian.tar.xz" "${src}_$ver.debian.tar.xz")
if [ -f "$work/$changes" ]; then
	while read -r f; do files+=("$f"); done < <(
		sed -n '/^Files:/,/^[^ ]/{/^ /p}' "$work/$changes" | awk '{print $NF}')
	files+=("$changes")
fi
for f in "${files[@]}" "${src}_${ver}_${arch}.buildinfo"; do
	[ -e "$work/$f" ] && mv -f "$work/$f" "$out/"
done
if [ $rc -ne 0 ]; then
	tail -n 40 "$out/build.log" >&2
	echo "build-deb: dpkg-buildpackage failed ($rc); log in $out/build.log, tree in $work/$src-$upver" >&2
	exit $rc
fi
rm -rf "$work"

deb="$out/${src}_${ver}_${arch}.deb"
[ -f "$deb" ] || { echo "build-deb: $deb was not produced" >&2; exit 1; }
echo "build-deb: results in $out:" >&2
ls -1 "$out" >&2
echo "$deb"
