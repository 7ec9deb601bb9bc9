# Build targets: which FRR a build is for, where its Debian root and its
# configured FRR source live.  Sourced by scripts/target-root.sh,
# scripts/in-target.sh and scripts/frr-source.sh.
#
#   host      Debian 12's frr installed on this machine (the original target;
#             source tree in build/frr, no root)
#   frr-10.3  Debian 13 "trixie": frr 10.3-3+deb13u1 with libyang3, run from a
#             debootstrapped root in build/targets/frr-10.3/root
#
# target_load NAME sets:
#   T_NAME T_SUITE T_FRR_VERSION (exact Debian version, "" for host = installed)
#   T_DIR (build/targets/NAME) T_ROOT (the Debian root, "" for host)
#   T_SRC_DIR (where frr-source.sh puts the apt config and the tree)
#   T_DEB_RELEASE (Debian release number: 12, 13; the package's version
#   suffix +debN for root targets, scripts/build-deb.sh)
#   T_MIRROR T_SECMIRROR

erp_top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

target_load() {
	T_NAME=$1
	T_MIRROR=${ERP_DEBIAN_MIRROR:-http://deb.debian.org/debian}
	T_SECMIRROR=${ERP_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
	case "$T_NAME" in
	host)
		# this machine's Debian (bookworm is the original target; on a
		# Debian 13 machine host is its native frr 10.3)
		T_SUITE=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")
		T_SUITE=${T_SUITE:-bookworm}
		T_DEB_RELEASE=$(. /etc/os-release 2>/dev/null && echo "${VERSION_ID:-}")
		T_DEB_RELEASE=${T_DEB_RELEASE:-12}
		T_FRR_VERSION=$(dpkg-query -W -f='${Version}' frr 2>/dev/null || true)
		T_DIR=$erp_top/build
		T_ROOT=
		T_SRC_DIR=$erp_top/build/frr
		;;
	frr-10.3)
		T_SUITE=trixie
		T_DEB_RELEASE=13
		T_FRR_VERSION=10.3-3+deb13u1
		T_DIR=$erp_top/build/targets/$T_NAME
		T_ROOT=$T_DIR/root
		T_SRC_DIR=$T_DIR/src
		;;
	*)
		echo "unknown target '$T_NAME' (known: $(target_list))" >&2
		return 1
		;;
	esac
}

target_list() {
	echo "host frr-10.3"
}

# Is TARGET (a root target) the frr this machine runs itself?  (On Debian 13
# with frr 10.3-3+deb13u1 installed, frr-10.3 is the host target.)
target_is_host() {
	local inst
	[ "$1" = host ] && return 0
	inst=$(dpkg-query -W -f='${Version}' frr 2>/dev/null) || return 1
	(target_load "$1" && [ "$T_FRR_VERSION" = "$inst" ])
}

# The apt sources of a suite: binary and source, with its updates and security
# suites.
target_sources() {
	local kind
	for kind in deb deb-src; do
		echo "$kind $T_MIRROR $T_SUITE main"
		echo "$kind $T_MIRROR $T_SUITE-updates main"
		echo "$kind $T_SECMIRROR $T_SUITE-security main"
	done
}

# Is the root complete?  Its stamp is written last by target-root.sh; the frr
# actually installed inside must be the target's version.
target_root_ready() {
	[ -n "$T_ROOT" ] && [ -f "$T_ROOT/.erp-root-complete" ] || return 1
	local have
	have=$(dpkg-query --admindir="$T_ROOT/var/lib/dpkg" -W -f='${Version}' frr 2>/dev/null) || return 1
	[ "$have" = "$T_FRR_VERSION" ]
}

# Mounts below DIR in this mount namespace (there should be none outside
# in-target.sh's private namespaces).
mounts_below() {
	local dir
	dir=$(readlink -f "$1")
	awk -v d="$dir" '$5 == d || index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo
}

# Print "NAME: Ns" for the time since $1 (seconds since epoch, with fraction).
step_time() {
	local name=$1 t0=$2
	awk -v n="$name" -v a="$t0" -v b="$(date +%s.%N)" \
		'BEGIN { printf "time: %s: %.1f s\n", n, b - a }' >&2
}
