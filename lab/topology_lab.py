#!/usr/bin/python3
"""Run a declarative lab topology (lab/topologies/*.yaml) and check it.

    usage: topology_lab.py TOPOLOGY [--json FILE] [--keep]

TOPOLOGY is a file path or the name of a file in lab/topologies/ (demo,
two-circuits, active-active-vpn).  The file is checked first: a bad file
gets a clear error and exit code 2 and nothing is started.  Then the lab is
built (edge with bgpd -M erpolicy, the MSEEs and VPN gateways of the file,
an emulated VNet with a VM, an on-prem host), the scenario steps run in
order and each step's expected outcomes are asserted; a mismatch fails the
step, says what differed and skips the remaining steps.

    exit code: 0 every step passed, 1 a step failed, 2 bad topology file,
               130/143 Ctrl-C/SIGTERM

The file format is documented in doc/user-guide.rst, "Lab topology files".
The narration, summary table and clean-up are er_failover_lab.py's.
"""

import argparse
import datetime
import json
import os
import signal
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TOPO_DIR = os.path.join(HERE, "topologies")
sys.path.insert(0, os.path.join(ROOT, "topotests"))
sys.path.insert(0, HERE)

from lib import lab as labmod  # noqa: E402
from lib import azure  # noqa: E402
from lib import topology as topomod  # noqa: E402
from lib.vty import VtyError  # noqa: E402
import er_failover_lab as demo  # noqa: E402
from er_failover_lab import OUT, Step, StepFailed  # noqa: E402

PINGS = demo.PINGS
PING_INTERVAL = demo.PING_INTERVAL
NOISE = demo.NOISE


