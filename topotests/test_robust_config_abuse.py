"""Issue 6 (robustness): configuration abuse.

Every module command (erpolicy_vty.c) with invalid, boundary and
conflicting input, while an ExpressRoute and a VPN session are up:

* refused input gets a clear error (the module's own message where the
  module validates; FRR's "% [BGP] Unknown command" / "% Command
  incomplete" where the command's grammar rejects it) and changes nothing:
  running-config, ``show bgp erpolicy json`` (minus per-session update
  counters) and the event history are identical afterwards;
* boundary values are accepted and take effect on the routes
  (local-preference 0 and 4294967295, maximum-prefix-length 1/32/128,
  ge/le at the prefix length and at the maximum, hold-down 1 and 86400,
  maximum equal to the hold-down, advertise limits at their ends);
* 50 rapid add/remove cycles of the whole configuration (every line, the
  operator's own route-maps as declaration leaves too, then ``no
  erpolicy``) with the sessions up end in the same routes, state and
  module memory as before, without resetting a session; removing the
  configuration fails closed (the module's maps, still attached by the
  operator's lines, deny everything) and frees all of the module's memory
  but its four fixed maps;
* the module's route-maps (``erpolicy-*``) are not the operator's: defining,
  extending or calling one is refused with a clear error and changes
  neither the configuration nor a route; deleting one has no effect;
* ``write file`` + bgpd restart yields the same running-config, state,
  routes and module memory, and saving again writes the same file.

Bugs found here and fixed since (their cases stay): a quote in a neighbor
or VRF name aborted bgpd (pasted into an XPath); ge/le 0 were accepted for
any prefix; a prefer-vpn-prefix could also be an on-prem prefix; an
operator's map of a declaration that called the module's map crashed bgpd
(a dependency cycle: libfrr recurses through it until the stack overflows).
"""

import copy
import difflib
import os
import re

from lib import azure

ER = azure.PEERS["msee1"]
VPN = azure.PEERS["vpngw"]
NAMES = ["msee1", "vpngw"]
SESSIONS = [ER[1], ER[3], VPN[1], VPN[3]]
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VTY_C = os.path.join(ROOT, "bgpd_erpolicy", "erpolicy_vty.c")

UNKNOWN = "Unknown command"
INCOMPLETE = "Command incomplete"

