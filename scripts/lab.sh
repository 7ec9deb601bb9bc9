#!/usr/bin/env bash
# The ExpressRoute/VPN failover lab in one command, on a fresh Debian 12:
# installs what is missing, fetches the FRR source, builds the module
# (scripts/build.sh, a no-op when already done), then runs the lab.
# usage (as root, from any directory):
#   scripts/lab.sh [--keep] [--json FILE]            the narrated demo
#   scripts/lab.sh TOPOLOGY [--keep] [--json FILE]   a topology file: a name
#       in lab/topologies/ (demo, two-circuits, active-active-vpn) or a path
set -euo pipefail
top=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
if [ "$(id -u)" -ne 0 ]; then
	echo "lab.sh: run as root (the lab creates network namespaces and starts FRR daemons)" >&2
	exit 1
fi
topology=
if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
	topology=$1
	shift
fi
echo "== building bgpd_erpolicy (scripts/build.sh)"
"$top/scripts/build.sh"
export ERPOLICY_MODULEDIR="${ERPOLICY_MODULEDIR:-$top/build/obj/.libs}"
if [ -n "$topology" ]; then
	echo "== running the lab topology $topology (lab/topology_lab.py)"
	exec /usr/bin/python3 "$top/lab/topology_lab.py" "$topology" "$@"
fi
echo "== running the lab (lab/er_failover_lab.py)"
exec /usr/bin/python3 "$top/lab/er_failover_lab.py" "$@"
