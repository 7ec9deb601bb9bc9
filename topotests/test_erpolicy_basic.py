"""Issue 2: the module in a real bgpd with an ExpressRoute and a VPN peer.

ER is best with the configured local-preference, the kernel follows it, the
refused routes are absent and counted by reason, an operator's own inbound
route-map keeps applying, and the state is readable through the northbound.
"""

import json
import subprocess

from lib import azure
from lib import lab as labmod
from lib.lab import wait_until

ER = azure.PEERS["msee1"]
VPN = azure.PEERS["vpngw"]

# Routes Azure must not get through: default, on-prem, non-Azure, too long.
HOSTILE_V4 = ["0.0.0.0/0", "172.16.5.0/24", "192.168.77.0/24",
              "10.100.3.0/26"]
HOSTILE_V6 = ["::/0", "fd00:aaaa:1::/48", "2001:db8:999::/48"]

USER_MAP = """\
route-map ER-IN deny 5
 match ip address prefix-list USER-DENY
route-map ER-IN permit 10
 set community 65010:99
 set local-preference 50
!
ip prefix-list USER-DENY seq 5 permit 10.100.9.0/24
!
"""


def start_lab(lab):
    azure_cfg = {
        "msee1": azure.azure_conf(
            "msee1", azure.AZURE_V4 + ["10.100.9.0/24"] + HOSTILE_V4,
            azure.AZURE_V6 + HOSTILE_V6),
        "vpngw": azure.azure_conf(
            "vpngw", azure.AZURE_V4 + ["10.100.9.0/24"] + HOSTILE_V4,
            azure.AZURE_V6 + HOSTILE_V6),
    }
    edge_cfg = azure.edge_conf(
        ["msee1", "vpngw"], before=USER_MAP,
        erpolicy=azure.erpolicy_lines(["msee1", "vpngw"]) +
        " erpolicy neighbor %s route-map ER-IN in\n" % ER[1] +
        " erpolicy maximum-prefix-length ipv4 24\n")
    r = azure.build(lab, azure=azure_cfg, edge_bgpd=edge_cfg)
    lab.start()
    edge = r["edge"]
    lab.wait_until(azure.established(edge, [ER[1], ER[3], VPN[1], VPN[3]]),
                   timeout=30, message="sessions up")
    # all accepted prefixes from both peers present
    lab.wait_until(lambda: azure.path_from(edge, "10.100.1.0/24", VPN[1])
                   and azure.path_from(edge, "10.100.1.0/24", ER[1])
                   and azure.path_from(edge, "2001:db8:100::/48", ER[3],
                                       "ipv6"),
                   timeout=20, message="Azure prefixes from both paths")
    return r