class Ctx:
    def __init__(self, topo, lab):
        self.topo = topo
        self.lab = lab
        self.n = {}
        self.links = {}
        self.edge_if = {}
        self.bg = None            # (er_failover_lab.teardown() looks here)
        self.down = {}            # router name -> "fail" / "silence"
        self.last_event_seq = 0
        self.by_edge_addr = {r.peer: r.name for r in topo.routers}
        self.by_vnet_addr = {r.vnet_side[0]: r.name for r in topo.routers}

    @property
    def edge(self):
        return self.n["edge"]

    # -- observations -----------------------------------------------------
    def erpolicy(self):
        return self.edge.show_json("show bgp erpolicy")

    def used_by_bgp(self, router, prefix, names):
        """Names of the neighbors whose path to prefix router uses (best
        and multipath)."""
        out = set()
        for r in demo.bgp_paths(router, prefix):
            if r["best"] or r["multipath"]:
                out.add(names.get(r["peer"], r["peer"]))
        return sorted(out)

    def new_events(self):
        ev = self.edge.show_json("show bgp erpolicy events").get("events", [])
        return [e["event"] for e in ev
                if e.get("afi") == "ipv4" and e["seq"] > self.last_event_seq]

    def mark_events(self):
        ev = self.edge.show_json("show bgp erpolicy events").get("events", [])
        self.last_event_seq = max([e["seq"] for e in ev] or [0])

    def bfd_up(self, names):
        addrs = {self.topo.by_name[n].peer for n in names}
        if not addrs:
            return True
        peers = self.edge.show_json("show bfd peers", daemon="bfdd")
        up = {p.get("peer") for p in peers if p.get("status") == "up"}
        return addrs <= up

    def observe(self, exp, bfd_wait=()):
        """What the lab shows for the keys of exp (traffic aside), and the
        differences: (observed dict, [difference texts])."""
        obs, diff = {}, []
        st = self.erpolicy()
        af = st["addressFamilies"]["ipv4"]
        if "preferred" in exp:
            obs["preferred"] = af.get("preferredPath")
            if obs["preferred"] != exp["preferred"]:
                diff.append("preferred path: expected %s, got %s"
                            % (exp["preferred"], obs["preferred"]))
        if "state" in exp:
            obs["state"] = af.get("pathState")
            if obs["state"] != exp["state"]:
                diff.append("path state: expected %s, got %s"
                            % (exp["state"], obs["state"]))
        if "health" in exp:
            obs["health"] = sorted({w["check"] for w in
                                    st.get("healthWarnings", [])})
            if obs["health"] != sorted(set(exp["health"])):
                diff.append("health warnings: expected [%s], got [%s]" % (
                    ", ".join(sorted(set(exp["health"]))),
                    "; ".join(w["message"] for w in
                              st.get("healthWarnings", [])) or ""))
        for prefix, want in (exp.get("via") or {}).items():
            got = self.used_by_bgp(self.edge, prefix, self.by_edge_addr)
            hops = demo.kernel_nexthops(self.edge, prefix)
            khops = sorted(self.by_edge_addr.get(h, h) for h in hops)
            obs.setdefault("via", {})[prefix] = {"bgp": got,
                                                 "kernel": khops}
            if got != sorted(want):
                diff.append("edge's BGP path(s) for %s: expected via [%s], "
                            "got via [%s]" % (prefix, ", ".join(sorted(want)),
                                              ", ".join(got)))
            # the kernel may use a subset of an ECMP group (FRR 8.4 zebra
            # with nexthop groups, see er_failover_lab.ecmp_note)
            elif (not want and khops) or (want and not (
                    khops and set(khops) <= set(want))):
                diff.append("edge's kernel route to %s: expected via [%s], "
                            "got via [%s]" % (prefix, ", ".join(sorted(want)),
                                              ", ".join(khops)))
        if "return" in exp:
            got = self.used_by_bgp(self.n["vnet"],
                                   self.topo.onprem_prefixes[0],
                                   self.by_vnet_addr)
            obs["return"] = got
            if got != sorted(exp["return"]):
                diff.append("Azure's path back to %s: expected via [%s], "
                            "got via [%s]" % (
                                self.topo.onprem_prefixes[0],
                                ", ".join(sorted(exp["return"])),
                                ", ".join(got)))
        if "events" in exp:
            obs["events"] = self.new_events()
            if obs["events"] != exp["events"]:
                diff.append("module events since the previous step: "
                            "expected [%s], got [%s]" % (
                                ", ".join(exp["events"]),
                                ", ".join(obs["events"])))
        for name, want in (exp.get("neighbors") or {}).items():
            nb = st.get("neighbors", {}).get(self.topo.by_name[name].peer, {})
            af = nb.get("addressFamilies", {}).get("ipv4", {})
            got = {k: af.get(k) for k in want}
            obs.setdefault("neighbors", {})[name] = got
            for k, v in want.items():
                if got[k] != v:
                    diff.append("%s's %s (show bgp erpolicy): expected %s, "
                                "got %s" % (name, k, v, got[k]))
        if bfd_wait and not self.bfd_up(bfd_wait):
            diff.append("BFD not up yet with %s" % ", ".join(bfd_wait))
        return obs, diff

    # -- traffic ----------------------------------------------------------
    def traffic(self, st, names, reply_names=None):
        """Pings on-prem host -> VM; requests must leave through the edge's
        links to names only, replies come back through reply_names' (default
        names) only (interface counters)."""
        expect_ifs = [self.edge_if[n] for n in names]
        reply_ifs = [self.edge_if[n] for n in reply_names or names]
        before = demo.counters(self.edge)
        proc = self.n["onprem"].exec(
            ["ping", "-n", "-q", "-c", str(PINGS), "-i", str(PING_INTERVAL),
             "-W", "1", self.topo.vm], check=False, timeout=PINGS + 30)
        after = demo.counters(self.edge)
        sent, recv = demo.parse_ping(proc.stdout)
        delta = {}
        for name, ifn in self.edge_if.items():
            delta[ifn] = {"tx": after[ifn][0] - before[ifn][0],
                          "rx": after[ifn][1] - before[ifn][1]}
        out_ifs = sorted(i for i, d in delta.items() if d["tx"] >= PINGS)
        in_ifs = sorted(i for i, d in delta.items() if d["rx"] >= PINGS)
        others = [i for i in delta if i not in expect_ifs]
        r_others = [i for i in delta if i not in reply_ifs]
        st.data["traffic"] = {"sent": sent, "received": recv,
                              "counters": delta, "out_interfaces": out_ifs,
                              "in_interfaces": in_ifs}
        want = " or ".join(expect_ifs)
        ok = [st.check(sent == PINGS and recv == PINGS,
                       "all %d pings %s -> %s answered (%d/%d)"
                       % (PINGS, self.topo.host, self.topo.vm, recv, sent)),
              st.check(len(out_ifs) == 1 and out_ifs[0] in expect_ifs and
                       all(delta[i]["tx"] < NOISE for i in others),
                       "pings left the edge through %s (counters: %s)" % (
                           want, ", ".join("%s +%d" % (i, delta[i]["tx"])
                                           for i in delta))),
              st.check(in_ifs and set(in_ifs) <= set(reply_ifs) and
                       all(delta[i]["rx"] < NOISE for i in r_others),
                       "replies came back through %s (counters: %s)" % (
                           " or ".join(reply_ifs), ", ".join("%s +%d" % (i, delta[i]["rx"])
                                           for i in delta)))]
        return all(ok), out_ifs

    # -- actions ----------------------------------------------------------
    def act(self, action):
        (key, val), = action.items()
        edge_bgp = "router bgp %d" % topomod.EDGE_AS
        if key == "fail":
            for n in val:
                OUT.say("%s: link down (the edge sees loss of carrier)" % n)
                self.links[n].set_carrier(False, end="b")
                self.down[n] = "fail"
        elif key == "silence":
            for n in val:
                OUT.say("%s: silent failure (carrier stays up, no frame "
                        "passes)" % n)
                self.links[n].cut()
                self.down[n] = "silence"
        elif key == "restore":
            names = sorted(self.down) if val == ["all"] else val
            for n in names:
                how = self.down.pop(n, None)
                OUT.say("%s: link restored" % n)
                if how == "silence":
                    self.links[n].restore()
                else:
                    self.links[n].set_carrier(True, end="b")
            return [n for n in names if self.topo.by_name[n].bfd]
        elif key == "drain":
            line = ("" if val else "no ") + "erpolicy drain expressroute"
            OUT.say("edge: %s" % line)
            self.configure([edge_bgp, line])
        elif key == "config":
            OUT.say("edge: %s" % "; ".join(val))
            self.configure([edge_bgp] + val)
        elif key == "wait":
            OUT.say("waiting %g s" % val)
            time.sleep(val)
        return []

    def configure(self, lines):
        try:
            self.edge.config(lines)
        except VtyError as e:
            raise StepFailed("the edge refused the configuration: %s"
                             % str(e).strip()) from None

    # -- the lab ----------------------------------------------------------
    def converge(self, timeout=30):
        topo, edge, vnet = self.topo, self.edge, self.n["vnet"]
        peers = [r.peer for r in topo.routers]
        self.wait(lambda: demo.all_established(edge, peers), timeout,
                  "the edge's %d BGP sessions Established" % len(peers))
        self.wait(lambda: demo.all_established(
            vnet, [r.vnet_side[0] for r in topo.routers]), timeout,
            "the vnet's BGP sessions Established")
        for p in topo.azure_prefixes:
            want = {r.peer for r in topo.routers if p in topo.advertised(r)}
            self.wait(lambda: {r["peer"] for r in demo.bgp_paths(edge, p)}
                      == want, timeout, "the edge has %s from %s" % (
                          p, ", ".join(sorted(self.by_edge_addr[a]
                                              for a in want))))
        op = topo.onprem_prefixes[0]
        self.wait(lambda: len(demo.bgp_paths(vnet, op)) == len(peers),
                  timeout, "the vnet has %s from every Azure router" % op)
        bfd = [r.name for r in topo.routers if r.bfd]
        self.wait(lambda: self.bfd_up(bfd), timeout,
                  "BFD up with %s" % ", ".join(bfd))

    def wait(self, pred, timeout, message):
        try:
            return self.lab.wait_until(pred, timeout=timeout, interval=0.1,
                                       message=message)
        except labmod.WaitTimeout as e:
            raise StepFailed("timed out after %.0f s waiting for: %s\n%s"
                             % (timeout, message, e)) from None


