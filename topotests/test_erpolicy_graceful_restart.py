"""Issue 12 item 5 d: graceful restart and the module's preferences.

With graceful restart negotiated (bgpd 8.4 is a helper by default; here
both sides say ``bgp graceful-restart``), a neighbor whose session ends by
a closed connection (its bgpd killed) or an expired hold timer (RFC 8538,
N bit) leaves its routes in the BGP table as stale until it is back or the
restart time is over; bgpd runs no route-map on them.  Without the module
doing anything, an ExpressRoute neighbor's stale routes kept their 200 and
outranked the VPN's fresh 100: the kernel kept sending Azure traffic to
the dead ExpressRoute next hop for the restart time, while the module's
path state already said "vpn".

Policy: a neighbor that is down is no usable path; its stale routes get
local-preference 0 (below every fresh route, of either path), so the other
path's routes carry the traffic, and the stale ones only when nothing else
is left.  When the neighbor is back, its routes come through the module's
map again with their normal preference.  With long-lived graceful restart
the routes keep local-preference 0 and get LLGR_STALE.  A health warning
(erGracefulRestart / vpnGracefulRestart) names the neighbors that
negotiated it.
"""

import os
import shutil
import time

import pytest

from lib import azure

ER = azure.PEERS["msee1"]
VPN = azure.PEERS["vpngw"]
PFX = "10.100.1.0/24"
PFX6 = "2001:db8:100::/48"
RESTART = 60


def gr_lines(restart=RESTART, llgr=None):
    out = (" bgp graceful-restart\n"
           " bgp graceful-restart restart-time %d\n" % restart)
    if llgr:
        out += " bgp long-lived-graceful-restart stale-time %d\n" % llgr
    return out


def with_gr(conf, after, lines):
    assert after in conf
    return conf.replace(after, after + lines, 1)


def build(lab, edge_wrapper=None, **gr):
    names = ["msee1", "vpngw"]
    edge_cfg = with_gr(azure.edge_conf(names), " bgp router-id 10.0.0.1\n",
                       gr_lines(**gr))
    az = {n: with_gr(azure.azure_conf(n, azure.AZURE_V4, azure.AZURE_V6),
                     " no bgp default ipv4-unicast\n", gr_lines(**gr))
          for n in names}
    r = azure.build(lab, names=names, edge_bgpd=edge_cfg, azure=az,
                    bridged=["msee1"])
    if edge_wrapper:
        r["edge"].bgpd_wrapper = list(edge_wrapper)
        r["edge"].stop_timeout = 90
    lab.start()
    edge = r["edge"]
    lab.wait_until(azure.established(edge, [ER[1], ER[3], VPN[1], VPN[3]]),
                   timeout=30, message="sessions up")
    wait_best(lab, edge, PFX, ER[1], 200)
    wait_best(lab, edge, PFX6, ER[3], 200, afi="ipv6")
    lab.wait_until(lambda: azure.path_from(edge, PFX, VPN[1]) and
                   azure.path_from(edge, PFX6, VPN[3], "ipv6"), timeout=15,
                   message="VPN routes present")
    return r


def wait_best(lab, edge, prefix, peer, lp, afi="ipv4", timeout=15):
    def check():
        best = azure.best_path(edge, prefix, afi)
        return (best is not None and best["peer"]["peerId"] == peer and
                best.get("locPrf") == lp)
    lab.wait_until(check, timeout=timeout,
                   message="%s best via %s with local-preference %s"
                   % (prefix, peer, lp),
                   diag=lambda: edge.vty("show bgp %s unicast %s"
                                         % (afi, prefix)))


def check_stale(lab, edge, prefix, peer, afi="ipv4"):
    """peer's path to prefix is (soon: bgpd marks it from a work queue)
    stale, with local-preference 0."""
    def check():
        path = azure.path_from(edge, prefix, peer, afi) or {}
        return path.get("stale") is True and path.get("locPrf") == 0
    lab.wait_until(check, timeout=5,
                   message="%s from %s stale with local-preference 0"
                   % (prefix, peer),
                   diag=lambda: azure.paths(edge, prefix, afi))


def attr_count(edge):
    """Interned BGP attributes in bgpd (its 'show memory'): the module
    replaces a stale path's attributes and must release the old ones."""
    for line in edge.vty("show memory").splitlines():
        name, _, rest = line.partition(":")
        if name.strip() == "BGP attribute":
            return int(rest.split()[0])
    raise AssertionError("no 'BGP attribute' in show memory")


def health(edge, check):
    return {w.get("neighbor"): w["message"]
            for w in azure.erpolicy(edge)["healthWarnings"]
            if w["check"] == check}


