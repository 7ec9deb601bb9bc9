"""Selftest of the topotest lab library (plain Debian FRR, no module).

r1 (AS 65001) -- r2 (AS 65002) over one veth with IPv4 and IPv6; r1
originates 10.1.0.0/24 and 2001:db8:1::/48.
"""

import os
import signal
import time

import pytest

from lib import lab as labmod
from lib.lab import Lab, LabError, WaitTimeout, wait_until
from lib.vty import VtyClient, VtyCommandError, CMD_SUCCESS

R1_IP4, R2_IP4 = "10.0.12.1", "10.0.12.2"
R1_IP6, R2_IP6 = "2001:db8:12::1", "2001:db8:12::2"

ROUTER_CONF = """\
router bgp {asn}
 bgp router-id {rid}
 no bgp ebgp-requires-policy
 no bgp network import-check
 no bgp default ipv4-unicast
 timers bgp 3 9
 neighbor {peer4} remote-as {peer_asn}
 neighbor {peer4} timers connect 1
 neighbor {peer4} advertisement-interval 0
 neighbor {peer6} remote-as {peer_asn}
 neighbor {peer6} timers connect 1
 neighbor {peer6} advertisement-interval 0
 address-family ipv4 unicast
{net4}  neighbor {peer4} activate
 exit-address-family
 address-family ipv6 unicast
{net6}  neighbor {peer6} activate
 exit-address-family
"""

R1_CONF = ROUTER_CONF.format(asn=65001, rid="10.0.0.1", peer4=R2_IP4,
                             peer6=R2_IP6, peer_asn=65002,
                             net4="  network 10.1.0.0/24\n",
                             net6="  network 2001:db8:1::/48\n")
R2_CONF = ROUTER_CONF.format(asn=65002, rid="10.0.0.2", peer4=R1_IP4,
                             peer6=R1_IP6, peer_asn=65001, net4="", net6="")


def build(lab):
    r1 = lab.add_router("r1", bgpd_conf=R1_CONF)
    r2 = lab.add_router("r2", bgpd_conf=R2_CONF)
    lab.link(r1, r2, a_addrs=[R1_IP4 + "/24", R1_IP6 + "/64"],
             b_addrs=[R2_IP4 + "/24", R2_IP6 + "/64"])
    # an address inside r1's originated prefix, reachable only via BGP
    r1.add_address("lo", "10.1.0.1/32")
    lab.start()
    return r1, r2


def summary_states(router):
    """{peer: state} over IPv4 and IPv6 unicast, via a direct vty client."""
    import json
    states = {}
    with VtyClient(router.vty_socket("bgpd")) as c:
        for afi in ("ipv4", "ipv6"):
            status, out = c.cmd("show bgp %s unicast summary json" % afi)
            assert status == CMD_SUCCESS, out
            for peer, info in json.loads(out).get("peers", {}).items():
                states[peer] = info.get("state")
    return states


def established(router, peers):
    states = summary_states(router)
    return all(states.get(p) == "Established" for p in peers) and states


def has_prefix(router, afi, prefix):
    rib = router.show_json("show bgp %s unicast" % afi)
    return prefix in rib.get("routes", {})


def ns_with_prefix(prefix):
    return [n for n in labmod._netns_list() if n.startswith(prefix)]


def pid_gone(pid):
    return not labmod._pid_alive(pid)


