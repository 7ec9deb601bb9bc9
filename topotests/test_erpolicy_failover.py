"""Issue 4: failover and fail-back an operator can trust and see.

Two ExpressRoute sessions (msee1, msee2) and a VPN gateway, each Azure
router answering on the anycast address 10.100.1.1 of the Azure prefix, so
the edge's pings show by interface counters which path really forwards.
"""

import time

from lib import azure

M1 = azure.PEERS["msee1"]
M2 = azure.PEERS["msee2"]
VPN = azure.PEERS["vpngw"]
AZ_HOST = "10.100.1.1"
PFX = "10.100.1.0/24"
NAMES = ["msee1", "msee2", "vpngw"]


def start(lab, extra="", bfd=False, bridged=(), edge_extra_neighbor=""):
    edge_cfg = azure.edge_conf(
        NAMES, erpolicy=azure.erpolicy_lines(NAMES) + extra,
        extra=edge_extra_neighbor)
    azure_cfg = {}
    if bfd:
        for n in NAMES:
            azure_cfg[n] = azure.azure_conf(
                n, azure.AZURE_V4, azure.AZURE_V6).replace(
                " neighbor %s advertisement-interval 0\n" % azure.PEERS[n][0],
                " neighbor %s advertisement-interval 0\n"
                " neighbor %s bfd\n" % (azure.PEERS[n][0],
                                        azure.PEERS[n][0]))
    r = azure.build(lab, names=NAMES, edge_bgpd=edge_cfg, bfd=bfd,
                    bridged=bridged, azure=azure_cfg or None)
    for n in NAMES:
        r[n].exec(["ip", "addr", "add", AZ_HOST + "/32", "dev", "lo"])
    lab.start()
    edge = r["edge"]
    lab.wait_until(azure.established(edge, [M1[1], M2[1], VPN[1]]),
                   timeout=30, message="sessions up")
    lab.wait_until(lambda: len(azure.paths(edge, PFX)) == 3, timeout=20,
                   message="three paths to %s" % PFX)
    return r


def gateway(edge):
    return azure.kernel_gateway(edge, PFX)


def via_er(edge):
    return gateway(edge) in (M1[1], M2[1])


def kernel_route_settled(edge, hold=1.0):
    """A wait_until predicate: true once the kernel's route to PFX has
    not changed for hold seconds."""
    seen = {"gw": None, "since": 0.0}

    def check():
        gw, now = gateway(edge), time.monotonic()
        if gw != seen["gw"]:
            seen["gw"], seen["since"] = gw, now
        return now - seen["since"] >= hold
    return check


def tx_packets(node, ifname):
    links = node.ip_json("-s", "link", "show", "dev", ifname)
    return links[0]["stats64"]["tx"]["packets"]


def forwarding_path(edge, count=40):
    """Send pings to the Azure anycast host; return the interface whose tx
    counter grew by at least count (the path packets really took).  BGP
    keepalives and BFD also leave by every interface, but only a handful in
    the fraction of a second the burst takes."""
    ifs = ["eth-msee1", "eth-msee2", "eth-vpngw"]
    before = {i: tx_packets(edge, i) for i in ifs}
    res = edge.exec(["ping", "-q", "-c", str(count), "-i", "0.01", "-W", "1",
                     AZ_HOST], check=False)
    assert res.returncode == 0, res.stdout + res.stderr
    grew = [i for i in ifs if tx_packets(edge, i) - before[i] >= count]
    assert len(grew) == 1, (before, grew)
    return grew[0]


def events(edge):
    return edge.show_json("show bgp erpolicy events")["events"]


def event_types(edge, afi="ipv4"):
    return [e["event"] for e in events(edge) if e["afi"] == afi]


def session_history(edge, addr):
    """How often the session came up and went down, and why it last
    reset: tells an extra flap of the lab from one the module saw wrongly."""
    n = edge.show_json("show bgp neighbors %s" % addr).get(addr, {})
    return {k: n.get(k) for k in ("connectionsEstablished",
                                  "connectionsDropped", "lastResetDueTo",
                                  "lastResetTimerMsecs")}


