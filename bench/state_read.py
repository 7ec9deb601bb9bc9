#!/usr/bin/python3
"""What does a full read of the module's state cost?  (run by hand, as root)

Issue 11 item 5: "show bgp erpolicy json" and "show yang operational-data
/frr-bgp-erpolicy:erpolicy-state" must take time linear in the neighbors and
allocate nothing persistent, with 50 declared neighbors under route churn.

Lab (topotests/lib/lab.py namespaces, bird2 as the route injector)::

    msee  (bird2: N/2 BGP sessions, AS 12076) --.
                                                  edge (zebra + bgpd -n -M erpolicy)
    vpngw (bird2: N/2 BGP sessions, AS 65515) --'

(one address per session on both sides of each link)

Every session announces the same --routes /24s inside the declared Azure
prefix (so each prefix has N paths) plus --churn /24s of a second static
protocol that a thread disables and enables every --period seconds on both
birds: routes are withdrawn and added again continuously while the reads
run.  Two more neighbors are declared and configured but have no session
(the state lists them too).  The edge attaches the module's maps to every
neighbor, as the user guide says.

Measured, over one persistent vty connection to bgpd:
* wall time of each full read (command sent -> whole answer received), for
  both commands, --reads times each while quiet and --reads times each
  under churn (--gap s apart): median and max; "show bgp
  ipv4 unicast summary json" is read the same way as a reference for what
  any read of 50 neighbors costs in bgpd at that moment;
* the module's memory (bgpd's "show memory", the erpolicy group's counts
  per MTYPE) before the first read and after the quiet reads (--reads of
  each command): reads must leave them unchanged.

usage: bench/state_read.py [--neighbors 50] [--routes 1000] [--churn 200]
                           [--period 0.5] [--reads 50] [--gap 0.1]
                           [--out FILE]
"""

import argparse
import datetime
import json
import os
import statistics
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lib_bench as lb  # noqa: E402
from lib import azure  # noqa: E402
from lib.lab import Lab  # noqa: E402
from lib.vty import VtyClient  # noqa: E402

EDGE_AS = 65010
SIDES = {
    # name -> (subnet /24, AS, path, bird protocol prefix); session i runs
    # between speaker .(10 + i) and edge .(100 + i): bird locks sessions by
    # neighbor address, so each needs its own edge address
    "msee": ("192.0.2", 12076, "expressroute", "p_er"),
    "vpngw": ("198.51.100", 65515, "vpn", "p_vpn"),
}
IDLE = ["10.255.0.1", "10.255.0.2"]  # declared, configured, no session
STATE_JSON = "show bgp erpolicy json"
STATE_YANG = "show yang operational-data /frr-bgp-erpolicy:erpolicy-state"
REFERENCE = "show bgp ipv4 unicast summary json"


def speaker_addr(side, i):
    return "%s.%d" % (SIDES[side][0], 10 + i)


def edge_addr(side, i):
    return "%s.%d" % (SIDES[side][0], 100 + i)


def routes_file(path, first, n):
    with open(path, "w") as f:
        for i in range(first, first + n):
            a = lb.V4_AZ_BASE + (i << 8)
            f.write("route %d.%d.%d.0/24 blackhole;\n"
                    % (a >> 24, (a >> 16) & 255, (a >> 8) & 255))


def bird_conf(side, dirpath, sessions, routes, churn):
    _, asn, _, proto = SIDES[side]
    base = os.path.join(dirpath, "base.conf")
    moving = os.path.join(dirpath, "churn.conf")
    if not os.path.exists(base):
        routes_file(base, 0, routes)
        routes_file(moving, routes, churn)
    conf = f"""\
log "{dirpath}/bird-{side}.log" {{ warning, error, fatal }};
router id {speaker_addr(side, 0)};
protocol device {{ scan time 10; }}
protocol static s_base {{
  ipv4;
include "{base}";
}}
protocol static s_churn {{
  ipv4;
include "{moving}";
}}
"""
    for i in range(sessions):
        conf += f"""\
protocol bgp {proto}{i} {{
  local {speaker_addr(side, i)} as {asn};
  strict bind on;
  neighbor {edge_addr(side, i)} as {EDGE_AS};
  connect delay time 1;
  connect retry time 1;
  ipv4 {{ import none; export all; }};
}}
"""
    return conf


def edge_conf(per_side):
    nbrs = af = erp = ""
    for side, (_, asn, path, _) in SIDES.items():
        for i in range(per_side):
            a = speaker_addr(side, i)
            nbrs += (" neighbor %s remote-as %d\n"
                     " neighbor %s update-source %s\n"
                     % (a, asn, a, edge_addr(side, i)))
            af += ("  neighbor %s activate\n"
                   "  neighbor %s route-map erpolicy-%s in\n"
                   "  neighbor %s route-map erpolicy-out-%s out\n"
                   % (a, a, path, a, path))
            erp += " erpolicy neighbor %s path %s\n" % (a, path)
    for a in IDLE:
        nbrs += " neighbor %s remote-as 12076\n" % a
        af += ("  neighbor %s activate\n"
               "  neighbor %s route-map erpolicy-expressroute in\n"
               "  neighbor %s route-map erpolicy-out-expressroute out\n"
               % (a, a, a))
        erp += " erpolicy neighbor %s path expressroute\n" % a
    return f"""\
router bgp {EDGE_AS}
 bgp router-id 10.0.0.1
 no bgp default ipv4-unicast
{nbrs} address-family ipv4 unicast
{af} exit-address-family
{erp} erpolicy azure-prefix 20.0.0.0/8 le 24
 erpolicy onprem-prefix 172.16.0.0/12 le 32
!
"""


