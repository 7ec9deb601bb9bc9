"""Issue 12 item 4: the advertisement limit is exact per neighbor, whatever
the update-group layout, and never exceeded at any moment.

Two MSEEs and two VPN gateways, each pair in one bgpd update group (same
outbound map), ``advertise limit`` 1 for both paths.  Each emulated Azure
router has ``maximum-prefix 1`` towards the edge, as Azure has its 4,000:
one prefix too many, even for a moment, tears its session down and logs
``%MAXPFXEXCEED`` there.  The test drives what used to break the count:
a newly eligible prefix that sorts first followed by ``clear ... soft
out`` and a route refresh, a flap of each neighbor (one of them created
the update group), and then room freeing up for the held-back prefixes.
"""

import re
import time

from lib import azure

NAMES = ["msee1", "msee2", "vpngw", "vpngw2"]
LIMIT = 1
FIRST = "172.20.0.0/16"      # the one prefix advertised at the start
SORTS_FIRST = "172.16.0.0/16"  # newly eligible, sorts before FIRST


def edge_of(name):
    return azure.PEERS[name][0]


def addr_of(name):
    return azure.PEERS[name][1]


def received(router, peer):
    """IPv4 prefixes router has from peer (its BGP table)."""
    table = router.show_json("show bgp ipv4 unicast").get("routes", {})
    return {pfx for pfx, paths in table.items()
            if any(p.get("peerId") == peer for p in paths)}


def update_groups(edge):
    """{update group id: set of peers} of the edge's IPv4 unicast."""
    groups, cur = {}, None
    for line in edge.vty("show bgp ipv4 unicast update-groups").splitlines():
        m = re.match(r"Update-group (\d+):", line)
        if m:
            cur = groups.setdefault(int(m.group(1)), set())
        m = re.match(r"\s+- (\S+)$", line)
        if m and cur is not None:
            cur.add(m.group(1))
    return groups


def start(lab):
    edge_cfg = azure.edge_conf(
        NAMES, ipv4_extra="  network %s\n" % FIRST,
        erpolicy=azure.erpolicy_lines(NAMES) +
        " erpolicy advertise limit expressroute %d\n"
        " erpolicy advertise limit vpn %d\n" % (LIMIT, LIMIT),
        extra=" no bgp network import-check\n")
    # Azure tears the session down above its limit: so do these
    az = {n: azure.azure_conf(n, azure.AZURE_V4, azure.AZURE_V6,
                              ipv4_extra="  neighbor EDGE4 maximum-prefix "
                              "%d\n" % LIMIT)
          for n in NAMES}
    r = azure.build(lab, names=NAMES, edge_bgpd=edge_cfg, azure=az)
    lab.start()
    lab.wait_until(azure.established(r["edge"], [addr_of(n) for n in NAMES]),
                   timeout=40, message="all four sessions up")
    return r


def never_above(r):
    """No Azure router ever received more than the limit (its
    maximum-prefix would have fired), and none has more now."""
    for n in NAMES:
        log = r[n].log_text("bgpd")
        assert "MAXPFXEXCEED" not in log, (n, [
            line for line in log.splitlines() if "MAXPFX" in line])
        got = received(r[n], edge_of(n))
        assert len(got) <= LIMIT, (n, got)


def all_get(lab, r, want, message, timeout=15):
    lab.wait_until(lambda: all(received(r[n], edge_of(n)) == want
                               for n in NAMES),
                   timeout=timeout, message=message,
                   diag=lambda: {n: sorted(received(r[n], edge_of(n)))
                                 for n in NAMES})