def test_stale_expressroute_routes_yield_to_vpn(lab):
    r = build(lab)
    edge = r["edge"]
    # the warning names both paths' neighbors
    gr = health(edge, "erGracefulRestart")
    assert set(gr) == {ER[1], ER[3]}, gr
    assert gr[ER[1]] == (
        "ExpressRoute neighbor %s negotiated graceful restart: after a "
        "failure bgpd keeps its routes as stale (restart time %d s); the "
        "module gives them local-preference 0, so they carry traffic only "
        "when no other route is left. Unless it keeps forwarding while it "
        "restarts, write \"neighbor %s graceful-restart-disable\""
        % (ER[1], RESTART, ER[1])), gr
    assert set(health(edge, "vpnGracefulRestart")) == {VPN[1], VPN[3]}
    assert "erGracefulRestart: " + gr[ER[1]] in \
        edge.vty("show bgp erpolicy").replace("Warning: ",
                                              "erGracefulRestart: ")

    # --- the MSEE's bgpd dies: the connection closes, routes kept stale
    attrs = attr_count(edge)
    r["msee1"].kill_daemon("bgpd")
    wait_best(lab, edge, PFX, VPN[1], 100)
    wait_best(lab, edge, PFX6, VPN[3], 100, afi="ipv6")
    check_stale(lab, edge, PFX, ER[1])
    check_stale(lab, edge, PFX6, ER[3], afi="ipv6")
    lab.wait_until(lambda: azure.kernel_gateway(edge, PFX) == VPN[1],
                   timeout=10, message="kernel route via the VPN")
    st = azure.erpolicy(edge)
    assert st["addressFamilies"]["ipv4"]["pathState"] == "vpn", st
    # the stale path is no path the policy intends: no issue reported
    row = edge.show_json("show bgp erpolicy prefixes %s" % PFX)[
        "prefixes"][0]
    assert (row["best"], row["intended"], row["issue"], row["viaVpn"],
            row["viaExpressroute"]) == ("vpn", "vpn", "none", True,
                                        False), row
    lines = [ln for ln in edge.log_text("bgpd").splitlines()
             if "routes kept stale by graceful restart" in ln]
    assert any("erpolicy: %s (expressroute) down, 2 ipv4 routes kept stale "
               "by graceful restart (up to %d s): local-preference 0 until "
               "it is back" % (ER[1], RESTART) in ln for ln in lines), lines

    # --- back: fresh routes through the module's map, 200 again
    r["msee1"].start_daemon("bgpd")
    wait_best(lab, edge, PFX, ER[1], 200, timeout=30)
    wait_best(lab, edge, PFX6, ER[3], 200, afi="ipv6", timeout=30)
    assert azure.path_from(edge, PFX, ER[1]).get("stale") is None
    lab.wait_until(lambda: azure.kernel_gateway(edge, PFX) == ER[1],
                   timeout=10, message="kernel route via ExpressRoute")
    # the demoted attributes were released with the stale paths
    lab.wait_until(lambda: attr_count(edge) == attrs, timeout=5,
                   message="as many interned attributes as before",
                   diag=lambda: (attrs, attr_count(edge)))

    # --- a silent failure: hold timer (9 s) expires, N bit: kept stale
    r["msee1_link"].cut()
    wait_best(lab, edge, PFX, VPN[1], 100, timeout=20)
    check_stale(lab, edge, PFX, ER[1])
    lab.wait_until(lambda: azure.kernel_gateway(edge, PFX) == VPN[1],
                   timeout=10, message="kernel route via the VPN")
    r["msee1_link"].restore()
    wait_best(lab, edge, PFX, ER[1], 200, timeout=40)

    # --- the VPN's stale routes: 0 as well (below a demoted ER's 99)
    r["vpngw"].kill_daemon("bgpd")
    lab.wait_until(lambda: (azure.path_from(edge, PFX, VPN[1]) or {})
                   .get("stale") is True, timeout=15,
                   message="VPN routes stale")
    check_stale(lab, edge, PFX, VPN[1])
    wait_best(lab, edge, PFX, ER[1], 200)
    r["vpngw"].start_daemon("bgpd")
    lab.wait_until(lambda: (azure.path_from(edge, PFX, VPN[1]) or {})
                   .get("locPrf") == 100, timeout=30,
                   message="VPN routes fresh again")
    lab.check_daemons()