def state(edge, afi="ipv4"):
    return azure.erpolicy(edge)["addressFamilies"][afi]


def test_one_er_lost_then_both_then_back(lab):
    r = start(lab)
    edge = r["edge"]
    lab.wait_until(lambda: via_er(edge), timeout=10, message="via ER")
    assert forwarding_path(edge) in ("eth-msee1", "eth-msee2")
    assert state(edge)["pathState"] == "expressroute"

    # one of two ER sessions lost: still ExpressRoute, no failover
    r["msee1_link"].set_carrier(False, end="b")
    lab.wait_until(lambda: gateway(edge) == M2[1], timeout=15,
                   message="via the second MSEE")
    assert forwarding_path(edge) == "eth-msee2"
    st = state(edge)
    assert st["pathState"] == "expressroute"
    assert st["expressrouteSessionsEstablished"] == 1
    assert "failover" not in event_types(edge)

    # both lost: the VPN carries the Azure prefixes
    t0 = time.monotonic()
    r["msee2_link"].set_carrier(False, end="b")
    lab.wait_until(lambda: gateway(edge) == VPN[1], timeout=15,
                   message="via VPN")
    switched = time.monotonic() - t0
    assert forwarding_path(edge) == "eth-vpngw"
    assert state(edge)["pathState"] == "vpn"
    ev = [e for e in events(edge) if e["event"] == "failover"]
    assert len(ev) == 2  # ipv4 and ipv6
    v4 = [e for e in ev if e["afi"] == "ipv4"][0]
    assert v4["from"] == "expressroute" and v4["to"] == "vpn"
    assert M2[1] in v4["cause"] and "down" in v4["cause"], v4
    assert v4["prefixes"] == 2
    print("failover after link down took %.2f s" % switched)

    # ER back, no hold-down configured: immediate fail-back
    r["msee1_link"].set_carrier(True, end="b")
    r["msee2_link"].set_carrier(True, end="b")
    lab.wait_until(lambda: via_er(edge), timeout=30, message="back on ER")
    # the second MSEE's route may replace the first's in the kernel: count
    # packets once both are back and the kernel route holds still
    lab.wait_until(lambda: len(azure.paths(edge, PFX)) == 3, timeout=30,
                   message="both ExpressRoute paths back")
    lab.wait_until(kernel_route_settled(edge), timeout=10,
                   message="kernel route settled")
    assert forwarding_path(edge) in ("eth-msee1", "eth-msee2")
    assert state(edge)["pathState"] == "expressroute"
    assert "failback" in event_types(edge)