def step_lab_up(ctx, st):
    topo = ctx.topo
    OUT.say("Topology %s (%s): %s" % (topo.name, topo.path,
                                      topo.description.strip()))
    for c, names in topo.circuits.items():
        OUT.line("      ExpressRoute circuit %s: %s" % (c, ", ".join(
            "%s %s<->%s%s" % (n, topo.by_name[n].edge, topo.by_name[n].peer,
                              " BFD" if topo.by_name[n].bfd else "")
            for n in names)))
    for r in topo.routers:
        if r.role == "vpn":
            OUT.line("      VPN gateway %s %s<->%s timers %s" % (
                r.name, r.edge, r.peer, "%(keepalive)d/%(hold)d" % (
                    r.timers or topo.timers)))
    OUT.line("      Azure prefixes %s (VM %s), on-prem %s (host %s)" % (
        ", ".join(topo.azure_prefixes), topo.vm,
        ", ".join(topo.onprem_prefixes), topo.host))
    OUT.line("      The edge's erpolicy configuration:")
    OUT.block("\n".join(l for l in topo.edge_conf().splitlines()
                        if "erpolicy" in l and " route-map " not in l))
    t0 = time.monotonic()
    ctx.n, ctx.links, ctx.edge_if = topo.build(ctx.lab)
    ctx.lab.start()
    OUT.saw("namespaces created, daemons running (%.1f s); lab files in %s"
            % (time.monotonic() - t0, ctx.lab.dir))
    ctx.converge()
    st.data["converged_s"] = round(time.monotonic() - t0, 3)
    st.check(True, "%d BGP sessions Established, routes exchanged%s "
             "(%.1f s after start)" % (
                 len(topo.routers),
                 ", BFD up" if topo.any_bfd() else "",
                 st.data["converged_s"]))
    st.summary = "up and converged in %.1f s" % st.data["converged_s"]