# --- refused input: (line, what the error must say) -------------------------
BAD = [
    # symmetric failover
    ("erpolicy symmetric-failover maybe", UNKNOWN),
    ("erpolicy symmetric-failover", INCOMPLETE),
    # neighbor
    ("erpolicy neighbor 192.0.2.300 path vpn", "not a valid"),
    ("erpolicy neighbor 1.2.3 path vpn", "not a valid"),
    ("erpolicy neighbor 192.0.2.01 path vpn", "not a valid"),
    ("erpolicy neighbor 2001:db8::g path vpn", "not a valid"),
    ("erpolicy neighbor fe80::1%eth0 path vpn", "not a valid"),
    ("erpolicy neighbor %s path vpn" % ("n" * 64), "too long"),
    ("erpolicy neighbor a'b\"c path vpn", "both kinds of quote"),
    ("no erpolicy neighbor a'b\"c", "both kinds of quote"),
    ("erpolicy neighbor %s path vpn" % ER[1], "already declared path"),
    ("erpolicy neighbor %s path vpn" % ER[3].upper(), "already declared"),
    ("erpolicy neighbor %s path directconnect" % ER[1], UNKNOWN),
    ("erpolicy neighbor %s" % ER[1], INCOMPLETE),
    ("erpolicy neighbor %s path" % ER[1], INCOMPLETE),
    ("no erpolicy neighbor 203.0.113.9", "has no erpolicy path"),
    ("no erpolicy neighbor %s path vpn" % ER[1], "not vpn"),
    ("no erpolicy neighbor 192.0.2.300", "not a valid"),
    # the operator's own map of a declared neighbor
    ("erpolicy neighbor 203.0.113.9 route-map ER-IN in",
     "has no erpolicy path; declare it first"),
    ("erpolicy neighbor %s route-map erpolicy-vpn in" % ER[1],
     "bgpd_erpolicy's own maps"),
    ("erpolicy neighbor %s route-map erpolicy-mine out" % VPN[1],
     "bgpd_erpolicy's own maps"),
    ("erpolicy neighbor %s route-map ER-IN" % ER[1], INCOMPLETE),
    ("erpolicy neighbor %s route-map ER-IN sideways" % ER[1], UNKNOWN),
    ("erpolicy neighbor 192.0.2.300 route-map ER-IN in", "not a valid"),
    # local-preference
    ("erpolicy local-preference expressroute 4294967296 vpn 1", UNKNOWN),
    ("erpolicy local-preference expressroute -1 vpn 1", UNKNOWN),
    ("erpolicy local-preference expressroute abc vpn 1", UNKNOWN),
    ("erpolicy local-preference expressroute 200", INCOMPLETE),
    ("erpolicy local-preference vpn 100 expressroute 200", UNKNOWN),
    # prefixes
    ("erpolicy azure-prefix 10.100.1.0/16", "host bits set"),
    ("erpolicy azure-prefix 10.100.0.0/33", UNKNOWN),
    ("erpolicy azure-prefix 10.100.0.0", UNKNOWN),
    ("erpolicy azure-prefix 10.100.0.0/16 ge 15", "ge 15 must be between"),
    ("erpolicy azure-prefix 10.100.0.0/16 ge 33", "ge 33 must be between"),
    ("erpolicy azure-prefix 10.100.0.0/16 le 33", "le 33 must be between"),
    ("erpolicy azure-prefix 10.100.0.0/16 ge 25 le 24", "greater than"),
    ("erpolicy azure-prefix 10.100.0.0/16 le 0", UNKNOWN),
    ("erpolicy onprem-prefix 172.16.0.0/12 ge 0", UNKNOWN),
    ("erpolicy azure-prefix 10.100.0.0/16 ge 20 ge 21", UNKNOWN),
    ("erpolicy azure-prefix 2001:db8:100::/48 le 47", "le 47 must be between"),
    ("erpolicy azure-prefix 2001:db8:100::/48 le 129", UNKNOWN),
    ("erpolicy azure-prefix 2001:db8:100::1/48", "host bits set"),
    ("erpolicy onprem-prefix 10.100.0.0/16", "already an azure-prefix"),
    ("erpolicy azure-prefix 172.16.0.0/12", "already an onprem-prefix"),
    ("erpolicy onprem-prefix 172.16.0.0/12 ge 8", "ge 8 must be between"),
    ("erpolicy prefer-vpn-prefix 10.100.9.0/20", "host bits set"),
    ("erpolicy prefer-vpn-prefix 10.100.9.0/24 le 23", "le 23 must be"),
    ("erpolicy prefer-vpn-prefix 172.16.0.0/12", "already an onprem-prefix"),
    ("no erpolicy azure-prefix 10.200.0.0/16", "is not configured"),
    ("no erpolicy onprem-prefix 10.100.0.0/16", "is not configured"),
    ("no erpolicy prefer-vpn-prefix 10.100.9.0/24", "is not configured"),
    # maximum-prefix-length
    ("erpolicy maximum-prefix-length ipv4 0", UNKNOWN),
    ("erpolicy maximum-prefix-length ipv4 33", UNKNOWN),
    ("erpolicy maximum-prefix-length ipv6 0", UNKNOWN),
    ("erpolicy maximum-prefix-length ipv6 129", UNKNOWN),
    ("erpolicy maximum-prefix-length 24", UNKNOWN),
    ("no erpolicy maximum-prefix-length ipv4 33", UNKNOWN),
    # fail-back hold-down
    ("erpolicy failback hold-down 0", UNKNOWN),
    ("erpolicy failback hold-down 86401", UNKNOWN),
    ("erpolicy failback hold-down 10 maximum 5", "must not be below"),
    ("erpolicy failback hold-down 86400 maximum 1", "must not be below"),
    ("erpolicy failback hold-down 1 maximum 0", UNKNOWN),
    ("erpolicy failback hold-down 1 maximum 86401", UNKNOWN),
    ("erpolicy failback hold-down", INCOMPLETE),
    # drain, mode
    ("erpolicy drain vpn", UNKNOWN),
    ("erpolicy mode bogus", UNKNOWN),
    ("erpolicy mode", INCOMPLETE),
    # advertise
    ("erpolicy advertise bogus", UNKNOWN),
    ("erpolicy advertise symmetric-guard maybe", UNKNOWN),
    ("erpolicy advertise vpn-prepend 0", UNKNOWN),
    ("erpolicy advertise vpn-prepend 11", UNKNOWN),
    ("erpolicy advertise limit vpn 0", UNKNOWN),
    ("erpolicy advertise limit expressroute 1000001", UNKNOWN),
    ("erpolicy advertise limit warning-threshold 0", UNKNOWN),
    ("erpolicy advertise limit warning-threshold 101", UNKNOWN),
    ("erpolicy advertise limit action bogus", UNKNOWN),
    ("no erpolicy advertise limit bogus", UNKNOWN),
    # the rest
    ("erpolicy", INCOMPLETE),
    ("erpolicy bogus", UNKNOWN),
]

# show commands with odd input: (command, status must be non-zero?, text)
SHOWS = [
    ("show bgp erpolicy neighbor 192.0.2.300", True, "not a valid"),
    ("show bgp erpolicy neighbor 203.0.113.77", True,
     "not a neighbor with an erpolicy path"),
    ("show bgp erpolicy neighbor 203.0.113.77 json", True, "{"),
    ("show bgp erpolicy prefixes 10.0.0.0/33", True, UNKNOWN),
    ("show bgp erpolicy prefixes 10.77.0.0/16", True, "0 prefixes"),
    ("show bgp vrf NOPE erpolicy", False, "not configured for BGP instance"),
    ("show bgp vrf NOPE erpolicy json", False, "{"),
    ("show bgp vrf NOPE erpolicy events", False, "not configured"),
    ("show bgp vrf NOPE erpolicy events json", False, "{"),
    ("show bgp vrf NOPE erpolicy prefixes json", False, "{"),
    ("show bgp vrf NOPE erpolicy overlaps json", False, "{"),
    ("show bgp vrf %s erpolicy" % ("v" * 200), False, "not configured"),
    ("show bgp erpolicy overlaps", False, ""),
    ("show bgp erpolicy events", False, ""),
]

# --- boundaries: (lines, predicate on the edge, what it means) --------------


def _lp(edge, pfx, peer, afi="ipv4"):
    p = azure.path_from(edge, pfx, peer, afi)
    return p and p.get("locPrf")


