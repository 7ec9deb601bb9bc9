#!/usr/bin/python3
"""How long does Azure's side take to follow the edge (symmetric failover,
issue 12 item 3)?  (run by hand, as root, after scripts/build.sh)

The lab of topotests/test_symmetric_failover.py: the edge (bgpd -M erpolicy,
hold-down configured), two MSEEs, a VPN gateway and an emulated Azure VNet
behind them that prefers what the MSEEs send (as Azure does).  An
`ip -ts monitor route` in the edge's and in the VNet's namespace records
every kernel route change with its time; the module's events carry bgpd's
monotonic clock, converted to the same wall clock.  Each cycle:

  drain      erpolicy drain expressroute: from the withdraw-from-er event to
             the edge's route to the Azure prefix via the VPN (on-prem side)
             and the VNet's route to the on-prem prefix via the VPN gateway
             (Azure side); also from the command
  undrain    no erpolicy drain expressroute: from restore-to-er to both
             routes back via ExpressRoute
  er-lost    both ExpressRoute links down (carrier off at the MSEEs): from the
             action to both routes via the VPN (BGP itself, not the module:
             the MSEEs lose their sessions and withdraw)
  hold-down  links back up: how often the VNet's route changed between the
             links coming back and the failback (symmetric failover: 0)
  failback   from restore-to-er (the hold-down expired) to both routes back
             via ExpressRoute

usage: bench/symmetric_failover.py [--repeats 5] [--hold-down 6] [--out FILE]
"""

import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "topotests"))

from lib import azure, lab as labmod  # noqa: E402
import test_symmetric_failover as sf  # noqa: E402

VPN_NH = sf.VPN[1]
VNET_VPN_NH = azure.VNET_LINKS["vpngw"][0]


class RouteMonitor:
    """`ip -ts monitor route` in a namespace: (wall time, line) of every
    change, read by a thread."""

    def __init__(self, node):
        self.lines = []
        self.proc = subprocess.Popen(
            ["ip", "-n", node.ns, "-ts", "monitor", "route"],
            stdout=subprocess.PIPE, text=True)
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()
        time.sleep(0.2)

    def _read(self):
        for line in self.proc.stdout:
            if not line.startswith("["):
                continue
            ts, _, rest = line[1:].partition("] ")
            when = datetime.datetime.strptime(
                ts, "%Y-%m-%dT%H:%M:%S.%f").timestamp()
            self.lines.append((when, rest.strip()))

    def first(self, since, prefix, vpn_nh, vpn):
        """Wall time of the first install of prefix at or after since
        through the VPN's next hop vpn_nh (vpn true) or not (vpn false:
        through ExpressRoute, whose routes zebra installs through a
        nexthop group, which the line names by id only); None if none."""
        for when, line in list(self.lines):
            if when < since or line.startswith("Deleted"):
                continue
            words = line.split()
            if words and words[0] == prefix and \
                    (("via %s " % vpn_nh) in line + " ") == vpn:
                return when
        return None

    def changes(self, since, until, prefix):
        return sum(1 for when, line in list(self.lines)
                   if since <= when <= until and
                   prefix in line.split()[:2])

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=5)


def mono_to_wall(ms):
    return ms / 1000.0 + (time.time() - time.monotonic())


def last_event(edge, name, after_wall):
    for e in reversed(sf.events(edge)):
        if e["event"] == name and mono_to_wall(e["monotonicMs"]) >= \
                after_wall - 0.5:
            return mono_to_wall(e["monotonicMs"])
    return None


def both(lab, r, mon_edge, mon_vnet, since, want, timeout=30):
    """Wait for both kernels to route over want ('er'/'vpn'); return the
    wall times of the two installs."""
    lab.wait_until(lambda: sf.directions(r) == (want, want),
                   timeout=timeout, message="both on %s" % want)
    time.sleep(0.3)  # let the monitors read
    out = mon_edge.first(since, sf.AZ_PFX, VPN_NH, want == "vpn")
    back = mon_vnet.first(since, azure.ONPREM_PFX, VNET_VPN_NH,
                          want == "vpn")
    return out, back


def diff(a, b):
    return None if a is None or b is None else round(a - b, 3)


