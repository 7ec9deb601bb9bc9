"""Issue 6 (robustness): hostile ExpressRoute and VPN peers.

Emulated Azure peers send what a misconfigured or hostile neighbor could:
the default route, on-prem prefixes, more-specifics down to /32 and /128,
bogons/martians, prefixes outside the Azure set, very long AS paths, a burst
of thousands of prefixes, more than 10,000 junk prefixes, and the same prefix
announced and withdrawn in a tight loop.  Each route must be denied or
accepted exactly as specified, counted once per prefix by reason in
``show bgp erpolicy json``, the accepted ones present in the RIB and the
kernel with the module's local-preference, and bgpd must stay up without
resetting any session.

What bgpd 8.4 itself drops *before* any inbound policy (so the module never
sees them and does not count them), established here:
  * IPv4 NLRI whose address is multicast (224.0.0.0/4 and everything in
    it, e.g. 224.0.0.0/24, 239.1.0.0/16): logged as "IPv4 unicast NLRI is
    multicast address ..., ignoring" (bgp_nlri_parse_ip);
  * IPv6 NLRI that is multicast (ff00::/8, ff02::/16) or link-local
    (fe80::/10) - the latter cannot even be originated by FRR ("network
    fe80::/10": "Malformed prefix (link-local address)"), so it is not sent;
  * routes whose AS path contains the edge's own AS (loop detection).
Everything else reaches the module: 0.0.0.0/8 and its subnets, 127.0.0.0/8,
169.254.0.0/16, 240.0.0.0/4, 255.255.255.255/32, 100.64.0.0/10, ::1/128,
::ffff:0:0/96, 100::/64, fc00::/7, 2002::/16 ...

maximum-prefix-length N denies prefixes *longer* than N (a /N itself is
accepted); the check comes before the on-prem and Azure-set checks, so an
on-prem /32 counts as tooLong; the default route is exempt from it (it is
denied as defaultRoute unless allow-default-route).  Denied prefixes are
counted once per prefix per session (a prefix announced 50 times counts
once; withdrawing it does not uncount it; variants sent with host bits set,
10.100.1.0/20 and 10.100.2.0/20, are one prefix, 10.100.0.0/20, as in
bgpd's table: sent by a raw speaker, lib/rawbgp.py); past 10,000 distinct denied
prefixes per neighbor and address family only the update counters grow and
``truncated`` is true.  A policy change re-evaluates and recounts.  The
on-prem warning is logged once per prefix and session, not again when a
re-evaluation recounts.

The burst and the cap use bird2 (fast: 15,500 routes in about two seconds).
"""

import ipaddress
import json
import os
import subprocess
import time

import pytest

from lib import azure, rawbgp
from lib.lab import LabError, stop_popen, wait_until

ER = azure.PEERS["msee1"]
ER2 = azure.PEERS["msee2"]  # bird2 in test_burst_and_denied_cap
VPN = azure.PEERS["vpngw"]

# --- the policy under test -------------------------------------------------

AZURE = [("10.100.0.0/16", None, 32), ("10.128.0.0/9", None, 24),
         ("2001:db8:100::/48", None, 128)]
ONPREM = [("172.16.0.0/12", None, 32), ("fd00:aaaa::/32", None, 128)]
MAXLEN4 = 28


def policy_lines(names, maxlen4=MAXLEN4):
    out = ""
    for n in names:
        role = "vpn" if n.startswith("vpn") else "expressroute"
        out += " erpolicy neighbor %s path %s\n" % (azure.PEERS[n][1], role)
        if n != "msee2":
            out += " erpolicy neighbor %s path %s\n" % (azure.PEERS[n][3],
                                                        role)
    out += " erpolicy local-preference expressroute 200 vpn 100\n"
    for p, ge, le in AZURE:
        out += " erpolicy azure-prefix %s%s%s\n" % (
            p, " ge %d" % ge if ge else "", " le %d" % le if le else "")
    for p, ge, le in ONPREM:
        out += " erpolicy onprem-prefix %s%s%s\n" % (
            p, " ge %d" % ge if ge else "", " le %d" % le if le else "")
    if maxlen4:
        out += " erpolicy maximum-prefix-length ipv4 %d\n" % maxlen4
    return out


def _rule_match(rules, net):
    for p, ge, le in rules:
        rule = ipaddress.ip_network(p)
        if rule.version != net.version or not net.subnet_of(rule):
            continue
        lo = ge or rule.prefixlen
        hi = le or (rule.max_prefixlen if ge else rule.prefixlen)
        if lo <= net.prefixlen <= hi:
            return True
    return False


