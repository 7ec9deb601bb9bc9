"""Issue 5: what goes out.  The emulated Azure peers check what they
receive: only on-prem prefixes, nothing learned from the other path, no
VPN prefix more specific than ExpressRoute's, no more than the limit;
plus modes (active-active, per-prefix exceptions) and overlap reports."""

import re

from lib import azure

ER = azure.PEERS["msee1"]
VPN = azure.PEERS["vpngw"]
EDGE_ER = ER[0]    # the edge's address as the MSEE sees it
EDGE_VPN = VPN[0]

USER_OUT = """\
ip prefix-list ER-SUMMARY seq 5 deny 172.16.5.0/24
ip prefix-list ER-SUMMARY seq 10 permit any
route-map ER-OUT permit 10
 match ip address prefix-list ER-SUMMARY
!
"""

ONPREM_NETS = ["172.16.0.0/16", "172.16.5.0/24", "172.20.0.0/16"]
OTHER_NETS = ["10.200.0.0/16", "0.0.0.0/0"]


def start(lab, erpolicy_extra="", vpn_extra_v4=(), er_extra_v4=(),
          names=("msee1", "vpngw"), edge_extra=""):
    nets = "".join("  network %s\n" % n for n in ONPREM_NETS + OTHER_NETS)
    edge_cfg = azure.edge_conf(
        list(names), before=USER_OUT,
        ipv4_extra=nets,
        erpolicy=azure.erpolicy_lines(list(names)) +
        " erpolicy neighbor %s route-map ER-OUT out\n" % ER[1] +
        erpolicy_extra,
        extra=" no bgp network import-check\n" + edge_extra)
    az = {
        "msee1": azure.azure_conf("msee1", azure.AZURE_V4 + list(er_extra_v4),
                                  azure.AZURE_V6),
        "vpngw": azure.azure_conf("vpngw",
                                  azure.AZURE_V4 + list(vpn_extra_v4),
                                  azure.AZURE_V6),
    }
    r = azure.build(lab, names=list(names), edge_bgpd=edge_cfg, azure=az)
    lab.start()
    edge = r["edge"]
    lab.wait_until(azure.established(edge, [ER[1], VPN[1]]), timeout=30)
    lab.wait_until(lambda: azure.path_from(r["msee1"], "172.16.0.0/16",
                                           EDGE_ER), timeout=20,
                   message="ER receives the on-prem summary")
    return r


def received(router, peer, afi="ipv4"):
    """Prefixes router has from peer (its BGP table)."""
    table = router.show_json("show bgp %s unicast" % afi).get("routes", {})
    got = set()
    for pfx, paths in table.items():
        for p in paths:
            if p.get("peerId") == peer:
                got.add(pfx)
    return got


def out_stats(edge, nbr):
    return azure.erpolicy(edge)["neighbors"][nbr]["addressFamilies"]["ipv4"]


def test_advertise_onprem_only_no_transit_and_guard(lab):
    r = start(lab, erpolicy_extra=" erpolicy advertise vpn-prepend 2\n")
    edge, msee, vpngw = r["edge"], r["msee1"], r["vpngw"]

    lab.wait_until(lambda: received(vpngw, EDGE_VPN) == {"172.16.0.0/16",
                                                         "172.20.0.0/16"},
                   timeout=15, message="VPN gets exactly the allowed set",
                   diag=lambda: received(vpngw, EDGE_VPN))
    # ExpressRoute: on-prem prefixes minus what the operator's ER-OUT drops
    assert received(msee, EDGE_ER) == {"172.16.0.0/16", "172.20.0.0/16"}
    # VPN: never 172.16.5.0/24 (more specific than what ER gets), never
    # 10.200.0.0/16 (not on-prem), never the default, never Azure routes
    # learned over ExpressRoute (transit)
    got = received(vpngw, EDGE_VPN)
    for pfx in ("172.16.5.0/24", "10.200.0.0/16", "0.0.0.0/0",
                "10.100.0.0/16", "10.100.1.0/24"):
        assert pfx not in got, pfx
    # ... and with the own AS prepended twice (Virtual WAN fail-back)
    p = azure.path_from(vpngw, "172.16.0.0/16", EDGE_VPN)
    assert p["aspath"]["string"] == "65010 65010 65010", p
    p = azure.path_from(msee, "172.16.0.0/16", EDGE_ER)
    assert p["aspath"]["string"] == "65010", p

    st = out_stats(edge, VPN[1])
    na = st["prefixesNotAdvertised"]
    assert na["moreSpecificThanExpressroute"] == 1
    assert na["notOnpremPrefix"] == 1
    assert na["defaultRoute"] == 1
    assert na["transit"] >= 2
    assert st["prefixesAdvertised"] == 2
    assert st["routeMapOut"] == "erpolicy-out-vpn"
    assert st["policyAttachedOut"] is True
    er = out_stats(edge, ER[1])
    assert er["routeMapOut"] == "erpolicy-out-expressroute"
    assert er["policyAttachedOut"] is True
    assert azure.erpolicy(edge)["neighbors"][ER[1]]["userRouteMapOut"] == \
        "ER-OUT"
    assert er["prefixesNotAdvertised"]["userPolicy"] == 1

    # warn mode advertises it, counts and logs
    edge.config(["router bgp 65010",
                 "erpolicy advertise symmetric-guard warn"])
    lab.wait_until(lambda: "172.16.5.0/24" in received(vpngw, EDGE_VPN),
                   timeout=15, message="warn mode advertises the /24")
    assert out_stats(edge, VPN[1])["symmetricGuardWarnings"] >= 1
    assert "more specific than what ExpressRoute gets" in edge.log_text("bgpd")

    # filter again; with ExpressRoute down the guard has nothing to protect
    edge.config(["router bgp 65010",
                 "no erpolicy advertise symmetric-guard filter"])
    lab.wait_until(lambda: "172.16.5.0/24" not in received(vpngw, EDGE_VPN),
                   timeout=15, message="filter mode withdraws the /24")
    r["msee1_link"].set_carrier(False, end="b")
    lab.wait_until(lambda: "172.16.5.0/24" in received(vpngw, EDGE_VPN),
                   timeout=20, message="ER down: the VPN gets everything")
    r["msee1_link"].set_carrier(True, end="b")
    lab.wait_until(lambda: "172.16.5.0/24" not in received(vpngw, EDGE_VPN)
                   and "172.16.0.0/16" in received(msee, EDGE_ER),
                   timeout=30, message="ER back: guard again")