def test_stale_routes_alone_still_carry_traffic_then_llgr(lab):
    """Nothing else left: the stale ExpressRoute routes (local-preference 0)
    stay best, which is what graceful restart is for; after the restart
    time, long-lived graceful restart keeps them with LLGR_STALE and
    local-preference 0."""
    r = build(lab, restart=5, llgr=60)
    edge = r["edge"]
    assert "then long-lived 60 s" in health(edge, "erGracefulRestart")[ER[1]]
    r["vpngw"].config(["router bgp 65515", "address-family ipv4 unicast",
                       "no network %s" % PFX])  # withdrawn: no other route
    lab.wait_until(lambda: azure.path_from(edge, PFX, VPN[1]) is None,
                   timeout=15, message="VPN routes withdrawn")
    r["msee1"].kill_daemon("bgpd")
    wait_best(lab, edge, PFX, ER[1], 0)
    check_stale(lab, edge, PFX, ER[1])
    assert azure.kernel_gateway(edge, PFX) == ER[1]
    row = edge.show_json("show bgp erpolicy prefixes %s" % PFX)[
        "prefixes"][0]
    assert (row["best"], row["intended"], row["issue"]) == \
        ("expressroute", "none", "none"), row

    # restart time over: long-lived stale, still 0
    def llgr_stale():
        path = azure.path_from(edge, PFX, ER[1]) or {}
        return "llgr-stale" in path.get("community", {}).get("string", "")
    lab.wait_until(llgr_stale, timeout=15, message="LLGR_STALE",
                   diag=lambda: edge.vty("show bgp ipv4 unicast %s" % PFX))
    wait_best(lab, edge, PFX, ER[1], 0)
    lab.check_daemons()


@pytest.mark.skipif(shutil.which("valgrind") is None,
                    reason="valgrind not installed")
def test_stale_demotion_under_valgrind(machine_alone, lab):
    """The attributes the module replaces on stale paths: no invalid access,
    no leak from the module (memcheck, report parsed as in
    test_robust_valgrind)."""
    import test_robust_valgrind as vg
    vg_dir = os.path.join(lab.dir, "valgrind")
    os.makedirs(vg_dir)
    os.chmod(vg_dir, 0o777)
    wrapper = ["valgrind", "--tool=memcheck", "--error-exitcode=99",
               "--leak-check=full", "--errors-for-leak-kinds=definite",
               "--show-leak-kinds=definite,possible", "--num-callers=30",
               "--log-file=%s/bgpd.%%p.log" % vg_dir,
               "--xml=yes", "--xml-file=%s/bgpd.%%p.xml" % vg_dir]
    r = build(lab, edge_wrapper=wrapper)
    edge = r["edge"]
    assert "memcheck" in os.readlink("/proc/%d/exe" % edge.pid("bgpd"))
    for _ in range(2):
        r["msee1"].kill_daemon("bgpd")
        wait_best(lab, edge, PFX, VPN[1], 100, timeout=30)
        check_stale(lab, edge, PFX, ER[1])
        r["msee1"].start_daemon("bgpd")
        wait_best(lab, edge, PFX, ER[1], 200, timeout=60)
    edge.vty("show bgp erpolicy prefixes")
    how = edge.stop_daemon("bgpd", timeout=90)
    assert how in ("exit code 0", "exit code 99"), how
    xmls = [os.path.join(vg_dir, x) for x in os.listdir(vg_dir)
            if x.endswith(".xml")]
    assert len(xmls) == 1, xmls
    report = vg.parse_report(xmls[0])
    module = [e for e in report if e[3] and e[0] != "Leak_PossiblyLost"]
    print("valgrind: %d error(s)/definite leak(s) from the module, %d "
          "from FRR itself" % (len(module),
                               len([e for e in report if not e[3]])))
    assert not module, vg.summarize(module)


def test_back_without_routes_is_no_failback(lab):
    """An ExpressRoute neighbor back after a graceful restart still has its
    stale routes in bgpd's count until its End-of-RIB: they are no Azure
    routes of the new session.  Back with nothing to send, it must not make
    the path state fail back (and over again when bgpd drops the stale
    routes at End-of-RIB)."""
    r = build(lab)
    edge = r["edge"]
    r["msee1"].kill_daemon("bgpd")
    wait_best(lab, edge, PFX, VPN[1], 100)
    check_stale(lab, edge, PFX, ER[1])
    seq = max(e["seq"] for e in
              edge.show_json("show bgp erpolicy events")["events"])
    # back, announcing nothing
    r["msee1"].write_conf("bgpd", azure.azure_conf("msee1").replace(
        " no bgp default ipv4-unicast\n",
        " no bgp default ipv4-unicast\n" + gr_lines()))
    r["msee1"].start_daemon("bgpd")
    lab.wait_until(azure.established(edge, [ER[1], ER[3]]), timeout=30,
                   message="msee1 back")
    lab.wait_until(lambda: azure.path_from(edge, PFX, ER[1]) is None,
                   timeout=15, message="stale routes dropped at End-of-RIB")
    wait_best(lab, edge, PFX, VPN[1], 100)
    import time
    time.sleep(2)  # a tick or two of the path state
    later = [e for e in edge.show_json("show bgp erpolicy events")["events"]
             if e["seq"] > seq]
    assert [e for e in later if e["event"] in ("failback", "failover")] \
        == [], later
    st = azure.erpolicy(edge)["addressFamilies"]["ipv4"]
    assert st["pathState"] == "vpn", st
    lab.check_daemons()