def test_holddown_and_flaps(lab):
    r = start(lab, extra=" erpolicy failback hold-down 4 maximum 16\n")
    edge = r["edge"]
    lab.wait_until(lambda: via_er(edge), timeout=10)
    for n in ("msee1_link", "msee2_link"):
        r[n].set_carrier(False, end="b")
    lab.wait_until(lambda: gateway(edge) == VPN[1], timeout=15)

    # ER returns: held down, traffic stays on VPN
    r["msee1_link"].set_carrier(True, end="b")
    lab.wait_until(lambda: state(edge)["pathState"] == "hold-down",
                   timeout=30, message="hold-down started")
    lab.wait_until(lambda: azure.path_from(edge, PFX, M1[1]) is not None,
                   timeout=15, message="ER routes received")
    assert azure.path_from(edge, PFX, M1[1])["locPrf"] == 99  # demoted
    assert gateway(edge) == VPN[1]
    assert forwarding_path(edge) == "eth-vpngw"
    assert "hold-down-start" in event_types(edge)

    # flap during the hold-down: back to VPN, the timer restarts, doubled
    r["msee1_link"].set_carrier(False, end="b")
    lab.wait_until(lambda: state(edge)["pathState"] == "vpn", timeout=15)
    r["msee1_link"].set_carrier(True, end="b")
    lab.wait_until(lambda: state(edge)["pathState"] == "hold-down",
                   timeout=30, message="hold-down restarted")
    restart = [e for e in events(edge) if e["event"] == "hold-down-restart"
               and e["afi"] == "ipv4"]
    assert restart and restart[0]["holdDownMs"] == 8000, restart
    # traffic never left the VPN during the flap
    lab.wait_until(lambda: azure.path_from(edge, PFX, M1[1]) is not None,
                   timeout=15)
    for _ in range(5):
        assert gateway(edge) == VPN[1]
        time.sleep(0.5)
    # Each ER session that came back during the hold-down restarted it,
    # doubled, up to the maximum (16 s).  The lab flaps once here, but the
    # emulated MSEE sometimes resets a session it accepted before its
    # bgpd saw its interface up: then there is one more real flap and one
    # more restart.  The restarts must match the sessions bgpd really
    # established (the first one and the first return need none).
    left = state(edge)["holdDownRemaining"]
    hist = session_history(edge, M1[1])
    restarts = [e["holdDownMs"] for e in events(edge)
                if e["event"] == "hold-down-restart" and e["afi"] == "ipv4"]
    assert len(restarts) == hist["connectionsEstablished"] - 2, \
        (restarts, hist, events(edge))
    assert restarts == [min(4000 << (i + 1), 16000)
                        for i in range(len(restarts))], (restarts, hist)
    assert 0 < left <= restarts[-1] // 1000, (left, restarts, hist)

    # stable long enough: fail-back, ER preferred again (no session reset)
    lab.wait_until(lambda: via_er(edge), timeout=left + 10,
                   message="fail-back after the hold-down")
    assert forwarding_path(edge) == "eth-msee1"
    assert azure.path_from(edge, PFX, M1[1])["locPrf"] == 200
    types = event_types(edge)
    assert types[-2:] == ["hold-down-expired", "failback"], types
    assert state(edge)["pathState"] == "expressroute"


def test_drain_and_undrain(lab):
    r = start(lab)
    edge = r["edge"]
    lab.wait_until(lambda: via_er(edge), timeout=10)
    ups = edge.show_json("show bgp neighbors %s" % M1[1])[M1[1]][
        "connectionsEstablished"]

    edge.config(["router bgp 65010", "erpolicy drain expressroute"])
    lab.wait_until(lambda: gateway(edge) == VPN[1], timeout=10,
                   message="drained to VPN")
    assert forwarding_path(edge) == "eth-vpngw"
    st = azure.erpolicy(edge)
    assert st["drainExpressroute"] is True
    assert st["addressFamilies"]["ipv4"]["pathState"] == "drained"
    assert st["neighbors"][M1[1]]["addressFamilies"]["ipv4"][
        "localPreference"] == 99
    assert "drain" in event_types(edge)
    assert " erpolicy drain expressroute" in edge.vty("show running-config")

    # the drain survives a save and a restart of bgpd
    edge.vty("write file")
    edge.restart_daemon("bgpd")
    lab.wait_until(azure.established(edge, [M1[1], M2[1], VPN[1]]),
                   timeout=30)
    lab.wait_until(lambda: len(azure.paths(edge, PFX)) == 3, timeout=20)
    lab.wait_until(lambda: gateway(edge) == VPN[1], timeout=10)
    assert state(edge)["pathState"] == "drained"

    edge.config(["router bgp 65010", "no erpolicy drain expressroute"])
    lab.wait_until(lambda: via_er(edge), timeout=10, message="undrained")
    assert forwarding_path(edge) in ("eth-msee1", "eth-msee2")
    assert "undrain" in event_types(edge)
    assert edge.show_json("show bgp neighbors %s" % M1[1])[M1[1]][
        "connectionsEstablished"] == 1  # restarted bgpd: one session since


