#!/usr/bin/python3
"""ExpressRoute / VPN failover lab: one machine, real FRR daemons, real packets.

Builds, in Linux network namespaces, an on-prem edge router running FRR's
bgpd with the erpolicy module, two ExpressRoute MSEEs (AS 12076), an Azure
VPN gateway (AS 65515) and an emulated Azure VNet with a VM, then shows step
by step that

  1   ExpressRoute is preferred (BGP, kernel and interface counters agree),
  1b  losing one of the two MSEEs keeps the traffic on ExpressRoute,
  2   losing both MSEEs moves the traffic to the VPN (time measured),
  3   ExpressRoute coming back moves the traffic back (time measured),

and prints a summary.

    usage: er_failover_lab.py [--keep] [--json FILE]
    exit code: 0 every step passed, 1 a step failed, 130/143 Ctrl-C/SIGTERM

Run as root (namespaces, daemons) with /usr/bin/python3; scripts/lab.sh
builds the module first.  Everything is removed at the end, also on failure
or Ctrl-C.  The module is loaded from $ERPOLICY_MODULEDIR (default
build/obj/.libs).

Adding a step (e.g. a fail-back hold-down): write ``step_xxx(ctx, st)`` and
add it to STEPS.  It narrates with OUT.say()/OUT.saw(), records PASS/FAIL
lines with st.check(ok, text), puts measurements in st.data (written to the
JSON) and a one-line st.summary; raising StepFailed (e.g. from ctx.wait())
fails it and skips the remaining steps.
"""

import argparse
import datetime
import json
import os
import re
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "topotests"))

from lib import lab as labmod  # noqa: E402
from lib import azure  # noqa: E402

# ---------------------------------------------------------------------------
# the topology
#
#   onprem ---- edge ===== msee1 (ExpressRoute primary)   ---.
#                    ===== msee2 (ExpressRoute secondary) ---+--- vnet --- azvm
#                    ----- vpngw (VPN gateway)            ---'

EDGE_AS, MSEE_AS, VPN_AS, VNET_AS = 65010, 12076, 65515, 65200

AZURE_PREFIX = "10.100.0.0/16"      # the VNet address space
AZURE_VM = "10.100.1.10"            # a VM in the VNet
ONPREM_PREFIX = "172.16.1.0/24"     # the on-prem LAN
ONPREM_HOST = "172.16.1.10"         # a host on it

# name -> edge address, Azure-side address (/30), AS, role, description
AZ = {
    "msee1": dict(edge="192.0.2.2", peer="192.0.2.1", asn=MSEE_AS,
                  role="expressroute", desc="ExpressRoute MSEE primary",
                  bfd=True, timers=None,
                  vnet_side=("100.64.1.1", "100.64.1.2")),
    "msee2": dict(edge="192.0.2.6", peer="192.0.2.5", asn=MSEE_AS,
                  role="expressroute", desc="ExpressRoute MSEE secondary",
                  bfd=True, timers=None,
                  vnet_side=("100.64.2.1", "100.64.2.2")),
    "vpngw": dict(edge="198.51.100.2", peer="198.51.100.1", asn=VPN_AS,
                  role="vpn", desc="Azure VPN gateway",
                  bfd=False, timers=(60, 180),
                  vnet_side=("100.64.3.1", "100.64.3.2")),
}
MSEES = ("msee1", "msee2")
ER_NEXTHOPS = {AZ[n]["peer"]: n for n in MSEES}
VPN_NEXTHOP = AZ["vpngw"]["peer"]
# the vnet's next hops towards on-prem, by Azure router
VNET_NEXTHOPS = {AZ[n]["vnet_side"][0]: n for n in AZ}

# The configuration the user guide recommends, so that the module's health
# report is clean: BFD on the MSEEs (bfdd's default 300 ms x 3, as Azure's),
# the VPN at Azure's fixed 60/180 (its failure is never waited for here).
# The MSEE sessions and the Azure-internal ones use short timers so that the
# lab is quick.  lab/topologies/demo.yaml describes this same lab (its
# test checks that both agree).
KEEPALIVE, HOLD, CONNECT = 3, 9, 1

PINGS = 50                # packets per traffic proof
PING_INTERVAL = 0.02      # s between them
NOISE = 25                # below: BGP keepalives, BFD (~3/s), ARP; a flow is 50
BG_PING_INTERVAL = 0.01   # background ping during failover/failback
FAILOVER_LIMIT = 3.0      # link-down must be handled well below the hold time
FAILBACK_LIMIT = 10.0     # connect retry 1 s + session setup + advertisement


def neighbor_extra(addr, p):
    """BFD and timer lines of a neighbor of the edge <-> Azure session."""
    out = ""
    if p["bfd"]:
        out += " neighbor %s bfd\n" % addr
    if p["timers"]:
        out += " neighbor %s timers %d %d\n" % ((addr,) + p["timers"])
    return out


def edge_bgpd_conf():
    nbrs = af = erp = ""
    for name, p in AZ.items():
        nbrs += (f" neighbor {p['peer']} remote-as {p['asn']}\n"
                 f" neighbor {p['peer']} description {p['desc']}\n"
                 f" neighbor {p['peer']} timers connect {CONNECT}\n"
                 f" neighbor {p['peer']} advertisement-interval 0\n" +
                 neighbor_extra(p["peer"], p))
        af += (f"  neighbor {p['peer']} activate\n"
               f"  neighbor {p['peer']} route-map erpolicy-{p['role']} in\n"
               f"  neighbor {p['peer']} route-map erpolicy-out-{p['role']} out\n")
        erp += (f" erpolicy neighbor {p['peer']} path {p['role']}\n"
                f" erpolicy neighbor {p['peer']} route-map TO-AZURE out\n")
    # route-maps first: one defined after "router bgp" denies the first
    # updates until bgpd's route-map delay timer fires
    return f"""\
! on-prem prefixes only, towards every Azure neighbor (eBGP needs a policy)
ip prefix-list ONPREM seq 5 permit 172.16.0.0/12 le 32
route-map TO-AZURE permit 10
 match ip address prefix-list ONPREM
!
router bgp {EDGE_AS}
 bgp router-id 172.16.1.1
 no bgp default ipv4-unicast
 timers bgp {KEEPALIVE} {HOLD}
{nbrs} address-family ipv4 unicast
  network {ONPREM_PREFIX}
  maximum-paths 4
{af} exit-address-family
{erp} erpolicy local-preference expressroute 200 vpn 100
 erpolicy azure-prefix {AZURE_PREFIX} le 24
 erpolicy onprem-prefix 172.16.0.0/12 le 32
!
"""


