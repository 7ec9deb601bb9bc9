"""Issues 2 and 11: configuration life cycle.

Policy changes re-evaluate received routes without resetting sessions;
the module's maps are attached by the operator's configuration and the
module never changes an attachment (a removed declaration fails closed);
removing the configuration frees the module's memory; a saved
configuration boots back to the same state; a neighbor named before it
exists gets the policy when it appears; peer-groups work, also with a
member declared on its own; bad input is refused and changes nothing.
"""

from lib import azure
from lib.lab import wait_until

ER = azure.PEERS["msee1"]
VPN = azure.PEERS["vpngw"]

USER_MAP = """\
route-map ER-IN permit 10
 set community 65010:99
 set local-preference 50
!
"""


def sessions_established_count(router, addr):
    return router.show_json("show bgp neighbors %s" % addr)[addr][
        "connectionsEstablished"]


def wait_vpn_up(edge):
    """Both sessions up before counting session resets: the ER path alone
    is best while the VPN session may still be connecting (seen on FRR
    10.3 under load: its connectionsEstablished went 0 -> 1 mid-test)."""
    wait_until(lambda: azure.path_from(edge, "10.100.1.0/24", VPN[1]),
               timeout=30)


def start(lab, erpolicy=None, before=USER_MAP, user_map=True, names=None,
          edge_extra=""):
    names = names or ["msee1", "vpngw"]
    if erpolicy is None:
        erpolicy = azure.erpolicy_lines(names)
    if user_map:
        erpolicy += " erpolicy neighbor %s route-map ER-IN in\n" % ER[1]
    edge_cfg = azure.edge_conf(names, before=before, erpolicy=erpolicy,
                               extra=edge_extra)
    r = azure.build(lab, names=names, edge_bgpd=edge_cfg)
    lab.start()
    return r


def wait_best(lab, edge, prefix, peer, lp, afi="ipv4", timeout=15):
    def check():
        best = azure.best_path(edge, prefix, afi)
        return (best and best["peer"]["peerId"] == peer and
                best.get("locPrf") == lp)
    lab.wait_until(check, timeout=timeout,
                   message="%s best via %s with local-preference %s"
                   % (prefix, peer, lp),
                   diag=lambda: edge.vty("show bgp %s unicast %s"
                                         % (afi, prefix)))


def test_policy_change_reevaluates_without_reset(lab):
    r = start(lab)
    edge = r["edge"]
    wait_best(lab, edge, "10.100.1.0/24", ER[1], 200)
    wait_vpn_up(edge)
    before = {a: sessions_established_count(edge, a) for a in (ER[1], VPN[1])}

    # local-preference change
    edge.config(["router bgp 65010",
                 "erpolicy local-preference expressroute 300 vpn 120"])
    wait_best(lab, edge, "10.100.1.0/24", ER[1], 300)
    wait_until(lambda: azure.path_from(edge, "10.100.1.0/24",
                                       VPN[1])["locPrf"] == 120, timeout=10)

    # a prefix added to the on-prem filter takes effect on received routes
    edge.config(["router bgp 65010",
                 "erpolicy onprem-prefix 10.100.1.0/24"])
    lab.wait_until(lambda: azure.paths(edge, "10.100.1.0/24") == [],
                   timeout=10, message="10.100.1.0/24 now refused")
    st = azure.erpolicy(edge)
    assert st["neighbors"][ER[1]]["addressFamilies"]["ipv4"][
        "prefixesDenied"]["onpremPrefix"] == 1
    edge.config(["router bgp 65010",
                 "no erpolicy onprem-prefix 10.100.1.0/24"])
    wait_best(lab, edge, "10.100.1.0/24", ER[1], 300)

    # narrowing the Azure prefixes refuses what falls outside
    edge.config(["router bgp 65010",
                 "erpolicy azure-prefix 10.100.0.0/16"])  # exact match only
    lab.wait_until(lambda: azure.paths(edge, "10.100.1.0/24") == [],
                   timeout=10, message="10.100.1.0/24 outside exact rule")
    assert azure.best_path(edge, "10.100.0.0/16")["peer"]["peerId"] == ER[1]
    edge.config(["router bgp 65010",
                 "erpolicy azure-prefix 10.100.0.0/16 le 24"])
    wait_best(lab, edge, "10.100.1.0/24", ER[1], 300)

    # no session was reset by any of this
    after = {a: sessions_established_count(edge, a) for a in (ER[1], VPN[1])}
    assert after == before