def test_two_routers(lab_factory):
    lab = lab_factory("selftest")
    r1, r2 = build(lab)
    prefix = lab.prefix
    assert len(ns_with_prefix(prefix)) == 2

    # session up (both AFI sessions), seen from both sides
    lab.wait_until(lambda: established(r1, [R2_IP4, R2_IP6]), timeout=15,
                   message="r1 sessions Established")
    lab.wait_until(lambda: established(r2, [R1_IP4, R1_IP6]), timeout=15,
                   message="r2 sessions Established")

    # r2 learns both prefixes
    lab.wait_until(lambda: has_prefix(r2, "ipv4", "10.1.0.0/24"), timeout=10,
                   message="r2 learns 10.1.0.0/24")
    lab.wait_until(lambda: has_prefix(r2, "ipv6", "2001:db8:1::/48"),
                   timeout=10, message="r2 learns 2001:db8:1::/48")

    # kernel routes in r2 point at r1
    route4 = lab.wait_until(lambda: r2.route("10.1.0.0/24"), timeout=10,
                            message="kernel route 10.1.0.0/24 in r2")
    assert route4.get("gateway") == R1_IP4, route4
    assert route4.get("protocol") == "bgp", route4
    route6 = lab.wait_until(lambda: r2.route("2001:db8:1::/48"), timeout=10,
                            message="kernel route 2001:db8:1::/48 in r2")
    assert route6.get("protocol") == "bgp", route6
    r1_v6 = {a["local"] for a in r1.ip_json("-6", "addr", "show", "dev",
                                            "eth-r2")[0]["addr_info"]}
    assert R1_IP6 in r1_v6
    gateways = {route6.get("gateway")} | {
        nh.get("gateway") for nh in route6.get("nexthops", [])}
    assert gateways & r1_v6, (route6, r1_v6)  # global or link-local of r1
    # raw `ip -j route show` works as well
    raw = r2.exec(["ip", "-j", "route", "show", "10.1.0.0/24"]).stdout
    assert R1_IP4 in raw

    # traffic only between addresses inside our namespaces
    assert r2.ping(R1_IP4)
    assert r2.ping(R1_IP6)
    assert r2.ping("10.1.0.1")  # via the BGP-installed route

    # zebra vty and show_json
    assert "10.1.0.0/24" in r2.zebra_vty("show ip route")
    assert r2.show_json("show ip route", daemon="zebra")["10.1.0.0/24"]
    # valid JSON with a warning status is still returned
    assert r2.show_json("show ip route 10.99.0.0/24", daemon="zebra") == {}
    with pytest.raises(VtyCommandError):
        r2.show_json("show bogus-command-xyz")

    # direct client: bogus command -> non-zero status and error text
    with VtyClient(r1.vty_socket("bgpd")) as c:
        status, out = c.cmd("show bogus-command-xyz")
        assert status != CMD_SUCCESS
        assert "Unknown command" in out, out
        # the connection stays usable after an error
        status, out = c.cmd("show bgp summary")
        assert status == CMD_SUCCESS and "65001" in out
    with pytest.raises(VtyCommandError) as ei:
        r1.vty("show bogus-command-xyz")
    assert ei.value.status != CMD_SUCCESS
    assert "Unknown command" in str(ei.value)

    # config(): success and first-failure reporting
    r1.config(["router bgp 65001", " bgp log-neighbor-changes"])
    with pytest.raises(VtyCommandError) as ei:
        r1.config(["router bgp 65001", " neighbor 10.9.9.9 bogus-option 1",
                   " bgp router-id 10.0.0.99"])
    assert ei.value.command == "neighbor 10.9.9.9 bogus-option 1"
    assert "Unknown command" in ei.value.output
    # the failing line stopped the batch: router-id unchanged
    assert r1.show_json("show bgp summary")["ipv4Unicast"]["routerId"] \
        == "10.0.0.1"
    status, out = r1.config(["router bgp 65001", " no-such-thing"],
                            check=False)
    assert status != CMD_SUCCESS and "Unknown command" in out

    # write file + stop + start restores the session from the saved file
    r1.config(["router bgp 65001",
               " neighbor %s description saved-by-write-file" % R2_IP4])
    assert "Configuration saved" in r1.vty("write file")
    saved = r1.read_conf("bgpd")
    assert "saved-by-write-file" in saved and "router bgp 65001" in saved
    old_pid = r1.pid("bgpd")
    how = r1.stop_daemon("bgpd")
    assert how == "exit code 0", how
    assert pid_gone(old_pid) and r1.pid("bgpd") is None
    lab.wait_until(lambda: summary_states(r2).get(R1_IP4) != "Established",
                   timeout=10, message="r2 notices r1 bgpd going away")
    new_pid = r1.start_daemon("bgpd")
    assert new_pid != old_pid and r1.pid("bgpd") == new_pid
    lab.wait_until(lambda: established(r1, [R2_IP4, R2_IP6]), timeout=15,
                   message="sessions re-established after bgpd restart")
    nbr = r1.show_json("show bgp neighbors %s" % R2_IP4)[R2_IP4]
    assert nbr.get("nbrDesc") == "saved-by-write-file", nbr
    lab.wait_until(lambda: has_prefix(r2, "ipv4", "10.1.0.0/24"), timeout=10,
                   message="r2 re-learns 10.1.0.0/24")
    assert "BGP" in r1.log_text("bgpd")

    pids = lab.pids
    lab_dir = lab.dir
    assert lab.stop() == []
    assert ns_with_prefix(prefix) == []
    for pid in pids:
        assert pid_gone(pid), pid
    if not labmod.KEEP_LABS:
        assert not os.path.exists(lab_dir)