def azure_router_conf(name):
    """An MSEE or the VPN gateway: talks to the edge and to the vnet and
    passes routes between them (Azure's side needs no policy)."""
    p = AZ[name]
    me_vnet, vnet = p["vnet_side"]
    return f"""\
router bgp {p['asn']}
 bgp router-id {p['peer']}
 no bgp default ipv4-unicast
 no bgp ebgp-requires-policy
 timers bgp {KEEPALIVE} {HOLD}
 neighbor {p['edge']} remote-as {EDGE_AS}
 neighbor {p['edge']} description on-prem edge
 neighbor {p['edge']} timers connect {CONNECT}
 neighbor {p['edge']} advertisement-interval 0
{neighbor_extra(p['edge'], p)} neighbor {vnet} remote-as {VNET_AS}
 neighbor {vnet} description Azure VNet
 neighbor {vnet} timers connect {CONNECT}
 neighbor {vnet} advertisement-interval 0
 address-family ipv4 unicast
  neighbor {p['edge']} activate
  neighbor {vnet} activate
 exit-address-family
!
"""


def vnet_conf():
    """The Azure VNet: owns 10.100.0.0/16 and, like Azure, prefers
    ExpressRoute over the VPN for the way back to on-prem."""
    nbrs = af = ""
    for name, p in AZ.items():
        peer = p["vnet_side"][0]
        nbrs += (f" neighbor {peer} remote-as {p['asn']}\n"
                 f" neighbor {peer} description {p['desc']}\n"
                 f" neighbor {peer} timers connect {CONNECT}\n"
                 f" neighbor {peer} advertisement-interval 0\n")
        af += f"  neighbor {peer} activate\n"
        if p["role"] == "expressroute":
            af += f"  neighbor {peer} route-map FROM-ER in\n"
    return f"""\
route-map FROM-ER permit 10
 set local-preference 200
!
router bgp {VNET_AS}
 bgp router-id 10.100.1.1
 no bgp default ipv4-unicast
 no bgp ebgp-requires-policy
 no bgp network import-check
 timers bgp {KEEPALIVE} {HOLD}
{nbrs} address-family ipv4 unicast
  network {AZURE_PREFIX}
  maximum-paths 4
{af} exit-address-family
!
"""


# ---------------------------------------------------------------------------
# narration


class Out:
    def __init__(self):
        self.t0 = time.monotonic()

    def stamp(self):
        now = datetime.datetime.now().strftime("%H:%M:%S.%f")[:-3]
        return "[%s +%6.2fs]" % (now, time.monotonic() - self.t0)

    def line(self, text=""):
        print(text, flush=True)

    def say(self, text):
        """What is about to happen / what we do."""
        self.line("%s %s" % (self.stamp(), text))

    def saw(self, text):
        """What was observed."""
        self.line("%s   seen: %s" % (self.stamp(), text))

    def block(self, text, indent="      | "):
        for l in text.rstrip("\n").splitlines():
            self.line(indent + l)

    def heading(self, text):
        self.line()
        self.line("=" * 78)
        self.line(text)
        self.line("=" * 78)


OUT = Out()


class StepFailed(Exception):
    """A step cannot go on (something it waits for never happened)."""


class Step:
    def __init__(self, sid, number, title):
        self.id = sid
        self.number = number
        self.title = title
        self.checks = []
        self.data = {}
        self.summary = ""
        self.error = None
        self.skipped = False
        self.started = False

    @property
    def passed(self):
        return (not self.skipped and self.error is None and
                bool(self.checks) and all(ok for _, ok in self.checks))

    def check(self, ok, text):
        ok = bool(ok)
        self.checks.append((text, ok))
        OUT.line("%s   %s  %s" % (OUT.stamp(), "PASS" if ok else "FAIL",
                                  text))
        return ok

    def to_json(self):
        return {"id": self.id, "number": self.number, "title": self.title,
                "passed": self.passed,
                "skipped": self.skipped or not self.started,
                "error": self.error, "summary": self.summary,
                "checks": [{"what": t, "ok": ok} for t, ok in self.checks],
                "data": self.data}


# ---------------------------------------------------------------------------
# observing the lab


def kernel_nexthops(node, prefix):
    """Gateways of node's kernel route to exactly prefix (list, sorted)."""
    gws = []
    for r in node.ip_json("-4", "route", "show", prefix):
        if r.get("gateway"):
            gws.append(r["gateway"])
        for nh in r.get("nexthops", []):
            if nh.get("gateway"):
                gws.append(nh["gateway"])
    return sorted(set(gws))


def zebra_fib_nexthops(router, prefix):
    """Next hops zebra believes it installed in the kernel for prefix."""
    data = router.show_json("show ip route %s" % prefix, daemon="zebra")
    gws = []
    for r in data.get(prefix, []):
        if r.get("selected"):
            gws += [n["ip"] for n in r.get("nexthops", [])
                    if n.get("fib") and n.get("ip")]
    return sorted(set(gws))


def name_hops(gws, names):
    return ", ".join("%s (%s)" % (g, names.get(g, "?")) for g in gws) \
        or "no route"