def _best_peer(edge, pfx, afi="ipv4"):
    b = azure.best_path(edge, pfx, afi)
    return b and b["peer"]["peerId"]


def _accepted(edge, peer, afi="ipv4"):
    return azure.erpolicy(edge)["neighbors"][peer]["addressFamilyInfo"][
        afi + "Unicast"]["acceptedPrefixCounter"]


def _in_conf(edge, line):
    return (" " + line) in edge.vty("show running-config").splitlines()


BOUNDARY = [
    (["erpolicy local-preference expressroute 0 vpn 0"],
     lambda e: _lp(e, "10.100.1.0/24", ER[1]) == 0 and
     _lp(e, "10.100.1.0/24", VPN[1]) == 0 and
     azure.erpolicy(e)["addressFamilies"]["ipv4"]["preferredPath"] == "both",
     "local-preference 0 on both paths: equal preference"),
    (["erpolicy local-preference expressroute 4294967295 vpn 4294967294"],
     lambda e: _lp(e, "10.100.1.0/24", ER[1]) == 4294967295 and
     _lp(e, "10.100.1.0/24", VPN[1]) == 4294967294 and
     _best_peer(e, "10.100.1.0/24") == ER[1],
     "local-preference 4294967295"),
    (["erpolicy local-preference expressroute 0 vpn 4294967295"],
     lambda e: _best_peer(e, "10.100.1.0/24") == VPN[1] and
     azure.kernel_gateway(e, "10.100.1.0/24") == VPN[1],
     "inverted preference: VPN carries"),
    (["no erpolicy local-preference"],
     lambda e: _lp(e, "10.100.1.0/24", ER[1]) == 200 and
     _lp(e, "10.100.1.0/24", VPN[1]) == 100,
     "defaults back"),
    (["erpolicy maximum-prefix-length ipv4 1"],
     lambda e: _accepted(e, ER[1]) == 0 and azure.paths(e, "10.100.0.0/16")
     == [], "maximum length 1: /16 and /24 too long"),
    (["erpolicy maximum-prefix-length ipv4 32"],
     lambda e: _accepted(e, ER[1]) == 2, "maximum length 32"),
    (["erpolicy maximum-prefix-length ipv4 16"],
     lambda e: _accepted(e, ER[1]) == 1 and
     azure.paths(e, "10.100.1.0/24") == [] and
     _lp(e, "10.100.0.0/16", ER[1]) == 200,
     "maximum length = the prefix's length is accepted"),
    (["erpolicy maximum-prefix-length ipv6 1"],
     lambda e: _accepted(e, ER[3], "ipv6") == 0, "IPv6 maximum 1"),
    (["erpolicy maximum-prefix-length ipv6 128",
      "no erpolicy maximum-prefix-length ipv4"],
     lambda e: _accepted(e, ER[3], "ipv6") == 1 and _accepted(e, ER[1]) == 2,
     "IPv6 maximum 128, IPv4 default"),
    (["erpolicy azure-prefix 10.100.0.0/16 ge 16 le 16"],
     lambda e: azure.paths(e, "10.100.1.0/24") == [] and
     _lp(e, "10.100.0.0/16", ER[1]) == 200, "ge = le = prefix length"),
    (["erpolicy azure-prefix 10.100.0.0/16 ge 32 le 32"],
     lambda e: _accepted(e, ER[1]) == 0, "ge = le = 32 (maximum)"),
    (["erpolicy azure-prefix 10.100.0.0/16 ge 16"],
     lambda e: _accepted(e, ER[1]) == 2, "ge at the prefix length"),
    (["erpolicy azure-prefix 10.100.0.0/16 le 32"],
     lambda e: _accepted(e, ER[1]) == 2, "le at the maximum"),
    (["erpolicy azure-prefix 2001:db8:100::/48 ge 48 le 128"],
     lambda e: _accepted(e, ER[3], "ipv6") == 1, "IPv6 ge 48 le 128"),
    (["erpolicy azure-prefix 2001:db8:100::/48 ge 128"],
     lambda e: _accepted(e, ER[3], "ipv6") == 0, "IPv6 ge 128"),
    (["erpolicy azure-prefix 10.100.0.0/16 le 24",
      "erpolicy azure-prefix 2001:db8:100::/48 le 64"],
     lambda e: _accepted(e, ER[1]) == 2 and _accepted(e, ER[3], "ipv6") == 1,
     "back to the baseline prefixes"),
    (["erpolicy neighbor a'b path vpn", "erpolicy neighbor x\"y path vpn"],
     lambda e: _in_conf(e, "erpolicy neighbor a'b path vpn") and
     _in_conf(e, "erpolicy neighbor x\"y path vpn") and
     {"a'b", 'x"y'} <= set(azure.erpolicy(e)["declaredNeighbors"]),
     "names with a quote (peer-groups may have them)"),
    (["no erpolicy neighbor a'b", "no erpolicy neighbor x\"y path vpn"],
     lambda e: not {"a'b", 'x"y'} & set(azure.erpolicy(e)[
         "declaredNeighbors"]), "and removed"),
    (["erpolicy failback hold-down 1"],
     lambda e: azure.erpolicy(e)["failback"]["holdDown"] == 1,
     "hold-down 1"),
    (["erpolicy failback hold-down 86400"],
     lambda e: azure.erpolicy(e)["failback"]["holdDown"] == 86400,
     "hold-down 86400"),
    (["erpolicy failback hold-down 86400 maximum 86400"],
     lambda e: azure.erpolicy(e)["failback"] == {
         "holdDown": 86400, "holdDownMaximum": 86400}, "maximum = hold-down"),
    (["erpolicy failback hold-down 1 maximum 86400"],
     lambda e: azure.erpolicy(e)["failback"] == {
         "holdDown": 1, "holdDownMaximum": 86400}, "1 .. 86400"),
    (["no erpolicy failback hold-down"],
     lambda e: azure.erpolicy(e)["failback"]["holdDown"] == 0,
     "no hold-down"),
    (["erpolicy advertise vpn-prepend 1"],
     lambda e: _in_conf(e, "erpolicy advertise vpn-prepend 1"), "prepend 1"),
    (["erpolicy advertise vpn-prepend 10"],
     lambda e: _in_conf(e, "erpolicy advertise vpn-prepend 10"),
     "prepend 10"),
    (["erpolicy advertise limit expressroute 1",
      "erpolicy advertise limit vpn 1000000"],
     lambda e: _in_conf(e, "erpolicy advertise limit expressroute 1") and
     _in_conf(e, "erpolicy advertise limit vpn 1000000"), "limits 1 / 1e6"),
    (["erpolicy advertise limit warning-threshold 1"],
     lambda e: _in_conf(e, "erpolicy advertise limit warning-threshold 1"),
     "threshold 1"),
    (["erpolicy advertise limit warning-threshold 100",
      "erpolicy advertise limit action warn"],
     lambda e: _in_conf(e, "erpolicy advertise limit action warn"),
     "threshold 100, action warn"),
    (["erpolicy advertise symmetric-guard off", "erpolicy mode active-active",
      "erpolicy advertise default-route", "erpolicy advertise allow-transit"],
     lambda e: _in_conf(e, "erpolicy mode active-active"),
     "the remaining advertise knobs, active-active"),
    (["erpolicy prefer-vpn-prefix 10.100.1.0/24 le 32",
      "erpolicy allow-default-route", "erpolicy drain expressroute"],
     lambda e: azure.erpolicy(e)["drainExpressroute"] is True,
     "prefer-vpn, default route, drain"),
    (["erpolicy symmetric-failover off"],
     lambda e: azure.erpolicy(e)["symmetricFailover"] is False and
     _in_conf(e, "erpolicy symmetric-failover off"),
     "symmetric failover off"),
    (["erpolicy symmetric-failover on"],
     lambda e: azure.erpolicy(e)["symmetricFailover"] is True and
     _in_conf(e, "erpolicy symmetric-failover on"),
     "symmetric failover on, written"),
    (["no erpolicy prefer-vpn-prefix 10.100.1.0/24",
      "no erpolicy allow-default-route", "no erpolicy drain expressroute",
      "no erpolicy symmetric-failover on", "erpolicy symmetric-failover off",
      "no erpolicy symmetric-failover",
      "no erpolicy mode active-active", "erpolicy mode backup",
      "no erpolicy mode backup", "no erpolicy advertise default-route",
      "no erpolicy advertise allow-transit",
      "no erpolicy advertise symmetric-guard off",
      "erpolicy advertise symmetric-guard warn",
      "no erpolicy advertise symmetric-guard warn",
      "erpolicy advertise symmetric-guard filter",
      "no erpolicy advertise symmetric-guard filter",
      "no erpolicy advertise vpn-prepend 10",
      "no erpolicy advertise limit expressroute",
      "no erpolicy advertise limit vpn 5",
      "erpolicy advertise limit action stop",
      "no erpolicy advertise limit action",
      "no erpolicy advertise limit warning-threshold",
      "no erpolicy maximum-prefix-length ipv6",
      # running-config shows what was written, defaults included: the
      # baseline wrote the default local-preference
      "erpolicy local-preference expressroute 200 vpn 100"],
     lambda e: _best_peer(e, "10.100.1.0/24") == ER[1] and
     _lp(e, "10.100.1.0/24", ER[1]) == 200, "all back (the no forms)"),
]

