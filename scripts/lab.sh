#!/usr/bin/env bash
# The ExpressRoute/VPN failover lab in one command, on a fresh Debian 12:
# installs what is missing, fetches the FRR source, builds the module
# (scripts/build.sh, a no-op when already done), then runs the lab.
# usage (as root, from any directory):
#   scripts/lab.sh [--keep] [--json FILE]
set -euo pipefail
top=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
if [ "$(id -u)" -ne 0 ]; then
	echo "lab.sh: run as root (the lab creates network namespaces and starts FRR daemons)" >&2
	exit 1
fi
echo "== building bgpd_erpolicy (scripts/build.sh)"
"$top/scripts/build.sh"
export ERPOLICY_MODULEDIR="${ERPOLICY_MODULEDIR:-$top/build/obj/.libs}"
echo "== running the lab (lab/er_failover_lab.py)"
exec /usr/bin/python3 "$top/lab/er_failover_lab.py" "$@"