def bgp_paths(router, prefix):
    data = router.show_json("show bgp ipv4 unicast %s" % prefix)
    rows = []
    for p in data.get("paths", []):
        rows.append({
            "peer": p.get("peer", {}).get("peerId"),
            "asPath": p.get("aspath", {}).get("string", ""),
            "localPref": p.get("locPrf"),
            "best": bool(p.get("bestpath", {}).get("overall")),
            "multipath": bool(p.get("multipath")),
        })
    return rows


def who(addr):
    for name, p in AZ.items():
        if addr in (p["peer"], p["vnet_side"][0]):
            return name
    return addr


def print_paths(rows, prefix):
    OUT.line("      BGP paths of the edge for %s "
             "(vty: show bgp ipv4 unicast %s):" % (prefix, prefix))
    OUT.line("      %-14s %-7s %-12s %-11s %s"
             % ("from", "router", "AS path", "local-pref", "chosen"))
    for r in rows:
        chosen = "BEST" if r["best"] else (
            "also used (ECMP)" if r["multipath"] else "backup, unused")
        OUT.line("      %-14s %-7s %-12s %-11s %s"
                 % (r["peer"], who(r["peer"]), r["asPath"],
                    r["localPref"], chosen))
    if not rows:
        OUT.line("      (none)")


def sessions(router):
    """{neighbor address: state} of router."""
    nb = router.show_json("show bgp neighbors")
    return {a: v.get("bgpState") for a, v in nb.items()
            if isinstance(v, dict)}


def all_established(router, addrs):
    st = sessions(router)
    return all(st.get(a) == "Established" for a in addrs)


def erpolicy_state(edge):
    return edge.show_json("show bgp erpolicy")


def preferred_path(edge):
    st = erpolicy_state(edge)
    return st["addressFamilies"]["ipv4"]["preferredPath"], st


def counters(node):
    """{ifname: (tx packets, rx packets)} of node."""
    out = {}
    for l in node.ip_json("-s", "link", "show"):
        s = l.get("stats64") or l.get("stats") or {}
        out[l["ifname"]] = (s.get("tx", {}).get("packets", 0),
                            s.get("rx", {}).get("packets", 0))
    return out


def parse_ping(text):
    m = re.search(r"(\d+) packets transmitted, (\d+) received", text)
    return (int(m.group(1)), int(m.group(2))) if m else (0, 0)


# ---------------------------------------------------------------------------
# the lab context