# --- the whole configuration, every command with a non-default value --------
FULL = [
    "erpolicy neighbor %s path expressroute" % ER[1],
    "erpolicy neighbor %s path expressroute" % ER[3],
    "erpolicy neighbor %s path vpn" % VPN[1],
    "erpolicy neighbor %s path vpn" % VPN[3],
    "erpolicy neighbor %s route-map ER-IN in" % ER[1],
    "erpolicy neighbor %s route-map VPN-OUT out" % VPN[1],
    "erpolicy local-preference expressroute 300 vpn 150",
    "erpolicy azure-prefix 10.100.0.0/16 le 24",
    "erpolicy azure-prefix 2001:db8:100::/48 le 64",
    "erpolicy onprem-prefix 172.16.0.0/12 le 32",
    "erpolicy onprem-prefix fd00:aaaa::/32 le 128",
    "erpolicy prefer-vpn-prefix 10.100.9.0/24",
    "erpolicy allow-default-route",
    "erpolicy maximum-prefix-length ipv4 28",
    "erpolicy maximum-prefix-length ipv6 64",
    "erpolicy failback hold-down 30 maximum 120",
    "erpolicy mode backup",
    "erpolicy advertise default-route",
    "erpolicy advertise allow-transit",
    "erpolicy advertise symmetric-guard warn",
    "erpolicy advertise vpn-prepend 3",
    "erpolicy advertise limit expressroute 1000",
    "erpolicy advertise limit vpn 500",
    "erpolicy advertise limit action warn",
    "erpolicy advertise limit warning-threshold 90",
    "erpolicy symmetric-failover off",
]
REMOVE_ALL = ["no erpolicy"]

