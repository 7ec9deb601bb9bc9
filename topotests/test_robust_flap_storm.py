"""Issue 6 (robustness): a flap storm leaves no trace.

Two ExpressRoute MSEEs (IPv4 and IPv6 sessions each, i.e. four ER
sessions) and a VPN gateway, with denied routes among what they send and a
fail-back hold-down configured.  With routes present, the ER sessions are
flapped in rounds that alternate

  * link down/up (``link.set_carrier``, alternately the edge's end and the
    MSEE's end), and
  * BGP resets (``clear bgp X`` on the edge's vty, for each ER session; a
    second ``clear`` while the session is still down, as an impatient
    operator would type it, also resets bgpd's doubled idle-hold timer so
    that a round takes ~1 s instead of ~2-3 s),

waiting for Established between rounds (each round takes every ER session
down, fails over to the VPN and starts the hold-down; 25 rounds = 100 ER
session flaps), then a burst of carrier toggles and clears with no waiting
at all (sessions caught in Connect/OpenSent/...).

Afterwards the module state (``show bgp erpolicy json`` and ``show bgp
erpolicy prefixes json``), the BGP RIB (paths, best paths, local-preference),
the kernel routes and the module's MTYPE counts must be exactly what they
were before the storm.  Left out of the comparison, because they
legitimately change: the per-session update counters (``updatesAccepted``,
``updatesDenied``: cumulative per session, and route refreshes re-send
routes), the event history (``show bgp erpolicy events``) and bgpd's
per-path timestamps/versions.
"""

import copy
import time

from lib import azure

M1 = azure.PEERS["msee1"]
M2 = azure.PEERS["msee2"]
VPN = azure.PEERS["vpngw"]
NAMES = ["msee1", "msee2", "vpngw"]
ER_SESSIONS = [M1[1], M1[3], M2[1], M2[3]]
ALL_SESSIONS = ER_SESSIONS + [VPN[1], VPN[3]]

# what each Azure router sends: Azure prefixes plus some the policy denies
V4 = azure.AZURE_V4 + ["10.100.7.0/24", "0.0.0.0/0", "172.16.5.0/24",
                       "192.168.77.0/24", "10.100.8.0/30"]
V6 = azure.AZURE_V6 + ["::/0", "fd00:aaaa:1::/48", "2001:db8:999::/48"]

ROUNDS = 25           # x 4 ER sessions = 100 ER session flaps
CHAOS_TOGGLES = 30    # unpaced flap actions after the rounds


def sessions(edge):
    nbrs = edge.show_json("show bgp neighbors")
    return {a: nbrs.get(a, {}).get("bgpState") for a in ALL_SESSIONS}


def all_established(edge):
    return all(s == "Established" for s in sessions(edge).values())


def no_er_established(edge):
    st = sessions(edge)
    return not any(st[a] == "Established" for a in ER_SESSIONS)


# --- snapshots ---------------------------------------------------------------

VOLATILE_PATH_KEYS = {"version", "lastUpdate", "bestpath-from-AS",
                      "selectionReason"}


def _strip(obj, keys):
    if isinstance(obj, dict):
        return {k: _strip(v, keys) for k, v in obj.items() if k not in keys}
    if isinstance(obj, list):
        return [_strip(v, keys) for v in obj]
    return obj


def rib_snapshot(edge):
    out = {}
    for afi in ("ipv4", "ipv6"):
        routes = edge.show_json("show bgp %s unicast" % afi).get("routes", {})
        table = {}
        for pfx, paths in routes.items():
            norm = [_strip(p, VOLATILE_PATH_KEYS) for p in paths]
            table[pfx] = sorted(norm, key=lambda p: p.get("peerId", ""))
        out[afi] = table
    return out


def module_snapshot(edge):
    st = copy.deepcopy(azure.erpolicy(edge))
    for nbr in st.get("neighbors", {}).values():
        for af in nbr.get("addressFamilyInfo", {}).values():
            af.pop("updatesAccepted", None)
            af.pop("updatesDenied", None)
    # cumulative since bgpd started, like the update counters
    for af in st.get("addressFamilies", {}).values():
        af.pop("eventCounts", None)
    prefixes = edge.show_json("show bgp erpolicy prefixes")
    return {"state": st, "prefixes": prefixes}


def kernel_snapshot(edge):
    out = {}
    for fam in (4, 6):
        routes = edge.ip_json("-%d" % fam, "route", "show", "table", "all")
        norm = []
        for r in routes:
            # nexthop object ids are reallocated; ECMP nexthops are listed
            # in the order they were added
            r = _strip(r, {"expires", "nhid"})
            if "nexthops" in r:
                r["nexthops"] = sorted(r["nexthops"], key=lambda nh: (
                    str(nh.get("gateway")), str(nh.get("dev"))))
            norm.append(r)
        out[fam] = sorted(norm, key=lambda r: (str(r.get("table")),
                                               str(r.get("dst")),
                                               str(r.get("dev"))))
    return out


def snapshot(edge):
    return {"module": module_snapshot(edge), "rib": rib_snapshot(edge),
            "kernel": kernel_snapshot(edge),
            "memory": azure.module_memory(edge)}


# --- the test ------------------------------------------------------------------