def describe(exp, topo):
    parts = []
    for k in ("preferred", "state"):
        if k in exp:
            parts.append("%s %s" % (k, exp[k]))
    for p, names in (exp.get("via") or {}).items():
        parts.append("%s via %s" % (p, "+".join(names) or "nothing"))
    if "return" in exp:
        parts.append("return via %s" % "+".join(exp["return"]))
    if "events" in exp:
        parts.append("events [%s]" % ", ".join(exp["events"]))
    if "health" in exp:
        parts.append("health %s" % (", ".join(exp["health"]) or "clean"))
    return "; ".join(parts)


def short(obs, prefixes_named):
    """The summary table's 'measured' text of what a step observed."""
    out = []
    if "state" in obs or "preferred" in obs:
        out.append(obs.get("state") or obs["preferred"])
    for p, v in (obs.get("via") or {}).items():
        out.append("%svia %s" % (p + " " if prefixes_named else "",
                                 "+".join(v["bgp"]) or "nothing"))
    if "return" in obs:
        out.append("back via %s" % "+".join(obs["return"]))
    if obs.get("events"):
        out.append(",".join(obs["events"]))
    if "health" in obs:
        out.append("health %s" % (",".join(obs["health"]) or "clean"))
    return out


def make_step(spec):
    def run(ctx, st):
        exp = spec["expect"]
        within = spec.get("within", topomod.DEFAULT_WITHIN)
        OUT.say("expecting within %g s: %s" % (within, describe(exp, ctx.topo)))
        bfd_wait = []
        t0 = time.monotonic()
        for action in spec.get("do") or []:
            bfd_wait += ctx.act(action)
        last = {"obs": None, "diff": None}

        def holds():
            last["obs"], last["diff"] = ctx.observe(exp, bfd_wait)
            return not last["diff"]
        try:
            ctx.lab.wait_until(holds, timeout=within, interval=0.05,
                               message="expected outcome")
            elapsed = time.monotonic() - t0
        except labmod.WaitTimeout:
            elapsed = None
        st.data["observed"] = last["obs"]
        if elapsed is None:
            for d in last["diff"]:
                st.check(False, d + " (after %g s)" % within)
            ctx.mark_events()
            raise StepFailed("expected outcome not reached within %g s: %s"
                             % (within, "; ".join(last["diff"])))
        st.data["held_after_s"] = round(elapsed, 3)
        OUT.saw("all expected outcomes held after %.3f s" % elapsed)
        obs = last["obs"]
        for k in ("preferred", "state"):
            if k in exp:
                st.check(True, "%s: %s" % (k, obs[k]))
        for p, v in (obs.get("via") or {}).items():
            st.check(True, "%s via [%s] (kernel: [%s])" % (
                p, ", ".join(v["bgp"]), ", ".join(v["kernel"])))
        if "return" in exp:
            st.check(True, "Azure's path back to %s via [%s]" % (
                ctx.topo.onprem_prefixes[0], ", ".join(obs["return"])))
        if "events" in exp:
            st.check(True, "events: [%s]" % ", ".join(obs["events"]))
        for name, got in (obs.get("neighbors") or {}).items():
            st.check(True, "%s: %s" % (name, ", ".join(
                "%s %s" % kv for kv in sorted(got.items()))))
        if "health" in exp:
            st.check(True, "health warnings: %s" % (
                ", ".join(obs["health"]) or "none"))
        ctx.mark_events()
        if "limit" in spec:
            st.check(elapsed <= spec["limit"], "held %.3f s after the "
                     "action (limit %g s)" % (elapsed, spec["limit"]))
        summary = short(obs, len(ctx.topo.azure_prefixes) > 1)
        if "traffic" in exp:
            _, out_ifs = ctx.traffic(st, exp["traffic"], exp.get("replies"))
            summary.append("pings %s" % ",".join(
                i.replace("eth-", "") for i in out_ifs) or "-")
        if spec.get("do"):
            summary.insert(0, "%.3f s" % elapsed)
        summary = "; ".join(summary)
        st.summary = summary
    return run