def test_detached_map_stays_detached_and_is_reported(lab):
    """The module does not repair attachments: an operator (or frr-reload)
    who removes the module's map from a neighbor gets exactly that, and a
    health warning says what is missing.  (Before issue 11 the module put
    its map back within a second, so every frr-reload of a hand-written
    frr.conf churned routes.)"""
    r = start(lab, before="", user_map=False)
    edge = r["edge"]
    wait_best(lab, edge, "10.100.1.0/24", ER[1], 200)
    before = sessions_established_count(edge, ER[1])

    edge.config(["router bgp 65010",
                 "address-family ipv4 unicast",
                 "no neighbor %s route-map erpolicy-out-expressroute out"
                 % ER[1]])
    want = " neighbor %s route-map erpolicy-out-expressroute out" % ER[1]
    # the module's tick is 1 s: 3 s without the line coming back
    for _ in range(6):
        assert want not in edge.vty("show running-config")
        __import__("time").sleep(0.5)
    st = azure.erpolicy(edge)
    af = st["neighbors"][ER[1]]["addressFamilies"]["ipv4"]
    assert af["routeMapOut"] == ""
    assert af["policyAttachedOut"] is False
    assert af["policyAttachedIn"] is True
    checks = [(w["check"], w.get("neighbor")) for w in st["healthWarnings"]]
    assert ("policyNotAttached", ER[1]) in checks, st["healthWarnings"]
    msg = [w["message"] for w in st["healthWarnings"]
           if w["check"] == "policyNotAttached"][0]
    assert "neighbor %s route-map erpolicy-out-expressroute out" % ER[1] \
        in msg, msg

    # a policy change still re-evaluates the received routes
    edge.config(["router bgp 65010",
                 "erpolicy local-preference expressroute 300 vpn 120"])
    wait_best(lab, edge, "10.100.1.0/24", ER[1], 300)
    assert sessions_established_count(edge, ER[1]) == before

    # attached again by the operator: the warning clears
    edge.config(["router bgp 65010", "address-family ipv4 unicast",
                 "neighbor %s route-map erpolicy-out-expressroute out"
                 % ER[1]])
    lab.wait_until(lambda: "policyNotAttached" not in
                   [w["check"] for w in
                    azure.erpolicy(edge)["healthWarnings"]],
                   timeout=5, message="warning cleared")