def expected_reason(prefix, maxlen4=MAXLEN4, maxlen6=128):
    """The specified verdict, re-implemented independently of the module:
    'accept' or the JSON key of the deny reason; 'bgpd' for what bgpd
    drops before policy."""
    net = ipaddress.ip_network(prefix)
    if net.is_multicast or (net.version == 6 and net.subnet_of(
            ipaddress.ip_network("fe80::/10"))):
        return "bgpd"
    if net.prefixlen == 0:
        return "defaultRoute"
    if net.prefixlen > (maxlen4 if net.version == 4 else maxlen6):
        return "tooLong"
    if _rule_match(ONPREM, net):
        return "onpremPrefix"
    if not _rule_match(AZURE, net):
        return "notAzurePrefix"
    return "accept"


REASONS = ("defaultRoute", "tooLong", "onpremPrefix", "notAzurePrefix",
           "userPolicy")


def expected_counts(prefixes, **kw):
    counts = {r: 0 for r in REASONS}
    accepted = []
    for p in prefixes:
        why = expected_reason(p, **kw)
        if why == "accept":
            accepted.append(p)
        elif why != "bgpd":
            counts[why] += 1
    counts["total"] = sum(counts.values())
    return counts, accepted


# --- what the emulated peers send -----------------------------------------

MSEE1_V4 = [
    "0.0.0.0/0",
    # Azure, and more-specifics of it down to /32 (max length 28)
    "10.100.0.0/16", "10.100.1.0/24", "10.100.2.0/28", "10.100.2.16/29",
    "10.100.2.33/32",
] + ["10.100.3.0/%d" % n for n in range(25, 33)] + [
    # on-prem (an on-prem /32 is too long before it is on-prem)
    "172.16.0.0/12", "172.16.5.0/24", "172.31.255.0/28", "172.16.9.1/32",
    # bogons / martians
    "0.0.0.0/8", "0.1.0.0/16", "127.0.0.0/8", "127.0.0.1/32",
    "169.254.0.0/16", "240.0.0.0/4", "255.255.255.255/32",
    "100.64.0.0/10", "192.0.0.0/24", "198.18.0.0/15",
    # multicast: dropped by bgpd itself
    "224.0.0.0/4", "224.0.0.0/24", "239.1.0.0/16",
    # outside the Azure set, incl. around and covering it
    "192.168.77.0/24", "8.8.8.0/24", "10.99.0.0/16", "10.0.0.0/8",
    "10.101.0.0/16",
]
MSEE1_V6 = [
    "::/0", "2001:db8:100::/48", "2001:db8:100:1::/64",
    "2001:db8:100:2::1/128", "2001:db8:100:3::/127",
    "fd00:aaaa:1::/48", "fd00:aaaa::1/128",
    "2001:db8:999::/48", "::1/128", "::ffff:0:0/96", "100::/64",
    "fc00::/7", "2002::/16", "2001:db8::/32",
    "ff00::/8", "ff02::/16",
]
VPN_V4 = ["0.0.0.0/0", "10.100.0.0/16", "10.100.1.0/24", "172.16.5.0/24",
          "192.168.77.0/24", "10.100.4.1/32", "127.0.0.0/8"]
VPN_V6 = ["::/0", "2001:db8:100::/48", "fd00:aaaa:1::/48"]

LONG_PREFIX = "10.100.1.0/24"   # sent by msee1 with a 250-AS prepend
LOOP_PREFIX = "10.100.60.0/24"  # sent by msee1 with the edge's AS in it
PREPEND = 250

MSEE1_MAPS = """\
ip prefix-list LONG seq 5 permit %s
ip prefix-list LOOP seq 5 permit %s
route-map OUT permit 10
 match ip address prefix-list LONG
 set as-path prepend %s
route-map OUT permit 20
 match ip address prefix-list LOOP
 set as-path prepend 65010
route-map OUT permit 30
!
""" % (LONG_PREFIX, LOOP_PREFIX, " ".join(["12076"] * PREPEND))


def rib(router, afi="ipv4"):
    """{prefix: [paths]} of router's BGP table."""
    return router.show_json("show bgp %s unicast" % afi).get("routes", {})


def kernel_bgp(node, family=4):
    """{dst: gateway-or-None} of the kernel's BGP routes."""
    out = {}
    for r in node.ip_json("-%d" % family, "route", "show", "proto", "bgp"):
        gw = r.get("gateway")
        if not gw and r.get("nexthops"):
            gw = sorted(nh.get("gateway", "") for nh in r["nexthops"])[0]
        dst = r["dst"]
        if dst == "default":
            dst = "0.0.0.0/0" if family == 4 else "::/0"
        elif "/" not in dst:
            dst += "/32" if family == 4 else "/128"
        out[dst] = gw
    return out


