"""Issue 12 item 5: the symmetric guard holds for what EVERY established
ExpressRoute neighbor gets, not for the first one bgpd lists.

msee1 gets everything on-prem; msee2's operator map (ER-OUT) keeps
172.16.5.0/24 from it, so msee2 gets only the covering 172.16.0.0/16.  The
VPN gateway must not get the /24: were msee1 to fail, Azure would send the
/24's return traffic over the VPN.  msee1 is the first ExpressRoute
neighbor in bgpd's order, the one the guard used to ask alone.
"""

from lib import azure

ER1, ER2, VPN = (azure.PEERS[n] for n in ("msee1", "msee2", "vpngw"))
NAMES = ["msee1", "msee2", "vpngw"]
MORE = "172.16.5.0/24"
COVER = "172.16.0.0/16"

USER_OUT = """\
ip prefix-list ER-SUMMARY seq 5 deny 172.16.5.0/24
ip prefix-list ER-SUMMARY seq 10 permit any
route-map ER-OUT permit 10
 match ip address prefix-list ER-SUMMARY
!
"""


def received(router, peer):
    table = router.show_json("show bgp ipv4 unicast").get("routes", {})
    return {pfx for pfx, paths in table.items()
            if any(p.get("peerId") == peer for p in paths)}


def test_guard_holds_for_every_expressroute_neighbor(lab):
    edge_cfg = azure.edge_conf(
        NAMES, before=USER_OUT,
        ipv4_extra="  network %s\n  network %s\n" % (COVER, MORE),
        erpolicy=azure.erpolicy_lines(NAMES) +
        " erpolicy neighbor %s route-map ER-OUT out\n" % ER2[1],
        # msee2 in an update group of its own, so that what it is sent
        # really differs from msee1's
        extra=" no bgp network import-check\n"
        " neighbor %s advertisement-interval 1\n" % ER2[1])
    r = azure.build(lab, names=NAMES, edge_bgpd=edge_cfg)
    lab.start()
    edge = r["edge"]
    lab.wait_until(azure.established(edge, [ER1[1], ER2[1], VPN[1]]),
                   timeout=30)

    def state():
        return {n: sorted(received(r[n], azure.PEERS[n][0]))
                for n in NAMES}

    lab.wait_until(lambda: received(r["msee1"], ER1[0]) == {COVER, MORE}
                   and received(r["msee2"], ER2[0]) == {COVER}
                   and COVER in received(r["vpngw"], VPN[0]),
                   timeout=20, message="ExpressRoute neighbors differ",
                   diag=state)
    assert MORE not in received(r["vpngw"], VPN[0]), state()
    st = azure.erpolicy(edge)["neighbors"][VPN[1]]["addressFamilyInfo"]["ipv4Unicast"]
    assert st["prefixesNotAdvertised"]["moreSpecificThanExpressroute"] == 1

    # msee2 down: the one left gets the /24, so may the VPN
    r["msee2_link"].set_carrier(False, end="b")
    lab.wait_until(lambda: MORE in received(r["vpngw"], VPN[0]),
                   timeout=20, message="only msee1 up: VPN gets the /24",
                   diag=state)
    # msee2 back: held back again
    r["msee2_link"].set_carrier(True, end="b")
    lab.wait_until(lambda: MORE not in received(r["vpngw"], VPN[0]) and
                   received(r["msee2"], ER2[0]) == {COVER},
                   timeout=30, message="msee2 back: the guard again",
                   diag=state)
