#!/usr/bin/python3
"""Where does bgpd spend its time?  `perf record` attached to the edge's
bgpd during one scenario of policy_cost.py (run by hand, as root).

  config   reading the configuration at startup (the 1,000 + 1,000
           declarations as prefix-lists or erpolicy lines)
  load     receiving N routes from ER, then the same N from VPN (bgpd -n)
  reeval   a local-preference change with N routes from both (bgpd -n)
  failover three ER link-down / link-up cycles with N routes from both
           (kernel install; perf covers the cycles only)

Prints the hottest symbols (self time) and the split by shared object.
bgpd's own non-exported (static) functions show up under the nearest
exported symbol or as raw addresses: Debian ships no frr-dbgsym here.

With ERPOLICY_TARGET (e.g. frr-10.3) the daemons run in the target's root:
perf report then reads FRR's binaries from that root, not this machine's,
through a symbol directory whose /usr is the root's and whose /tmp and
/work are this machine's (the module copy and the tree; the root sees them
at the same paths).

usage: bench/profile_bgpd.py --policy module|routemap|none
                             [--scenario load|config|reeval] [--n 100000]
                             [--kernel]
                             [--decl 1000] [--top 40] [--post 10.5]
"""

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lib_bench as lb  # noqa: E402
import policy_cost as pc  # noqa: E402


def perf_start(pid, out):
    p = subprocess.Popen(["perf", "record", "-F", "1999", "-g", "-o", out,
                          "-p", str(pid)], stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, start_new_session=True)
    time.sleep(0.5)
    return p


def perf_stop(p):
    if p is None:
        return
    p.send_signal(signal.SIGINT)
    try:
        p.wait(timeout=60)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()


def symfs_of_target(workdir):
    """perf's --symfs for the target's root: the root's /usr (bin, lib and
    the FRR modules; Debian 13 has a merged /usr), this machine's /tmp and
    project tree, where the root sees them too (scripts/in-target.sh).
    [] for the host."""
    root = lb.labmod.target_root(lb.labmod.TARGET)
    if not root:
        return []
    d = os.path.join(workdir, "symfs")
    os.mkdir(d)
    for name in ("usr", "bin", "lib", "lib64", "sbin"):
        if os.path.exists(os.path.join(root, name)):
            os.symlink(os.path.join(root, name), os.path.join(d, name))
    # the first directory of the tree's path (/work for /work/main)
    tree = "/" + lb.ROOT.strip("/").split("/")[0]
    for host_dir in ("/tmp", tree):
        os.symlink(host_dir, os.path.join(d, host_dir.lstrip("/")))
    return ["--symfs", d]


