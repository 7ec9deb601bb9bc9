#!/usr/bin/python3
"""How fast does the edge move Azure traffic from ExpressRoute to the VPN,
and back?  (run by hand, as root)

The edge (zebra + bgpd [+ bfdd], kernel install) learns N Azure /24s from
the ExpressRoute speaker (bird2, AS 12076) and the same N from the VPN
speaker (bird2, AS 65515); ER is preferred (LP 200 vs 100) either by

  routemap  hand-written prefix-lists + route-maps (1,000 + 1,000 entries)
  module    bgpd -M erpolicy with the same 1,000 + 1,000 declarations

Failure detection:
  ifdown    the MSEE's interface is set down (the edge sees NO-CARRIER)
  bfd       silent cut of a bridged link (carrier stays up); BFD 300 ms x 3
            on both sides (bfdd on the edge, bird's BFD on the MSEE)

For each cycle an `ip -ts monitor route` in the edge namespace records every
kernel route change with a timestamp:
  failover  = failure -> the last of the N prefixes installed via the VPN
              next hop ("last prefix moved"); checked with `ip route` that
              all N point to the VPN next hop;
  detect    = failure -> bgpd logs the ER session down (ms timestamps);
  reroute   = detect -> last prefix moved (the part policy can influence);
  fail-back = link restored -> the last prefix back on the ER next hop;
              split into session up (log) and reinstall after it.

usage: bench/failover_convergence.py [--quick] [--repeats 3]
                                     [--n 1000,10000]
                                     [--detect ifdown,bfd]
                                     [--policies routemap,module]
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lib_bench as lb  # noqa: E402

ER = lb.ER_NH
VPN = lb.VPN_NH


def bfd_up(b):
    try:
        peers = b.edge.show_json("show bfd peers", daemon="bfdd")
    except Exception:  # noqa: BLE001
        return False
    return any(p.get("peer") == ER and p.get("status") == "up"
               for p in peers)


def bfd_info(b):
    peers = b.edge.show_json("show bfd peers", daemon="bfdd")
    for p in peers:
        if p.get("peer") == ER:
            return {k: p.get(k) for k in (
                "status", "receive-interval", "transmit-interval",
                "detect-multiplier", "remote-receive-interval",
                "remote-transmit-interval", "remote-detect-multiplier")}
    return {}


def load(b, n, bfd, timeout):
    """ER routes first, then VPN; wait until the kernel has all N via ER,
    the VPN paths are in, BFD is up, and bgpd/zebra are idle."""
    pids = b.pids()
    watch = {"bgpd": pids["bgpd"], "zebra": pids["zebra"]}
    b.enable("msee")
    lb.wait_settled(lambda: b.kernel_count(ER) == n, watch, timeout=timeout,
                    check=b.lab.check_daemons)
    b.enable("vpngw")
    lb.wait_settled(lambda: b.pfx_rcd(VPN) == n and
                    b.kernel_count(ER) == n and (not bfd or bfd_up(b)),
                    watch, timeout=timeout, check=b.lab.check_daemons)


def unload(b, timeout):
    pids = b.pids()
    b.disable("vpngw")
    b.disable("msee")
    lb.wait_settled(lambda: b.summary().get("ribCount", 0) == 0 and
                    b.kernel_count() == 0,
                    {"bgpd": pids["bgpd"], "zebra": pids["zebra"]},
                    timeout=timeout, check=b.lab.check_daemons)


def cycle(b, n, detect, prefixes, timeout):
    link = b.links["msee"]
    pids = b.pids()
    watch = {"bgpd": pids["bgpd"], "zebra": pids["zebra"]}
    res = {"uptime": lb.loadavg()}

    # --- failure ---------------------------------------------------------
    mon = lb.RouteMonitor(b)
    c0 = lb.cpu_snapshot(pids)
    t0 = time.time()
    if detect == "ifdown":
        link.set_carrier(False, end="b")
    else:
        link.cut()
    lb.wait_until(lambda: b.kernel_count(VPN) == n, timeout=timeout,
                  interval=lb.POLL, message="all %d via VPN" % n)
    t_seen = time.time()
    lb.wait_settled(lambda: True, watch, timeout=timeout)
    c1 = lb.cpu_snapshot(pids)
    mon.stop()
    first, last, moved, qs = lb.last_move(mon.events(), VPN, prefixes, t0,
                                          (0.5, 0.9))
    downs = [t for t, _, st in b.adjchanges(ER, t0 - 0.1) if st == "Down"]
    t_down = downs[0] if downs else None
    res["failover"] = {
        "detect": round(t_down - t0, 3) if t_down else None,
        "first_moved": round(first - t0, 3) if first else None,
        "last_moved": round(last - t0, 3) if last else None,
        "reroute": round(last - t_down, 3) if last and t_down else None,
        "half_moved": round(qs[0.5] - t0, 3) if qs[0.5] else None,
        "p90_moved": round(qs[0.9] - t0, 3) if qs[0.9] else None,
        "moved": moved, "seen_by_poll": round(t_seen - t0, 3),
        "cpu": lb.cpu_delta(c0, c1),
        "all_via_vpn": b.kernel_count(VPN)}
    if b.policy == "module":
        try:
            st = b.edge.show_json("show bgp erpolicy")
            res["module_state"] = st["addressFamilies"]["ipv4"].get(
                "pathState")
        except Exception:  # noqa: BLE001
            pass

    # --- fail-back --------------------------------------------------------
    mon = lb.RouteMonitor(b)
    c0 = lb.cpu_snapshot(pids)
    t1 = time.time()
    if detect == "ifdown":
        link.set_carrier(True, end="b")
    else:
        link.restore()
    lb.wait_until(lambda: b.kernel_count(ER) == n, timeout=timeout,
                  interval=lb.POLL, message="all %d back via ER" % n)
    t_seen = time.time()
    lb.wait_settled(lambda: True, watch, timeout=timeout)
    c1 = lb.cpu_snapshot(pids)
    mon.stop()
    first, last, moved, qs = lb.last_move(mon.events(), ER, prefixes, t1,
                                          (0.5, 0.9))
    t_up = b.up_since(ER, t1 - 0.1)
    res["failback"] = {
        "session_up": round(t_up - t1, 3) if t_up else None,
        "first_moved": round(first - t1, 3) if first else None,
        "last_moved": round(last - t1, 3) if last else None,
        "reinstall": round(last - t_up, 3) if last and t_up else None,
        "half_moved": round(qs[0.5] - t1, 3) if qs[0.5] else None,
        "p90_moved": round(qs[0.9] - t1, 3) if qs[0.9] else None,
        "moved": moved, "seen_by_poll": round(t_seen - t1, 3),
        "cpu": lb.cpu_delta(c0, c1),
        "all_via_er": b.kernel_count(ER)}
    if detect == "bfd":
        lb.wait_until(lambda: bfd_up(b), timeout=30, interval=lb.POLL,
                      message="BFD up again")
    # the VPN paths must be back in as well before the next failure
    lb.wait_until(lambda: b.pfx_rcd(VPN) == n and b.pfx_rcd(ER) == n,
                  timeout=timeout, interval=lb.POLL)
    time.sleep(1.0)
    f, g = res["failover"], res["failback"]
    lb.log("    failover: detect %s, last moved %s (reroute %s), %d moved | "
           "fail-back: up %s, last moved %s (reinstall %s)" % (
               f["detect"], f["last_moved"], f["reroute"], f["moved"],
               g["session_up"], g["last_moved"], g["reinstall"]))
    return res


def run_lab(policy, detect, ns, repeats, timeout, decl=1000):
    bfd = detect == "bfd"
    out = []
    with lb.BenchLab("fo_%s_%s" % (policy[:3], detect), policy, ns[0],
                     kernel=True, bfd=bfd, bridged=bfd,
                     n_decl=(decl, decl)) as b:
        b.start()
        lb.log("%s/%s: config read in %.1f s" % (policy, detect,
                                                 b.startup["wall"]))
        for i, n in enumerate(ns):
            if b.n4 != n:
                b.set_routes(n)
            load(b, n, bfd, timeout)
            info = bfd_info(b) if bfd else {}
            prefixes = {lb.v4_route(k) for k in range(n)}
            lb.log("  %s/%s N=%d loaded%s" % (
                policy, detect, n, " (BFD %s)" % info if bfd else ""))
            for rep in range(repeats):
                r = cycle(b, n, detect, prefixes, timeout)
                r.update({"policy": policy, "detect": detect, "n": n,
                          "repeat": rep, "bfd": info})
                out.append(r)
            if i + 1 < len(ns):
                unload(b, timeout)
    return out


def report(results, ns, detects, policies):
    L = []
    P = L.append

    def vals(pol, det, n, part, key):
        return [r[part][key] for r in results
                if r["policy"] == pol and r["detect"] == det and
                r["n"] == n]

    P("| detection | N | policy | detect s | failover: last prefix moved s "
      "| reroute after detect s | vs routemap | fail-back: session up s | "
      "half back s | last prefix back s | reinstall after up s | "
      "bgpd CPU s (fail/back) | zebra CPU s (fail/back) |")
    P("|" + "---|" * 13)
    for det in detects:
        for n in ns:
            base = lb.median(vals("routemap", det, n, "failover", "reroute"))
            for pol in policies:
                rr = vals(pol, det, n, "failover", "reroute")
                if not rr:
                    continue
                cpu_f = [r["failover"]["cpu"].get("bgpd") for r in results
                         if r["policy"] == pol and r["detect"] == det and
                         r["n"] == n]
                cpu_b = [r["failback"]["cpu"].get("bgpd") for r in results
                         if r["policy"] == pol and r["detect"] == det and
                         r["n"] == n]
                z_f = [r["failover"]["cpu"].get("zebra") for r in results
                       if r["policy"] == pol and r["detect"] == det and
                       r["n"] == n]
                z_b = [r["failback"]["cpu"].get("zebra") for r in results
                       if r["policy"] == pol and r["detect"] == det and
                       r["n"] == n]
                P("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | "
                  "%s / %s | %s / %s |" % (
                      det, format(n, ","), pol,
                      lb.fmt_ms(vals(pol, det, n, "failover", "detect"), 3),
                      lb.fmt_ms(vals(pol, det, n, "failover", "last_moved"),
                                3),
                      lb.fmt_ms(rr, 3),
                      lb.fmt(lb.ratio(lb.median(rr), base)),
                      lb.fmt_ms(vals(pol, det, n, "failback", "session_up"),
                                3),
                      lb.fmt_ms([v for v in vals(pol, det, n, "failback",
                                                 "half_moved")
                                 if v is not None] if any(
                          "half_moved" in r["failback"] for r in results)
                          else [], 3),
                      lb.fmt_ms(vals(pol, det, n, "failback", "last_moved"),
                                3),
                      lb.fmt_ms(vals(pol, det, n, "failback", "reinstall"),
                                3),
                      lb.fmt(lb.median(cpu_f)), lb.fmt(lb.median(cpu_b)),
                      lb.fmt(lb.median(z_f)), lb.fmt(lb.median(z_b))))
    bad = [r for r in results
           if r["failover"]["all_via_vpn"] != r["n"] or
           r["failback"]["all_via_er"] != r["n"] or
           r["failover"]["moved"] != r["n"] or
           r["failback"]["moved"] != r["n"]]
    P("")
    P("Cycles: %d; cycles where not all N prefixes were seen moving or "
      "were not all on the expected next hop afterwards: %d" % (
          len(results), len(bad)))
    for r in bad:
        P("  - %s/%s N=%d #%d: moved %d/%d, via VPN %d, back via ER %d" % (
            r["policy"], r["detect"], r["n"], r["repeat"],
            r["failover"]["moved"], r["failback"]["moved"],
            r["failover"]["all_via_vpn"], r["failback"]["all_via_er"]))
    P("")
    P("Load average during the cycles: " + "; ".join(
        "%s/%s/%d#%d: %s" % (r["policy"], r["detect"], r["n"], r["repeat"],
                             r["uptime"]) for r in results))
    return "\n".join(L)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true",
                    help="smoke run: N=200, 1 cycle")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--n", default="1000,10000")
    ap.add_argument("--detect", default="ifdown,bfd")
    ap.add_argument("--policies", default="routemap,module")
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("--decl", type=int, default=1000,
                    help="declared Azure and on-prem prefixes each "
                         "(prefix-list entries / erpolicy lines)")
    ap.add_argument("--json", default=None)
    args = ap.parse_args()
    lb.require_root_and_tools()
    ns = [int(x) for x in args.n.split(",") if x]
    repeats = args.repeats
    if args.quick:
        ns, repeats, args.decl = [200], 1, 100
    detects = [d for d in args.detect.split(",") if d]
    policies = [p for p in args.policies.split(",") if p]
    info = {"machine": lb.machine_info(), "module": lb.module_info(),
            "args": vars(args), "ns": ns, "repeats": repeats,
            "started": time.strftime("%F %T"),
            "uptime_start": lb.uptime_line()}
    lb.log("machine %s; module %s" % (info["machine"], info["module"]))
    t0 = time.time()
    results = []
    for det in detects:
        for pol in policies:
            results += run_lab(pol, det, ns, repeats, args.timeout,
                               args.decl)
    info["elapsed_s"] = round(time.time() - t0)
    info["uptime_end"] = lb.uptime_line()
    text = report(results, ns, detects, policies)
    print(text)
    path = args.json or os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "results",
        "failover-%s.json" % time.strftime("%Y%m%d-%H%M%S"))
    lb.save_json(path, {"info": info, "results": results, "report": text})
    lb.log("done in %d s; raw results: %s" % (info["elapsed_s"], path))


if __name__ == "__main__":
    main()