def cycle(lab, r, mon_edge, mon_vnet):
    edge = r["edge"]
    res = {}
    # drain / undrain
    t_cmd = time.time()
    edge.config(["router bgp 65010", "erpolicy drain expressroute"])
    out, back = both(lab, r, mon_edge, mon_vnet, t_cmd, "vpn")
    ev = last_event(edge, "withdraw-from-er", t_cmd)
    res["drain"] = {"onprem_s": diff(out, ev), "azure_s": diff(back, ev),
                    "azure_from_command_s": diff(back, t_cmd)}
    assert sf.packets_path(r) == ("vpn", "vpn")
    time.sleep(1)
    t_cmd = time.time()
    edge.config(["router bgp 65010", "no erpolicy drain expressroute"])
    out, back = both(lab, r, mon_edge, mon_vnet, t_cmd, "er")
    ev = last_event(edge, "restore-to-er", t_cmd)
    res["undrain"] = {"onprem_s": diff(out, ev), "azure_s": diff(back, ev),
                      "azure_from_command_s": diff(back, t_cmd)}
    assert sf.packets_path(r) == ("er", "er")
    time.sleep(1)
    # ER lost, back, held down, failback
    t_cut = time.time()
    for n in ("msee1_link", "msee2_link"):
        r[n].set_carrier(False, end="b")
    out, back = both(lab, r, mon_edge, mon_vnet, t_cut, "vpn")
    res["er-lost"] = {"onprem_s": diff(out, t_cut),
                      "azure_s": diff(back, t_cut)}
    time.sleep(1)
    t_up = time.time()
    for n in ("msee1_link", "msee2_link"):
        r[n].set_carrier(True, end="b")
    lab.wait_until(lambda: sf.erpolicy(edge)["addressFamilies"]["ipv4"][
        "pathState"] == "hold-down", timeout=30, message="hold-down")
    assert sf.packets_path(r) == ("vpn", "vpn")
    lab.wait_until(lambda: last_event(edge, "restore-to-er", t_up),
                   timeout=120, message="failback")
    ev = last_event(edge, "restore-to-er", t_up)
    out, back = both(lab, r, mon_edge, mon_vnet, ev - 0.5, "er")
    res["hold-down"] = {
        "s": round(ev - t_up, 3),
        "azure_route_changes": mon_vnet.changes(t_up, ev, azure.ONPREM_PFX)}
    res["failback"] = {"onprem_s": diff(out, ev), "azure_s": diff(back, ev)}
    assert sf.packets_path(r) == ("er", "er")
    time.sleep(1)
    return res


def summary(cycles):
    rows = []
    for step in ("drain", "undrain", "er-lost", "failback"):
        for key in ("onprem_s", "azure_s", "azure_from_command_s"):
            vals = [c[step][key] for c in cycles
                    if c[step].get(key) is not None]
            if vals:
                rows.append((step, key, min(vals), statistics.median(vals),
                             max(vals), len(vals)))
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--hold-down", type=int, default=6)
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    cycles = []
    with labmod.Lab(name="bench-symfo") as lab:
        r = sf.start(lab, extra=" erpolicy failback hold-down %d\n"
                     % args.hold_down)
        mon_edge, mon_vnet = RouteMonitor(r["edge"]), RouteMonitor(r["vnet"])
        try:
            for i in range(args.repeats):
                c = cycle(lab, r, mon_edge, mon_vnet)
                print("cycle %d: %s" % (i + 1, json.dumps(c)), flush=True)
                cycles.append(c)
        finally:
            mon_edge.stop()
            mon_vnet.stop()
            if os.environ.get("BENCH_DEBUG"):
                for name, mon in (("edge", mon_edge), ("vnet", mon_vnet)):
                    for when, line in mon.lines:
                        print(name, "%.3f" % when, line)
    rows = summary(cycles)
    print("%-9s %-21s %7s %7s %7s %3s" % ("step", "measure", "min", "median",
                                          "max", "n"))
    for row in rows:
        print("%-9s %-21s %7.3f %7.3f %7.3f %3d" % row)
    changes = [c["hold-down"]["azure_route_changes"] for c in cycles]
    print("VNet route changes during the hold-downs: %s" % changes)
    out = args.out or os.path.join(
        ROOT, "bench", "results", "symmetric-failover-%s.json"
        % time.strftime("%Y%m%d-%H%M%S"))
    with open(out, "w") as f:
        json.dump({"module": azure.MODULE_DIR, "hold_down_s": args.hold_down,
                   "cycles": cycles,
                   "summary": [dict(zip(("step", "measure", "min", "median",
                                         "max", "n"), row))
                               for row in rows]}, f, indent=1)
    print("wrote %s" % out)


if __name__ == "__main__":
    main()