def print_summary(steps, total, interrupted=False):
    """er_failover_lab's table, with the step titles wrapped to fit."""
    return demo.print_summary(steps, total, interrupted)


def keep_running(ctx):
    OUT.heading("The lab is still running (--keep).")
    OUT.line("  vtysh --vty_socket %s -c 'show bgp ipv4 unicast'"
             % ctx.edge.dir)
    OUT.line("  /usr/bin/python3 %s %s/bgpd.vty 'show bgp erpolicy'"
             % (os.path.join(HERE, "erp-vty.py"), ctx.edge.dir))
    OUT.line("  Namespaces: %s" % " ".join(
        n.ns for n in ctx.lab.nodes.values()))
    try:
        input("Press Enter (or Ctrl-C) to stop the lab and clean up... ")
    except (EOFError, KeyboardInterrupt):
        OUT.line()


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Run a lab topology file for bgpd -M erpolicy")
    ap.add_argument("topology", help="a file, or a name in %s (%s)" % (
        TOPO_DIR, ", ".join(sorted(os.path.splitext(f)[0] for f in
                                   os.listdir(TOPO_DIR)))))
    ap.add_argument("--json", metavar="FILE",
                    help="write the results to FILE")
    ap.add_argument("--keep", action="store_true",
                    help="leave the lab running at the end")
    ap.add_argument("--check", action="store_true",
                    help="only check the file, start nothing")
    args = ap.parse_args(argv)
    path = topomod.resolve(args.topology, TOPO_DIR)
    try:
        topo = topomod.load(path)
    except topomod.TopologyError as e:
        print("topology_lab: bad topology file, nothing started:\n%s" % e,
              file=sys.stderr)
        return 2
    if args.check:
        print("%s: topology %s OK (%d Azure routers, %d steps)"
              % (path, topo.name, len(topo.routers), len(topo.steps)))
        return 0
    if os.geteuid() != 0:
        sys.exit("topology_lab: run as root (network namespaces, FRR "
                 "daemons)")
    azure.module_args()  # the module must be built

    specs = [("lab_up", "0", "Lab up, BGP sessions established",
              step_lab_up)]
    for i, s in enumerate(topo.steps):
        specs.append(("step%d" % (i + 1), str(i + 1), s["name"],
                      make_step(s)))
    steps = [Step(sid, num, title) for sid, num, title, _ in specs]
    funcs = [f for _, _, _, f in specs]
    started = datetime.datetime.now().isoformat(timespec="seconds")
    interrupted, summary_done, steps_ok, problems = False, False, False, []
    rc_interrupted = 130
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, demo._on_signal)
    ctx = Ctx(topo, labmod.Lab("topo-" + topo.name))
    try:
        try:
            demo.run_steps(ctx, steps, funcs)
            steps_ok = print_summary(steps, time.monotonic() - OUT.t0)
            summary_done = True
            if args.keep:
                keep_running(ctx)
        except KeyboardInterrupt as e:
            interrupted = True
            if isinstance(e, demo.Terminated):
                rc_interrupted = 128 + e.signum
            OUT.line("\n%s interrupted" % OUT.stamp())
        finally:
            problems = demo.teardown(ctx)
    except KeyboardInterrupt:
        interrupted = True
        problems = ctx.lab.stop()
    total = time.monotonic() - OUT.t0
    if not summary_done:
        steps_ok = print_summary(steps, total, interrupted)
    passed = steps_ok and not problems and not interrupted
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"topology": topo.name, "file": path,
                       "passed": passed, "interrupted": interrupted,
                       "started": started, "duration_s": round(total, 3),
                       "lab_stop_problems": problems,
                       "steps": [s.to_json() for s in steps]}, f, indent=2)
            f.write("\n")
        OUT.line("  results written to %s" % args.json)
    if interrupted:
        return rc_interrupted
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