def test_advertisement_limit(lab):
    r = start(lab, erpolicy_extra=" erpolicy advertise limit vpn 1\n")
    edge, vpngw = r["edge"], r["vpngw"]
    lab.wait_until(lambda: len(received(vpngw, EDGE_VPN)) == 1, timeout=15,
                   message="one prefix only",
                   diag=lambda: (received(vpngw, EDGE_VPN),
                                 out_stats(edge, VPN[1])))
    # never more than the limit reaches the peer
    import time
    for _ in range(6):
        assert len(received(vpngw, EDGE_VPN)) <= 1
        time.sleep(0.5)
    st = out_stats(edge, VPN[1])
    assert st["prefixesNotAdvertised"]["limit"] == 1
    assert st["advertiseLimit"] == 1
    assert "reached the limit of 1" in edge.log_text("bgpd")

    edge.config(["router bgp 65010", "erpolicy advertise limit action warn"])
    lab.wait_until(lambda: len(received(vpngw, EDGE_VPN)) == 2, timeout=15,
                   message="warn: both advertised")
    edge.config(["router bgp 65010",
                 "no erpolicy advertise limit vpn",
                 "no erpolicy advertise limit action"])
    conf = edge.vty("show running-config")
    assert "erpolicy advertise limit" not in conf
    assert azure.erpolicy(edge)["advertise"]["limitVpn"] == 4000


def test_active_active_and_prefer_vpn_exception(lab):
    r = start(lab, edge_extra=" bgp bestpath as-path multipath-relax\n"
              " address-family ipv4 unicast\n  maximum-paths 2\n"
              " exit-address-family\n")
    edge = r["edge"]

    def gateways(prefix):
        routes = edge.ip_json("-4", "route", "show", prefix)
        gws = set()
        for rt in routes:
            if rt.get("gateway"):
                gws.add(rt["gateway"])
            for nh in rt.get("nexthops", []):
                gws.add(nh["gateway"])
        return gws

    lab.wait_until(lambda: gateways("10.100.1.0/24") == {ER[1]}, timeout=15)
    edge.config(["router bgp 65010", "erpolicy mode active-active"])
    lab.wait_until(lambda: gateways("10.100.1.0/24") == {ER[1], VPN[1]},
                   timeout=15, message="two next hops in the kernel")
    st = azure.erpolicy(edge)
    assert st["mode"] == "active-active"
    assert st["addressFamilies"]["ipv4"]["preferredPath"] == "both"

    edge.config(["router bgp 65010", "no erpolicy mode active-active",
                 "erpolicy prefer-vpn-prefix 10.100.1.0/24"])
    lab.wait_until(lambda: gateways("10.100.1.0/24") == {VPN[1]}, timeout=15,
                   message="the exception prefers VPN")
    assert gateways("10.100.0.0/16") == {ER[1]}
    assert " erpolicy prefer-vpn-prefix 10.100.1.0/24" in edge.vty(
        "show running-config")
    row = edge.show_json("show bgp erpolicy prefixes 10.100.1.0/24")[
        "prefixes"][0]
    assert row["intended"] == "vpn" and row["issue"] == "none", row


WALK_RE = re.compile(r"overlap walk took \d+ ms \((\d+) table nodes\)")


