#!/usr/bin/env bash
# Make (or reuse) the Debian root of a build target, e.g. Debian 13 "trixie"
# with frr 10.3-3+deb13u1 for target frr-10.3, under build/targets/TARGET/root.
#
# usage: scripts/target-root.sh TARGET      (prints the root's path last)
#
# - Reused when complete: its stamp (.erp-root-complete, written last) is
#   there, the frr installed inside is the target's exact version and the
#   package list is the one below.  A changed package list only installs the
#   difference; a root without a finished debootstrap or with another frr is
#   removed and made again.
# - Nothing on the host changes except that debootstrap is installed with
#   apt-get when missing: the root has its own /etc/apt, /etc/frr and dpkg
#   database, an "exit 101" policy-rc.d keeps any service from starting, and
#   every mount lives in a private mount namespace (scripts/in-target.sh), so
#   it is gone when the command ends, also on failure.
# - The root's frr packages (frr, frr-pythontools, frr-snmp, frr-rpki-rtrlib) are
#   held at the target's version.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/target-lib.sh"

[ $# -eq 1 ] || { echo "usage: $0 TARGET   (targets: $(target_list))" >&2; exit 2; }
target_load "$1"
if [ -z "$T_ROOT" ]; then
	echo "target-root: target $T_NAME runs on this machine; it has no root" >&2
	exit 0
fi

# Packages of the root, beyond frr itself and FRR's build dependencies
# (apt-get build-dep frr=VERSION): the module's build, its tests and its lab.
pkgs=(
	iproute2 iputils-ping procps psmisc
	build-essential autoconf automake libtool pkgconf dpkg-dev debhelper quilt
	libyang3-tools libcmocka-dev python3-pytest python3-docutils
	valgrind gdb bird2 lintian
)
# The root's frr user and groups get the host's ids (when the host has them),
# so that a directory prepared for the host's daemons (chown frr) serves the
# root's daemons too.
ids=
if getent passwd frr >/dev/null && getent group frrvty >/dev/null; then
	ids="$(id -u frr):$(id -g frr):$(getent group frrvty | cut -d: -f3)"
fi
# frr's own packages, all at the target's exact version: frr-snmp and
# frr-rpki-rtrlib carry modules whose commands Debian's vtysh knows (their
# xref data is part of the erpolicy-aware vtysh, vtysh/build-vtysh-xref.sh).
frr_pkgs=(frr frr-pythontools frr-snmp frr-rpki-rtrlib)
want_stamp="frr=$T_FRR_VERSION frr-pkgs=${frr_pkgs[*]} ids=$ids pkgs=${pkgs[*]}"
stamp=$T_ROOT/.erp-root-complete

# Remove a (partial) root; never with anything mounted below it.
remove_tree() {
	local m
	[ -e "$1" ] || return 0
	m=$(mounts_below "$1")
	if [ -n "$m" ]; then
		echo "target-root: refusing to remove $1: mounted below it:" >&2
		echo "$m" >&2
		exit 1
	fi
	rm -rf --one-file-system "$1"
}

mkdir -p "$T_DIR"
exec 9>"$T_DIR/.root.lock"
flock 9

if target_root_ready && [ "$(cat "$stamp")" = "$want_stamp" ]; then
	echo "target-root: $T_NAME root is complete (frr $T_FRR_VERSION)" >&2
	echo "$T_ROOT"
	exit 0
fi
t_all=$(date +%s.%N)

# --- debootstrap, unless a finished one with no other frr is there ---------
fresh=
if [ -d "$T_ROOT" ]; then
	have=$(dpkg-query --admindir="$T_ROOT/var/lib/dpkg" -W -f='${Version}' frr 2>/dev/null || true)
	have_ids=
	if [ -n "$have" ]; then
		have_ids="$(awk -F: '$1 == "frr" { print $3 ":" $4 }' "$T_ROOT/etc/passwd"):$(awk -F: '$1 == "frrvty" { print $3 }' "$T_ROOT/etc/group")"
	fi
	if [ ! -f "$T_ROOT/.erp-debootstrap-done" ] ||
		{ [ -n "$have" ] && [ "$have" != "$T_FRR_VERSION" ]; } ||
		{ [ -n "$have" ] && [ -n "$ids" ] && [ "$have_ids" != "$ids" ]; }; then
		echo "target-root: removing the incomplete or mismatched root $T_ROOT (frr '$have', ids '$have_ids', want '$T_FRR_VERSION', '$ids')" >&2
		remove_tree "$T_ROOT"
	fi
fi
if [ ! -d "$T_ROOT" ]; then
	fresh=1
	if ! command -v debootstrap >/dev/null; then
		echo "target-root: installing debootstrap on the host" >&2
		export DEBIAN_FRONTEND=noninteractive
		apt-get install -y -q --no-install-recommends debootstrap >&2 ||
			{ apt-get update -q >&2 &&
			  apt-get install -y -q --no-install-recommends debootstrap >&2; }
	fi
	t=$(date +%s.%N)
	remove_tree "$T_ROOT.tmp"   # left by an interrupted debootstrap
	# debootstrap mounts /proc and /sys in the root; its own namespace
	# drops them even if it is killed
	unshare --mount --propagation private \
		debootstrap --variant=minbase "$T_SUITE" "$T_ROOT.tmp" "$T_MIRROR" >&2 ||
		{ echo "target-root: debootstrap failed (log: $T_ROOT.tmp/debootstrap/debootstrap.log)" >&2; exit 1; }
	step_time "debootstrap $T_SUITE" "$t"

	r=$T_ROOT.tmp
	printf '#!/bin/sh\n# no service starts in this root (bgpd_erpolicy target-root.sh)\nexit 101\n' \
		>"$r/usr/sbin/policy-rc.d"
	chmod 755 "$r/usr/sbin/policy-rc.d"
	target_sources >"$r/etc/apt/sources.list"
	rm -f "$r/etc/apt/sources.list.d/"*
	cat >"$r/etc/apt/apt.conf.d/90erpolicy" <<-'EOF'
	APT::Install-Recommends "false";
	APT::Install-Suggests "false";
	Acquire::Languages "none";
	EOF
	# no documentation, manual pages or translations: faster, smaller
	cat >"$r/etc/dpkg/dpkg.cfg.d/90erpolicy-nodoc" <<-'EOF'
	path-exclude=/usr/share/doc/*
	path-include=/usr/share/doc/*/copyright
	path-exclude=/usr/share/man/*
	path-exclude=/usr/share/info/*
	path-exclude=/usr/share/locale/*
	EOF
	echo "erp-$T_NAME" >"$r/etc/debian_chroot"
	if [ -n "$ids" ]; then
		IFS=: read -r uid gid vtygid <<<"$ids"
		if awk -F: -v u="$uid" '$3 == u { f = 1 } END { exit !f }' "$r/etc/passwd" ||
			awk -F: -v a="$gid" -v b="$vtygid" '$3 == a || $3 == b { f = 1 } END { exit !f }' "$r/etc/group"; then
			echo "target-root: the host's frr ids $ids are taken in the root; frr gets its own" >&2
		else
			chroot "$r" groupadd --system -g "$gid" frr
			chroot "$r" groupadd --system -g "$vtygid" frrvty
			chroot "$r" useradd --system -u "$uid" -g frr -G frrvty \
				-d /nonexistent -s /usr/sbin/nologin -c "Frr routing suite" frr
		fi
	fi
	touch "$r/.erp-debootstrap-done"
	mv "$r" "$T_ROOT"
fi

# --- packages ---------------------------------------------------------------
t=$(date +%s.%N)
rm -f "$stamp"
"$here/in-target.sh" --allow-incomplete "$T_NAME" /bin/sh -ec '
	export DEBIAN_FRONTEND=noninteractive
	v=$1 frrpkgs=$2; shift 2
	apt-get update -q
	apt-mark unhold $frrpkgs >/dev/null 2>&1 || true
	apt-get install -y -q $(for p in $frrpkgs; do echo "$p=$v"; done) "$@"
	apt-get build-dep -y -q "frr=$v"
	apt-mark hold $frrpkgs >/dev/null
	apt-get clean
' target-root "$T_FRR_VERSION" "${frr_pkgs[*]}" "${pkgs[@]}" >&2 || {
	echo "target-root: installing packages in the $T_NAME root failed" >&2
	echo "  (frr $T_FRR_VERSION must still be on the mirror: the target asks for that exact version)" >&2
	exit 1
}
step_time "packages in the root${fresh:+ (first install)}" "$t"

have=$(dpkg-query --admindir="$T_ROOT/var/lib/dpkg" -W -f='${Version}' frr)
if [ "$have" != "$T_FRR_VERSION" ]; then
	echo "target-root: the root has frr $have, not $T_FRR_VERSION" >&2
	exit 1
fi
echo "$want_stamp" >"$stamp"
step_time "target-root $T_NAME total" "$t_all"
echo "target-root: $(du -sh --one-file-system "$T_ROOT" | cut -f1) in $T_ROOT" >&2
echo "$T_ROOT"