def af_state(edge, peer, afi="ipv4"):
    return azure.erpolicy(edge)["neighbors"][peer]["addressFamilyInfo"][
        afi + "Unicast"]


def denied(edge, peer, afi="ipv4"):
    return af_state(edge, peer, afi)["prefixesDenied"]


def subset(d, keys):
    return {k: d[k] for k in keys}


def denied_memory(edge):
    """Allocations of remembered denied prefixes (module MTYPE)."""
    return azure.module_memory(edge).get("erpolicy denied prefix", 0)


def remembered_denials(edge):
    """Distinct denied prefixes the module reports keeping: all neighbors,
    families and both directions (received, not advertised).  Azure routes
    not advertised to the other Azure neighbors (transit) are counted from
    the BGP table when asked, not kept per neighbor."""
    total = 0
    for nbr in azure.erpolicy(edge)["neighbors"].values():
        for af in nbr["addressFamilyInfo"].values():
            for key in ("prefixesDenied", "prefixesNotAdvertised"):
                total += af.get(key, {}).get("total", 0)
            total -= af.get("prefixesNotAdvertised", {}).get("transit", 0)
    return total


def connections(edge, addr):
    return edge.show_json("show bgp neighbors %s" % addr)[addr][
        "connectionsEstablished"]


def assert_counts(edge, peer, prefixes, afi="ipv4", **kw):
    want, accepted = expected_counts(prefixes, **kw)
    st = af_state(edge, peer, afi)
    got = subset(st["prefixesDenied"], REASONS + ("total",))
    assert got == want, (peer, afi, got, want)
    assert st["prefixesDenied"]["truncated"] is False
    assert st["acceptedPrefixCounter"] == len(accepted), (peer, afi, st)
    return accepted