# the operator's own maps named in FULL: ER-IN refuses 10.100.0.0/16 from
# ExpressRoute (so it is reached over the VPN only: visible in the routes)
USER_MAPS = """\
ip prefix-list ER-DROP seq 5 permit 10.100.0.0/16
route-map ER-IN deny 10
 match ip address prefix-list ER-DROP
route-map ER-IN permit 20
route-map VPN-OUT permit 10
!
"""

# --- helpers -------------------------------------------------------------------


def start(lab, erpolicy=None):
    edge_cfg = azure.edge_conf(NAMES, erpolicy=erpolicy, before=USER_MAPS)
    r = azure.build(lab, names=NAMES, edge_bgpd=edge_cfg)
    lab.start()
    edge = r["edge"]
    lab.wait_until(azure.established(edge, SESSIONS), timeout=30,
                   message="sessions up")
    return r


def state(edge):
    """``show bgp erpolicy json`` minus what changes by itself (update
    counters are cumulative per session; route refreshes re-send)."""
    st = copy.deepcopy(azure.erpolicy(edge))
    for nbr in st.get("neighbors", {}).values():
        for af in nbr.get("addressFamilyInfo", {}).values():
            af.pop("updatesAccepted", None)
            af.pop("updatesDenied", None)
    return st


def running(edge):
    return edge.vty("show running-config")


def settled_state(lab, edge):
    """state(edge) once two reads 1.5 s apart agree: the reference must not
    catch routes or advertisements still on their way."""
    last = [None]

    def same():
        import time
        prev, last[0] = last[0], state(edge)
        if prev != last[0]:
            time.sleep(1.5)
            return False
        return True
    lab.wait_until(same, timeout=30, interval=0.1,
                   message="erpolicy state settled",
                   diag=lambda: azure.json_diff(last[0], state(edge)))
    return last[0]


def assert_running(edge, conf0):
    """running-config is conf0 again (the differing lines if not)."""
    now = running(edge)
    assert now == conf0, "\n".join(difflib.unified_diff(
        conf0.splitlines(), now.splitlines(), "before", "after", lineterm=""))


def erpolicy_conf_lines(conf):
    return [ln for ln in conf.splitlines() if ln.startswith(" erpolicy ")]


def nb_established(edge):
    nbrs = edge.show_json("show bgp neighbors")
    return {a: nbrs[a]["connectionsEstablished"] for a in SESSIONS}


def wait_routes(lab, edge, er_lp, vpn_lp, timeout=20):
    def check():
        for pfx, afi, er, vpn in (("10.100.1.0/24", "ipv4", ER[1], VPN[1]),
                                  ("2001:db8:100::/48", "ipv6", ER[3],
                                   VPN[3])):
            if _lp(edge, pfx, er, afi) != er_lp:
                return False
            if _lp(edge, pfx, vpn, afi) != vpn_lp:
                return False
            if _best_peer(edge, pfx, afi) != er:
                return False
        return azure.kernel_gateway(edge, "10.100.1.0/24") == ER[1]
    lab.wait_until(check, timeout=timeout, interval=0.1,
                   message="ER best with %s, VPN %s" % (er_lp, vpn_lp),
                   diag=lambda: edge.vty("show bgp ipv4 unicast"))


def rib(edge):
    out = {}
    for afi in ("ipv4", "ipv6"):
        for pfx, paths in edge.show_json("show bgp %s unicast" % afi).get(
                "routes", {}).items():
            out[pfx] = sorted((p.get("peerId"), p.get("locPrf"),
                               bool(p.get("bestpath"))) for p in paths)
    return out


def snapshot(edge):
    return {"running": running(edge).splitlines(), "state": state(edge),
            "rib": rib(edge), "memory": module_mem(edge)}


# Events of a start from scratch (the configuration added while the sessions
# are up, or bgpd restarted): which path's routes arrive first is up to the
# neighbors, so their number varies; an event of ExpressRoute lost or
# returning would be wrong, since it never went down.
START_EVENTS = {"path-up", "withdraw-from-er", "restore-to-er", "drain"}


def without_history(snap):
    """snap without the event counters, and the names of the events that
    happened (count > 0)."""
    snap = copy.deepcopy(snap)
    seen = set()
    for af in snap["state"].get("addressFamilies", {}).values():
        seen |= {k for k, v in af.pop("eventCounts", {}).items() if v}
    return snap, seen


def wait_same(lab, edge, ref, what, timeout=20, restarted=False):
    """Wait until edge's snapshot is ref's.  restarted: the module's state
    was created again since ref, so the event counters are compared only
    for events of a start (START_EVENTS)."""
    last = {}

    def same():
        last["snap"] = snapshot(edge)
        if not restarted:
            return last["snap"] == ref
        (a, _), (b, seen) = without_history(ref), without_history(last["snap"])
        return a == b and seen <= START_EVENTS
    lab.wait_until(same, timeout=timeout, interval=0.25, message=what,
                   diag=lambda: "\n".join(azure.json_diff(ref, last.get("snap"))[:40]))


