#!/usr/bin/env bash
# Run a command inside a target's Debian root (scripts/target-root.sh makes it).
#
# usage: scripts/in-target.sh [--bind DIR]... [--cwd DIR] TARGET CMD [ARG...]
#
# The command runs chrooted in a private mount namespace (unshare --mount,
# propagation "slave": mounts made on the host, such as new network
# namespaces, are seen inside; nothing mounted here is seen outside).  Inside
# that namespace the root gets /proc, /sys, /dev, /run/netns, /tmp, the
# project's top directory (at the same path as outside), /etc/resolv.conf and
# every --bind DIR (same path inside).  The kernel drops all these mounts when
# the last process of the namespace exits — a daemon started with -d keeps
# them until it exits — so nothing stays mounted on the host, whatever way the
# command ends.
#
# Run it inside "ip netns exec NS" to run the command in that network
# namespace.  The command's exit status is returned.  Target "host" runs the
# command directly.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/target-lib.sh"

orig=("$@")
binds=()
cwd=
incomplete=
while [ $# -gt 0 ]; do
	case "$1" in
	--bind)
		[ -d "$2" ] || { echo "in-target: --bind $2: no such directory" >&2; exit 2; }
		binds+=("$(readlink -f "$2")"); shift 2 ;;
	--cwd) cwd=$2; shift 2 ;;
	--allow-incomplete) incomplete=1; shift ;;   # used while the root is made
	--) shift; break ;;
	-*) echo "in-target: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
[ $# -ge 2 ] || { sed -n '2,18p' "$0" >&2; exit 2; }
target_load "$1"
shift

if [ -z "$T_ROOT" ]; then
	[ -z "$cwd" ] || cd "$cwd"
	exec "$@"
fi
if [ -z "$incomplete" ] && ! target_root_ready; then
	echo "in-target: the $T_NAME root is missing or incomplete; run scripts/target-root.sh $T_NAME" >&2
	exit 1
fi
[ -f "$T_ROOT/.erp-debootstrap-done" ] || { echo "in-target: no root at $T_ROOT" >&2; exit 1; }

if [ "${ERP_IN_TARGET_NS:-}" != "$T_ROOT" ]; then
	ERP_IN_TARGET_NS=$T_ROOT exec unshare --mount --propagation slave "$0" "${orig[@]}"
fi
unset ERP_IN_TARGET_NS

# --- inside the private mount namespace ---------------------------------
r=$T_ROOT
mount -t proc proc "$r/proc"
mount --rbind /sys "$r/sys"
mount --rbind /dev "$r/dev"
mkdir -p /run/netns "$r/run/netns"
mount --rbind /run/netns "$r/run/netns"
mount --rbind /tmp "$r/tmp"
[ -f "$r/etc/resolv.conf" ] || : >"$r/etc/resolv.conf"
mount --bind /etc/resolv.conf "$r/etc/resolv.conf"
# the project (non-recursive: it contains the root itself), then --bind dirs
mkdir -p "$r$erp_top"
mount --bind "$erp_top" "$r$erp_top"
for d in "${binds[@]}"; do
	mkdir -p "$r$d"
	mount --rbind "$d" "$r$d"
done
if [ -n "$cwd" ]; then
	[ -d "$r$cwd" ] || { echo "in-target: $cwd does not exist in the root" >&2; exit 1; }
elif [ -d "$r$PWD" ]; then
	cwd=$PWD
else
	cwd=/
fi

unset PYTHONPATH PYTHONHOME VIRTUAL_ENV
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8 LC_ALL=C.UTF-8
exec chroot "$r" /bin/sh -c 'cd "$1" && shift && exec "$@"' in-target "$cwd" "$@"