class Ctx:
    def __init__(self, lab, args):
        self.lab = lab
        self.args = args
        self.n = {}
        self.links = {}
        self.edge_if = {}     # Azure router name -> edge interface
        self.bg = None        # background ping
        self.steps = []

    def step_data(self, sid):
        return next(s.data for s in self.steps if s.id == sid)

    @property
    def edge(self):
        return self.n["edge"]

    def build(self):
        lab = self.lab
        n = self.n
        n["edge"] = lab.add_router("edge", bgpd_conf=edge_bgpd_conf(),
                                   bgpd_args=azure.module_args(), bfd=True)
        for name in AZ:
            n[name] = lab.add_router(name, bgpd_conf=azure_router_conf(name),
                                     bfd=AZ[name]["bfd"])
        n["vnet"] = lab.add_router("vnet", bgpd_conf=vnet_conf())
        n["onprem"] = lab.add_host("onprem")
        n["azvm"] = lab.add_host("azvm")
        for name, p in AZ.items():
            self.links[name] = lab.link(n["edge"], n[name],
                                        a_addrs=[p["edge"] + "/30"],
                                        b_addrs=[p["peer"] + "/30"])
            self.edge_if[name] = self.links[name].ifname(n["edge"])
            a, b = p["vnet_side"]
            lab.link(n[name], n["vnet"], a_addrs=[a + "/30"],
                     b_addrs=[b + "/30"])
        lab.link(n["edge"], n["onprem"], a_addrs=["172.16.1.1/24"],
                 b_addrs=[ONPREM_HOST + "/24"])
        lab.link(n["vnet"], n["azvm"], a_addrs=["10.100.1.1/24"],
                 b_addrs=[AZURE_VM + "/24"])
        n["onprem"].exec("ip route add default via 172.16.1.1")
        n["azvm"].exec("ip route add default via 10.100.1.1")

    # -- waiting ---------------------------------------------------------
    def wait(self, pred, timeout, message, interval=0.1):
        try:
            return self.lab.wait_until(pred, timeout=timeout,
                                       interval=interval, message=message)
        except labmod.WaitTimeout as e:
            raise StepFailed("timed out after %.0f s waiting for: %s\n%s"
                             % (timeout, message, e)) from None

    def timed(self, pred, t0, timeout, message, interval=0.005):
        """Wait for pred(); return seconds since t0 (monotonic)."""
        self.wait(pred, timeout, message, interval)
        return time.monotonic() - t0

    def edge_hops(self):
        return kernel_nexthops(self.edge, AZURE_PREFIX)

    def vnet_hops(self):
        return kernel_nexthops(self.n["vnet"], ONPREM_PREFIX)

    def wait_converged(self, timeout=30, kernel_ecmp=True):
        """Every session up, every path present, kernels on ExpressRoute.

        kernel_ecmp=False: for the edge, only require that zebra installed
        both MSEEs and that the kernel uses MSEEs only (see ecmp_note())."""
        edge, vnet = self.edge, self.n["vnet"]
        peers = [p["peer"] for p in AZ.values()]
        self.wait(lambda: all_established(edge, peers), timeout,
                  "the edge's 3 BGP sessions Established")
        self.wait(lambda: all_established(
            vnet, [p["vnet_side"][0] for p in AZ.values()]), timeout,
            "the vnet's 3 BGP sessions Established")
        self.wait(lambda: {r["peer"] for r in bgp_paths(edge, AZURE_PREFIX)}
                  == set(peers), timeout,
                  "%s received from msee1, msee2 and vpngw" % AZURE_PREFIX)
        # ExpressRoute is active/active: both MSEEs in the kernel (ECMP)
        if kernel_ecmp:
            self.wait(lambda: self.edge_hops() == sorted(ER_NEXTHOPS),
                      timeout, "edge kernel route to %s via both MSEEs"
                      % AZURE_PREFIX)
        else:
            self.wait(lambda: zebra_fib_nexthops(edge, AZURE_PREFIX) ==
                      sorted(ER_NEXTHOPS) and self.edge_hops() and
                      set(self.edge_hops()) <= set(ER_NEXTHOPS), timeout,
                      "edge: zebra installed %s via both MSEEs, kernel "
                      "uses MSEEs only" % AZURE_PREFIX)
        self.wait(lambda: sorted(VNET_NEXTHOPS.get(g) for g in
                                 self.vnet_hops()) == list(MSEES),
                  timeout, "vnet kernel route to %s via both MSEEs"
                  % ONPREM_PREFIX)

    # -- traffic -----------------------------------------------------------
    def traffic(self, step, expect_ifs, label):
        """Ping on-prem host -> Azure VM; read the edge's interface counters
        before and after; check that requests left and replies came back
        only through expect_ifs (edge interface names)."""
        OUT.say("Sending %d pings from the on-prem host %s to the Azure VM "
                "%s and reading the edge's interface packet counters "
                "before and after..." % (PINGS, ONPREM_HOST, AZURE_VM))
        before = counters(self.edge)
        proc = self.n["onprem"].exec(
            ["ping", "-n", "-q", "-c", str(PINGS), "-i", str(PING_INTERVAL),
             "-W", "1", AZURE_VM], check=False, timeout=PINGS + 30)
        after = counters(self.edge)
        sent, recv = parse_ping(proc.stdout)
        OUT.saw("%d sent, %d answered" % (sent, recv))
        OUT.line("      %-11s %-36s %14s %15s"
                 % ("edge iface", "leads to", "out (to Azure)",
                    "in (from Azure)"))
        delta = {}
        for name, ifn in self.edge_if.items():
            tx = after[ifn][0] - before[ifn][0]
            rx = after[ifn][1] - before[ifn][1]
            delta[ifn] = {"tx": tx, "rx": rx}
            OUT.line("      %-11s %-36s %+14d %+15d"
                     % (ifn, "%s (%s)" % (name, AZ[name]["desc"]), tx, rx))
        out_ifs = sorted(i for i, d in delta.items() if d["tx"] >= PINGS)
        in_ifs = sorted(i for i, d in delta.items() if d["rx"] >= PINGS)
        role = {self.edge_if[n]: AZ[n]["role"] for n in AZ}
        path_of = lambda ifs: ("+".join(sorted({role[i] for i in ifs}))  # noqa
                               or "none")
        result = {"sent": sent, "received": recv, "counters": delta,
                  "out_interfaces": out_ifs, "in_interfaces": in_ifs,
                  "out_path": path_of(out_ifs), "in_path": path_of(in_ifs)}
        step.data["traffic_" + label] = result
        step.check(sent == PINGS and recv == PINGS,
                   "all %d pings answered (%d/%d)" % (PINGS, recv, sent))
        want = " or ".join(expect_ifs)
        others = [i for i in delta if i not in expect_ifs]
        step.check(len(out_ifs) == 1 and out_ifs[0] in expect_ifs and
                   all(delta[i]["tx"] < NOISE for i in others),
                   "on-prem -> Azure packets left the edge through %s "
                   "(counters: %s)" % (want, ", ".join(
                       "%s +%d" % (i, delta[i]["tx"]) for i in delta)))
        step.check(in_ifs and set(in_ifs) <= set(expect_ifs) and
                   all(delta[i]["rx"] < NOISE for i in others),
                   "Azure -> on-prem replies came back through %s "
                   "(counters: %s)" % (want, ", ".join(
                       "%s +%d" % (i, delta[i]["rx"]) for i in delta)))
        return result

    def bg_ping_start(self):
        """Continuous ping (100/s) to count packets lost during a change."""
        self.bg = subprocess.Popen(
            ["ip", "netns", "exec", self.n["onprem"].ns, "ping", "-n", "-q",
             "-i", str(BG_PING_INTERVAL), "-W", "1", AZURE_VM],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        time.sleep(0.2)  # a few answered pings before the change

    def bg_ping_stop(self):
        if self.bg is None:
            return None
        proc, self.bg = self.bg, None
        time.sleep(0.3)  # let the last answers arrive
        proc.send_signal(signal.SIGINT)  # ping prints its summary
        try:
            out, _ = proc.communicate(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
        sent, recv = parse_ping(out)
        lost = max(0, sent - recv)
        return {"sent": sent, "received": recv, "lost": lost,
                "outage_ms_estimate": round(lost * BG_PING_INTERVAL * 1000)}

    def ecmp_note(self, step):
        """Compare the kernel's next hops with zebra's; explain a known
        FRR 8.4 zebra bug if they differ.  Informational, not a check."""
        kh = self.edge_hops()
        zh = zebra_fib_nexthops(self.edge, AZURE_PREFIX)
        step.data["kernel_nexthops_after"] = kh
        step.data["zebra_nexthops_after"] = zh
        step.data["kernel_matches_zebra"] = kh == zh
        if kh == zh:
            OUT.saw("kernel and FRR agree: %s via %s"
                    % (AZURE_PREFIX, name_hops(kh, ER_NEXTHOPS)))
            return
        OUT.line("%s   NOTE  FRR (zebra) says %s is installed via %s, but "
                 "the kernel uses only %s." % (
                     OUT.stamp(), AZURE_PREFIX,
                     name_hops(zh, ER_NEXTHOPS), name_hops(kh, ER_NEXTHOPS)))
        OUT.line("        This is a known bug of FRR 8.4's zebra with kernel "
                 "nexthop groups (fixed upstream,\n"
                 "        FRRouting/frr pull request 14080): when one member "
                 "of an ECMP group flaps within\n"
                 "        180 s (zebra's nexthop-group keep time), zebra "
                 "reuses the group the kernel\n"
                 "        silently shrank. Traffic stays on ExpressRoute, on "
                 "one link instead of two, until\n"
                 "        the route changes again.")

    def show_erpolicy(self):
        OUT.line("      The module's view (vty: show bgp erpolicy):")
        OUT.block(self.edge.vty("show bgp erpolicy"))


# ---------------------------------------------------------------------------
# steps


DIAGRAM = """\
  ON-PREM                                                     AZURE
                     +== msee1 (AS 12076, ExpressRoute primary)   ==+
  host ----- edge ---+== msee2 (AS 12076, ExpressRoute secondary) ==+-- vnet ---- VM
  172.16.1.10        +-- vpngw (AS 65515, VPN gateway)            --+   AS 65200  10.100.1.10
        AS 65010, bgpd -M erpolicy                          owns 10.100.0.0/16
"""


def step_lab_up(ctx, st):
    OUT.say("Building the lab: one Linux network namespace per router/host, "
            "virtual Ethernet cables between them, real FRR routing daemons "
            "(zebra + bgpd, and bfdd where BFD runs) in each router.")
    OUT.block(DIAGRAM, "      ")
    OUT.line("      edge <-> msee1  %s <-> %s   ExpressRoute, primary link"
             % (AZ["msee1"]["edge"], AZ["msee1"]["peer"]))
    OUT.line("      edge <-> msee2  %s <-> %s   ExpressRoute, secondary link"
             % (AZ["msee2"]["edge"], AZ["msee2"]["peer"]))
    OUT.line("      edge <-> vpngw  %s <-> %s VPN (the IPsec tunnel is "
             "emulated by a plain link)" % (AZ["vpngw"]["edge"],
                                           AZ["vpngw"]["peer"]))
    OUT.line("      BGP timers: MSEEs keepalive %d s, hold %d s, with BFD "
             "(300 ms x 3, as Azure's); VPN\n      gateway 60/180 (Azure's, "
             "fixed); connect retry %d s" % (KEEPALIVE, HOLD, CONNECT))
    OUT.line("      The edge's erpolicy configuration (in its bgpd.conf):")
    OUT.block("\n".join(l for l in edge_bgpd_conf().splitlines()
                        if "erpolicy" in l))
    t0 = time.monotonic()
    ctx.build()
    ctx.lab.start()
    st.data["daemons_started_s"] = round(time.monotonic() - t0, 3)
    OUT.saw("namespaces created, daemons running (%.1f s); lab files in %s"
            % (st.data["daemons_started_s"], ctx.lab.dir))
    OUT.say("Waiting for all BGP sessions to come up and routes to be "
            "exchanged...")
    ctx.wait_converged()
    st.data["converged_s"] = round(time.monotonic() - t0, 3)
    state = sessions(ctx.edge)
    for name, p in AZ.items():
        OUT.saw("edge <-> %-5s (%s, AS %d): %s"
                % (name, p["desc"], p["asn"], state.get(p["peer"])))
    st.check(all(state.get(p["peer"]) == "Established" for p in AZ.values()),
             "edge has its 3 BGP sessions Established (%.1f s after start)"
             % st.data["converged_s"])
    st.summary = "up and converged in %.1f s" % st.data["converged_s"]


def step_er_preferred(ctx, st):
    edge = ctx.edge
    OUT.say("Which path does the edge choose for the Azure VNet %s? Both "
            "MSEEs and the VPN gateway advertise it, with AS paths of equal "
            "length; the module gives ExpressRoute routes local-preference "
            "200 and VPN routes 100 (higher wins)." % AZURE_PREFIX)
    rows = bgp_paths(edge, AZURE_PREFIX)
    print_paths(rows, AZURE_PREFIX)
    OUT.line("      Both MSEE paths are used together (ECMP: ExpressRoute's two "
             "links are active/active,\n      each flow is hashed onto one "
             "of them); the VPN path stays in reserve.")
    st.data["bgp_paths"] = rows
    best = [r for r in rows if r["best"]]
    vpn = [r for r in rows if r["peer"] == VPN_NEXTHOP]
    st.data["best_peer"] = best[0]["peer"] if best else None
    st.data["best_local_pref"] = best[0]["localPref"] if best else None
    st.check(best and best[0]["peer"] in ER_NEXTHOPS and
             best[0]["localPref"] == 200,
             "BGP best path is from an ExpressRoute MSEE with "
             "local-preference 200")
    st.check(vpn and vpn[0]["localPref"] == 100 and not vpn[0]["best"],
             "the VPN path is kept as backup with local-preference 100")
    OUT.say("What did bgpd (through zebra) put in the Linux kernel's "
            "routing table of the edge? (ip route show %s)" % AZURE_PREFIX)
    hops = ctx.edge_hops()
    OUT.saw("next hop(s): %s" % name_hops(hops, {**ER_NEXTHOPS,
                                                VPN_NEXTHOP: "vpngw"}))
    route_get = edge.exec(["ip", "route", "get", AZURE_VM, "from",
                           ONPREM_HOST, "iif", "eth-onprem"],
                          check=False).stdout.strip()
    OUT.saw("kernel decision for on-prem host -> VM: %s"
            % " ".join(route_get.split()))
    st.data["kernel_nexthops"] = hops
    st.check(hops == sorted(ER_NEXTHOPS),
             "kernel route to %s points at the MSEEs (both, ECMP), not at "
             "the VPN" % AZURE_PREFIX)
    vh = ctx.vnet_hops()
    OUT.saw("Azure side: the vnet's route back to on-prem %s goes via %s"
            % (ONPREM_PREFIX, name_hops(vh, {g: VNET_NEXTHOPS[g]
                                             for g in vh})))
    pref, state = preferred_path(edge)
    ctx.show_erpolicy()
    st.data["preferred_path"] = pref
    st.check(pref == "expressroute",
             "the module reports preferred path 'expressroute'")
    # the configuration model: bgpd.conf attaches the module's maps, the
    # operator's TO-AZURE runs inside the outbound ones
    st.data["policy"] = {
        addr: {"attachedIn": n["addressFamilies"]["ipv4"]["policyAttachedIn"],
               "attachedOut": n["addressFamilies"]["ipv4"][
                   "policyAttachedOut"],
               "routeMapIn": n["addressFamilies"]["ipv4"]["routeMapIn"],
               "routeMapOut": n["addressFamilies"]["ipv4"]["routeMapOut"],
               "userRouteMapOut": n["userRouteMapOut"]}
        for addr, n in state["neighbors"].items()}
    st.data["warnings"] = sorted({w["check"]
                                  for w in state.get("healthWarnings", [])})
    st.check(set(st.data["policy"]) == {p["peer"] for p in AZ.values()} and
             all(v["attachedIn"] and v["attachedOut"] and
                 v["userRouteMapOut"] == "TO-AZURE"
                 for v in st.data["policy"].values()),
             "the module's maps are attached to the 3 Azure neighbors, "
             "TO-AZURE inside the outbound ones")
    st.check(not st.data["warnings"],
             "the module's health report is clean (BFD on the MSEEs, the "
             "VPN at 60/180): %s" % (", ".join(st.data["warnings"]) or
                                      "no warning"))
    er_ifs = [ctx.edge_if[n] for n in MSEES]
    t = ctx.traffic(st, er_ifs, "er")
    st.summary = "LP 200 vs 100; pings via %s" % ",".join(
        t["out_interfaces"])


def step_one_msee_cut(ctx, st):
    edge = ctx.edge
    used = ctx.step_data("er_preferred").get(
        "traffic_er", {}).get("out_interfaces") or [ctx.edge_if["msee1"]]
    cut = next(n for n in MSEES if ctx.edge_if[n] == used[0])
    other = next(n for n in MSEES if n != cut)
    st.data["cut"] = cut
    OUT.say("Cutting the link to %s (the MSEE that carried the traffic in "
            "step 1): its side of the cable goes down, the edge sees loss "
            "of carrier. ExpressRoute still has %s, so traffic should stay "
            "on ExpressRoute." % (cut, other))
    t0 = time.monotonic()
    ctx.links[cut].set_carrier(False, end="b")
    want = [AZ[other]["peer"]]
    st.data["reroute_s"] = round(ctx.timed(
        lambda: ctx.edge_hops() == want, t0, 15,
        "edge kernel route via %s only" % other), 3)
    OUT.saw("after %.3f s the edge's kernel route points at %s"
            % (st.data["reroute_s"], name_hops(ctx.edge_hops(),
                                               ER_NEXTHOPS)))
    ctx.wait(lambda: ctx.vnet_hops() == [AZ[other]["vnet_side"][0]], 15,
             "vnet route back to on-prem via %s only" % other)
    OUT.saw("edge's session to %s: %s" % (cut, sessions(edge).get(
        AZ[cut]["peer"])))
    print_paths(bgp_paths(edge, AZURE_PREFIX), AZURE_PREFIX)
    pref, _ = preferred_path(edge)
    st.check(pref == "expressroute",
             "the module still reports preferred path 'expressroute'")
    st.check(ctx.edge_hops() == want,
             "kernel route to %s points at %s" % (AZURE_PREFIX, other))
    ctx.traffic(st, [ctx.edge_if[other]], "one_msee")
    OUT.say("Restoring the link to %s and waiting until everything is back "
            "as in step 1..." % cut)
    t0 = time.monotonic()
    ctx.links[cut].set_carrier(True, end="b")
    ctx.wait_converged(kernel_ecmp=False)
    st.data["restored_s"] = round(time.monotonic() - t0, 3)
    OUT.saw("all sessions up and both MSEE paths back in BGP after %.1f s"
            % st.data["restored_s"])
    ctx.ecmp_note(st)
    st.summary = "%s lost: stayed on ER via %s (%.3f s)" % (
        cut, other, st.data["reroute_s"])


def step_er_cut(ctx, st):
    edge = ctx.edge
    OUT.say("Starting a continuous ping (%d/s) on-prem host -> VM to count "
            "packets lost during the change." % (1 / BG_PING_INTERVAL))
    ctx.bg_ping_start()
    OUT.say("Cutting BOTH ExpressRoute links (msee1 and msee2): the whole "
            "circuit is gone. The edge should now use the VPN gateway %s."
            % VPN_NEXTHOP)
    t0 = time.monotonic()
    for n in MSEES:
        ctx.links[n].set_carrier(False, end="b")
    try:
        st.data["failover_s"] = round(ctx.timed(
            lambda: ctx.edge_hops() == [VPN_NEXTHOP], t0, 20,
            "edge kernel route to %s via the VPN gateway" % AZURE_PREFIX), 3)
        OUT.saw("after %.3f s the edge's kernel route to %s points at %s"
                % (st.data["failover_s"], AZURE_PREFIX, name_hops(
                    ctx.edge_hops(), {VPN_NEXTHOP: "vpngw"})))
        st.data["return_failover_s"] = round(ctx.timed(
            lambda: ctx.vnet_hops() == [AZ["vpngw"]["vnet_side"][0]], t0,
            20, "vnet route to on-prem via the VPN gateway"), 3)
        OUT.saw("after %.3f s the Azure side's route back to on-prem "
                "points at the VPN gateway too" % st.data["return_failover_s"])
    finally:
        loss = ctx.bg_ping_stop()
    st.data["background_ping"] = loss
    OUT.saw("continuous ping: %d sent, %d lost (about %d ms without "
            "connectivity)" % (loss["sent"], loss["lost"],
                               loss["outage_ms_estimate"]))
    print_paths(bgp_paths(edge, AZURE_PREFIX), AZURE_PREFIX)
    pref, state = preferred_path(edge)
    ctx.show_erpolicy()
    st.data["preferred_path"] = pref
    st.check(st.data["failover_s"] < FAILOVER_LIMIT,
             "failed over to the VPN in %.3f s (limit %.0f s; the BGP hold "
             "timer alone would take %d s)"
             % (st.data["failover_s"], FAILOVER_LIMIT, HOLD))
    st.check(pref == "vpn", "the module reports preferred path 'vpn'")
    ctx.traffic(st, [ctx.edge_if["vpngw"]], "vpn")
    st.summary = "to VPN in %.3f s (return path %.3f s), %d pings lost" % (
        st.data["failover_s"], st.data["return_failover_s"], loss["lost"])


def step_er_restored(ctx, st):
    edge = ctx.edge
    OUT.say("Starting the continuous ping again.")
    ctx.bg_ping_start()
    OUT.say("Restoring both ExpressRoute links. The BGP sessions must be "
            "re-established (connect retry %d s) before the MSEEs can "
            "advertise %s again; then the edge should move back to "
            "ExpressRoute." % (CONNECT, AZURE_PREFIX))
    t0 = time.monotonic()
    for n in MSEES:
        ctx.links[n].set_carrier(True, end="b")
    try:
        st.data["failback_s"] = round(ctx.timed(
            lambda: ctx.edge_hops() and
            set(ctx.edge_hops()) <= set(ER_NEXTHOPS), t0, 30,
            "edge kernel route to %s via an MSEE" % AZURE_PREFIX), 3)
        OUT.saw("after %.3f s the edge's kernel route to %s points at %s"
                % (st.data["failback_s"], AZURE_PREFIX,
                   name_hops(ctx.edge_hops(), ER_NEXTHOPS)))
        st.data["return_failback_s"] = round(ctx.timed(
            lambda: ctx.vnet_hops() and all(
                VNET_NEXTHOPS[g] in MSEES for g in ctx.vnet_hops()), t0, 30,
            "vnet route to on-prem via an MSEE"), 3)
        OUT.saw("after %.3f s the Azure side's route back to on-prem "
                "points at an MSEE too" % st.data["return_failback_s"])
        ctx.wait_converged(kernel_ecmp=False)
        st.data["all_sessions_s"] = round(time.monotonic() - t0, 3)
        OUT.saw("both MSEE sessions Established after %.3f s"
                % st.data["all_sessions_s"])
    finally:
        loss = ctx.bg_ping_stop()
    st.data["background_ping"] = loss
    OUT.saw("continuous ping: %d sent, %d lost" % (loss["sent"],
                                                   loss["lost"]))
    ctx.ecmp_note(st)
    print_paths(bgp_paths(edge, AZURE_PREFIX), AZURE_PREFIX)
    pref, _ = preferred_path(edge)
    ctx.show_erpolicy()
    st.data["preferred_path"] = pref
    st.check(st.data["failback_s"] < FAILBACK_LIMIT,
             "back on ExpressRoute %.3f s after the links came back "
             "(limit %.0f s)" % (st.data["failback_s"], FAILBACK_LIMIT))
    st.check(pref == "expressroute",
             "the module reports preferred path 'expressroute'")
    ctx.traffic(st, [ctx.edge_if[n] for n in MSEES], "er_back")
    st.summary = "back to ER in %.3f s (return path %.3f s), %d pings " \
        "lost" % (st.data["failback_s"], st.data["return_failback_s"],
                  loss["lost"])


# (id, number, title, function) -- run in order; add new steps here (a
# fail-back hold-down step would go after "er_restored", or replace it)
STEPS = [
    ("lab_up", "0", "Lab up, BGP sessions established", step_lab_up),
    ("er_preferred", "1", "ExpressRoute preferred", step_er_preferred),
    ("one_msee_cut", "1b", "One MSEE lost: traffic stays on ExpressRoute",
     step_one_msee_cut),
    ("er_cut", "2", "ExpressRoute lost: fail over to the VPN", step_er_cut),
    ("er_restored", "3", "ExpressRoute back: fail back", step_er_restored),
]


# ---------------------------------------------------------------------------
# main


def keep_running(ctx):
    lab, edge = ctx.lab, ctx.edge
    vty = os.path.join(HERE, "erp-vty.py")
    OUT.heading("The lab is still running (--keep). Try, as root:")
    OUT.line("""\
  # a shell on the on-prem host, then e.g. ping 10.100.1.10
  ip netns exec {onprem} bash
  # stock FRR commands on the edge (also works for msee1, msee2, vpngw, vnet)
  vtysh --vty_socket {edir} -c 'show bgp ipv4 unicast summary'
  vtysh --vty_socket {edir} -c 'show bgp ipv4 unicast {pfx}'
  # the module's commands (stock vtysh does not know them)
  /usr/bin/python3 {vty} {edir}/bgpd.vty 'show bgp erpolicy'
  # kernel routes and interface counters of the edge
  ip -n {ens} route
  ip -n {ens} -s link show
  # fail ExpressRoute by hand (and back with 'up')
  ip -n {m1} link set eth-edge down; ip -n {m2} link set eth-edge down
Namespaces: {nss}
Configs and logs: {dir}""".format(
        onprem=ctx.n["onprem"].ns, edir=edge.dir, pfx=AZURE_PREFIX, vty=vty,
        ens=edge.ns, m1=ctx.n["msee1"].ns, m2=ctx.n["msee2"].ns,
        nss=" ".join(n.ns for n in lab.nodes.values()), dir=lab.dir))
    OUT.line()
    try:
        input("Press Enter (or Ctrl-C) to stop the lab and clean up... ")
    except (EOFError, KeyboardInterrupt):
        OUT.line()


def print_summary(steps, total, interrupted=False):
    OUT.heading("Summary")
    OUT.line("  %-4s %-46s %-7s %s" % ("step", "what", "result", "measured"))
    for st in steps:
        res = ("SKIP" if st.skipped or not st.started else
               "PASS" if st.passed else "FAIL")
        OUT.line("  %-4s %-46s %-7s %s" % (st.number, st.title, res,
                                           st.summary or st.error or ""))
    ok = all(st.passed for st in steps) and not interrupted
    OUT.line()
    OUT.line("  overall: %s (%.1f s)" % (
        "INTERRUPTED" if interrupted else "PASS" if ok else "FAIL", total))
    return ok


def run_steps(ctx, steps, funcs):
    aborted = False
    for st, fn in zip(steps, funcs):
        if aborted:
            st.skipped = True
            continue
        OUT.heading("Step %s: %s" % (st.number, st.title))
        st.started = True
        try:
            fn(ctx, st)
        except KeyboardInterrupt:
            st.error = "interrupted"
            raise
        except StepFailed as e:
            st.error = str(e).splitlines()[0]
            OUT.line("%s   FAIL  %s" % (OUT.stamp(), e))
        except labmod.LabError as e:
            st.error = str(e).splitlines()[0]
            OUT.line("%s   FAIL  lab error: %s" % (OUT.stamp(), e))
        if st.error:  # the lab is in an unknown state: stop here
            aborted = True
            OUT.line(ctx.lab.diagnostics(lines=15))
        OUT.line("%s   => step %s %s" % (OUT.stamp(), st.number,
                                         "PASSED" if st.passed else "FAILED"))


def teardown(ctx):
    if ctx.bg is not None:
        ctx.bg.kill()
        ctx.bg.wait()
        ctx.bg = None
    OUT.say("Stopping all daemons and deleting the namespaces...")
    # a second Ctrl-C (or kill) must not interrupt the clean-up half way
    old = {s: signal.signal(s, signal.SIG_IGN) for s in STOP_SIGNALS}
    try:
        problems = ctx.lab.stop()
    finally:
        for s, h in old.items():
            signal.signal(s, h)
    if problems:
        OUT.line("  FAIL  problems while stopping the lab:\n" +
                 "\n".join(problems))
    else:
        OUT.saw("lab removed (namespaces deleted, daemons stopped)")
    return problems


def results_json(steps, started, total, passed, interrupted, problems):
    by_id = {s.id: s.data for s in steps}

    def get(sid, key, sub=None):
        v = by_id.get(sid, {}).get(key)
        return (v or {}).get(sub) if sub else v

    return {
        "passed": passed,
        "interrupted": interrupted,
        "started": started,
        "duration_s": round(total, 3),
        "module_dir": azure.MODULE_DIR,
        "lab_stop_problems": problems,
        "measured": {
            "converged_s": get("lab_up", "converged_s"),
            "one_msee_reroute_s": get("one_msee_cut", "reroute_s"),
            "failover_s": get("er_cut", "failover_s"),
            "return_failover_s": get("er_cut", "return_failover_s"),
            "failover_pings_lost": get("er_cut", "background_ping", "lost"),
            "failback_s": get("er_restored", "failback_s"),
            "return_failback_s": get("er_restored", "return_failback_s"),
            "failback_pings_lost": get("er_restored", "background_ping",
                                       "lost"),
        },
        "steps": [s.to_json() for s in steps],
    }


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class Terminated(KeyboardInterrupt):
    """SIGTERM/SIGHUP: handled like Ctrl-C (clean up, summary, JSON)."""

    def __init__(self, signum):
        super().__init__(signum)
        self.signum = signum


def _on_signal(signum, frame):
    raise Terminated(signum)


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="ExpressRoute/VPN failover lab for bgpd -M erpolicy")
    ap.add_argument("--keep", action="store_true",
                    help="leave the lab running at the end and show how to "
                    "inspect it; tear down on Enter/Ctrl-C")
    ap.add_argument("--json", metavar="FILE",
                    help="write the measured results to FILE")
    args = ap.parse_args(argv)
    if os.geteuid() != 0:
        sys.exit("er_failover_lab: run as root (network namespaces, FRR "
                 "daemons)")

    steps = [Step(sid, num, title) for sid, num, title, _ in STEPS]
    funcs = [f for _, _, _, f in STEPS]
    started = datetime.datetime.now().isoformat(timespec="seconds")
    interrupted = False
    summary_done = False
    steps_ok = False
    problems = []
    rc_interrupted = 130
    # before the Lab exists, so that its own SIGTERM handler (clean up and
    # die) is not installed and we can still print the summary
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _on_signal)
    ctx = Ctx(labmod.Lab("er_failover"), args)
    ctx.steps = steps
    try:
        try:
            run_steps(ctx, steps, funcs)
            steps_ok = print_summary(steps, time.monotonic() - OUT.t0)
            summary_done = True
            if args.keep:
                keep_running(ctx)
        except KeyboardInterrupt as e:
            interrupted = True
            if isinstance(e, Terminated):
                rc_interrupted = 128 + e.signum
                what = signal.Signals(e.signum).name
            else:
                what = "Ctrl-C"
            OUT.line("\n%s interrupted (%s)" % (OUT.stamp(), what))
        finally:
            problems = teardown(ctx)
    except KeyboardInterrupt:  # during teardown's first lines
        interrupted = True
        problems = ctx.lab.stop()
    total = time.monotonic() - OUT.t0
    if not summary_done:
        steps_ok = print_summary(steps, total, interrupted)
    passed = steps_ok and not problems and not interrupted
    if summary_done and steps_ok and not passed:
        OUT.line("  overall: FAIL (problems while stopping the lab, see "
                 "above)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results_json(steps, started, total, passed,
                                   interrupted, problems), f, indent=2)
            f.write("\n")
        OUT.line("  results written to %s" % args.json)
    if interrupted:
        return rc_interrupted
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