def settle_after_start(lab, edge):
    """bgpd re-applies inbound maps once, ~5 s after it started (route-map
    update timer): wait for that before taking a reference."""
    import time
    age = time.time() - os.stat(edge.pidfile("bgpd")).st_mtime
    if age < 6.5:
        time.sleep(6.5 - age)


def module_mem(edge):
    return azure.module_memory(edge)


# the module's four maps (erpolicy_rmap.h) live as long as the module: their
# rules are its only allocations without configuration (three in each
# inbound map, four in each outbound one: the limit's deny 25)
MAP_RULES = 2 * 3 + 2 * 4


def mem_zero(edge):
    mem = module_mem(edge)
    return mem.get("erpolicy route-map rule") == MAP_RULES and all(
        v == 0 for k, v in mem.items()
        if k not in ("erpolicy northbound node", "erpolicy route-map rule"))


# the module's maps from the operator's side: (lines, what the refusal says);
# ER-IN permit 20 exists (USER_MAPS), so entering it changes nothing
RESERVED = [
    (["route-map erpolicy-vpn permit 5", "set local-preference 999"],
     "reserved for bgpd_erpolicy"),
    (["route-map erpolicy-expressroute deny 10"], "reserved for bgpd_erpolicy"),
    (["route-map erpolicy-out-vpn permit 40"], "reserved for bgpd_erpolicy"),
    (["route-map erpolicy-mine permit 10"], "reserved for bgpd_erpolicy"),
    (["route-map ER-IN permit 20", "call erpolicy-expressroute"],
     "never called"),
    (["route-map ER-IN permit 20", "call erpolicy-out-vpn"], "never called"),
    (["route-map VPN-OUT permit 10", "call erpolicy-mine"], "never called"),
]
MODULE_MAPS = ("erpolicy-expressroute", "erpolicy-vpn",
               "erpolicy-out-expressroute", "erpolicy-out-vpn")


def module_maps(edge):
    """The module's maps as 'show route-map' lists them, minus counters."""
    out, mine = [], False
    for ln in edge.vty("show route-map").splitlines():
        if ln.startswith("route-map: "):
            mine = ln.split()[1] in MODULE_MAPS
        if mine:
            out.append(re.sub(r"Invoked:? \d+", "", ln))
    return out


# --- tests ------------------------------------------------------------------------


def test_refused_input_changes_nothing(lab):
    r = start(lab)
    edge = r["edge"]
    wait_routes(lab, edge, 200, 100)
    st0 = settled_state(lab, edge)
    conf0 = running(edge)
    ev0 = edge.show_json("show bgp erpolicy events")["events"]
    with edge.client() as vty:
        vty.check("debug bgp erpolicy")  # exercise the debug paths too
        for line, expect in BAD:
            status, out = vty.config(["router bgp 65010", line], check=False)
            assert status != 0, (line, out)
            assert expect in out, (line, out)
            # changes nothing, at once and for good
            assert vty.check("show running-config") == conf0, line
        for cmd, must_fail, expect in SHOWS:
            status, out = vty.cmd(cmd)
            assert (status != 0) == must_fail, (cmd, status, out)
            assert expect in out, (cmd, out)
        vty.check("no debug bgp erpolicy")
    st1 = state(edge)
    assert st1 == st0, azure.json_diff(st0, st1)
    assert edge.show_json("show bgp erpolicy events")["events"] == ev0
    assert_running(edge, conf0)
    assert edge.is_running("bgpd")
    assert set(nb_established(edge).values()) == {1}


def test_module_maps_are_not_the_operators(lab):
    r = start(lab, erpolicy=azure.erpolicy_lines(NAMES) +
              " erpolicy neighbor %s route-map ER-IN in\n" % ER[1])
    edge = r["edge"]
    wait_routes(lab, edge, 200, 100)
    settle_after_start(lab, edge)
    conf0, rib0, maps0 = running(edge), rib(edge), module_maps(edge)
    for name in MODULE_MAPS:
        assert "route-map: %s " % name in "\n".join(maps0), name
    with edge.client() as vty:
        for lines, expect in RESERVED:
            status, out = vty.config(lines, check=False)
            assert status != 0 and expect in out, (lines, status, out)
            assert vty.check("show running-config") == conf0, lines
        # "no route-map" of a map the configuration does not hold: no
        # effect on the module's maps
        for line in ("no route-map erpolicy-vpn",
                     "no route-map erpolicy-expressroute permit 30"):
            vty.config([line], check=False)
            assert vty.check("show running-config") == conf0, line
    assert module_maps(edge) == maps0
    # a map of the declaration calling the module's map would be a cycle
    # (crashed bgpd): refused above, so the declaration's map still works
    edge.config(["no ip prefix-list ER-DROP seq 5 permit 10.100.0.0/16",
                 "ip prefix-list ER-DROP seq 5 permit 10.100.1.0/24"])
    lab.wait_until(lambda: [p[0] for p in rib(edge)["10.100.0.0/16"]] ==
                   sorted([ER[1], VPN[1]]) and
                   [p[0] for p in rib(edge)["10.100.1.0/24"]] == [VPN[1]],
                   timeout=15, message="ER-IN edited: now drops the /24",
                   diag=lambda: rib(edge))
    edge.config(["no ip prefix-list ER-DROP seq 5 permit 10.100.1.0/24",
                 "ip prefix-list ER-DROP seq 5 permit 10.100.0.0/16"])
    lab.wait_until(lambda: rib(edge) == rib0, timeout=15,
                   message="and back")
    assert_running(edge, conf0)
    assert set(nb_established(edge).values()) == {1}
    lab.check_daemons()