def test_removed_declaration_fails_closed_and_frees_memory(lab):
    r = start(lab)
    edge = r["edge"]
    wait_best(lab, edge, "10.100.1.0/24", ER[1], 200)
    wait_vpn_up(edge)
    assert azure.module_memory(edge).get("erpolicy neighbor", 0) > 0
    before_counts = {a: sessions_established_count(edge, a)
                     for a in (ER[1], VPN[1])}

    # the ER neighbor's declaration goes; its attachment (the operator's
    # configuration) stays, and the module's map now denies everything
    edge.config(["router bgp 65010",
                 "no erpolicy neighbor %s" % ER[1]])
    conf = edge.vty("show running-config")
    assert " neighbor %s route-map erpolicy-expressroute in" % ER[1] in conf
    assert " erpolicy neighbor %s " % ER[1] not in conf
    lab.wait_until(lambda: azure.path_from(edge, "10.100.1.0/24",
                                           ER[1]) is None,
                   timeout=10, message="ER routes denied (not declared)")
    wait_best(lab, edge, "10.100.1.0/24", VPN[1], 100)
    st = azure.erpolicy(edge)
    checks = [(w["check"], w.get("neighbor")) for w in st["healthWarnings"]]
    assert ("notDeclared", ER[1]) in checks, st["healthWarnings"]
    assert "not declared" in edge.log_text()

    # everything goes: both paths denied, sessions untouched
    edge.config(["router bgp 65010", "no erpolicy"])
    conf = edge.vty("show running-config")
    assert not [ln for ln in conf.splitlines() if ln.startswith(" erpolicy")]
    lab.wait_until(lambda: azure.paths(edge, "10.100.1.0/24") == [],
                   timeout=10, message="all Azure routes denied")
    # the module's maps stay (they are what the configuration names)
    assert "route-map: erpolicy-vpn" in edge.vty("show route-map")
    after_counts = {a: sessions_established_count(edge, a)
                    for a in (ER[1], VPN[1])}
    assert after_counts == before_counts

    # every allocation of the module is freed
    def mem_zero():
        mem = azure.module_memory(edge)
        return all(v == 0 for k, v in mem.items()
                   if k not in ("erpolicy northbound node",
                                "erpolicy route-map rule"))
    lab.wait_until(mem_zero, timeout=5, message="module memory freed",
                   diag=lambda: azure.module_memory(edge))

    # and it comes back cleanly (with Azure prefixes: a family without
    # any accepts nothing)
    edge.config(["router bgp 65010",
                 "erpolicy neighbor %s path expressroute" % ER[1],
                 "erpolicy neighbor %s path vpn" % VPN[1]])
    assert azure.paths(edge, "10.100.1.0/24") == []
    edge.config(["router bgp 65010",
                 "erpolicy azure-prefix 10.100.0.0/16 le 24"])
    wait_best(lab, edge, "10.100.1.0/24", ER[1], 200)


def test_saved_config_restart(lab):
    r = start(lab, erpolicy=azure.erpolicy_lines(["msee1", "vpngw"]) +
              " erpolicy maximum-prefix-length ipv4 24\n")
    edge = r["edge"]
    wait_best(lab, edge, "10.100.1.0/24", ER[1], 200)
    edge.config(["router bgp 65010",
                 "erpolicy local-preference expressroute 250 vpn 90",
                 "erpolicy allow-default-route"])
    edge.vty("write file")
    saved = edge.read_conf("bgpd")
    assert " erpolicy local-preference expressroute 250 vpn 90" in saved
    assert " erpolicy allow-default-route" in saved
    assert " erpolicy neighbor %s path expressroute" % ER[1] in saved
    assert " erpolicy azure-prefix 10.100.0.0/16 le 24" in saved
    assert " erpolicy maximum-prefix-length ipv4 24" in saved
    assert (" neighbor %s route-map erpolicy-expressroute in" % ER[1]
            in saved)
    assert " erpolicy neighbor %s route-map ER-IN in" % ER[1] in saved
    running_before = edge.vty("show running-config")

    edge.restart_daemon("bgpd")
    lab.wait_until(azure.established(edge, [ER[1], VPN[1]]), timeout=30)
    wait_best(lab, edge, "10.100.1.0/24", ER[1], 250)
    assert azure.path_from(edge, "10.100.1.0/24", VPN[1])["locPrf"] == 90
    best = azure.best_path(edge, "10.100.1.0/24")
    assert "65010:99" in best["community"]["string"]  # operator map kept
    st = azure.erpolicy(edge)
    assert st["neighbors"][ER[1]]["userRouteMapIn"] == "ER-IN"
    assert edge.vty("show running-config") == running_before


def test_neighbor_declared_before_it_exists(lab):
    # the VPN neighbor is declared but not configured yet
    names = ["msee1", "vpngw"]
    edge_cfg = azure.edge_conf(
        ["msee1"], before=USER_MAP,
        erpolicy=azure.erpolicy_lines(names))
    r = azure.build(lab, names=names, edge_bgpd=edge_cfg)
    lab.start()
    edge = r["edge"]
    wait_best(lab, edge, "10.100.1.0/24", ER[1], 200)
    text = edge.vty("show bgp erpolicy")
    assert "Declared %s path vpn: no such neighbor (yet)" % VPN[1] in text

    edge.config(["router bgp 65010",
                 "neighbor %s remote-as 65515" % VPN[1],
                 "neighbor %s timers connect 1" % VPN[1],
                 "address-family ipv4 unicast",
                 "neighbor %s activate" % VPN[1],
                 "neighbor %s route-map erpolicy-vpn in" % VPN[1],
                 "neighbor %s route-map erpolicy-out-vpn out" % VPN[1]])
    lab.wait_until(lambda: (azure.path_from(edge, "10.100.1.0/24", VPN[1])
                            or {}).get("locPrf") == 100, timeout=30,
                   message="VPN routes with the module's preference")
    st = azure.erpolicy(edge)
    assert st["neighbors"][VPN[1]]["addressFamilies"]["ipv4"][
        "routeMapIn"] == "erpolicy-vpn"


