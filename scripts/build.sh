#!/usr/bin/env bash
# Everything needed to get the module from a fresh clone: Debian packages,
# the matching FRR source, autotools, make.
# usage: scripts/build.sh [--target TARGET] [extra ./configure args]
#   TARGET  host (default, or $ERPOLICY_TARGET): Debian 12's installed frr
#           8.4.4; builds build/obj/.libs/bgpd_erpolicy.so
#           frr-10.3: Debian 13's frr 10.3, configured and built inside the
#           target's root (scripts/target-root.sh); builds
#           build/targets/frr-10.3/obj/.libs/bgpd_erpolicy.so
# The object directory is printed on the last line ("build: DIR/.libs/...").
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
. scripts/target-lib.sh

target=${ERPOLICY_TARGET:-host}
case "${1:-}" in
--target) target=${2:?--target needs a name}; shift 2 ;;
--target=*) target=${1#--target=}; shift ;;
esac
target_load "$target"

t0=$(date +%s.%N)
scripts/deps.sh
if [ -n "$T_ROOT" ]; then
	scripts/target-root.sh "$T_NAME" >/dev/null
	frr_tree=$(scripts/frr-source.sh --target "$T_NAME" | tail -n 1)
	obj=$T_DIR/obj
	# configure and make run in the root: its compiler, libyang, dpkg
	run() { scripts/in-target.sh --cwd "$obj" "$T_NAME" "$@"; }
else
	frr_tree=$(scripts/frr-source.sh | tail -n 1)
	obj=$top/build/obj
	run() { (cd "$obj" && "$@"); }
fi
# configure and Makefile.in are generated on this machine for every target
# (a root's automake is another version: its make must find them current)
stale=
for f in configure.ac Makefile.am vtysh/vtysh.am; do
	[ configure -nt "$f" ] && [ Makefile.in -nt "$f" ] || stale=1
done
if [ ! -x configure ] || [ -n "$stale" ]; then
	./bootstrap.sh >/dev/null 2>&1 || ./bootstrap.sh
fi
mkdir -p "$obj"
# the Debian revision of frr is part of what the build is configured for:
# a security update with the same upstream version reconfigures too
want="--with-frr=$frr_tree $* # frr $(run dpkg-query -W -f='${Version}' frr)"
if [ ! -f "$obj/Makefile" ] || [ "$(cat "$obj/.configure-args" 2>/dev/null)" != "$want" ]; then
	# shellcheck disable=SC2086
	run "$top/configure" -q --with-frr="$frr_tree" "$@"
	echo "$want" >"$obj/.configure-args"
fi
run make -s -j"$(nproc)"
step_time "build ($T_NAME)" "$t0"
echo "build: $obj/.libs/bgpd_erpolicy.so"