def test_er_preferred_filters_and_user_map(lab):
    r = start_lab(lab)
    edge = r["edge"]

    # --- ER best with the module's local-preference; VPN present at 100
    for pfx in azure.AZURE_V4:
        best = azure.best_path(edge, pfx)
        assert best["peer"]["peerId"] == ER[1], best
        assert best["locPrf"] == 200
        vpn = azure.path_from(edge, pfx, VPN[1])
        assert vpn["locPrf"] == 100
        assert not vpn.get("bestpath")
    best6 = azure.best_path(edge, "2001:db8:100::/48", "ipv6")
    assert best6["peer"]["peerId"] == ER[3]
    assert best6["locPrf"] == 200
    assert azure.path_from(edge, "2001:db8:100::/48", VPN[3],
                           "ipv6")["locPrf"] == 100

    # --- the kernel forwards Azure prefixes to the ER next hop
    wait_until(lambda: azure.kernel_gateway(edge, "10.100.0.0/16") == ER[1],
               timeout=10, message="kernel route via ER")
    assert azure.kernel_gateway(edge, "10.100.1.0/24") == ER[1]

    # --- the operator's map: sets survive (community), its deny denies,
    #     and the module's local-preference (200, not the map's 50) wins
    best = azure.best_path(edge, "10.100.1.0/24")
    assert "65010:99" in best.get("community", {}).get("string", ""), best
    assert azure.path_from(edge, "10.100.9.0/24", ER[1]) is None
    assert azure.path_from(edge, "10.100.9.0/24", VPN[1])["locPrf"] == 100
    # the VPN neighbor has no operator map: no community there
    assert "community" not in azure.path_from(edge, "10.100.1.0/24", VPN[1])

    # --- refused routes are absent from both paths
    for pfx in HOSTILE_V4:
        assert azure.paths(edge, pfx) == [], pfx
    for pfx in HOSTILE_V6:
        assert azure.paths(edge, pfx, "ipv6") == [], pfx
    assert azure.kernel_gateway(edge, "192.168.77.0/24") is None

    # --- ... and counted, by reason, per neighbor and address family
    st = azure.erpolicy(edge)
    er4 = st["neighbors"][ER[1]]["addressFamilyInfo"]["ipv4Unicast"]
    assert er4["routeMapForIncomingAdvertisements"] == "erpolicy-expressroute"
    assert er4["policyAttachedIn"] is True
    assert st["neighbors"][ER[1]]["userRouteMapIn"] == "ER-IN"
    den = er4["prefixesDenied"]
    assert den["defaultRoute"] == 1
    assert den["onpremPrefix"] == 1
    assert den["notAzurePrefix"] == 1
    assert den["tooLong"] == 1
    assert den["userPolicy"] == 1
    assert den["total"] == 5
    assert den["truncated"] is False
    # 10.100.0.0/16, 10.100.1.0/24 accepted; each evaluated at least once
    assert er4["acceptedPrefixCounter"] == 2
    assert er4["updatesAccepted"] >= 2
    assert er4["updatesDenied"] >= 5
    vpn4 = st["neighbors"][VPN[1]]["addressFamilyInfo"]["ipv4Unicast"]
    assert vpn4["prefixesDenied"]["userPolicy"] == 0
    assert vpn4["prefixesDenied"]["total"] == 4
    assert vpn4["acceptedPrefixCounter"] == 3  # incl. 10.100.9.0/24
    er6 = st["neighbors"][ER[3]]["addressFamilyInfo"]["ipv6Unicast"]
    assert er6["prefixesDenied"]["defaultRoute"] == 1
    assert er6["prefixesDenied"]["onpremPrefix"] == 1
    assert er6["prefixesDenied"]["notAzurePrefix"] == 1
    assert er6["acceptedPrefixCounter"] == 1
    assert st["addressFamilies"]["ipv4"]["preferredPath"] == "expressroute"
    assert st["addressFamilies"]["ipv6"]["preferredPath"] == "expressroute"
    assert st["neighbors"][ER[1]]["path"] == "expressroute"
    assert st["neighbors"][VPN[3]]["path"] == "vpn"
    assert st["neighbors"][VPN[3]]["localPreference"] == 100

    # --- the text form says the same
    text = edge.vty("show bgp erpolicy")
    assert "IPv4 preferred path: expressroute" in text
    assert ER[1] in text and "erpolicy-vpn" in text
    detail = edge.vty("show bgp erpolicy neighbor %s" % ER[1])
    assert "operator's route-map: ER-IN" in detail
    assert "default route 1" in detail

    # --- operational state through the stock vtysh and the northbound
    out = subprocess.run(
        edge.lab.target_argv(["vtysh", "--vty_socket", edge.dir, "-c",
         "show yang operational-data /frr-bgp-erpolicy:erpolicy-state bgpd"]),
        capture_output=True, text=True, timeout=30, check=True).stdout
    oper = json.loads(out)["frr-bgp-erpolicy:erpolicy-state"]["instance"][0]
    assert oper["vrf"] == "default"
    afs = {a["afi"]: a for a in oper["address-family"]}
    assert afs["ipv4"]["preferred-path"] == "expressroute"
    assert afs["ipv4"]["expressroute-sessions-established"] == 1
    nbrs = {n["name"]: n for n in oper["neighbor"]}
    er_state = nbrs[ER[1]]
    assert er_state["path"] == "expressroute"
    assert er_state["session-state"] == "Established"
    er_af = {a["afi"]: a for a in er_state["address-family"]}["ipv4"]
    assert er_af["prefixes-accepted"] == 2
    assert er_af["prefixes-denied"]["default-route"] == 1
    assert er_af["prefixes-denied"]["user-policy"] == 1
    assert er_af["prefixes-denied"]["truncated"] is False

    # --- one entry asked for by its keys.  FRR 8.4 hands such lookups to
    #     the callbacks in ways the module must survive (it crashed once)
    #     and then answers {} or an error: only "no crash" is asserted
    #     there.  FRR 10's operational-state walker (lib/northbound_oper.c)
    #     answers exactly the entry asked for: asserted on 10.x.
    base = "/frr-bgp-erpolicy:erpolicy-state/instance[vrf='default']"
    keyed = {}
    for path in (base, base + "/address-family[afi='ipv4']",
                 base + "/neighbor[name='%s']" % ER[1],
                 base + "/neighbor[name='%s']/address-family[afi='ipv4']"
                 % ER[1], base + "/neighbor[name='%s']/session-state" % ER[1],
                 base + "/event[seq='1']",
                 base + "/health-warning", base + "/overlaps"):
        p = subprocess.run(
            edge.lab.target_argv(["vtysh", "--vty_socket", edge.dir, "-c",
             "show yang operational-data %s bgpd" % path]),
            capture_output=True, text=True, timeout=30)
        keyed[path] = p
        assert edge.show_json("show bgp erpolicy")["vrfName"] == "default", path
    if labmod.frr_major(edge.lab.target) >= 10:
        def inst(path):
            p = keyed[path]
            assert p.returncode == 0, (path, p.stdout, p.stderr)
            insts = json.loads(p.stdout)["frr-bgp-erpolicy:erpolicy-state"][
                "instance"]
            assert [i["vrf"] for i in insts] == ["default"], path
            return insts[0]
        whole = inst(base)
        assert whole["address-family"] == oper["address-family"]
        one = inst(base + "/address-family[afi='ipv4']")["address-family"]
        assert one == [afs["ipv4"]]
        def stable(afs):
            """Without the update counters: cumulative, they grow when
            bgpd re-applies the inbound maps (route-map timer, a refresh)
            between two reads; the prefix counts stay."""
            return [{k: v for k, v in a.items()
                     if k not in ("updates-accepted", "updates-denied")}
                    for a in afs]
        nbr = inst(base + "/neighbor[name='%s']" % ER[1])["neighbor"]
        assert [n["name"] for n in nbr] == [ER[1]]
        assert stable(nbr[0]["address-family"]) == \
            stable(er_state["address-family"])
        naf = inst(base + "/neighbor[name='%s']/address-family[afi='ipv4']"
                   % ER[1])["neighbor"]
        assert stable(naf[0]["address-family"]) == stable([er_af])
        leaf = inst(base + "/neighbor[name='%s']/session-state"
                    % ER[1])["neighbor"]
        assert leaf == [{"name": ER[1], "session-state": "Established"}]
        ev = inst(base + "/event[seq='1']")["event"]
        assert [e["seq"] for e in ev] == ["1"]
        assert ev[0]["type"] == "path-up"
        hw = inst(base + "/health-warning")
        assert set(hw) == {"vrf", "health-warning"}
        assert any(w.startswith("erNoBfd: ") for w in hw["health-warning"])

    # --- bgp ebgp-requires-policy (default on) is satisfied by the module
    nb = edge.show_json("show bgp neighbors %s" % ER[1])[ER[1]]
    af = nb["addressFamilyInfo"]["ipv4Unicast"]
    assert af["inboundPathPolicyConfig"] is True
    assert "inboundEbgpRequiresPolicy" not in af