def test_hostile_routes_denied_by_reason(lab):
    azure_cfg = {
        "msee1": MSEE1_MAPS + azure.azure_conf(
            "msee1", MSEE1_V4 + [LOOP_PREFIX], MSEE1_V6,
            extra=" address-family ipv4 unicast\n"
                  "  neighbor %s route-map OUT out\n"
                  " exit-address-family\n" % ER[0]),
        "vpngw": azure.azure_conf("vpngw", VPN_V4, VPN_V6),
    }
    names = ["msee1", "vpngw"]
    edge_cfg = azure.edge_conf(names, erpolicy=policy_lines(names))
    r = azure.build(lab, names=names, edge_bgpd=edge_cfg, azure=azure_cfg)
    lab.start()
    edge = r["edge"]
    peers = [ER[1], ER[3], VPN[1], VPN[3]]
    lab.wait_until(azure.established(edge, peers), timeout=30,
                   message="sessions up")
    _, acc_er4 = expected_counts(MSEE1_V4)
    _, acc_er6 = expected_counts(MSEE1_V6)
    _, acc_vpn4 = expected_counts(VPN_V4)
    _, acc_vpn6 = expected_counts(VPN_V6)

    def converged():
        st = azure.erpolicy(edge)["neighbors"]

        def acc(n, af):
            return st[n]["addressFamilyInfo"][af]["acceptedPrefixCounter"]
        return (acc(ER[1], "ipv4Unicast") == len(acc_er4) and
                acc(ER[3], "ipv6Unicast") == len(acc_er6) and
                acc(VPN[1], "ipv4Unicast") == len(acc_vpn4) and
                acc(VPN[3], "ipv6Unicast") == len(acc_vpn6))
    lab.wait_until(converged, timeout=20, message="all routes evaluated",
                   diag=lambda: azure.erpolicy(edge))
    # the rest of the UPDATEs (denied ones) arrive in the same packets, but
    # give End-of-RIB a moment
    lab.wait_until(lambda: denied(edge, ER[1])["total"] ==
                   expected_counts(MSEE1_V4)[0]["total"], timeout=10,
                   message="msee1 denials counted")

    # --- counted by reason, once per prefix, per neighbor and family
    assert_counts(edge, ER[1], MSEE1_V4)
    assert_counts(edge, ER[3], MSEE1_V6, afi="ipv6")
    assert_counts(edge, VPN[1], VPN_V4)
    assert_counts(edge, VPN[3], VPN_V6, afi="ipv6")
    # spot checks of the specification itself (not only of the classifier)
    assert expected_reason("10.100.2.0/28") == "accept"      # = max length
    assert expected_reason("10.100.2.16/29") == "tooLong"    # > max length
    assert expected_reason("172.16.9.1/32") == "tooLong"     # length first
    assert expected_reason("2001:db8:100:2::1/128") == "accept"
    assert expected_reason("127.0.0.0/8") == "notAzurePrefix"
    assert expected_reason("224.0.0.0/4") == "bgpd"
    den = denied(edge, ER[1])
    assert (den["defaultRoute"], den["tooLong"], den["onpremPrefix"],
            den["notAzurePrefix"], den["userPolicy"]) == (1, 9, 3, 13, 0), den

    # --- exactly the accepted prefixes are in the RIB, with the module's
    #     local-preference; ER best everywhere both paths have it
    table4, table6 = rib(edge), rib(edge, "ipv6")
    assert set(table4) == set(acc_er4) | set(acc_vpn4), sorted(table4)
    assert set(table6) == set(acc_er6) | set(acc_vpn6), sorted(table6)
    for table in (table4, table6):
        for pfx, paths in table.items():
            for p in paths:
                want = 200 if p["peerId"] in (ER[1], ER[3]) else 100
                assert p.get("locPrf") == want, (pfx, p)
            best = [p for p in paths if p.get("bestpath")]
            assert len(best) == 1, (pfx, paths)
            assert best[0]["peerId"] in (ER[1], ER[3]), (pfx, paths)

    # --- a 251-AS path from ExpressRoute still beats VPN's 1-AS path:
    #     local-preference comes first
    long_path = azure.path_from(edge, LONG_PREFIX, ER[1])
    assert len(long_path["aspath"]["string"].split()) == PREPEND + 1
    assert long_path["bestpath"]["overall"] is True
    assert long_path["locPrf"] == 200
    assert len(azure.path_from(edge, LONG_PREFIX, VPN[1])["aspath"][
        "string"].split()) == 1

    # --- the kernel has exactly the accepted prefixes, via ExpressRoute
    lab.wait_until(lambda: set(kernel_bgp(edge)) == set(table4), timeout=10,
                   message="kernel IPv4 routes = accepted",
                   diag=lambda: kernel_bgp(edge))
    assert set(kernel_bgp(edge).values()) == {ER[1]}
    lab.wait_until(lambda: set(kernel_bgp(edge, 6)) == set(table6),
                   timeout=10, message="kernel IPv6 routes = accepted",
                   diag=lambda: kernel_bgp(edge, 6))

    # --- dropped by bgpd before policy: logged, not counted, absent
    log = edge.log_text()
    for addr in ("224.0.0.0", "239.1.0.0"):
        assert "IPv4 unicast NLRI is multicast address %s, ignoring" % addr \
            in log
    for addr in ("ff00::", "ff02::"):
        assert "IPv6 unicast NLRI is multicast address %s, ignoring" % addr \
            in log
    assert LOOP_PREFIX not in table4  # own AS in path: bgpd's loop check

    # --- maximum-prefix-length semantics at run time: longer is denied,
    #     equal is accepted; changes re-evaluate and recount
    edge.config(["router bgp 65010",
                 "erpolicy maximum-prefix-length ipv6 64"])
    lab.wait_until(lambda: "2001:db8:100:2::1/128" not in rib(edge, "ipv6"),
                   timeout=10, message="/128 denied at ipv6 maximum 64")
    lab.wait_until(lambda: denied(edge, ER[3], "ipv6")["tooLong"] ==
                   expected_counts(MSEE1_V6, maxlen6=64)[0]["tooLong"],
                   timeout=10, message="recounted")
    assert "2001:db8:100:1::/64" in rib(edge, "ipv6")  # /64 = maximum
    assert_counts(edge, ER[3], MSEE1_V6, afi="ipv6", maxlen6=64)
    edge.config(["router bgp 65010",
                 "erpolicy maximum-prefix-length ipv4 32",
                 "no erpolicy maximum-prefix-length ipv6"])
    lab.wait_until(lambda: "10.100.3.0/32" in rib(edge), timeout=10,
                   message="/32 accepted at ipv4 maximum 32")
    lab.wait_until(lambda: "2001:db8:100:2::1/128" in rib(edge, "ipv6"),
                   timeout=10, message="/128 accepted again")
    lab.wait_until(lambda: af_state(edge, ER[1])["acceptedPrefixCounter"] ==
                   len(expected_counts(MSEE1_V4, maxlen4=32)[1]),
                   timeout=10, message="recounted at /32")
    assert_counts(edge, ER[1], MSEE1_V4, maxlen4=32)
    assert_counts(edge, ER[3], MSEE1_V6, afi="ipv6")
    st = azure.erpolicy(edge)
    assert st["maximumPrefixLength"] == {"ipv4": 32, "ipv6": 128}
    edge.config(["router bgp 65010",
                 "erpolicy maximum-prefix-length ipv4 %d" % MAXLEN4])
    lab.wait_until(lambda: "10.100.3.0/32" not in rib(edge), timeout=10)
    lab.wait_until(lambda: denied(edge, ER[1])["tooLong"] == 9, timeout=10)

    # --- rapid announce/withdraw of the same prefixes, 50 times: an
    #     accepted one and a denied one.  Paced only so that every change
    #     really goes on the wire (bgpd would coalesce back-to-back
    #     commands into one UPDATE): announce, see the edge evaluate it,
    #     withdraw, see the edge drop it, next.
    flap_ok, flap_bad = "10.100.50.0/24", "192.168.50.0/24"
    before = af_state(edge, ER[1])
    t0 = time.monotonic()
    with r["msee1"].client() as peer_vty, edge.client() as edge_vty:
        def er_counters():
            st = json.loads(edge_vty.check("show bgp erpolicy json"))
            return st["neighbors"][ER[1]]["addressFamilyInfo"]["ipv4Unicast"]

        def present():
            out = json.loads(edge_vty.check(
                "show bgp ipv4 unicast %s json" % flap_ok))
            return bool(out.get("paths"))

        n = 0
        for i in range(50):
            peer_vty.config(["router bgp 12076", "address-family ipv4 unicast",
                             "network %s" % flap_ok,
                             "network %s" % flap_bad])
            wait_until(lambda: er_counters()["updatesAccepted"] >=
                       before["updatesAccepted"] + i + 1 and present(),
                       timeout=10, interval=0.005,
                       message="announcement %d evaluated" % i)
            peer_vty.config(["router bgp 12076", "address-family ipv4 unicast",
                             "no network %s" % flap_ok,
                             "no network %s" % flap_bad])
            wait_until(lambda: not present(), timeout=10, interval=0.005,
                       message="withdrawal %d seen" % i)
            n += 1
        peer_vty.config(["router bgp 12076", "address-family ipv4 unicast",
                         "network %s" % flap_ok, "network %s" % flap_bad])
    took = time.monotonic() - t0
    lab.wait_until(lambda: (azure.path_from(edge, flap_ok, ER[1]) or {})
                   .get("locPrf") == 200, timeout=10,
                   message="flapped prefix present with local-pref 200")
    lab.wait_until(lambda: azure.kernel_gateway(edge, flap_ok) == ER[1],
                   timeout=10, message="flapped prefix in the kernel")
    lab.wait_until(lambda: af_state(edge, ER[1])["updatesDenied"] >=
                   before["updatesDenied"] + n + 1, timeout=10,
                   message="every announcement of the denied prefix seen")
    assert azure.paths(edge, flap_bad) == []
    after = af_state(edge, ER[1])
    # evaluated at each announcement (more if a route refresh came in
    # between, e.g. bgpd's route-map timer 5 s after its start) ...
    assert after["updatesAccepted"] - before["updatesAccepted"] >= n + 1
    assert after["updatesDenied"] - before["updatesDenied"] >= n + 1
    # ... but counted once as a prefix
    assert after["prefixesDenied"]["notAzurePrefix"] == \
        before["prefixesDenied"]["notAzurePrefix"] + 1
    assert after["prefixesDenied"]["total"] == \
        before["prefixesDenied"]["total"] + 1
    assert after["acceptedPrefixCounter"] == \
        before["acceptedPrefixCounter"] + 1
    print("%d announce/withdraw cycles of an accepted and a denied prefix "
          "in %.2f s" % (n, took))
    # and withdrawn for good: gone from RIB and kernel; the denied prefix
    # stays counted for this session (withdrawals are not evaluated)
    r["msee1"].config(["router bgp 12076", "address-family ipv4 unicast",
                       "no network %s" % flap_ok, "no network %s" % flap_bad])
    lab.wait_until(lambda: azure.paths(edge, flap_ok) == [], timeout=10)
    lab.wait_until(lambda: azure.kernel_gateway(edge, flap_ok) is None,
                   timeout=10)
    assert af_state(edge, ER[1])["acceptedPrefixCounter"] == \
        before["acceptedPrefixCounter"]

    # --- the module keeps one allocation per remembered denied prefix
    lab.wait_until(lambda: denied_memory(edge) == remembered_denials(edge),
                   timeout=5, message="denied-prefix memory = reported",
                   diag=lambda: (denied_memory(edge),
                                 remembered_denials(edge)))

    # --- nothing reset a session, bgpd is up and answers
    for addr in peers:
        assert connections(edge, addr) == 1, addr
    lab.check_daemons()
    assert edge.is_running("bgpd")