def test_peer_group(lab):
    names = ["msee1", "msee2", "vpngw"]
    group = "".join(" neighbor %s peer-group AZURE-ER\n" % azure.PEERS[n][1]
                    for n in ("msee1", "msee2"))
    edge_cfg = """\
router bgp 65010
 bgp router-id 10.0.0.1
 no bgp default ipv4-unicast
 timers bgp 3 9
 neighbor AZURE-ER peer-group
 neighbor AZURE-ER remote-as 12076
 neighbor AZURE-ER timers connect 1
 neighbor AZURE-ER advertisement-interval 0
%s neighbor %s remote-as 65515
 neighbor %s timers connect 1
 address-family ipv4 unicast
  neighbor AZURE-ER activate
  neighbor AZURE-ER route-map erpolicy-expressroute in
  neighbor AZURE-ER route-map erpolicy-out-expressroute out
  neighbor %s activate
  neighbor %s route-map erpolicy-vpn in
  neighbor %s route-map erpolicy-out-vpn out
 exit-address-family
 erpolicy neighbor AZURE-ER path expressroute
 erpolicy neighbor AZURE-ER route-map GROUP-IN in
 erpolicy neighbor %s path vpn
 erpolicy azure-prefix 10.100.0.0/16 le 24
!
""" % (group, VPN[1], VPN[1], VPN[1], VPN[1], VPN[1], VPN[1])
    edge_cfg = """\
route-map GROUP-IN permit 10
 set community 65010:1
!
route-map MEMBER-IN permit 10
 set community 65010:2
!
""" + edge_cfg
    r = azure.build(lab, names=names, edge_bgpd=edge_cfg)
    lab.start()
    edge = r["edge"]
    m1, m2 = azure.PEERS["msee1"][1], azure.PEERS["msee2"][1]
    lab.wait_until(azure.established(edge, [m1, m2, VPN[1]]), timeout=30)
    lab.wait_until(lambda: len(azure.paths(edge, "10.100.1.0/24")) == 3,
                   timeout=20, message="three paths",
                   diag=lambda: edge.vty("show bgp ipv4 unicast 10.100.1.0/24")
                   + edge.vty("show bgp summary"))
    for p in azure.paths(edge, "10.100.1.0/24"):
        want = 100 if p["peer"]["peerId"] == VPN[1] else 200
        assert p["locPrf"] == want, p
    st = azure.erpolicy(edge)
    for m in (m1, m2):
        n = st["neighbors"][m]
        assert n["declaredAs"] == "AZURE-ER"
        assert n["path"] == "expressroute"
        assert n["addressFamilies"]["ipv4"]["prefixesAccepted"] == 2
    conf = edge.vty("show running-config")
    assert " neighbor AZURE-ER route-map erpolicy-expressroute in" in conf
    # members inherit from the group: no per-member attachment
    assert " neighbor %s route-map" % m1 not in conf

    def communities(peer):
        p = azure.path_from(edge, "10.100.1.0/24", peer) or {}
        return p.get("community", {}).get("string")

    lab.wait_until(lambda: communities(m1) == communities(m2) == "65010:1",
                   timeout=10, message="the group's map on both members")

    # a member declared on its own: its declaration (path and maps) wins
    edge.config(["router bgp 65010",
                 "erpolicy neighbor %s path expressroute" % m2,
                 "erpolicy neighbor %s route-map MEMBER-IN in" % m2])
    lab.wait_until(lambda: communities(m2) == "65010:2", timeout=10,
                   message="member's own map")
    # the group's map changes: the member keeps its own, the other member
    # follows the group (no stale copy either way)
    edge.config(["router bgp 65010",
                 "erpolicy neighbor AZURE-ER route-map MEMBER-IN in"])
    lab.wait_until(lambda: communities(m1) == "65010:2", timeout=10,
                   message="group's new map on the plain member")
    edge.config(["router bgp 65010",
                 "erpolicy neighbor AZURE-ER route-map GROUP-IN in",
                 "no erpolicy neighbor %s" % m2])
    # undeclared, the member falls back to the group's declaration
    lab.wait_until(lambda: communities(m1) == communities(m2) == "65010:1",
                   timeout=10, message="member back on the group's map")
    assert azure.erpolicy(edge)["neighbors"][m2]["declaredAs"] == "AZURE-ER"

    # the group's declaration removed: its members' routes are denied
    edge.config(["router bgp 65010", "no erpolicy neighbor AZURE-ER"])
    lab.wait_until(lambda: len(azure.paths(edge, "10.100.1.0/24")) == 1,
                   timeout=10, message="only the VPN path left")


