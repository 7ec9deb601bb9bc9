#!/usr/bin/python3
"""What does the ExpressRoute/VPN policy cost bgpd?  (run by hand, as root)

For each configuration of the same policy
  none      no inbound policy (`no bgp ebgp-requires-policy`)
  floor     route-maps ER-IN / VPN-IN that only set the local-preference
            (no prefix matched): the least any inbound policy that sets
            local-preference costs bgpd, whoever writes it
  routemap  hand-written FRR prefix-lists (1,000 Azure + 1,000 on-prem
            entries, with `le`) and route-maps ER-IN (LP 200) / VPN-IN (LP 100)
  module    `bgpd -M erpolicy` with the same 1,000 azure-prefix + 1,000
            onprem-prefix declarations
the edge receives N /24s from the ExpressRoute speaker (bird2, AS 12076)
and, once those are settled, the same N from the VPN speaker (bird2,
AS 65515): fixed arrival order, ER first.  Outbound, the module brings its
own rule (on-prem only, no transit); the others get the equivalent
hand-written `route-map OUT` (on-prem only).  Nothing is advertised.

Per phase we record bgpd (and zebra) CPU seconds from /proc/PID/stat, the
"bulk wall" (session Up, from bgpd's ms log, to the end of the first busy
stretch) and the "wall to idle" (to the last busy slice); see lib_bench.
By default bgpd runs with -n (no kernel install: bgpd's own cost); the
`kernel` series runs without -n at --kernel-n routes (end to end: zebra and
the kernel FIB included).  At the largest N a 10.5 s window after the
routes are in is measured too (the module's periodic overlap walk).  With
N = --reeval-n (100,000) in the -n series, the routemap and module labs
also time a re-evaluation of all received routes after a policy change (ER
local-preference 200 -> 250/260; a deny prefix added), until the RIB shows
the new state; memory (bgpd RSS, MTYPE totals, the module's `show memory`
group) is recorded for every N.

One lab (one bgpd, configuration read once: reading 2,000 prefix-list or
erpolicy lines takes bgpd tens of seconds) per policy and series; each
repeat then loads every N afresh: ER phase, VPN phase, [window], memory,
[re-evaluation], both speakers disabled and all routes gone before the next.

Default run ~10 minutes.  The published results (doc/benchmarks.md) used
`--repeats 5 --kernel-post`.

usage: bench/policy_cost.py [--quick] [--repeats 4] [--small-repeats 3]
                            [--n 10000,100000] [--million]
                            [--kernel-n 100000] [--kernel-repeats 3]
                            [--kernel-post] [--no-kernel] [--no-reeval] [--interleave]
                            [--warmup]
                            [--decl 1000] [--policies none,floor,routemap,module]
                            [--config-scaling 250,500,1000] [--json FILE]
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lib_bench as lb  # noqa: E402
from lib import azure  # noqa: E402  (topotests/, put on sys.path by lib_bench)

ER = lb.ER_NH
VPN = lb.VPN_NH
POLICIES = ("none", "floor", "routemap", "module")


# ---------------------------------------------------------------------------
# conditions

def samples_ok(b, n, expect_lp, n_paths, first=0):
    """A few prefixes spread over [first, n): n_paths paths each, best from
    ER with local-preference expect_lp (None: not checked)."""
    for i in lb.sample_indexes(n - first):
        paths = b.paths(lb.v4_route(first + i))
        if len(paths) != n_paths:
            return False
        best = [p for p in paths if p.get("bestpath", {}).get("overall")]
        if not best or best[0]["peer"]["peerId"] != ER:
            return False
        if expect_lp is not None and best[0].get("locPrf") != expect_lp:
            return False
    return True


def er_target(b, n, policy, kernel):
    def cond():
        if b.pfx_rcd(ER) != n:
            return False
        if not samples_ok(b, n, 200 if policy != "none" else None, 1):
            return False
        if kernel and b.kernel_count(ER) != n:
            return False
        return True
    return cond


def vpn_target(b, n, policy, kernel):
    def cond():
        if b.pfx_rcd(VPN) != n:
            return False
        if not samples_ok(b, n, 200 if policy != "none" else None, 2):
            return False
        if kernel and b.kernel_count(ER) != n:
            return False
        return True
    return cond


# ---------------------------------------------------------------------------
# one phase

def phase(b, name, cond, watch, timeout):
    """Enable one speaker; wait until its routes are in and the watched
    daemons are idle.  wall = session Up (bgpd log, ms) -> end of the last
    busy slice of the watched daemons; wall_target = Up -> first poll that
    saw the complete target state (includes bird's ~1 s hold-back of its
    last UPDATE and the 0.25 s poll period)."""
    pids = b.pids()
    c0 = lb.cpu_snapshot(pids)
    t0 = time.time()
    b.enable(name)
    peer = lb.PEERS[name][1]
    est = {}

    def cond2():
        if "t" not in est:
            t = b.up_since(peer, t0 - 0.5)
            if t is None:
                return False
            est["t"] = t
        return cond()
    s = lb.wait_settled(cond2, {k: pids[k] for k in watch}, timeout=timeout,
                        check=b.lab.check_daemons)
    c1 = lb.cpu_snapshot(pids)
    d = lb.cpu_delta(c0, c1)
    busy = s.busy_end(est["t"])
    bulk = s.bulk_end(est["t"])
    return {"wall": round(busy - est["t"], 3) if busy else None,
            "wall_bulk": round(bulk - est["t"], 3) if bulk else None,
            "wall_target": round(s.t_target - est["t"], 3),
            "up_after_enable": round(est["t"] - t0, 3),
            "cpu": d}


def teardown_routes(b, watch):
    """Disable both speakers; wait until bgpd has dropped their routes."""
    pids = b.pids()
    b.disable("vpngw")
    b.disable("msee")

    def gone():
        summ = b.summary().get("peers", {})
        return all(summ.get(p, {}).get("state") != "Established"
                   for p in (ER, VPN)) and \
            b.summary().get("ribCount", 0) == 0
    lb.wait_settled(gone, {k: pids[k] for k in watch}, timeout=300,
                    check=b.lab.check_daemons)


# ---------------------------------------------------------------------------
# re-evaluation after a policy change

def reeval_steps(policy, n):
    """[(label, mode, config lines, extra exec commands, condition maker)]"""
    def lp_cond(lp):
        # prefixes below 20.2.0.0 get denied by the steps
        return lambda b: samples_ok(b, n, lp, 2, first=512)

    def deny_cond(denied, probe):
        def c(b):
            return (b.pfx_rcd(ER) == n - denied and
                    b.pfx_rcd(VPN) == n - denied and
                    b.paths(probe) == [])
        return c

    if policy == "module":
        return [
            ("local-preference", "module",
             ["router bgp %d" % lb.EDGE_AS,
              "erpolicy local-preference expressroute 250 vpn 100"],
             [], lp_cond(250)),
            ("prefix added", "module",
             ["router bgp %d" % lb.EDGE_AS,
              "erpolicy onprem-prefix 20.0.0.0/16 le 32"],
             [], deny_cond(256, "20.0.0.0/24")),
        ]
    return [
        ("local-preference", "auto (delay-timer 5 s)",
         ["route-map ER-IN permit 20", "set local-preference 250"],
         [], lp_cond(250)),
        ("prefix added", "auto (delay-timer 5 s)",
         ["ip prefix-list ONPREM seq 5005 permit 20.0.0.0/16 le 32"],
         [], deny_cond(256, "20.0.0.0/24")),
        ("local-preference", "clear soft in",
         ["route-map ER-IN permit 20", "set local-preference 260"],
         ["clear bgp ipv4 unicast * soft in"], lp_cond(260)),
        ("prefix added", "clear soft in",
         ["ip prefix-list ONPREM seq 5010 permit 20.1.0.0/16 le 32"],
         ["clear bgp ipv4 unicast * soft in"],
         deny_cond(512, "20.1.0.0/24")),
    ]


def reeval_revert(b, policy):
    """Undo the re-evaluation steps (called with no routes received, so
    nothing is re-evaluated) and flush the route-map delay timer."""
    if policy == "module":
        b.edge.config(["router bgp %d" % lb.EDGE_AS,
                       "erpolicy local-preference expressroute 200 vpn 100",
                       "no erpolicy onprem-prefix 20.0.0.0/16 le 32"])
    else:
        b.edge.config(["route-map ER-IN permit 20",
                       "set local-preference 200", "exit",
                       "no ip prefix-list ONPREM seq 5005 permit "
                       "20.0.0.0/16 le 32",
                       "no ip prefix-list ONPREM seq 5010 permit "
                       "20.1.0.0/16 le 32",
                       "bgp route-map delay-timer 0",
                       "no bgp route-map delay-timer"])
    time.sleep(0.5)


def reevaluate(b, policy, n):
    out = []
    pids = b.pids()
    watch = {"bgpd": pids["bgpd"]}
    for label, mode, lines, cmds, cond in reeval_steps(policy, n):
        if mode == "clear soft in":
            # no automatic update: only the explicit clear re-evaluates
            b.edge.config(["bgp route-map delay-timer 0"])
        c0 = lb.cpu_snapshot(pids)
        t0 = time.time()
        b.edge.config(lines)
        for c in cmds:
            b.edge.vty(c)
        s = lb.wait_settled(lambda: cond(b), watch, timeout=300,
                            check=b.lab.check_daemons)
        d = lb.cpu_delta(c0, lb.cpu_snapshot(pids))
        busy = s.busy_end(t0)
        bulk = s.bulk_end(t0)
        r = {"change": label, "mode": mode,
             "wall": round(busy - t0, 3) if busy else None,
             "wall_bulk": round(bulk - t0, 3) if bulk else None,
             "wall_target": round(s.t_target - t0, 3), "cpu": d}
        lb.log("  re-eval %s %s: %s s (target seen %.2f s), bgpd %.2f s "
               "CPU" % (label, mode, r["wall"], r["wall_target"],
                        d.get("bgpd", 0)))
        out.append(r)
    return out


# ---------------------------------------------------------------------------
# memory

def module_memory(b):
    """{mtype: (count, total bytes)} of bgpd's 'erpolicy' qmem group."""
    return azure.module_memory_usage(b.edge)