def stays(lab, r, want, seconds=3.0):
    """For `seconds`, every neighbor has exactly `want` and none went over."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        never_above(r)
        time.sleep(0.3)
    for n in NAMES:
        assert received(r[n], edge_of(n)) == want, n


def add_network(edge, prefix, add=True):
    edge.config(["router bgp 65010", "address-family ipv4 unicast",
                 "%snetwork %s" % ("" if add else "no ", prefix)])


def start_held_back(lab):
    """Lab up, each neighbor with FIRST; SORTS_FIRST then held back."""
    r = start(lab)
    edge = r["edge"]
    all_get(lab, r, {FIRST}, "each neighbor gets the one prefix")
    # the layout the issue is about: each pair shares an update group
    groups = update_groups(edge).values()
    assert {addr_of("msee1"), addr_of("msee2")} in groups, groups
    assert {addr_of("vpngw"), addr_of("vpngw2")} in groups, groups

    # a newly eligible prefix that sorts first is held back
    add_network(edge, SORTS_FIRST)
    stays(lab, r, {FIRST})
    st = azure.erpolicy(edge)["neighbors"][addr_of("msee2")][
        "addressFamilyInfo"]["ipv4Unicast"]
    assert st["prefixesNotAdvertised"]["limit"] >= 1, st
    return r


def test_limit_holds_across_soft_out_and_route_refresh(lab):
    r = start_held_back(lab)
    edge = r["edge"]
    for n in ("msee1", "vpngw"):
        edge.vty("clear bgp ipv4 unicast %s soft out" % addr_of(n))
    stays(lab, r, {FIRST})
    for n in ("msee2", "vpngw2"):  # no soft-reconfiguration: ROUTE-REFRESH
        r[n].vty("clear bgp ipv4 unicast %s soft in" % edge_of(n))
    stays(lab, r, {FIRST})
    # the module's own re-evaluation (soft out of the VPN neighbors on an
    # ExpressRoute session change; here a policy change re-applies all)
    edge.config(["router bgp 65010", "erpolicy advertise vpn-prepend 1"])
    stays(lab, r, {FIRST})


def test_limit_exact_when_a_group_member_goes_down(lab):
    """Each neighbor goes down in turn (one of each pair created the
    update group); a new prefix arrives meanwhile; the others keep exactly
    their one prefix, and the one coming back gets the same."""
    r = start_held_back(lab)
    edge = r["edge"]
    for i, n in enumerate(NAMES):
        r[n + "_link"].set_carrier(False, end="b")
        lab.wait_until(lambda: edge.bgp_peer_state(addr_of(n)) !=
                       "Established", timeout=20,
                       message="%s down" % n)
        add_network(edge, "172.17.%d.0/24" % i)
        end = time.monotonic() + 3
        while time.monotonic() < end:
            never_above(r)
            time.sleep(0.3)
        for o in NAMES:
            if o != n:
                assert received(r[o], edge_of(o)) == {FIRST}, (n, o)
        r[n + "_link"].set_carrier(True, end="b")
        lab.wait_until(azure.established(edge, [addr_of(n)]), timeout=30,
                       message="%s back" % n)
        all_get(lab, r, {FIRST}, "%s back: the same one prefix" % n)
        never_above(r)


def test_limit_held_back_advertised_when_room_frees(lab):
    r = start_held_back(lab)
    edge = r["edge"]
    add_network(edge, "172.17.0.0/24")
    stays(lab, r, {FIRST}, seconds=1)
    # room frees: the first held-back prefix in prefix order goes out
    add_network(edge, FIRST, add=False)
    all_get(lab, r, {SORTS_FIRST}, "the first held-back prefix advertised",
            timeout=20)
    stays(lab, r, {SORTS_FIRST})
    # every session stayed up (none was torn down for too many prefixes)
    for n in NAMES:
        nb = r[n].show_json("show bgp neighbors %s" % edge_of(n))
        assert "Max Prefix" not in str(nb.get(edge_of(n), {}).get(
            "lastResetDueTo", "")), (n, nb)

    # one admitted set per update group with a limit (IPv4: ER, VPN), and
    # freed with the configuration
    mem = azure.module_memory(edge)
    assert mem.get("erpolicy advertisement limit group") == 2, mem
    # both VPN gateways down: bgpd deletes their update group, the module
    # its set
    for n in ("vpngw", "vpngw2"):
        r[n + "_link"].set_carrier(False, end="b")
    lab.wait_until(lambda: azure.module_memory(edge).get(
        "erpolicy advertisement limit group", 0) == 1, timeout=15,
        message="the VPN group's set dropped",
        diag=lambda: azure.module_memory(edge))
    edge.config(["router bgp 65010", "no erpolicy"])
    lab.wait_until(lambda: azure.module_memory(edge).get(
        "erpolicy advertisement limit group", 0) == 0, timeout=5,
        message="limit sets freed", diag=lambda: azure.module_memory(edge))