def perf_report(out, top, symfs=()):
    txt = []
    symfs = list(symfs)
    for sort in ("dso", "symbol"):
        r = subprocess.run(["perf", "report", "-i", out, "--stdio"] + symfs +
                           [
                            "--no-children", "--sort", sort, "-g", "none",
                            "--percent-limit", "0.5"],
                           capture_output=True, text=True)
        lines = [l for l in r.stdout.splitlines()
                 if l.strip() and not l.startswith("#")]
        txt.append("--- by %s ---" % sort)
        txt += lines[:top]
    r = subprocess.run(["perf", "report", "-i", out, "--stdio"] + symfs +
                       ["--no-children", "--sort", "symbol", "-g", "none",
                        "--dsos", "bgpd_erpolicy.so"],
                       capture_output=True, text=True)
    txt.append("--- bgpd_erpolicy.so symbols (percent of all samples) ---")
    txt += [l for l in r.stdout.splitlines()
            if l.strip() and not l.startswith("#")][:top]
    return "\n".join(txt)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--policy", default="module",
                    choices=("none", "routemap", "module"))
    ap.add_argument("--scenario", default="load",
                    choices=("load", "config", "reeval", "failover"))
    ap.add_argument("--n", type=int, default=100000)
    ap.add_argument("--decl", type=int, default=1000)
    ap.add_argument("--kernel", action="store_true",
                    help="bgpd without -n (routes go to zebra/kernel)")
    ap.add_argument("--top", type=int, default=40)
    ap.add_argument("--phase", choices=("both", "er", "vpn"), default="both",
                    help="load scenario: profile this phase only")
    ap.add_argument("--post", type=float, default=0, metavar="SECONDS",
                    help="load scenario: keep profiling this long after the "
                    "VPN phase (policy_cost.py's window is 10.5 s)")
    ap.add_argument("--annotate", metavar="SYMBOL",
                    help="also print perf annotate of this symbol")
    args = ap.parse_args()
    lb.require_root_and_tools()
    workdir = tempfile.mkdtemp(prefix="erpolicy-prof-")
    out = os.path.join(workdir, "perf.data")
    if args.scenario == "failover":
        args.kernel = True
    with lb.BenchLab("prof", args.policy, args.n, kernel=args.kernel,
                     n_decl=(args.decl, args.decl)) as b:
        b.lab.start()
        pid = b.edge.pid("bgpd")
        perf = None
        if args.scenario == "config":
            perf = perf_start(pid, out)
        for bird in b.birds.values():
            bird.start()
        lb.wait_settled(lambda: all(
            p in b.summary().get("peers", {}) for p in (lb.ER_NH, lb.VPN_NH)),
            {"bgpd": pid}, timeout=900)
        if args.scenario == "config":
            perf_stop(perf)
        else:
            time.sleep(lb.RMAP_TIMER_WAIT)
            if args.scenario == "load" and args.phase != "vpn":
                perf = perf_start(pid, out)
            watch = ["bgpd"] + (["zebra"] if args.kernel else [])
            er = pc.phase(b, "msee", pc.er_target(b, args.n, args.policy,
                                                  args.kernel), watch, 600)
            if args.scenario == "load" and args.phase == "er":
                perf_stop(perf)
                perf = None
            if args.scenario == "load" and args.phase == "vpn":
                perf = perf_start(pid, out)
            vpn = pc.phase(b, "vpngw", pc.vpn_target(b, args.n, args.policy,
                                                     args.kernel), watch, 600)
            print("# ER phase %s\n# VPN phase %s" % (er, vpn))
            if args.scenario == "load" and args.post > 0:
                time.sleep(args.post)
                print("# profiled %.1f s after the VPN phase too" % args.post)
            if args.scenario == "failover":
                perf = perf_start(pid, out)
                link = b.links["msee"]
                watch = {"bgpd": pid, "zebra": b.edge.pid("zebra")}
                for _ in range(3):
                    link.set_carrier(False, end="b")
                    lb.wait_settled(lambda: b.kernel_count(lb.VPN_NH) ==
                                    args.n, watch, timeout=120)
                    link.set_carrier(True, end="b")
                    lb.wait_settled(lambda: b.kernel_count(lb.ER_NH) ==
                                    args.n and b.pfx_rcd(lb.ER_NH) ==
                                    args.n, watch, timeout=120)
            if args.scenario == "reeval":
                perf = perf_start(pid, out)
                if args.policy == "module":
                    b.edge.config(["router bgp %d" % lb.EDGE_AS,
                                   "erpolicy local-preference expressroute "
                                   "250 vpn 100"])
                else:
                    b.edge.config(["bgp route-map delay-timer 0"])
                    b.edge.config(["route-map ER-IN permit 20",
                                   "set local-preference 250"])
                    b.edge.vty("clear bgp ipv4 unicast * soft in")
                lb.wait_settled(lambda: pc.samples_ok(b, args.n, 250, 2),
                                {"bgpd": pid}, timeout=600)
            perf_stop(perf)
        # report while the module copy still exists (symbols)
        print("# %s, scenario %s, N=%d, %d+%d declarations; module %s" % (
            args.policy, args.scenario, args.n, args.decl, args.decl,
            lb.module_info()))
        print("# load: %s" % lb.uptime_line())
        symfs = symfs_of_target(workdir)
        print("# target %s%s" % (lb.labmod.TARGET, " (symbols from its root)"
                                  if symfs else ""))
        print(perf_report(out, args.top, symfs))
        if args.annotate:
            r = subprocess.run(["perf", "annotate", "-i", out, "--stdio"] +
                               symfs + ["-s", args.annotate],
                               capture_output=True,
                               text=True)
            print(r.stdout)
    import shutil
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