def test_overlap_walk_stays_inside_azure_prefixes(lab):
    """The overlap summary walks where ExpressRoute and VPN routes can be
    (the default route, the declared Azure prefixes), not the rest of the
    table: 1,000 other routes are not visited, and the counts are right,
    the default route's too."""
    others = ["198.%d.%d.0/24" % (18 + i // 256, i % 256)
              for i in range(1000)]
    edge_cfg = azure.edge_conf(
        ["msee1", "vpngw"], before="debug bgp erpolicy\n",
        ipv4_extra="".join("  network %s\n" % n for n in others),
        erpolicy=azure.erpolicy_lines(["msee1", "vpngw"]) +
        " erpolicy allow-default-route\n",
        extra=" no bgp network import-check\n")
    az = {
        "msee1": azure.azure_conf("msee1", azure.AZURE_V4 + ["10.100.8.0/24"],
                                  azure.AZURE_V6),
        "vpngw": azure.azure_conf("vpngw", azure.AZURE_V4 + ["0.0.0.0/0"],
                                  azure.AZURE_V6),
    }
    r = azure.build(lab, edge_bgpd=edge_cfg, azure=az)
    lab.start()
    edge = r["edge"]
    lab.wait_until(lambda: azure.path_from(edge, "0.0.0.0/0", VPN[1]) and
                   azure.path_from(edge, "10.100.8.0/24", ER[1]),
                   timeout=30, message="Azure routes in")
    table = edge.show_json("show bgp ipv4 unicast")["routes"]
    assert len(table) >= 1000 + 4

    # the default route contains the declared on-prem prefixes
    summary = ("1 Azure prefixes overlap declared on-prem prefixes, 1 via "
               "ExpressRoute only, 1 via VPN only, 0 more specific via VPN")
    lab.wait_until(lambda: summary in edge.log_text("bgpd"), timeout=20,
                   message="summary logged",
                   diag=lambda: edge.vty("show bgp erpolicy overlaps"))
    walks = [int(n) for n in WALK_RE.findall(edge.log_text("bgpd"))]
    # IPv4: the root (default route), 10.100.0.0/16 and the two /24s under
    # it; IPv6: 2001:db8:100::/48 (the table's own inner nodes may add a
    # few).  The whole IPv4 table would be over 2,000 nodes.
    assert walks and max(walks) <= 20, walks
    ov = edge.show_json("show bgp erpolicy overlaps")
    assert ov["expressrouteOnly"] == ["10.100.8.0/24"], ov
    assert ov["vpnOnly"] == ["0.0.0.0/0"], ov
    assert ov["vpnMoreSpecific"] == [], ov


def test_overlaps_reported(lab):
    r = start(lab, vpn_extra_v4=["172.16.99.0/24", "10.100.7.0/24"],
              er_extra_v4=["10.100.8.0/24", "172.0.0.0/8"])
    edge = r["edge"]
    lab.wait_until(lambda: azure.path_from(edge, "10.100.7.0/24", VPN[1]),
                   timeout=15)
    ov = edge.show_json("show bgp erpolicy overlaps")
    assert {"prefix": "172.16.99.0/24", "neighbor": VPN[1]} in \
        ov["onpremFromAzure"]
    assert "10.100.7.0/24" in ov["vpnMoreSpecific"]
    assert "10.100.8.0/24" in ov["expressrouteOnly"]
    # 172.0.0.0/8 is outside the Azure prefixes: refused, so not in the RIB
    assert "172.0.0.0/8" not in ov["azureOverlapsOnprem"]
    text = edge.vty("show bgp erpolicy overlaps")
    assert "more specific via VPN" in text
    # logged once when first seen
    lab.wait_until(lambda: "overlap declared on-prem" in edge.log_text("bgpd")
                   or "more specific via VPN (show bgp erpolicy overlaps)"
                   in edge.log_text("bgpd"), timeout=15,
                   message="summary logged")
    assert edge.log_text("bgpd").count("inside a declared on-prem prefix") == 1

    # the same in the northbound operational state
    import json
    import subprocess
    out = subprocess.run(
        edge.lab.target_argv(["vtysh", "--vty_socket", edge.dir, "-c",
         "show yang operational-data /frr-bgp-erpolicy:erpolicy-state bgpd"]),
        capture_output=True, text=True, timeout=30, check=True).stdout
    inst = json.loads(out)["frr-bgp-erpolicy:erpolicy-state"]["instance"][0]
    assert inst["overlaps"]["vpn-more-specific"] >= 1
    assert inst["overlaps"]["expressroute-only"] >= 1
    nbrs = {n["name"]: n for n in inst["neighbor"]}
    af = {a["afi"]: a for a in nbrs[VPN[1]]["address-family"]}["ipv4"]
    assert af["route-map-out"] == "erpolicy-out-vpn"
    assert af["prefixes-not-advertised"]["not-onprem-prefix"] >= 1
    assert af["prefixes-not-advertised"]["transit"] >= 1
    assert af["advertise-limit"] == 4000