# --- bird2: burst and the 10,000 denied-prefix cap ------------------------


class Bird:
    """bird2 in a lab namespace, run in the foreground by us (stopped by
    the fixture before the lab tears the namespace down)."""

    def __init__(self, lab, node, conf):
        self.node = node
        self.dir = os.path.join(lab.dir, node.name + "-bird")
        os.makedirs(self.dir)
        os.chmod(self.dir, 0o755)
        self.conf = os.path.join(self.dir, "bird.conf")
        self.ctl = os.path.join(self.dir, "bird.ctl")
        self.out = os.path.join(self.dir, "bird.out")
        self.popen = None
        with open(self.conf, "w") as f:
            f.write(conf.replace("@DIR@", self.dir))

    def path(self, name):
        return os.path.join(self.dir, name)

    def write_routes(self, name, prefixes):
        with open(self.path(name), "w") as f:
            f.writelines("route %s blackhole;\n" % p for p in prefixes)

    def start(self):
        with open(self.out, "ab") as out:
            self.popen = subprocess.Popen(
                ["ip", "netns", "exec", self.node.ns, "bird", "-f", "-c",
                 self.conf, "-s", self.ctl, "-P", self.path("bird.pid")],
                stdin=subprocess.DEVNULL, stdout=out,
                stderr=subprocess.STDOUT, start_new_session=True)

        def up():
            if self.popen.poll() is not None:
                raise LabError("bird exited: %s" % self.output())
            return self.birdc("show", "status", check=False).returncode == 0
        wait_until(up, timeout=10, message="bird control socket")

    def birdc(self, *args, check=True):
        return self.node.exec(["birdc", "-s", self.ctl] + list(args),
                              check=check)

    def configure(self):
        out = self.birdc("configure").stdout
        assert "Reconfigured" in out, out

    def output(self):
        try:
            with open(self.out) as f:
                return f.read()
        except OSError:
            return ""

    def stop(self):
        stop_popen(self.popen)


