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
        return all(st["neighbors"][a]["addressFamilies"]["ipv6"]
                   ["updatesAccepted"] + st["neighbors"][a]
                   ["addressFamilies"]["ipv6"]["updatesDenied"] >= 3
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
        assert st["neighbors"][a]["addressFamilies"]["ipv6"][
            "prefixesDenied"]["noAzurePrefixes"] == 3, st["neighbors"][a]
    assert st["neighbors"][ER[3]]["addressFamilies"]["ipv6"][
        "prefixesAccepted"] == 0
    warn = [w for w in st["healthWarnings"]
            if w["check"] == "noAzurePrefixes"]
    assert len(warn) == 1 and "no ipv6 azure-prefix declared" in \
        warn[0]["message"], st["healthWarnings"]
    # IPv4 is untouched
    assert st["neighbors"][ER[1]]["addressFamilies"]["ipv4"][
        "prefixesAccepted"] == 2

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
    den = st["neighbors"][ER[3]]["addressFamilies"]["ipv6"]["prefixesDenied"]
    assert den["notAzurePrefix"] == 2 and den["noAzurePrefixes"] == 0, den