BAD = [
    ("erpolicy neighbor 192.0.2.300 path vpn", "not a valid"),
    ("erpolicy neighbor %s path vpn" % ER[1], "already declared path"),
    ("erpolicy neighbor %s path directconnect" % ER[1], "Unknown command"),
    ("erpolicy local-preference expressroute 4294967296 vpn 1",
     "Unknown command"),
    ("erpolicy azure-prefix 10.100.1.0/16", "host bits set"),
    ("erpolicy azure-prefix 10.100.0.0/16 ge 8", "ge 8 must be between"),
    ("erpolicy azure-prefix 10.100.0.0/16 ge 25 le 24", "greater than"),
    ("erpolicy azure-prefix 10.100.0.0/33", "Unknown command"),
    ("erpolicy onprem-prefix 10.100.0.0/16", "already an azure-prefix"),
    ("erpolicy maximum-prefix-length ipv4 33", "Unknown command"),
    ("no erpolicy neighbor 203.0.113.9", "has no erpolicy path"),
    ("no erpolicy azure-prefix 10.200.0.0/16", "is not configured"),
]


def test_bad_config_refused_and_changes_nothing(lab):
    r = start(lab, erpolicy=azure.erpolicy_lines(["msee1", "vpngw"]))
    edge = r["edge"]
    wait_best(lab, edge, "10.100.1.0/24", ER[1], 200)
    conf_before = edge.vty("show running-config")
    state_before = azure.erpolicy(edge)
    for line, expect in BAD:
        status, out = edge.config(["router bgp 65010", line], check=False)
        assert status != 0, (line, out)
        assert expect in out, (line, out)
    assert edge.vty("show running-config") == conf_before
    state_after = azure.erpolicy(edge)
    for key in ("localPreference", "azurePrefixes", "onpremPrefixes",
                "declaredNeighbors", "maximumPrefixLength"):
        assert state_after[key] == state_before[key], key
    # unknown neighbor in a show command: a clear error, not a crash
    status, out = edge.vty_raw("show bgp erpolicy neighbor 203.0.113.77")
    assert status != 0 and "not a neighbor with an erpolicy path" in out
    assert edge.show_json("show bgp erpolicy neighbor 203.0.113.77") == {}


def test_router_bgp_removed_takes_erpolicy_with_it(lab):
    r = start(lab, erpolicy=azure.erpolicy_lines(["msee1", "vpngw"]))
    edge = r["edge"]
    wait_best(lab, edge, "10.100.1.0/24", ER[1], 200)
    edge.config(["no router bgp 65010"])
    lab.wait_until(lambda: "erpolicy is not configured" in
                   edge.vty("show bgp erpolicy"), timeout=10,
                   message="instance configuration removed")
    edge.config(["router bgp 65010", "bgp router-id 10.0.0.1"])
    conf = edge.vty("show running-config")
    assert not [ln for ln in conf.splitlines()
                if ln.startswith(" erpolicy")], conf
    mem = azure.module_memory(edge)
    assert mem.get("erpolicy neighbor", 0) == 0, mem
