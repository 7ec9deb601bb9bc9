#!/usr/bin/python3
"""What does the module's overlap summary cost?  (run by hand, as root)

The module logs a summary of on-prem/Azure overlaps and ExpressRoute/VPN
differences once routes from Azure have been quiet for 3 s; to get it, it
walks the BGP table (the default route and what lies inside the declared
Azure prefixes: here, all of it).  This times those walks in the policy_cost.py
lab (module configuration, bgpd -n, 1,000 + 1,000 declarations): N routes
from ER, a pause for the walk, the same N from VPN, a pause for the walk.
The times are the module's own ("debug bgp erpolicy": "overlap walk took
N ms", wall time of a walk in bgpd's main thread, which does nothing else
meanwhile).

usage: bench/overlap_walk.py [--n 100000] [--repeats 3]
"""

import argparse
import os
import re
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lib_bench as lb  # noqa: E402
import policy_cost as pc  # noqa: E402

WALK_RE = re.compile(r"overlap walk took (\d+) ms")


def walks(b):
    return [int(m) for m in WALK_RE.findall(b.edge.log_text("bgpd"))]


def next_walk(b, seen):
    """The time of the first walk logged after the first `seen` walks."""
    w = b.lab.wait_until(lambda: walks(b)[seen:], timeout=60, interval=0.5,
                         message="an overlap walk logged")
    return w[0]


def one_run(n, decl):
    with lb.BenchLab("walk", "module", n, kernel=False,
                     n_decl=(decl, decl)) as b:
        b.lab.start()
        pid = b.edge.pid("bgpd")
        for bird in b.birds.values():
            bird.start()
        lb.wait_settled(lambda: all(
            p in b.summary().get("peers", {}) for p in (lb.ER_NH, lb.VPN_NH)),
            {"bgpd": pid}, timeout=900)
        time.sleep(lb.RMAP_TIMER_WAIT)
        b.edge.vty("debug bgp erpolicy")
        seen = len(walks(b))
        pc.phase(b, "msee", pc.er_target(b, n, "module", False), ["bgpd"],
                 600)
        after_er = next_walk(b, seen)
        seen = len(walks(b))
        pc.phase(b, "vpngw", pc.vpn_target(b, n, "module", False),
                 ["bgpd"], 600)
        after_vpn = next_walk(b, seen)
        # bgpd stops in its stop timeout only with the routes gone (with
        # 2 x 1,000,000 paths it needed SIGKILL)
        pc.teardown_routes(b, ["bgpd"])
        return after_er, after_vpn


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=100000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--decl", type=int, default=1000)
    args = ap.parse_args()
    lb.require_root_and_tools()
    er, vpn = [], []
    for i in range(args.repeats):
        a, c = one_run(args.n, args.decl)
        print("# repeat %d: walk after ER %d ms, after VPN %d ms" % (i, a, c),
              flush=True)
        er.append(a)
        vpn.append(c)
    print("module %s" % lb.module_info())
    print("| N | table after ER: walk ms | after ER+VPN: walk ms | "
          "ns per prefix (ER / ER+VPN) |")
    print("|---|---|---|---|")
    me, mv = statistics.median(er), statistics.median(vpn)
    print("| %s | %.0f (%d-%d) | %.0f (%d-%d) | %.0f / %.0f |" % (
        format(args.n, ","), me, min(er), max(er), mv, min(vpn), max(vpn),
        me * 1e6 / args.n, mv * 1e6 / args.n))


if __name__ == "__main__":
    main()
