#!/usr/bin/env bash
# Everything needed to get build/obj/.libs/bgpd_erpolicy.so from a fresh
# clone: Debian packages, the matching FRR source, autotools, make.
# usage: scripts/build.sh [extra ./configure args]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

scripts/deps.sh
frr_tree=$(scripts/frr-source.sh | tail -n 1)
[ -x configure ] || ./bootstrap.sh >/dev/null 2>&1 || ./bootstrap.sh
mkdir -p build/obj
cd build/obj
# the Debian revision of frr is part of what the build is configured for:
# a security update with the same upstream version reconfigures too
want="--with-frr=$frr_tree $* # frr $(dpkg-query -W -f='${Version}' frr)"
if [ ! -f Makefile ] || [ "$(cat .configure-args 2>/dev/null)" != "$want" ]; then
	# shellcheck disable=SC2086
	../../configure -q --with-frr="$frr_tree" "$@"
	echo "$want" >.configure-args
fi
make -s -j"$(nproc)"
echo "build: $top/build/obj/.libs/bgpd_erpolicy.so"