def test_boundaries_take_effect(lab):
    r = start(lab)
    edge = r["edge"]
    wait_routes(lab, edge, 200, 100)
    conf0 = running(edge)
    for lines, check, what in BOUNDARY:
        edge.config(["router bgp 65010"] + lines)
        lab.wait_until(lambda: check(edge), timeout=15, interval=0.1,
                       message=what,
                       diag=lambda: (edge.vty("show bgp erpolicy") +
                                     edge.vty("show bgp ipv4 unicast")))
    wait_routes(lab, edge, 200, 100)
    assert_running(edge, conf0)
    # a BGP instance in a VRF whose name has a quote; both kinds: refused;
    # deleting the instance deletes its erpolicy configuration (no hidden
    # state that would come back with the instance) and frees it
    mem0 = module_mem(edge)
    edge.config(["router bgp 65011 vrf x'y", "bgp router-id 10.0.0.2",
                 "erpolicy azure-prefix 10.0.0.0/8",
                 "erpolicy neighbor a'b path vpn"])
    st = azure.erpolicy(edge, vrf="x'y")
    assert st["azurePrefixes"] == [{"prefix": "10.0.0.0/8"}], st
    assert st["declaredNeighbors"] == {"a'b": "vpn"}, st
    edge.config(["router bgp 65012 vrf p'q\"r", "bgp router-id 10.0.0.3"])
    status, out = edge.config(["router bgp 65012 vrf p'q\"r",
                               "erpolicy azure-prefix 10.0.0.0/8"],
                              check=False)
    assert status != 0 and "both kinds of quote" in out, out
    edge.config(["no router bgp 65011 vrf x'y", "no router bgp 65012 vrf p'q\"r"])
    assert_running(edge, conf0)
    assert azure.erpolicy(edge, vrf="x'y") == {}
    lab.wait_until(lambda: module_mem(edge) == mem0, timeout=10,
                   message="memory of the deleted instance freed",
                   diag=lambda: (module_mem(edge), mem0))
    edge.config(["router bgp 65011 vrf x'y", "bgp router-id 10.0.0.2"])
    assert erpolicy_conf_lines(running(edge)) == erpolicy_conf_lines(conf0)
    edge.config(["no router bgp 65011 vrf x'y"])
    # none of it reset a session
    assert set(nb_established(edge).values()) == {1}
    lab.check_daemons()


def test_rapid_add_remove_cycles(lab):
    r = start(lab, erpolicy=" " + "\n ".join(FULL) + "\n")
    edge = r["edge"]
    wait_routes(lab, edge, 300, 150)
    settle_after_start(lab, edge)
    wait_routes(lab, edge, 300, 150)
    ref = snapshot(edge)
    rib0 = ref["rib"]
    est0 = nb_established(edge)
    assert ref["memory"]["erpolicy neighbor"] == 4
    # the operator's ER-IN runs inside the module's map
    assert [p[0] for p in rib0["10.100.0.0/16"]] == [VPN[1]], rib0
    assert ref["state"]["neighbors"][ER[1]]["userRouteMapIn"] == "ER-IN"

    with edge.client() as vty:
        for _ in range(50):
            vty.config(["router bgp 65010"] + REMOVE_ALL)
            vty.config(["router bgp 65010"] + FULL)
    wait_routes(lab, edge, 300, 150)
    wait_same(lab, edge, ref, "same config, state, routes and memory after "
              "50 add/remove cycles", restarted=True)
    assert nb_established(edge) == est0

    # removal while the sessions are up fails closed: the operator's
    # attachment lines stay as written, the module's maps (which exist as
    # long as the module) deny everything from the neighbors no longer
    # declared; every other allocation of the module is freed, no session
    # is reset
    edge.config(["router bgp 65010", "no erpolicy"])
    conf = running(edge)
    assert erpolicy_conf_lines(conf) == []
    for peer, role in ((ER[1], "expressroute"), (ER[3], "expressroute"),
                       (VPN[1], "vpn"), (VPN[3], "vpn")):
        for line in azure.attach_lines(peer, role).splitlines():
            assert line in conf.splitlines(), (line, conf)
    lab.wait_until(lambda: rib(edge) == {}, timeout=15,
                   message="routes denied without the policy")
    # ... and the log says so (no show command has an instance left)
    assert ("default: configuration removed; 4 neighbor address families "
            "still run the module's maps and are denied every route"
            in edge.log_text("bgpd"))
    maps = edge.vty("show route-map")
    for name in ("erpolicy-expressroute", "erpolicy-vpn",
                 "erpolicy-out-expressroute", "erpolicy-out-vpn"):
        assert "route-map: %s " % name in maps, name
    lab.wait_until(lambda: mem_zero(edge), timeout=5,
                   message="module memory freed",
                   diag=lambda: module_mem(edge))
    assert nb_established(edge) == est0
    # and back
    edge.config(["router bgp 65010"] + FULL)
    wait_routes(lab, edge, 300, 150)
    lab.wait_until(lambda: rib(edge) == rib0, timeout=10)
    assert nb_established(edge) == est0
    lab.check_daemons()


