"""Issue 12: policy that is never silently wrong.

1. An address family without Azure prefixes accepts nothing from Azure
   (before: any IPv6 route from an MSEE was accepted at the ExpressRoute
   local-preference when only IPv4 Azure prefixes were declared).
"""

from lib import azure

ER = azure.PEERS["msee1"]
VPN = azure.PEERS["vpngw"]

# routes Azure must not get accepted in a family nobody declared
V6_FROM_AZURE = ["2001:db8:100::/48", "2001:db8:999::/48",
                 "::ffff:10.100.0.0/120"]


def test_family_without_azure_prefixes_fails_closed(lab):
    names = ["msee1", "vpngw"]
    confs = {n: azure.azure_conf(n, azure.AZURE_V4, V6_FROM_AZURE)
             for n in names}
    r = azure.build(lab, names=names, azure=confs,
                    edge_bgpd=azure.edge_conf(
                        names, erpolicy=azure.erpolicy_lines(names, v6=())))
    lab.start()
    edge = r["edge"]
    lab.wait_until(azure.established(edge, [ER[1], ER[3], VPN[1], VPN[3]]),
                   timeout=30, message="sessions up")
    lab.wait_until(lambda: len(azure.paths(edge, "10.100.1.0/24")) == 2,
                   timeout=20, message="IPv4 Azure routes accepted")

    def v6_evaluated():
        st = azure.erpolicy(edge)
        return all(st["neighbors"][a]["addressFamilyInfo"]["ipv6Unicast"]
                   ["updatesAccepted"] + st["neighbors"][a]
                   ["addressFamilyInfo"]["ipv6Unicast"]["updatesDenied"] >= 3
                   for a in (ER[3], VPN[3])) and st
    lab.wait_until(v6_evaluated, timeout=20,
                   message="IPv6 routes from Azure evaluated",
                   diag=lambda: edge.vty("show bgp erpolicy neighbor %s"
                                         % ER[3]))
    for pfx in V6_FROM_AZURE:
        assert azure.paths(edge, pfx, "ipv6") == [], (
            pfx, azure.paths(edge, pfx, "ipv6"))
    st = azure.erpolicy(edge)
    for a in (ER[3], VPN[3]):
        assert st["neighbors"][a]["addressFamilyInfo"]["ipv6Unicast"][
            "prefixesDenied"]["noAzurePrefixes"] == 3, st["neighbors"][a]
    assert st["neighbors"][ER[3]]["addressFamilyInfo"]["ipv6Unicast"][
        "acceptedPrefixCounter"] == 0
    warn = [w for w in st["healthWarnings"]
            if w["check"] == "noAzurePrefixes"]
    assert len(warn) == 1 and "no ipv6 azure-prefix declared" in \
        warn[0]["message"], st["healthWarnings"]
    # IPv4 is untouched
    assert st["neighbors"][ER[1]]["addressFamilyInfo"]["ipv4Unicast"][
        "acceptedPrefixCounter"] == 2

    # declared: the Azure prefix is accepted, the others stay out
    edge.config(["router bgp 65010",
                 "erpolicy azure-prefix 2001:db8:100::/48 le 64"])
    lab.wait_until(lambda: (azure.best_path(edge, "2001:db8:100::/48",
                                            "ipv6") or {}).get("locPrf")
                   == 200, timeout=15, message="IPv6 Azure prefix via ER")
    assert azure.paths(edge, "2001:db8:999::/48", "ipv6") == []
    st = azure.erpolicy(edge)
    assert "noAzurePrefixes" not in [w["check"]
                                     for w in st["healthWarnings"]]
    den = st["neighbors"][ER[3]]["addressFamilyInfo"]["ipv6Unicast"][
        "prefixesDenied"]
    assert den["notAzurePrefix"] == 2 and den["noAzurePrefixes"] == 0, den


def events(edge):
    return edge.show_json("show bgp erpolicy events")["events"]


def test_failover_follows_the_routes(lab):
    """2. The MSEEs withdraw every Azure route while their sessions stay up
    (the ER gateway connection removed in Azure): a failover like a lost
    session, named after its cause; when the routes return the hold-down
    applies, from the first route on."""
    names = ["msee1", "msee2", "vpngw"]
    r = azure.build(lab, names=names, edge_bgpd=azure.edge_conf(
        names, erpolicy=azure.erpolicy_lines(names) +
        " erpolicy failback hold-down 30\n"))
    lab.start()
    edge = r["edge"]
    m1, m2 = azure.PEERS["msee1"][1], azure.PEERS["msee2"][1]
    pfx = "10.100.1.0/24"
    lab.wait_until(lambda: len(azure.paths(edge, pfx)) == 3, timeout=30,
                   message="three paths")
    lab.wait_until(lambda: azure.erpolicy(edge)["addressFamilies"]["ipv4"]
                   ["pathState"] == "expressroute", timeout=10)

    def withdraw(name, back=False):
        asn = azure.PEERS[name][4]
        r[name].config(["router bgp %d" % asn,
                        "address-family ipv4 unicast"] +
                       ["%snetwork %s" % ("" if back else "no ", p)
                        for p in azure.AZURE_V4])

    for n in ("msee1", "msee2"):
        withdraw(n)
    lab.wait_until(lambda: azure.erpolicy(edge)["addressFamilies"]["ipv4"]
                   ["pathState"] == "vpn", timeout=10,
                   message="failover on route loss",
                   diag=lambda: edge.vty("show bgp erpolicy events"))
    st = azure.erpolicy(edge)
    af = st["addressFamilies"]["ipv4"]
    assert af["preferredPath"] == "vpn", af
    assert af["expressrouteSessionsEstablished"] == 2  # sessions stayed up
    ev = [e for e in events(edge)
          if e["event"] == "failover" and e["afi"] == "ipv4"]
    assert ev and ev[-1]["cause"] in ("%s: no Azure routes" % m1,
                                      "%s: no Azure routes" % m2), ev
    assert azure.best_path(edge, pfx)["peer"]["peerId"] == VPN[1]

    # the routes return: held down, ER routes below the VPN's from the
    # first one (never preferred for a moment)
    withdraw("msee1", back=True)

    def er_paths():
        return [p for p in azure.paths(edge, pfx)
                if p["peer"]["peerId"] in (m1, m2)]
    lab.wait_until(lambda: er_paths(), timeout=10, message="ER route back")
    for p in er_paths():
        assert p["locPrf"] < 100, p  # demoted below the VPN's 100
    lab.wait_until(lambda: azure.erpolicy(edge)["addressFamilies"]["ipv4"]
                   ["pathState"] == "hold-down", timeout=5,
                   message="hold-down")
    ev = [e for e in events(edge) if e["afi"] == "ipv4"]
    assert "hold-down-start" in [e["event"] for e in ev], ev
    start = [e for e in ev if e["event"] == "hold-down-start"][-1]
    assert start["cause"] == "%s: Azure routes again" % m1, start
    assert azure.best_path(edge, pfx)["peer"]["peerId"] == VPN[1]
