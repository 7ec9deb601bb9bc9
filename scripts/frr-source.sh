#!/usr/bin/env bash
# Fetch Debian's source of a target's frr through a private apt configuration
# (never touching /etc/apt), apply Debian's patches, and configure it with the
# flags of that version's debian/rules, so that headers and struct layouts
# match the target's /usr/lib/frr/bgpd exactly; then make the generated
# headers and tools a module needs (config.h, lib/route_types.h,
# lib/version.h, lib/clippy).  Idempotent: a tree configured for the target's
# version is reused.  Each step prints its time ("time: ...") on stderr.
#
# usage: scripts/frr-source.sh [--target TARGET] [BUILD_DIR]
#   TARGET  host (default): the frr installed on this Debian 12 machine;
#                           BUILD_DIR defaults to ./build/frr
#           frr-10.3:       Debian 13's frr 10.3-3+deb13u1; the tree is
#                           configured inside the target's root (made by
#                           scripts/target-root.sh) so that configure sees
#                           libyang3 and trixie's toolchain; BUILD_DIR
#                           defaults to build/targets/frr-10.3/src
# prints the path of the configured tree on its last line.
#
# The configure flags:
#  - root targets run Debian's own steps, dh_autoreconf and
#    "debian/rules override_dh_auto_configure", so the flags are those of
#    debian/rules by construction;
#  - host runs the list below (Debian 12's flags minus the documentation
#    switches, which would need sphinx and change no header).
# Either way the result (FRR_CONFIG_ARGS in lib/version.h) is compared with
# the "configured with" line of the target's bgpd -v; any difference other
# than the documented ones is an error.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/target-lib.sh"

target=host
case "${1:-}" in
--target) target=${2:?--target needs a name}; shift 2 ;;
--target=*) target=${1#--target=}; shift ;;
esac
target_load "$target"

out=${1:-$T_SRC_DIR}
mkdir -p "$out"
out=$(cd "$out" && pwd)

ver=$T_FRR_VERSION
if [ -z "$ver" ]; then
	echo "frr-source: the frr package is not installed" >&2
	exit 1
fi
upver=${ver%-*}          # 8.4.4, 10.3
# Debian's own configure steps (debian/rules) for roots and for a host that
# is not Debian 12; the hand-written flag list is Debian 12's
debian_steps=
[ -z "$T_ROOT" ] && [ "$T_SUITE" = bookworm ] || debian_steps=1
src="$out/frr-$upver"
stamp="$out/.configured-$ver"

# run CMD in the target's world (the root, or this machine for host)
in_target() {
	if [ -n "$T_ROOT" ]; then
		"$here/in-target.sh" --bind "$out" "$T_NAME" "$@"
	else
		"$@"
	fi
}

# bgpd -v's "configured with" line against the tree's FRR_CONFIG_ARGS
check_flags() {
	local bgpd tree allowed=()
	bgpd=$(in_target /usr/lib/frr/bgpd -v | sed -n '/^configured with:/{n;s/^[[:space:]]*//;p}')
	tree=$(sed -n 's/^#define FRR_CONFIG_ARGS "\(.*\)"$/\1/p' "$src/lib/version.h")
	if [ -z "$debian_steps" ]; then
		# host: documentation switches left out, python by absolute path
		allowed=("'--enable-doc'" "'--enable-doc-html'" "'PYTHON=python3'" "'PYTHON=/usr/bin/python3'")
	fi
	local a b x
	a=$(tr ' ' '\n' <<<"$bgpd")
	b=$(tr ' ' '\n' <<<"$tree")
	for x in "${allowed[@]}"; do
		a=$(grep -vxF -- "$x" <<<"$a" || true)
		b=$(grep -vxF -- "$x" <<<"$b" || true)
	done
	if [ -z "$bgpd" ] || [ "$a" != "$b" ]; then
		echo "frr-source: the tree's configure flags differ from bgpd -v of the $T_NAME target:" >&2
		diff <(echo "$a") <(echo "$b") | sed 's/^/  /' >&2 || true
		return 1
	fi
	echo "frr-source: configure flags match bgpd -v of the $T_NAME target${allowed:+ (except the documented ${allowed[*]})}" >&2
}

# Generated headers a module may include: route_types.h, version.h, clippy,
# and for root targets every header in FRR's BUILT_SOURCES (10.x: mgmt.pb-c.h
# from protoc-c, vtysh_daemons.h, gitversion.h).
generated=$src/.erp-generated
make_generated() {
	local t want
	t=$(date +%s.%N)
	want="lib/route_types.h lib/version.h lib/clippy"
	if [ -n "$debian_steps" ]; then
		want="$want $(in_target make -C "$src" -s -f Makefile -f - erp-print-built <<-'EOF' | tr ' ' '\n' | grep '\.h$' | tr '\n' ' '
		erp-print-built: ; @echo $(BUILT_SOURCES)
		EOF
		)"
	fi
	# shellcheck disable=SC2086
	in_target make -C "$src" -s -j"$(nproc)" $want >&2
	echo "$want" >"$generated"
	step_time "generated headers and clippy ($want)" "$t"
}

if [ -f "$stamp" ] && [ -f "$src/config.h" ] && [ -x "$src/lib/clippy" ]; then
	if [ -n "$debian_steps" ] && [ ! -f "$generated" ]; then
		make_generated
	fi
	check_flags
	echo "$src"
	exit 0
fi
[ -z "$T_ROOT" ] || "$here/target-root.sh" "$T_NAME" >/dev/null
t_all=$(date +%s.%N)

# --- private apt configuration ------------------------------------------------
t=$(date +%s.%N)
apt="$out/apt"
mkdir -p "$apt/lists/partial" "$apt/sources.list.d" "$apt/archives/partial"
target_sources | grep '^deb-src ' >"$apt/sources.list"
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
step_time "fetch frr $ver source" "$t"

t=$(date +%s.%N)
rm -rf "$src"
dpkg-source --no-check -x "frr_$ver.dsc" "$src" >&2   # applies debian/patches
step_time "extract and patch" "$t"
cd "$src"

# --- configure exactly like debian/rules -------------------------------------
t=$(date +%s.%N)
if [ -n "$debian_steps" ]; then
	: >"$out/configure.log"
	in_target /bin/sh -ec 'cd "$1" && dh_autoreconf' frr-source "$src" \
		>>"$out/configure.log" 2>&1 ||
		{ tail -n 30 "$out/configure.log" >&2; echo "frr-source: dh_autoreconf failed (log: $out/configure.log)" >&2; exit 1; }
	step_time "dh_autoreconf ($T_NAME)" "$t"
	t=$(date +%s.%N)
	in_target /bin/sh -ec 'cd "$1" && debian/rules override_dh_auto_configure' frr-source "$src" \
		>>"$out/configure.log" 2>&1 ||
		{ tail -n 30 "$out/configure.log" >&2; echo "frr-source: configure failed (log: $out/configure.log)" >&2; exit 1; }
else
	# the flags of Debian 12's debian/rules (shared with the package build)
	"$here/frr-configure.sh" "$src"
fi
step_time "configure ($T_NAME)" "$t"

make_generated

check_flags
touch "$stamp"
step_time "frr-source $T_NAME total" "$t_all"
echo "$src"