def test_restart_with_saved_config(lab):
    r = start(lab, erpolicy=" " + "\n ".join(FULL) + "\n")
    edge = r["edge"]
    edge.config(["router bgp 65010", "erpolicy drain expressroute"])

    def drained():
        best = azure.best_path(edge, "10.100.1.0/24")
        return (best and best["peer"]["peerId"] == VPN[1] and
                azure.erpolicy(edge)["addressFamilies"]["ipv4"][
                    "pathState"] == "drained")
    lab.wait_until(drained, timeout=15, message="drained to VPN")
    settle_after_start(lab, edge)
    lab.wait_until(drained, timeout=15)
    ref = snapshot(edge)
    edge.vty("write file")
    saved_text = edge.read_conf("bgpd")
    saved = erpolicy_conf_lines(saved_text)
    assert len(saved) == len(set(saved)), saved
    assert " erpolicy drain expressroute" in saved
    for line in FULL:
        if line != "erpolicy mode backup":  # the default
            assert " " + line in saved, line
    edge.restart_daemon("bgpd")
    lab.wait_until(azure.established(edge, SESSIONS), timeout=30,
                   message="sessions up after the restart")
    lab.wait_until(drained, timeout=15)
    settle_after_start(lab, edge)
    wait_same(lab, edge, ref, "same after the restart", restarted=True)
    # and saving again writes the same file (no drift, no duplicates)
    edge.vty("write file")

    def body(text):  # without the "saved from vty <date>" comment
        return [ln for ln in text.splitlines() if not ln.startswith("!")]
    assert body(edge.read_conf("bgpd")) == body(saved_text)
    lab.check_daemons()


# --- every command is covered ---------------------------------------------------


def _split_alternatives(body):
    """Top-level alternatives of '<a|b c|<d|e>>' content."""
    alts, depth, cur = [], 0, ""
    for ch in body:
        if ch in "<[{(":
            depth += 1
        elif ch in ">]})":
            depth -= 1
        if ch == "|" and depth == 0:
            alts.append(cur)
            cur = ""
        else:
            cur += ch
    alts.append(cur)
    return alts


def _tokens(spec):
    """Split a command spec into top-level tokens (brackets kept whole)."""
    toks, depth, cur = [], 0, ""
    for ch in spec:
        if ch in "<[{(":
            depth += 1
        elif ch in ">]})":
            depth -= 1
        if ch == " " and depth == 0:
            if cur:
                toks.append(cur)
            cur = ""
        else:
            cur += ch
    if cur:
        toks.append(cur)
    return toks


def _keyword(tok):
    return re.fullmatch(r"[a-z][a-z0-9-]*", tok) is not None


def _prefixes(tokens):
    """Keyword-only command prefixes a spec can start with (alternatives
    expanded, stopping at the first value or optional part)."""
    if not tokens:
        return [[]]
    tok = re.sub(r"\$\w+$", "", tokens[0])
    if _keyword(tok):
        return [[tok] + rest for rest in _prefixes(tokens[1:])]
    if tok.startswith("<") and tok.endswith(">"):
        out = []
        for alt in _split_alternatives(tok[1:-1]):
            sub = _tokens(alt.strip())
            head = re.sub(r"\$\w+$", "", sub[0]) if sub else ""
            if sub and (_keyword(head) or head.startswith("<")):
                out += [p for p in _prefixes(sub + tokens[1:])]
            else:
                return [[]]
        return out
    return [[]]


def command_signatures():
    """(negated, keyword prefix) of every erpolicy configuration command."""
    with open(VTY_C) as f:
        src = f.read()
    sigs = set()
    for m in re.finditer(r'DEFPY_YANG\s*\(\s*\w+\s*,\s*\w+\s*,\s*"([^"]*)"',
                         src):
        spec = m.group(1)
        forms = []
        if re.match(r"\[no(\$\w+)?\] ", spec):
            rest = spec.split(" ", 1)[1]
            forms = [(False, rest), (True, rest)]
        elif spec.startswith("no "):
            forms = [(True, spec[3:])]
        else:
            forms = [(False, spec)]
        for neg, body in forms:
            for pfx in _prefixes(_tokens(body)):
                sigs.add((neg, " ".join(pfx)))
    return sigs


def exercised_lines():
    lines = [l for l, _ in BAD] + FULL + REMOVE_ALL
    for ls, _, _ in BOUNDARY:
        lines += ls
    return lines


def test_every_command_is_exercised():
    """Guard: a command added to erpolicy_vty.c must get cases here."""
    sigs = command_signatures()
    assert len(sigs) > 10, sigs  # the parser found the commands
    lines = exercised_lines()
    missing = []
    for neg, sig in sorted(sigs):
        want = ("no " if neg else "") + sig
        if not any(l == want or l.startswith(want + " ") for l in lines):
            missing.append(want)
    assert not missing, ("commands of erpolicy_vty.c without a case in "
                         "test_robust_config_abuse.py: %s" % missing)
    shows = {"neighbor", "events", "prefixes", "overlaps"}
    with open(VTY_C) as f:
        src = f.read()
    for m in re.finditer(r'"show bgp \[vrf NAME\$vrf_name\] erpolicy '
                         r'([a-z-]+)', src):
        shows.add(m.group(1))
    for word in shows:
        assert any(" erpolicy %s" % word in c for c, _, _ in SHOWS), word