def steady(lab, edge):
    """Wait for the converged, ER-preferred steady state."""
    lab.wait_until(lambda: all_established(edge), timeout=60,
                   message="all sessions Established",
                   diag=lambda: sessions(edge))

    def converged():
        st = azure.erpolicy(edge)
        for afi in ("ipv4", "ipv6"):
            if st["addressFamilies"][afi]["pathState"] != "expressroute":
                return False
        for pfx, afi in (("10.100.1.0/24", "ipv4"),
                         ("2001:db8:100::/48", "ipv6")):
            if len(azure.paths(edge, pfx, afi)) != 3:
                return False
            best = azure.best_path(edge, pfx, afi)
            if not best or best.get("locPrf") != 200:
                return False
        return azure.kernel_gateway(edge, "10.100.1.0/24") in (M1[1], M2[1])
    lab.wait_until(converged, timeout=30, interval=0.1,
                   message="ER preferred again, all paths present",
                   diag=lambda: azure.erpolicy(edge))


def test_flap_storm_leaves_no_trace(lab):
    azure_cfg = {n: azure.azure_conf(n, V4, V6) for n in NAMES}
    # compare-routerid: between the two MSEEs' equal paths bgpd would
    # otherwise keep the older one as best, i.e. whichever came back first
    edge_cfg = azure.edge_conf(
        NAMES, erpolicy=azure.erpolicy_lines(NAMES) +
        " erpolicy failback hold-down 1 maximum 2\n",
        extra=" bgp bestpath compare-routerid\n")
    r = azure.build(lab, names=NAMES, edge_bgpd=edge_cfg, azure=azure_cfg)
    lab.start()
    edge = r["edge"]
    steady(lab, edge)
    # bgpd re-applies inbound maps ~5 s after it started (route-map update
    # timer); let that happen before the reference snapshot
    time.sleep(max(0.0, 6.0 - (time.monotonic() - lab_started(lab))))
    steady(lab, edge)
    before = snapshot(edge)
    assert before["memory"].get("erpolicy neighbor", 0) > 0
    assert before["rib"]["ipv4"]["10.100.1.0/24"]
    bgpd_pid = edge.pid("bgpd")
    events_before = len(edge.show_json("show bgp erpolicy events")["events"])

    t0 = time.monotonic()
    links = [r["msee1_link"], r["msee2_link"]]
    flaps = 0
    with edge.client() as vty:
        for i in range(ROUNDS):
            if i % 2 == 0:
                end = "a" if i % 4 == 0 else "b"
                for link in links:
                    link.set_carrier(False, end=end)
                lab.wait_until(lambda: no_er_established(edge), timeout=10,
                               interval=0.02, message="ER sessions down")
                for link in links:
                    link.set_carrier(True, end=end)
            else:
                for addr in ER_SESSIONS:
                    vty.check("clear bgp %s" % addr)
                for addr in ER_SESSIONS:
                    vty.check("clear bgp %s" % addr)
            flaps += len(ER_SESSIONS)
            # back means carrying Azure routes again: a session without
            # them is no usable path (issue 12), and a round that cut ER
            # before its routes came back would be no flap of the path
            lab.wait_until(lambda: all_established(edge) and
                           len(azure.paths(edge, "10.100.1.0/24")) == 3,
                           timeout=30, interval=0.05,
                           message="sessions and routes back after round %d"
                           % i, diag=lambda: sessions(edge))
        rounds_s = time.monotonic() - t0

        # chaos: no waiting at all
        for i in range(CHAOS_TOGGLES):
            link = links[i % 2]
            if i % 3 == 2:
                vty.check("clear bgp %s" % (M1[1] if i % 2 else M2[3]))
            else:
                link.set_carrier(False, end="a" if i % 4 < 2 else "b")
                link.set_carrier(True, end="a" if i % 4 < 2 else "b")
    for link in links:  # whatever the chaos left
        link.set_carrier(True, end="a")
        link.set_carrier(True, end="b")
    storm_s = time.monotonic() - t0

    # the storm went through the module: failovers, hold-downs, fail-backs
    events = edge.show_json("show bgp erpolicy events")["events"]
    kinds = {e["event"] for e in events}
    assert {"failover", "hold-down-start"} <= kinds, "\n".join(
        "%s %s %s->%s %s" % (e["afi"], e["event"], e["from"], e["to"],
                             e["cause"]) for e in events)
    assert len(events) > events_before

    steady(lab, edge)
    t_wait = time.monotonic()
    after = None

    def same():
        nonlocal after
        after = snapshot(edge)
        return after == before
    try:
        lab.wait_until(same, timeout=20, interval=0.5,
                       message="state as before the storm")
    except AssertionError:
        raise AssertionError("state differs after the storm:\n" +
                             "\n".join(azure.json_diff(before, after)[:60])) from None
    settle_s = time.monotonic() - t_wait

    assert edge.pid("bgpd") == bgpd_pid
    lab.check_daemons()
    nb = edge.show_json("show bgp neighbors %s" % M1[1])[M1[1]]
    assert nb["connectionsEstablished"] >= ROUNDS // 2 + 1
    print("%d ER session flaps in %d paced rounds: %.1f s; + %d unpaced "
          "actions: %.1f s total; state identical %.1f s after "
          "convergence; %d events"
          % (flaps, ROUNDS, rounds_s, CHAOS_TOGGLES, storm_s, settle_s,
             len(events)))


def lab_started(lab):
    """Monotonic time the edge's bgpd was started (approximation: the
    pidfile's age)."""
    import os
    edge = lab.router("edge")
    age = time.time() - os.stat(edge.pidfile("bgpd")).st_mtime
    return time.monotonic() - age