def mtype_total(b):
    """Sum of the 'Total' column of every qmem type in bgpd: bytes that
    bgpd's own allocation accounting says are live."""
    out = b.edge.vty("show memory")
    tot = 0
    for line in out.splitlines():
        if ":" not in line or line.startswith(("---", "Type")):
            continue
        f = line.split(":", 1)[1].split()
        if len(f) >= 3 and f[0].isdigit() and f[2].isdigit():
            tot += int(f[2])
    return tot


def heap_total(b):
    out = b.edge.vty("show memory")
    for line in out.splitlines():
        if "Total heap allocated" in line:
            return line.split(":", 1)[1].strip()
    return None


# ---------------------------------------------------------------------------
# one lab = one repeat of one policy

POST_WINDOW = 10.5   # > the module's 10 s overlap-check period
POST_REPEATS = 3


def lab_repeats(policy, ns, kernel, repeats, reeval_n, timeout, decl=1000,
                small_repeats=3, post_repeats=POST_REPEATS, warmup=False):
    """One lab (one bgpd) per policy and series; `repeats` times: for each
    N (the smaller ones only `small_repeats` times), ER phase, VPN phase,
    [a 10.5 s window after it], memory, [re-evaluation], routes withdrawn.
    With warmup, the largest N is loaded and withdrawn once first, not
    measured: the first load into a fresh bgpd also faults its memory in
    (doc/benchmarks.md section 13).  A generator: yields None once the
    lab is up, then one result dict per repeat (so that the labs of
    several policies can take turns)."""
    watch = ["bgpd"] + (["zebra"] if kernel else [])
    name = "pc_%s_%s" % (policy, "k" if kernel else "n")
    nmax = max(ns)
    with lb.BenchLab(name, policy, ns[0], kernel=kernel,
                     n_decl=(decl, decl)) as b:
        b.start()
        lb.log("%s (%s): config read in %.1f s, bgpd %.2f s CPU" % (
            policy, "kernel" if kernel else "-n", b.startup["wall"],
            b.startup["cpu_bgpd"]))
        rss_base = b.rss_kb()
        if warmup:
            if b.n4 != nmax:
                b.set_routes(nmax)
            er = phase(b, "msee", er_target(b, nmax, policy, kernel), watch,
                       timeout)
            vpn = phase(b, "vpngw", vpn_target(b, nmax, policy, kernel),
                        watch, timeout)
            teardown_routes(b, watch)
            lb.log("  %s warm-up N=%d (not measured): bgpd %.2f + %.2f CPU"
                   % (policy, nmax, er["cpu"].get("bgpd", 0),
                      vpn["cpu"].get("bgpd", 0)))
        yield None
        for rep in range(repeats):
            res = {"policy": policy, "kernel": kernel, "repeat": rep,
                   "uptime_before": lb.uptime_line(), "by_n": {},
                   "startup": b.startup}
            for n in ns:
                if n != nmax and rep >= small_repeats:
                    continue
                if b.n4 != n:
                    b.set_routes(n)
                r = {"uptime": lb.loadavg(), "mtype_before": mtype_total(b),
                     "rss_before_kb": b.rss_kb()}
                r["er"] = phase(b, "msee", er_target(b, n, policy, kernel),
                                watch, timeout)
                r["vpn"] = phase(b, "vpngw",
                                 vpn_target(b, n, policy, kernel),
                                 watch, timeout)
                if n == nmax and rep < post_repeats:
                    # background work after the routes are in (the
                    # module's periodic overlap walk of the BGP table)
                    pids = b.pids()
                    c0 = lb.cpu_snapshot(pids)
                    time.sleep(POST_WINDOW)
                    r["post"] = {"cpu": lb.cpu_delta(c0,
                                                     lb.cpu_snapshot(pids)),
                                 "window": POST_WINDOW}
                r["rss_kb"] = b.rss_kb()
                r["rss_base_kb"] = rss_base
                r["heap"] = heap_total(b)
                r["mtype_after"] = mtype_total(b)
                if policy == "module":
                    r["module_memory"] = module_memory(b)
                if kernel:
                    r["rss_zebra_kb"] = b.rss_kb("zebra")
                lb.log("  %s #%d N=%d ER %s/%s s bgpd %.2f CPU | VPN %s/%s "
                       "s bgpd %.2f CPU | after %s | rss %d MB | load %s" % (
                           policy, rep, n, r["er"]["wall_bulk"], r["er"]["wall"],
                           r["er"]["cpu"].get("bgpd", 0),
                           r["vpn"]["wall_bulk"], r["vpn"]["wall"],
                           r["vpn"]["cpu"].get("bgpd", 0),
                           r.get("post", {}).get("cpu", {}).get("bgpd"),
                           r["rss_kb"] // 1024, r["uptime"]))
                reeval = (n == reeval_n and not kernel and
                          policy in ("routemap", "module"))
                if reeval:
                    r["reeval"] = reevaluate(b, policy, n)
                res["by_n"][n] = r
                teardown_routes(b, watch)
                if reeval:
                    reeval_revert(b, policy)
            yield res


def run_labs(policies, *args, interleave=False, **kw):
    """Every policy's repeats; interleaved: all labs are started first and
    take turns, repeat by repeat (none #0, floor #0, ..., none #1, ...), so
    that a slow drift of the machine touches every policy alike."""
    out = []
    if not interleave:
        for pol in policies:
            out += [r for r in lab_repeats(pol, *args, **kw) if r]
        return out
    gens = [lab_repeats(pol, *args, **kw) for pol in policies]
    try:
        for g in gens:
            next(g)  # start the lab (configuration read)
        live = list(gens)
        while live:
            for g in list(live):
                try:
                    out.append(next(g))
                except StopIteration:
                    live.remove(g)
    finally:
        for g in gens:
            g.close()  # leaves each lab's context: daemons stopped
    return out


# ---------------------------------------------------------------------------
# report

def report(results, ns, kernel_n):
    lines = []
    P = lines.append

    def get(policy, kernel, n, fn):
        vals = []
        for r in results:
            if r["policy"] == policy and r["kernel"] == kernel and \
                    n in r["by_n"]:
                try:
                    v = fn(r["by_n"][n])
                except (KeyError, TypeError):
                    continue
                if v is not None:
                    vals.append(v)
        return vals

    def cpu(x, ph, d="bgpd"):
        if ph == "total":
            return x["er"]["cpu"][d] + x["vpn"]["cpu"][d]
        if ph == "all":
            return (x["er"]["cpu"][d] + x["vpn"]["cpu"][d] +
                    x["post"]["cpu"][d])
        return x[ph]["cpu"][d]

    def wall(x, ph, key):
        if ph == "total":
            return x["er"][key] + x["vpn"][key]
        if ph == "all":
            return None
        return x[ph][key]

    series = [(False, n) for n in ns]
    if kernel_n:
        series.append((True, kernel_n))
    names = {"er": "ER", "vpn": "VPN", "total": "**ER+VPN**",
             "all": "ER+VPN+%.1f s after" % POST_WINDOW}
    for kernel, n in series:
        if not any(r["kernel"] == kernel and n in r["by_n"]
                   for r in results):
            continue
        P("")
        P("### N = %s per neighbor, %s" % (
            format(n, ","), "kernel install (zebra + kernel FIB)"
            if kernel else "bgpd -n (no kernel install)"))
        P("")
        hdr = ["policy", "phase", "bgpd CPU s", "vs none", "vs floor",
               "vs routemap"]
        if kernel:
            hdr += ["zebra CPU s"]
        hdr += ["bulk wall s", "vs none", "vs routemap", "wall to idle s"]
        P("| " + " | ".join(hdr) + " |")
        P("|" + "---|" * len(hdr))
        for ph in ("er", "vpn", "total", "all"):
            med = {}
            for pol in POLICIES:
                med[pol] = (
                    get(pol, kernel, n, lambda x: cpu(x, ph)),
                    get(pol, kernel, n, lambda x: cpu(x, ph, "zebra"))
                    if kernel else [],
                    get(pol, kernel, n, lambda x: wall(x, ph, "wall_bulk")),
                    get(pol, kernel, n, lambda x: wall(x, ph, "wall")))
            for pol in POLICIES:
                c, z, wb, wi = med[pol]
                if not c:
                    continue
                row = [pol, names[ph], lb.fmt_ms(c),
                       lb.fmt(lb.ratio(lb.median(c),
                                       lb.median(med["none"][0]))),
                       lb.fmt(lb.ratio(lb.median(c),
                                       lb.median(med["floor"][0]))),
                       lb.fmt(lb.ratio(lb.median(c),
                                       lb.median(med["routemap"][0])))]
                if kernel:
                    row.append(lb.fmt_ms(z))
                row += [lb.fmt_ms(wb),
                        lb.fmt(lb.ratio(lb.median(wb),
                                        lb.median(med["none"][2]))),
                        lb.fmt(lb.ratio(lb.median(wb),
                                        lb.median(med["routemap"][2]))),
                        lb.fmt_ms(wi)]
                P("| " + " | ".join(row) + " |")
    # startup
    P("")
    P("### Reading the configuration at startup")
    P("")
    P("| policy | series | wall s | bgpd CPU s |")
    P("|---|---|---|---|")
    for kernel in (False, True):
        for pol in POLICIES:
            st = [r["startup"] for r in results
                  if r["policy"] == pol and r["kernel"] == kernel and
                  r["repeat"] == 0]
            if st:
                P("| %s | %s | %s | %s |" % (
                    pol, "kernel" if kernel else "-n",
                    lb.fmt_ms([s["wall"] for s in st]),
                    lb.fmt_ms([s["cpu_bgpd"] for s in st])))
    # re-evaluation
    rows = {}
    for r in results:
        for n, x in r["by_n"].items():
            for e in x.get("reeval", []):
                rows.setdefault((r["policy"], e["change"], e["mode"], n),
                                []).append(e)
    if rows:
        P("")
        P("### Re-evaluation of all received routes after a policy change "
          "(bgpd -n)")
        P("")
        P("| policy | change | how | N | bulk re-evaluated s | new state "
          "first seen s | wall to idle s | bgpd CPU s | bird CPU s "
          "(ER+VPN) |")
        P("|---|---|---|---|---|---|---|---|---|")
        for (pol, ch, mode, n), es in sorted(rows.items()):
            P("| %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                pol, ch, mode, format(n, ","),
                lb.fmt_ms([e.get("wall_bulk") for e in es]),
                lb.fmt_ms([e["wall_target"] for e in es]),
                lb.fmt_ms([e["wall"] for e in es]),
                lb.fmt_ms([e["cpu"].get("bgpd") for e in es]),
                lb.fmt_ms([e["cpu"].get("bird_er", 0) +
                           e["cpu"].get("bird_vpn", 0) for e in es])))
    # memory
    P("")
    P("### Memory after ER+VPN loaded (2 x N paths), bgpd -n")
    P("")
    P("bgpd's own accounting (sum of the Total column of `show memory`) "
      "grows by the 'MTYPE growth'; RSS growth is from the first time "
      "each N was loaded into the lab's fresh bgpd (repeat 0; later "
      "repeats reuse freed memory).")
    P("")
    P("| policy | N | bgpd RSS MB | RSS growth MB (first load) | MTYPE "
      "growth MB | MTYPE growth per 100k routes (x2 paths) MB | module "
      "MTYPEs: count / bytes |")
    P("|---|---|---|---|---|---|---|")
    for n in ns:
        for pol in POLICIES:
            xs = [r["by_n"][n] for r in results
                  if r["policy"] == pol and not r["kernel"] and
                  n in r["by_n"]]
            first = [r["by_n"][n] for r in results
                     if r["policy"] == pol and not r["kernel"] and
                     n in r["by_n"] and r["repeat"] == 0]
            if not xs:
                continue
            rss = [x["rss_kb"] / 1024 for x in xs]
            grow = [(x["rss_kb"] - x["rss_before_kb"]) / 1024 for x in first]
            mt = [(x["mtype_after"] - x["mtype_before"]) / 1048576
                  for x in xs]
            per = [g * 100000 / n for g in mt]
            mm = ""
            if pol == "module":
                tot = {}
                for x in xs:
                    for k, (c, byt) in x.get("module_memory", {}).items():
                        tot.setdefault(k, []).append((c, byt))
                mm = "; ".join("%s %d / %d" % (
                    k.replace("erpolicy ", ""),
                    lb.median([c for c, _ in v]),
                    lb.median([b for _, b in v]))
                    for k, v in sorted(tot.items()))
                allb = [sum(byt for _, byt in x.get("module_memory",
                                                      {}).values())
                        for x in xs]
                mm = "total %d bytes: %s" % (lb.median(allb), mm)
            P("| %s | %s | %s | %s | %s | %s | %s |" % (
                pol, format(n, ","), lb.fmt_ms(rss, 1), lb.fmt_ms(grow, 1),
                lb.fmt_ms(mt, 1), lb.fmt(lb.median(per), 1), mm))
    P("")
    P("Load average before each repeat: " + "; ".join(
        "%s/%s#%d: %s" % (r["policy"], "k" if r["kernel"] else "n",
                          r["repeat"], r["uptime_before"].split(
                              "load average:")[-1].strip())
        for r in results))
    return "\n".join(lines)


def declarations_read(b, d):
    """The module's own count of what it read: a fast start that lost
    lines must not pass for a fast start."""
    st = b.edge.show_json("show bgp erpolicy")
    got = (len(st.get("azurePrefixes", [])), len(st.get("onpremPrefixes", [])))
    if got != (d, d):
        raise lb.LabError("bgpd read %d + %d declarations, not %d + %d"
                          % (got + (d, d)))


def config_scaling(decls, policies, timeout):
    """Only read the configuration, for several declaration counts ('none'
    and 'floor' have no declarations: one row each, as a floor)."""
    rows = []
    lb.log("machine %s; module %s" % (lb.machine_info(), lb.module_info()))
    for pol in policies:
        if pol not in ("none", "floor"):
            continue
        with lb.BenchLab("cfg_%s" % pol, pol, 1000) as b:
            b.start(config_timeout=timeout)
            rows.append((pol, 0, b.startup["wall"], b.startup["cpu_bgpd"],
                         lb.loadavg()))
    for d in decls:
        for pol in policies:
            if pol in ("none", "floor"):
                continue
            with lb.BenchLab("cfg_%s_%d" % (pol, d), pol, 1000,
                             n_decl=(d, d)) as b:
                b.start(config_timeout=timeout)
                if pol == "module":
                    declarations_read(b, d)
                rows.append((pol, d, b.startup["wall"],
                             b.startup["cpu_bgpd"], lb.loadavg()))
                lb.log("  %s %d+%d declarations: %.1f s wall, %.2f s CPU"
                       % (pol, d, d, b.startup["wall"],
                          b.startup["cpu_bgpd"]))
    out = ["| policy | declarations (Azure + on-prem) | wall s | bgpd CPU s "
           "| CPU per declaration ms | load avg |", "|---|---|---|---|---|---|"]
    for pol, d, w, c, la in rows:
        out.append("| %s | %d + %d | %.1f | %.2f | %s | %s |" % (
            pol, d, d, w, c, "%.2f" % (1000 * c / (2 * d)) if d else "-",
            la))
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true",
                    help="smoke run: N=2000, 1 repeat, kernel N=2000")
    ap.add_argument("--repeats", type=int, default=4,
                    help="repeats for the largest N (default 4)")
    ap.add_argument("--n", default="10000,100000",
                    help="comma-separated N for the -n series")
    ap.add_argument("--million", action="store_true",
                    help="add N=1,000,000 to the -n series (one repeat "
                         "unless --repeats is given)")
    ap.add_argument("--small-repeats", type=int, default=3,
                    help="repeats for the N below the largest")
    ap.add_argument("--kernel-n", type=int, default=100000)
    ap.add_argument("--kernel-repeats", type=int, default=3)
    ap.add_argument("--kernel-post", action="store_true",
                    help="also measure the 10.5 s window after loading in "
                         "the kernel-install series (+~95 s)")
    ap.add_argument("--interleave", action="store_true",
                    help="start every policy's lab first, then run their "
                    "repeats in turn (less exposed to drift)")
    ap.add_argument("--post-repeats", type=int, default=POST_REPEATS,
                    help="repeats that also measure the 10.5 s window after "
                    "loading, largest N (default %d)" % POST_REPEATS)
    ap.add_argument("--warmup", action="store_true",
                    help="load the largest N once per lab first, not "
                    "measured (the first load faults bgpd's memory in)")
    ap.add_argument("--no-kernel", action="store_true")
    ap.add_argument("--no-reeval", action="store_true")
    ap.add_argument("--reeval-n", type=int, default=100000)
    ap.add_argument("--policies", default=",".join(POLICIES))
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("--decl", type=int, default=1000,
                    help="declared Azure and on-prem prefixes each "
                         "(prefix-list entries / erpolicy lines)")
    ap.add_argument("--config-scaling", default=None, metavar="D1,D2,...",
                    help="only time reading the configuration with D Azure "
                         "+ D on-prem declarations, for each D")
    ap.add_argument("--json", default=None)
    args = ap.parse_args()
    lb.require_root_and_tools()
    if args.config_scaling:
        print(config_scaling([int(x) for x in args.config_scaling.split(",")],
                             [p for p in args.policies.split(",") if p],
                             args.timeout))
        return

    ns = [int(x) for x in args.n.split(",") if x]
    repeats = args.repeats
    kernel_n = 0 if args.no_kernel else args.kernel_n
    reeval_n = 0 if args.no_reeval else args.reeval_n
    if args.quick:
        ns, repeats, kernel_n, reeval_n = [2000], 1, 2000, 2000
        args.decl = 100
    if args.million:
        ns = sorted(set(ns) | {1000000})
        if "--repeats" not in sys.argv:
            repeats = 1
    policies = [p for p in args.policies.split(",") if p]

    info = {"machine": lb.machine_info(), "module": lb.module_info(),
            "args": vars(args), "ns": ns, "kernel_n": kernel_n,
            "repeats": repeats, "started": time.strftime("%F %T"),
            "uptime_start": lb.uptime_line()}
    lb.log("machine %s; module %s" % (info["machine"], info["module"]))
    results = []
    t0 = time.time()
    results += run_labs(policies, ns, False, repeats, reeval_n,
                        args.timeout, args.decl, args.small_repeats,
                        0 if args.quick else args.post_repeats,
                        warmup=args.warmup, interleave=args.interleave)
    if kernel_n:
        results += run_labs(policies, [kernel_n], True,
                            1 if args.quick else args.kernel_repeats, 0,
                            args.timeout, args.decl,
                            post_repeats=POST_REPEATS if args.kernel_post
                            and not args.quick else 0,
                            warmup=args.warmup, interleave=args.interleave)
    info["elapsed_s"] = round(time.time() - t0)
    info["uptime_end"] = lb.uptime_line()
    text = report(results, ns, kernel_n)
    print(text)
    path = args.json or os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "results",
        "policy_cost-%s.json" % time.strftime("%Y%m%d-%H%M%S"))
    lb.save_json(path, {"info": info, "results": results, "report": text})
    lb.log("done in %d s; raw results: %s" % (info["elapsed_s"], path))


if __name__ == "__main__":
    main()
