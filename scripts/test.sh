#!/usr/bin/env bash
# Run every test from a fresh clone: installs what is missing, builds the
# module, then runs the unit tests, the ABI check (with its negative
# controls), the YANG validation, the layering check (with its negative
# controls) and the namespace topotests.
# usage: scripts/test.sh [pytest args...]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

scripts/build.sh
frr_tree=$(scripts/frr-source.sh | tail -n 1)

echo "== unit tests"
make -s -C build/obj check || { cat build/obj/tests/*.log; exit 1; }
cat build/obj/tests/*.log

echo "== ABI: configured tree vs /usr/lib/frr/bgpd"
tests/abi/check-abi.sh "$frr_tree"
echo "== ABI: negative controls (the check must detect a mismatch)"
tests/abi/check-abi.sh "$frr_tree" --negative-control >/dev/null
tests/abi/check-abi.sh "$frr_tree" --negative-control=peer >/dev/null
echo "abi: negative controls detected"

echo "== YANG model"
tests/yang/check-yang.sh

echo "== layers: bgpd_erpolicy/ includes each other without a cycle"
tests/layers/check-layers.py
tests/layers/check-layers.py --negative-control

echo "== bench/results: only the runs doc/benchmarks.md cites"
uncited=0
for f in $(cd bench/results && find . -type f | sed 's|^\./||'); do
	grep -qF "$(basename "$f")" doc/benchmarks.md || { echo "not cited: bench/results/$f"; uncited=1; }
done
[ $uncited = 0 ]

echo "== topotests"
export ERPOLICY_MODULEDIR="$top/build/obj/.libs"
rc=0
/usr/bin/python3 -m pytest -p no:cacheprovider -v topotests "$@" || rc=$?
exit $rc