class Churn(threading.Thread):
    """Disables and enables s_churn on every bird, every period seconds."""

    def __init__(self, birds, period):
        super().__init__(daemon=True)
        self.birds, self.period = birds, period
        self.stop_evt = threading.Event()
        self.toggles = 0

    def run(self):
        on = True
        while not self.stop_evt.wait(self.period):
            on = not on
            for b in self.birds:
                b.birdc("enable" if on else "disable", "s_churn")
            self.toggles += 1
        for b in self.birds:
            b.birdc("enable", "s_churn")

    def stop(self):
        self.stop_evt.set()
        self.join(timeout=30)


def timed_reads(client, cmd, n, gap=0.0):
    """n reads of cmd, gap seconds apart."""
    times, sizes = [], []
    for _ in range(n):
        time.sleep(gap)
        t0 = time.perf_counter()
        status, out = client.cmd(cmd)
        times.append((time.perf_counter() - t0) * 1000.0)
        sizes.append(len(out))
        if status != 0:
            raise lb.LabError("%s: status %d: %s" % (cmd, status, out[:500]))
    return {"median_ms": round(statistics.median(times), 2),
            "max_ms": round(max(times), 2),
            "min_ms": round(min(times), 2), "reads": n,
            "bytes": int(statistics.median(sizes)),
            "all_ms": [round(t, 2) for t in times]}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--neighbors", type=int, default=50)
    ap.add_argument("--routes", type=int, default=1000)
    ap.add_argument("--churn", type=int, default=200)
    ap.add_argument("--period", type=float, default=0.5)
    ap.add_argument("--reads", type=int, default=50)
    ap.add_argument("--gap", type=float, default=0.1,
                    help="seconds between two reads under churn")
    ap.add_argument("--out")
    args = ap.parse_args()
    per_side = args.neighbors // 2
    result = {"date": datetime.datetime.now().isoformat(timespec="seconds"),
              "module": lb.module_info(), "args": vars(args),
              "uptime": lb.uptime_line()}

    birds = []
    with Lab("stateread") as lab:
        try:
            edge = lab.add_router("edge", bgpd_conf=edge_conf(per_side),
                                  bgpd_args=lb.module_args() + ["-n"])
            for side in SIDES:
                node = lab.add_host(side)
                lab.link(edge, node, a_addrs=["%s/24" % edge_addr(side, i)
                                              for i in range(per_side)],
                         b_addrs=["%s/24" % speaker_addr(side, i)
                                  for i in range(per_side)])
                d = os.path.join(lab.dir, "bird-" + side)
                os.makedirs(d)
                birds.append(lb.Bird(node, side, bird_conf(
                    side, d, per_side, args.routes, args.churn), d))
            lab.start()
            for b in birds:
                b.start()

            def ready():
                peers = edge.show_json(
                    "show bgp ipv4 unicast summary").get("peers", {})
                up = [p for p in peers.values()
                      if p.get("state") == "Established"
                      and p.get("pfxRcd", 0) >= args.routes + args.churn]
                return len(up) >= 2 * per_side
            lab.wait_until(ready, timeout=300, interval=1,
                           message="every session up with its routes")
            time.sleep(lb.RMAP_TIMER_WAIT + 2)

            client = VtyClient(edge.vty_socket())
            # the module's memory before any read, and after the reads
            mem0 = azure.module_memory(edge)
            quiet = {cmd: timed_reads(client, cmd, args.reads)
                     for cmd in (STATE_JSON, STATE_YANG, REFERENCE)}
            mem1 = azure.module_memory(edge)
            result["quiet"] = quiet
            result["memory_before"] = mem0
            result["memory_after"] = mem1
            result["memory_changed"] = {
                k: (mem0.get(k, 0), mem1.get(k, 0))
                for k in set(mem0) | set(mem1)
                if mem0.get(k, 0) != mem1.get(k, 0)}

            churn = Churn(birds, args.period)
            cpu0 = lb.cpu_snapshot({"bgpd": edge.pid("bgpd")})
            t0 = time.monotonic()
            churn.start()
            time.sleep(2 * args.period)
            # spread over several churn periods
            busy = {cmd: timed_reads(client, cmd, args.reads, args.gap)
                    for cmd in (STATE_JSON, STATE_YANG, REFERENCE)}
            cpu1 = lb.cpu_snapshot({"bgpd": edge.pid("bgpd")})
            churn.stop()
            wall = time.monotonic() - t0
            result["churn"] = busy
            result["churn_toggles"] = churn.toggles
            result["churn_bgpd_cpu_share"] = round(
                lb.cpu_delta(cpu0, cpu1)["bgpd"] / wall, 2)
            result["neighbors_listed"] = len(
                edge.show_json("show bgp erpolicy")["neighbors"])
            client.close()
        finally:
            for b in birds:
                b.stop()

    out = args.out or os.path.join(
        lb.HERE, "results", "state_read-%s.json"
        % time.strftime("%Y%m%d-%H%M%S"))
    with open(out, "w") as f:
        json.dump(result, f, indent=1)
    print("neighbors listed: %d (%d with sessions), routes %d + churn %d "
          "every %.1f s (%d toggles, bgpd at %.0f%% of a core)"
          % (result["neighbors_listed"], 2 * per_side, args.routes,
             args.churn, args.period, result["churn_toggles"],
             100 * result["churn_bgpd_cpu_share"]))
    for phase in ("quiet", "churn"):
        for cmd, r in result[phase].items():
            print("%-6s %-62s median %7.2f ms  max %7.2f ms  (%d bytes)"
                  % (phase, cmd, r["median_ms"], r["max_ms"], r["bytes"]))
    print("module memory (counts) changed by the first %d quiet reads of "
          "each: %s"
          % (args.reads, result["memory_changed"] or "nothing"))
    print("raw: %s" % out)


if __name__ == "__main__":
    main()