def test_silent_failure_detected_by_bfd(lab):
    bfd_lines = "".join(" neighbor %s bfd\n" % azure.PEERS[n][1]
                        for n in ("msee1", "msee2"))
    r = start(lab, bfd=True, bridged=("msee1", "msee2"),
              edge_extra_neighbor=bfd_lines)
    edge = r["edge"]
    lab.wait_until(lambda: via_er(edge), timeout=10)

    def bfd_up():
        peers = edge.show_json("show bfd peers", daemon="bfdd")
        return len([p for p in peers if p.get("status") == "up"]) >= 2
    lab.wait_until(bfd_up, timeout=20, message="BFD up")
    health = azure.erpolicy(edge)["healthWarnings"]
    no_bfd = {h["neighbor"] for h in health if h["check"] == "erNoBfd"}
    # the IPv4 sessions have BFD; the IPv6 ones (no bfd line) are flagged
    assert no_bfd == {M1[3], M2[3]}, health

    t0 = time.monotonic()
    r["msee1_link"].cut()
    r["msee2_link"].cut()
    lab.wait_until(lambda: gateway(edge) == VPN[1], timeout=8,
                   message="BFD-detected failover")
    took = time.monotonic() - t0
    assert took < 5, took  # hold timer is 9 s: BFD must be what detected it
    ev = [e for e in events(edge) if e["event"] == "failover"
          and e["afi"] == "ipv4"][-1]
    assert "BFD" in ev["cause"], ev
    assert forwarding_path(edge) == "eth-vpngw"
    print("silent ER failure -> VPN in %.2f s" % took)

    r["msee1_link"].restore()
    r["msee2_link"].restore()
    lab.wait_until(lambda: via_er(edge), timeout=40, message="back on ER")


def test_health_and_prefix_view(lab):
    # VPN route more specific than ER's: the classic asymmetric trap
    r = start(lab)
    edge = r["edge"]
    vpn = r["vpngw"]
    vpn.config(["router bgp 65515", "address-family ipv4 unicast",
                "network 10.100.7.0/24"])
    lab.wait_until(lambda: azure.path_from(edge, "10.100.7.0/24", VPN[1]),
                   timeout=15, message="VPN-only more specific")
    rows = edge.show_json("show bgp erpolicy prefixes")["prefixes"]
    by = {row["prefix"]: row for row in rows}
    assert by["10.100.1.0/24"]["best"] == "expressroute"
    assert by["10.100.1.0/24"]["viaVpn"] is True
    assert by["10.100.1.0/24"]["issue"] == "none"
    assert by["10.100.7.0/24"]["viaExpressroute"] is False
    assert by["10.100.7.0/24"]["intended"] == "expressroute"
    assert by["10.100.7.0/24"]["issue"] == "vpn-more-specific"
    one = edge.show_json("show bgp erpolicy prefixes 10.100.7.0/24")
    assert one["count"] == 1 and one["issues"] == 1
    text = edge.vty("show bgp erpolicy prefixes")
    assert "vpn-more-specific" in text

    health = {h["check"] for h in azure.erpolicy(edge)["healthWarnings"]}
    assert "erNoBfd" in health       # no BFD in this topology
    assert "vpnTimers" in health     # lab timers 3/9, Azure's are 60/180
    edge.config(["router bgp 65010",
                 "address-family ipv4 unicast",
                 "neighbor %s weight 500" % VPN[1]])
    health = {h["check"] for h in azure.erpolicy(edge)["healthWarnings"]}
    assert "weightSet" in health
    # weight beats local-preference: the view flags the disagreement
    edge.vty("clear bgp ipv4 unicast %s soft in" % VPN[1])
    lab.wait_until(lambda: azure.best_path(edge, PFX)["peer"]["peerId"]
                   == VPN[1], timeout=10)
    row = edge.show_json("show bgp erpolicy prefixes %s" % PFX)["prefixes"]
    assert row[0]["issue"] == "best-not-intended"

    # everything is in the operational data too
    import json, subprocess
    out = subprocess.run(
        edge.lab.target_argv(["vtysh", "--vty_socket", edge.dir, "-c",
         "show yang operational-data /frr-bgp-erpolicy:erpolicy-state bgpd"]),
        capture_output=True, text=True, timeout=30, check=True).stdout
    inst = json.loads(out)["frr-bgp-erpolicy:erpolicy-state"]["instance"][0]
    assert any("weightSet" in w for w in inst["health-warning"])
    afs = {a["afi"]: a for a in inst["address-family"]}
    assert afs["ipv4"]["path-state"] == "expressroute"
    assert inst["event"][0]["type"] == "path-up"