@pytest.fixture
def birds(lab):
    started = []

    def make(node, conf):
        b = Bird(lab, node, conf)
        started.append(b)
        return b
    yield make
    for b in started:  # before the lab kills "stray" processes
        b.stop()


BIRD_CONF = """\
router id %(me)s;
log "@DIR@/bird.log" all;
protocol device {}
protocol static s_burst {
 ipv4;
include "@DIR@/burst.conf";
}
protocol static s_junk {
 ipv4;
include "@DIR@/junk.conf";
}
filter f_out {
 if net = %(long)s then {
  %(prepend)s
 }
 accept;
}
protocol bgp p_er {
 local %(me)s as 12076;
 neighbor %(edge)s as 65010;
 hold time 9; keepalive time 3;
 connect delay time 1; connect retry time 1;
 ipv4 { import none; export filter f_out; };
}
"""

BURST = ["10.%d.%d.0/24" % (128 + i // 256, i % 256) for i in range(5000)]
JUNK = ["100.%d.%d.0/24" % (64 + i // 256, i % 256) for i in range(10500)]
BIRD_LONG = BURST[0]
BIRD_PREPEND = 300  # > 255: two AS_SEQUENCE segments


def test_burst_and_denied_cap(lab, birds):
    names = ["msee2"]
    edge_cfg = azure.edge_conf([], erpolicy=policy_lines(names), extra="""\
 neighbor %s remote-as 12076
 neighbor %s timers connect 1
 neighbor %s advertisement-interval 0
 address-family ipv4 unicast
  neighbor %s activate
%s exit-address-family
""" % ((ER2[1],) * 4 + (azure.attach_lines(ER2[1], "expressroute"),)))
    edge = lab.add_router("edge", bgpd_conf=edge_cfg,
                          bgpd_args=azure.module_args())
    host = lab.add_host("msee2")
    lab.link(edge, host, a_addrs=["%s/30" % ER2[0]],
             b_addrs=["%s/30" % ER2[1]])
    bird = birds(host, BIRD_CONF % {
        "me": ER2[1], "edge": ER2[0], "long": BIRD_LONG,
        "prepend": "bgp_path.prepend(12076); " * BIRD_PREPEND})
    bird.write_routes("burst.conf", BURST)
    bird.write_routes("junk.conf", [])
    lab.start()
    t0 = time.monotonic()
    bird.start()

    # --- a burst of 5,000 Azure prefixes at session start
    lab.wait_until(lambda: af_state(edge, ER2[1])["acceptedPrefixCounter"] ==
                   len(BURST), timeout=60, interval=0.25,
                   message="5000 prefixes accepted",
                   diag=lambda: bird.output() + edge.vty("show bgp summary"))
    lab.wait_until(lambda: len(kernel_bgp(edge)) == len(BURST), timeout=30,
                   interval=0.25, message="5000 kernel routes")
    burst_s = time.monotonic() - t0
    assert set(kernel_bgp(edge).values()) == {ER2[1]}
    for pfx in (BURST[1], BURST[2500], BURST[-1]):
        best = azure.best_path(edge, pfx)
        assert best["locPrf"] == 200 and best["peer"]["peerId"] == ER2[1]
    long_path = azure.best_path(edge, BIRD_LONG)
    assert len(long_path["aspath"]["string"].split()) == BIRD_PREPEND + 1
    assert long_path["locPrf"] == 200
    st = af_state(edge, ER2[1])
    assert st["prefixesDenied"]["total"] == 0
    assert st["updatesAccepted"] == len(BURST)

    # --- 10,500 junk prefixes: all denied, 10,000 remembered
    mem_burst = denied_memory(edge)
    bird.write_routes("junk.conf", JUNK)
    t1 = time.monotonic()
    bird.configure()
    lab.wait_until(lambda: af_state(edge, ER2[1])["updatesDenied"] >=
                   len(JUNK), timeout=60, interval=0.25,
                   message="junk evaluated")
    junk_s = time.monotonic() - t1
    st = af_state(edge, ER2[1])
    den = st["prefixesDenied"]
    assert den["notAzurePrefix"] == 10000, den
    assert den["total"] == 10000, den
    assert den["truncated"] is True, den
    assert st["updatesDenied"] == len(JUNK)
    assert st["acceptedPrefixCounter"] == len(BURST)
    # the cap bounds memory: exactly 10,000 more remembered prefixes
    # (one allocation each), whatever else the module keeps
    mem_junk = denied_memory(edge)
    assert mem_junk - mem_burst == 10000, (mem_burst, mem_junk)
    # ... and exactly what the module reports keeping
    assert mem_junk == remembered_denials(edge)
    # the burst is not advertised back to Azure (counted, not kept)
    assert st["prefixesNotAdvertised"]["transit"] == len(BURST), st
    assert len(rib(edge)) == len(BURST)
    assert len(kernel_bgp(edge)) == len(BURST)
    detail = edge.vty("show bgp erpolicy neighbor %s" % ER2[1])
    assert "first 10000 kept" in detail

    # --- all withdrawn: RIB and kernel empty; the denied set is per
    #     session/policy, so a policy change recounts (to nothing) and
    #     frees it
    bird.write_routes("burst.conf", [])
    bird.write_routes("junk.conf", [])
    bird.configure()
    lab.wait_until(lambda: af_state(edge, ER2[1])[
        "acceptedPrefixCounter"] == 0,
                   timeout=30, interval=0.25, message="all withdrawn")
    lab.wait_until(lambda: kernel_bgp(edge) == {}, timeout=30,
                   interval=0.25, message="kernel routes removed")
    edge.config(["router bgp 65010",
                 "erpolicy local-preference expressroute 210 vpn 100"])
    lab.wait_until(lambda: denied(edge, ER2[1])["total"] == 0, timeout=15,
                   message="denied set cleared by the re-evaluation")
    assert denied(edge, ER2[1])["truncated"] is False
    lab.wait_until(lambda: denied_memory(edge) <= mem_burst and
                   denied_memory(edge) == remembered_denials(edge),
                   timeout=5, message="the 10,000 remembered prefixes freed",
                   diag=lambda: (denied_memory(edge),
                                 remembered_denials(edge)))

    assert connections(edge, ER2[1]) == 1
    lab.check_daemons()
    assert bird.popen.poll() is None, bird.output()
    print("burst of %d accepted and in the kernel after %.2f s; %d junk "
          "evaluated in %.2f s" % (len(BURST), burst_s, len(JUNK), junk_s))


# --- host bits, and warnings once per prefix and session ---------------------

# What a peer may put on the wire that FRR and bird2 never send: NLRI with
# host bits set (the length byte says /20, the bytes 172.16.1).  Each pair
# is one prefix in bgpd's table, the second update replacing the first.
HOST_BIT_UPDATES = [
    ["172.16.1.0/20"], ["172.16.2.0/20"],     # on-prem: 172.16.0.0/20
    ["192.168.1.0/23"], ["192.168.0.0/23"],   # not Azure: 192.168.0.0/23
    ["10.100.1.0/23"], ["10.100.0.0/23"],     # accepted: 10.100.0.0/23
]


def onprem_warnings(edge, peer):
    return [line for line in edge.log_text("bgpd").splitlines()
            if "erpolicy: %s (expressroute) sent " % peer in line and
            "inside a declared on-prem prefix" in line]


@pytest.fixture
def raw_speakers(lab):
    started = []

    def make(*args, **kw):
        s = rawbgp.RawSpeaker(lab, *args, **kw)
        started.append(s)
        return s
    yield make
    for s in started:  # before the lab kills "stray" processes
        s.stop()


def test_host_bits_and_warnings_once(lab, raw_speakers):
    """Issue 12 item 5 a, b: variants of one prefix with host bits set are
    counted and warned about once, as the canonical prefix; the on-prem
    warning is logged once per prefix and session, not again when a policy
    change or 'clear bgp soft in' re-evaluates the routes, again in a new
    session."""
    names = ["msee2"]
    edge_cfg = azure.edge_conf([], erpolicy=policy_lines(names), extra="""\
 neighbor %s remote-as 12076
 neighbor %s timers connect 1
 neighbor %s advertisement-interval 0
 address-family ipv4 unicast
  neighbor %s activate
%s exit-address-family
""" % ((ER2[1],) * 4 + (azure.attach_lines(ER2[1], "expressroute"),)))
    edge = lab.add_router("edge", bgpd_conf=edge_cfg,
                          bgpd_args=azure.module_args())
    host = lab.add_host("msee2")
    lab.link(edge, host, a_addrs=["%s/30" % ER2[0]],
             b_addrs=["%s/30" % ER2[1]])
    speaker = raw_speakers(host, me=ER2[1], peer=ER2[0], my_as=12076,
                           updates=HOST_BIT_UPDATES)
    lab.start()
    speaker.start()
    lab.wait_until(azure.established(edge, [ER2[1]]), timeout=30,
                   message="raw speaker established",
                   diag=speaker.output)

    def evaluated(n_updates):
        def check():
            st = af_state(edge, ER2[1])
            return st["updatesAccepted"] + st["updatesDenied"] >= n_updates
        return check
    lab.wait_until(lambda: evaluated(len(HOST_BIT_UPDATES))() and
                   af_state(edge, ER2[1])["acceptedPrefixCounter"] == 1,
                   timeout=15, message="all updates evaluated",
                   diag=lambda: (af_state(edge, ER2[1]), speaker.output()))
    sessions = connections(edge, ER2[1])

    def check_session(n_warnings):
        st = af_state(edge, ER2[1])
        den = st["prefixesDenied"]
        assert (den["onpremPrefix"], den["notAzurePrefix"],
                den["total"]) == (1, 1, 2), st
        assert st["acceptedPrefixCounter"] == 1, st
        assert sorted(rib(edge)) == ["10.100.0.0/23"], rib(edge)
        listed = edge.vty("show bgp erpolicy neighbor %s" % ER2[1])
        assert "172.16.1.0/20" not in listed and \
            "172.16.2.0/20" not in listed, listed
        warned = onprem_warnings(edge, ER2[1])
        assert len(warned) == n_warnings, warned
        assert all("sent 172.16.0.0/20," in w for w in warned), warned

    # bgpd's table has the canonical prefixes; the accepted one with the
    # module's local-preference
    lab.wait_until(lambda: (azure.best_path(edge, "10.100.0.0/23") or
                            {}).get("locPrf") == 200, timeout=10,
                   message="10.100.0.0/23 best, local-preference 200",
                   diag=lambda: azure.paths(edge, "10.100.0.0/23"))
    check_session(1)

    # a policy change re-evaluates (route refresh): the counters start
    # from zero and count the re-sent updates again; no new warning
    edge.config(["router bgp 65010",
                 "erpolicy local-preference expressroute 210 vpn 100"])
    lab.wait_until(lambda: (azure.best_path(edge, "10.100.0.0/23") or
                            {}).get("locPrf") == 210, timeout=15,
                   message="new local-preference", diag=speaker.output)
    lab.wait_until(evaluated(len(HOST_BIT_UPDATES)), timeout=15,
                   message="re-evaluated after the policy change",
                   diag=lambda: (af_state(edge, ER2[1]), speaker.output()))
    check_session(1)

    # so does 'clear bgp * soft in'
    before = af_state(edge, ER2[1])
    edge.vty("clear bgp * soft in")
    lab.wait_until(evaluated(before["updatesAccepted"] +
                             before["updatesDenied"] + len(HOST_BIT_UPDATES)),
                   timeout=15, message="re-evaluated after clear soft in",
                   diag=lambda: (af_state(edge, ER2[1]), speaker.output()))
    check_session(1)

    # a new session warns again, once
    edge.vty("clear bgp %s" % ER2[1])
    lab.wait_until(lambda: connections(edge, ER2[1]) == sessions + 1 and
                   azure.established(edge, [ER2[1]])(), timeout=30,
                   message="second session", diag=speaker.output)
    lab.wait_until(lambda: len(onprem_warnings(edge, ER2[1])) >= 2 and
                   denied(edge, ER2[1])["total"] == 2, timeout=15,
                   message="second session evaluated")
    check_session(2)
    assert connections(edge, ER2[1]) == sessions + 1
    lab.check_daemons()
