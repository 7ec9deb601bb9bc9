#!/usr/bin/python3
"""What does the advertisement limit cost bgpd?  (run by hand, as root)

Issue 12 item 4 moved the limit into its own route-map entry with a set of
admitted prefixes per update group.  It runs only on routes that pass the
module's verdict and the operator's map, i.e. on-prem prefixes advertised
to Azure (policy_cost.py advertises nothing, so it never reaches it).  This
lab does:

    msee1, msee2 (AS 12076) --.
                               edge (bgpd -n -M erpolicy, N on-prem /32s
    vpngw, vpngw2 (AS 65515) -'       as `network` statements)

with `erpolicy advertise limit expressroute L` / `vpn L`: each pair shares
an update group, L of the N prefixes go to each neighbor, N - L are held
back.  Measured per repeat (a fresh lab each), edge bgpd CPU seconds
(/proc/PID/stat) and wall time:

* initial: from all four sessions Established until every Azure router has
  L prefixes and the edge has been idle for 1 s;
* soft out: `clear bgp ipv4 unicast * soft out` until idle again (each
  neighbor's table walked again: N route-map runs per neighbor).

Compare two builds with ERPOLICY_MODULEDIR (the module before and after).
Nothing else in the lab changes; the machine is shared, so repeat.

--guard filter|warn|off sets `erpolicy advertise symmetric-guard` (default:
the module's, filter).  Towards a VPN neighbor the guard asks, per on-prem
prefix, whether an ExpressRoute neighbor would get it (er_would_get: that
neighbor's outbound map run on a scratch copy of the route) only when a
covering on-prem prefix goes to ExpressRoute: --cover adds `network
172.16.0.0/16` over the /32s (N up to 65,536), so that for every /32 and
ExpressRoute neighbor the map runs twice (the /16, then the /32).  With
--limit above N (nothing held back), the soft out of `--guard filter`
against `--guard off` prices the prediction (doc/benchmarks.md
section 14).

usage: bench/limit_cost.py [--n 6000] [--limit 4000] [--repeats 3]
                           [--guard filter|warn|off] [--cover]
                           [--label NAME] [--json FILE]
"""

import argparse
import ipaddress
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "topotests"))
sys.path.insert(0, HERE)

from lib import azure  # noqa: E402
from lib import lab as labmod  # noqa: E402
import lib_bench as lb  # noqa: E402

NAMES = ["msee1", "msee2", "vpngw", "vpngw2"]
BASE = int(ipaddress.IPv4Address("172.16.0.0"))


def received_count(router, peer):
    summ = router.show_json("show bgp ipv4 unicast summary")
    return summ.get("peers", {}).get(peer, {}).get("pfxRcd", -1)


def wait_idle(pid, quiet=1.0, threshold=0.02, timeout=300):
    """Wait until pid used < threshold CPU s over `quiet` s."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        a = lb.proc_cpu(pid)
        time.sleep(quiet)
        if lb.proc_cpu(pid) - a < threshold:
            return
    raise RuntimeError("edge bgpd never idle")


def one(n, limit, idx, guard=None, cover=False):
    nets = "".join("  network %s/32\n" % ipaddress.IPv4Address(BASE + i)
                   for i in range(n))
    if cover:
        nets += "  network 172.16.0.0/16\n"
    edge_cfg = azure.edge_conf(
        NAMES, ipv4_extra=nets,
        erpolicy=azure.erpolicy_lines(NAMES) +
        " erpolicy advertise limit expressroute %d\n"
        " erpolicy advertise limit vpn %d\n" % (limit, limit) +
        (" erpolicy advertise symmetric-guard %s\n" % guard if guard
         else ""),
        extra=" no bgp network import-check\n")
    want = min(n + cover, limit)
    res = {}
    try:
        measure(res, edge_cfg, want)
    except labmod.LabError as e:
        if "cpu_soft_out" not in res:
            raise
        # the measurement is done; a daemon slow to stop under load is
        # only noted
        res["teardown"] = str(e)
    return res


def measure(res, edge_cfg, want):
    with labmod.Lab("limitcost") as lab:
        r = azure.build(lab, names=NAMES, edge_bgpd=edge_cfg)
        r["edge"].bgpd_args = list(r["edge"].bgpd_args) + ["-n"]
        lab.start()
        edge = r["edge"]
        pid = edge.pid("bgpd")
        lab.wait_until(azure.established(edge, [azure.PEERS[x][1]
                                                for x in NAMES]),
                       timeout=300, interval=0.25)
        c0, t0 = lb.proc_cpu(pid), time.monotonic()

        def all_have():
            return all(received_count(r[x], azure.PEERS[x][0]) == want
                       for x in NAMES)
        lab.wait_until(all_have, timeout=300, interval=0.25)
        wall_initial = time.monotonic() - t0
        wait_idle(pid)
        cpu_initial = lb.proc_cpu(pid) - c0

        c1, t1 = lb.proc_cpu(pid), time.monotonic()
        edge.vty("clear bgp ipv4 unicast * soft out")
        wait_idle(pid)
        cpu_soft = lb.proc_cpu(pid) - c1
        wall_soft = time.monotonic() - t1 - 1.0  # minus the quiet second
        counts = {x: received_count(r[x], azure.PEERS[x][0]) for x in NAMES}
        res.update({"cpu_initial": round(cpu_initial, 3),
                    "wall_initial": round(wall_initial, 2),
                    "cpu_soft_out": round(cpu_soft, 3),
                    "wall_soft_out": round(wall_soft, 2),
                    "received_after_soft_out": counts,
                    "loadavg": lb.loadavg()})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=6000)
    ap.add_argument("--limit", type=int, default=4000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--guard", choices=("filter", "warn", "off"))
    ap.add_argument("--cover", action="store_true")
    ap.add_argument("--label", default="")
    ap.add_argument("--json")
    args = ap.parse_args()
    if args.cover and args.n > 65536:
        ap.error("--cover: --n at most 65536 (the /32s inside 172.16/16)")
    runs = [one(args.n, args.limit, i, args.guard, args.cover)
            for i in range(args.repeats)]
    for k in ("cpu_initial", "wall_initial", "cpu_soft_out",
              "wall_soft_out"):
        vals = sorted(x[k] for x in runs)
        print("%s %-14s median %.3f (%.3f-%.3f)" % (
            args.label, k, vals[len(vals) // 2], vals[0], vals[-1]))
    for x in runs:
        print(args.label, "received after soft out:",
              x["received_after_soft_out"], "load", x["loadavg"])
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"n": args.n, "limit": args.limit, "label": args.label,
                       "guard": args.guard, "cover": args.cover,
                       "module": lb.module_info(), "runs": runs}, f,
                      indent=1)


if __name__ == "__main__":
    main()
