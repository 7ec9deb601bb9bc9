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
want="--with-frr=$frr_tree $*"
if [ ! -f Makefile ] || [ "$(cat .configure-args 2>/dev/null)" != "$want" ]; then
	# shellcheck disable=SC2086
	../../configure -q $want
	echo "$want" >.configure-args
fi
make -s -j"$(nproc)"
echo "build: $top/build/obj/.libs/bgpd_erpolicy.so"