def test_cleanup_when_body_raises():
    seen = {}
    with pytest.raises(RuntimeError, match="boom"):
        with Lab("boom") as lab:
            r1 = lab.add_router("r1", bgpd_conf="router bgp 65001\n")
            lab.add_host("h1")
            lab.link("r1", "h1", a_addrs=["10.0.1.1/24"],
                     b_addrs=["10.0.1.2/24"])
            lab.start()
            seen.update(prefix=lab.prefix, pids=lab.pids, dir=lab.dir)
            assert r1.pid("bgpd") and r1.pid("zebra")
            assert len(ns_with_prefix(lab.prefix)) == 2
            raise RuntimeError("boom")
    assert ns_with_prefix(seen["prefix"]) == []
    assert seen["pids"] and all(pid_gone(p) for p in seen["pids"])
    if not labmod.KEEP_LABS:
        assert not os.path.exists(seen["dir"])


def test_crash_is_reported():
    """A daemon dying behind the lab's back is surfaced; cleanup still
    happens."""
    seen = []
    # not noticed during the test -> the lab's exit raises with a report
    with pytest.raises(LabError, match=r"(?s)r1/bgpd.*CRASHED.*SIGSEGV"):
        with Lab("crash1") as lab:
            r1 = lab.add_router("r1", bgpd_conf="router bgp 65001\n")
            lab.start()
            seen.append((lab.prefix, lab.pids))
            # a deliberate kill is not a crash
            assert r1.kill_daemon("bgpd", signal.SIGKILL) == \
                "killed by SIGKILL"
            r1.start_daemon("bgpd")
            pid = r1.pid("bgpd")
            os.kill(pid, signal.SIGSEGV)
            wait_until(lambda: pid_gone(pid), timeout=5)
            # restarting it does not hide the crash
            r1.start_daemon("bgpd")
    # lab.wait_until aborts at once with the crash report
    with Lab("crash2") as lab:
        r1 = lab.add_router("r1", bgpd_conf="router bgp 65001\n")
        lab.start()
        seen.append((lab.prefix, lab.pids))
        t0 = time.monotonic()
        os.kill(r1.pid("bgpd"), signal.SIGSEGV)
        with pytest.raises(LabError,
                           match=r"(?s)daemon crashed.*r1/bgpd.*SIGSEGV"):
            lab.wait_until(lambda: False, timeout=30)
        assert time.monotonic() - t0 < 5
        # reported once -> the lab's exit does not raise again
    for prefix, pids in seen:
        assert ns_with_prefix(prefix) == []
        assert all(pid_gone(p) for p in pids)


def test_bridged_link_cut_and_wait_until(lab):
    h1 = lab.add_host("h1")
    h2 = lab.add_host("h2")
    link = lab.link(h1, h2, a_addrs=["10.0.2.1/24", "2001:db8:2::1/64"],
                    b_addrs=["10.0.2.2/24", "2001:db8:2::2/64"],
                    bridged=True)
    assert link.a_ifname == "eth-h2" and link.b_ifname == "eth-h1"
    assert h1.ping("10.0.2.2") and h1.ping("2001:db8:2::2")
    link.cut()
    assert not h1.ping("10.0.2.2", wait=1)
    # silent: carrier still up on both ends
    for node, ifname in ((h1, link.a_ifname), (h2, link.b_ifname)):
        info = node.ip_json("link", "show", ifname)[0]
        assert "LOWER_UP" in info["flags"], info
    link.restore()
    assert wait_until(lambda: h1.ping("10.0.2.2", wait=1), timeout=5)

    with pytest.raises(WaitTimeout, match="never true"):
        wait_until(lambda: 0, timeout=0.3, interval=0.1,
                   message="never true")
