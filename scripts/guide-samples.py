#!/usr/bin/python3
"""The user guide's command output, produced by the module as built.

Every block of command output in doc/user-guide.rst is preceded by an rst
comment ``.. sample: NAME`` and a bare ``::``.  This script builds the
guide's labs (network namespaces, real FRR daemons, topotests/lib), runs
the commands and

  --write   replaces each marked block by what the commands print now;
  --check   compares (after the normalisations of NORMALISE: clock
            times, up/down times, message counts and table versions of
            bgpd, route-map invocation counts, the seconds left of a
            hold-down, pid and module path of "show modules") and exits 1
            on any difference, on a marked block no scenario produces, on
            a produced sample the guide does not show, on an erpolicy
            command in no grammar block, and on a JSON key table
            (``.. keys: NAME`` before a list-table) whose keys are not
            exactly those of the real JSON.

Key tables are prose and --write leaves them alone: their first column
names keys as ``key``, ``parent.key``, ``.sibling`` (same parent as the
key before it), ``list[]``; a key with a row of its own is not descended
into (its object has its own table).  The ``reasons`` table's second
column says ``in``, ``out`` or ``in, out``: the counters it is in.

usage: scripts/guide-samples.py --write|--check [--only SCENARIO ...]
                                [--doc FILE] [--dump DIR]
  scenarios: %(scenarios)s
  (--only checks or writes only the samples of those scenarios)

Run as root after scripts/build.sh.  ERPOLICY_MODULEDIR overrides
build/obj/.libs, ERPOLICY_VTYSH build/obj/vtysh/vtysh (the erpolicy-aware
vtysh whose ``list`` gives the grammar blocks).

The lab: the edge router of the guide's "A complete example" (its frr.conf
is EXAMPLE below, and the guide's copy of it is a sample too), two emulated
MSEEs (192.0.2.1, 192.0.2.5, AS 12076, BFD) and an emulated VPN gateway
(BGP address 10.100.255.254 behind 198.51.100.1, AS 65515, eBGP multihop),
each originating 10.100.0.0/16, 10.100.1.0/24 and 10.101.0.0/16.  The
sessions come up one after the other (MSEE 1, MSEE 2, VPN), so that the
order of paths and the best path are the same in every run.
"""

import argparse
import difflib
import json
import os
import re
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "topotests"))

from lib import azure, lab as labmod  # noqa: E402

DOC = os.path.join(ROOT, "doc", "user-guide.rst")
VTYSH = os.environ.get("ERPOLICY_VTYSH",
                       os.path.join(ROOT, "build", "obj", "vtysh", "vtysh"))
EXPORTER = os.path.join(ROOT, "monitoring", "erpolicy-prometheus")

# What truly varies between two runs of the same scenario, replaced on both
# sides before --check compares.  Keep this list short: everything else in
# a sample must be reproduced exactly.
NORMALISE = [
    # clock times: events, "Last update", log lines
    (r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}", "<time>"),
    (r"Last update: .*", "Last update: <time>"),
    (r'"(epoch|monotonicMs)":\d+', r'"\1":<clock>'),
    (r"^(\s*)\d{4}/\d\d/\d\d \d\d:\d\d:\d\d", r"\1<time>"),
    # show bgp summary rows: message counts, table version, up/down time
    (r"^(\S+\s+4\s+\d+)\s+\d+\s+\d+\s+\d+(\s+\d+\s+\d+)\s+"
     r"(\d\d:\d\d:\d\d|\d+d\d\dh\d\dm|never)",
     r"\1 <msgs> <msgs> <tblver>\2 <up/down>"),
    # table versions (bgpd counts every change, also of other prefixes)
    (r"BGP table version \d+", "BGP table version <n>"),
    (r"(routing table entry for \S+), version \d+", r"\1, version <n>"),
    # route-map invocation counts (re-evaluations add to them)
    (r"Invoked \d+", "Invoked <n>"),
    # the seconds left of a running hold-down
    (r"fail-back in \d+ s", "fail-back in <n> s"),
    # the seconds left of graceful restart's stale routes
    (r"stale route deleted: \d+", "stale route deleted: <n>"),
    # show modules: process id and the lab's module directory
    (r"^(\s*)pid: \d+", r"\1pid: <pid>"),
    (r"^(\s*)from: \S+", r"\1from: <path>"),
]


def normalise(text):
    out = []
    for line in text.split("\n"):
        for pat, rep in NORMALISE:
            line = re.sub(pat, rep, line)
        out.append(line.rstrip())
    return "\n".join(out).strip("\n")


# ---------------------------------------------------------------------------
# the guide's configuration

EXAMPLE = """\
! The operator's own maps. The module runs them inside its own maps:
! see the "erpolicy neighbor ... route-map" lines below.
ip prefix-list ONPREM seq 5 permit 172.16.0.0/12 le 24
!
! Tag what came in over ExpressRoute.
route-map ER-IN permit 10
 set community 65010:100 additive
exit
!
! Belt and braces towards ExpressRoute.
route-map TO-AZURE permit 10
 match ip address prefix-list ONPREM
exit
!
router bgp 65010
 bgp router-id 172.16.0.1
 no bgp default ipv4-unicast
 !
 ! ExpressRoute: two sessions to the two MSEEs of the circuit, with BFD
 ! (sub-second failure detection) and a short connect retry.
 neighbor 192.0.2.1 remote-as 12076
 neighbor 192.0.2.1 description ExpressRoute primary (MSEE 1)
 neighbor 192.0.2.1 bfd
 neighbor 192.0.2.1 timers connect 5
 neighbor 192.0.2.5 remote-as 12076
 neighbor 192.0.2.5 description ExpressRoute secondary (MSEE 2)
 neighbor 192.0.2.5 bfd
 neighbor 192.0.2.5 timers connect 5
 !
 ! The Azure VPN gateway: its BGP address lies behind the IPsec tunnel
 ! (a host route to 10.100.255.254 through the tunnel is needed). No BFD
 ! (not supported), default timers 60/180 like the gateway's.
 neighbor 10.100.255.254 remote-as 65515
 neighbor 10.100.255.254 description Azure VPN gateway
 neighbor 10.100.255.254 ebgp-multihop 2
 neighbor 10.100.255.254 update-source 198.51.100.2
 neighbor 10.100.255.254 timers connect 5
 !
 address-family ipv4 unicast
  network 172.16.1.0/24
  network 172.16.2.0/24
  ! the DMZ: must never go to Azure
  network 192.168.50.0/24
  ! use both MSEEs at once (ECMP)
  maximum-paths 2
  ! each neighbor gets the module's maps of its path, in and out
  neighbor 192.0.2.1 activate
  neighbor 192.0.2.1 soft-reconfiguration inbound
  neighbor 192.0.2.1 route-map erpolicy-expressroute in
  neighbor 192.0.2.1 route-map erpolicy-out-expressroute out
  neighbor 192.0.2.5 activate
  neighbor 192.0.2.5 soft-reconfiguration inbound
  neighbor 192.0.2.5 route-map erpolicy-expressroute in
  neighbor 192.0.2.5 route-map erpolicy-out-expressroute out
  neighbor 10.100.255.254 activate
  neighbor 10.100.255.254 soft-reconfiguration inbound
  neighbor 10.100.255.254 route-map erpolicy-vpn in
  neighbor 10.100.255.254 route-map erpolicy-out-vpn out
 exit-address-family
 !
 ! The declaration of intent, with the operator's maps of each neighbor.
 erpolicy neighbor 192.0.2.1 path expressroute
 erpolicy neighbor 192.0.2.1 route-map ER-IN in
 erpolicy neighbor 192.0.2.1 route-map TO-AZURE out
 erpolicy neighbor 192.0.2.5 path expressroute
 erpolicy neighbor 192.0.2.5 route-map ER-IN in
 erpolicy neighbor 192.0.2.5 route-map TO-AZURE out
 erpolicy neighbor 10.100.255.254 path vpn
 ! the defaults, written out
 erpolicy local-preference expressroute 200 vpn 100
 ! the VNet with its subnets down to /24, and a peered VNet exactly
 erpolicy azure-prefix 10.100.0.0/16 le 24
 erpolicy azure-prefix 10.101.0.0/16
 ! never accepted from Azure; the only prefixes advertised to Azure
 erpolicy onprem-prefix 172.16.0.0/12 le 24
 ! fail back after 60 s of stable ExpressRoute, doubling after flaps
 erpolicy failback hold-down 60 maximum 600
 ! make Azure (Virtual WAN) prefer ExpressRoute once it is back
 erpolicy advertise vpn-prepend 2
exit
"""

AZURE_NETS = ("10.100.0.0/16", "10.100.1.0/24", "10.101.0.0/16")
ER_ADDRS = ["192.0.2.1", "192.0.2.5"]
VPN_ADDR = "10.100.255.254"
ALL_ADDRS = ER_ADDRS + [VPN_ADDR]


def azure_side(asn, rid, peer, extra_nbr="", nets=AZURE_NETS,
               shutdown=False):
    lines = "".join("  network %s\n" % p for p in nets)
    shut = " neighbor %s shutdown\n" % peer if shutdown else ""
    return f"""\
router bgp {asn}
 bgp router-id {rid}
 no bgp default ipv4-unicast
 no bgp ebgp-requires-policy
 no bgp network import-check
 neighbor {peer} remote-as 65010
 neighbor {peer} timers connect 5
{extra_nbr}{shut} address-family ipv4 unicast
  neighbor {peer} activate
{lines} exit-address-family
!
"""


# ---------------------------------------------------------------------------
# captures


class Capture:
    """The samples of one run: name -> text, and the JSON the key tables
    are checked against: name -> object."""

    def __init__(self):
        self.samples = {}
        self.keys = {}
        self.problems = []

    def put(self, name, text):
        if name in self.samples:
            raise RuntimeError("sample %s produced twice" % name)
        self.samples[name] = text.rstrip("\n") + "\n"
        return text

    @staticmethod
    def run(router, cmd, prompt=None):
        status, out = router.vty_raw(cmd)
        return "%s# %s\n%s" % (prompt or router.name, cmd, out)

    def show(self, router, cmd, name, keep=None, prompt=None):
        """``ROUTER# CMD`` and the output; ``keep(lines)`` selects lines of
        the output where the guide shows an excerpt."""
        status, out = router.vty_raw(cmd)
        if keep:
            out = "\n".join(keep(out.rstrip("\n").split("\n"))) + "\n"
        return self.put(name, "%s# %s\n%s" % (prompt or router.name, cmd,
                                               out))

    @staticmethod
    def config_text(router, lines):
        """Each line in "configure terminal", with the prompt vtysh would
        show and what bgpd answered."""
        text, mode = "", "config"
        with router.client() as c:
            c.cmd("configure terminal")
            for line in lines:
                status, out = c.cmd(line)
                text += "%s(%s)# %s\n%s" % (router.name, mode, line, out)
                if status:
                    continue
                if line.startswith("router bgp"):
                    mode = "config-router"
                elif line.startswith("address-family"):
                    mode = "config-router-af"
                elif line.startswith("exit-address-family"):
                    mode = "config-router"
                elif line.startswith("route-map"):
                    mode = "config-route-map"
                elif line == "exit":
                    mode = "config"
            c.cmd("end")
        return text

    def config(self, router, lines, name, skip=0):
        """config_text; the first ``skip`` lines (entering the node) are
        left out of the sample."""
        text = self.config_text(router, lines)
        if skip:
            text = "".join(re.split(r"(?m)^(?=\S+\(config[^)]*\)# )",
                                    text)[1 + skip:])
        return self.put(name, text)

    @staticmethod
    def log_lines(router, pattern, strip_time=True, unique=True):
        """bgpd's log lines that match ``pattern`` (without the time and
        the message id when strip_time), in order, each message once."""
        out, seen = [], set()
        for line in router.log_text().split("\n"):
            if not re.search(pattern, line):
                continue
            message = re.sub(r"^\S+ \S+ BGP: \[[A-Z0-9-]+\] ", "", line)
            if strip_time:
                line = message
            if unique and message in seen:
                continue
            seen.add(message)
            out.append(line)
        if not out:
            raise RuntimeError("%s: no log line matches %r"
                               % (router.name, pattern))
        return "\n".join(out) + "\n"


def without_log_lines(lines):
    """The lab's two comment lines about its --log option."""
    return [ln for ln in lines if not ln.startswith('! "log file ')
            and "clear log cmdline-targets" not in ln]


def grep(pattern):
    return lambda lines: [ln for ln in lines if re.search(pattern, ln)]


def one_event(kind):
    """``show bgp erpolicy events json`` with only the first event of that
    kind."""
    def keep(lines):
        at = next(i for i, ln in enumerate(lines)
                  if '"event":"%s"' % kind in ln)
        first = max(i for i in range(at) if lines[i].strip() == "{")
        last = next(i for i in range(at, len(lines))
                    if lines[i].strip() in ("}", "},"))
        return (lines[:2] + ["    ..."] + lines[first:last + 1] +
                ["    ..."] + lines[-2:])
    return keep


def from_line(pattern):
    def keep(lines):
        for i, ln in enumerate(lines):
            if re.search(pattern, ln):
                return lines[i:]
        return lines
    return keep


# ---------------------------------------------------------------------------
# the lab


def build(lab, edge_conf=EXAMPLE, msee1_nets=AZURE_NETS,
          vpngw_nets=AZURE_NETS, msee1_extra=" neighbor 192.0.2.2 bfd\n"):
    edge = lab.add_router("edge", bgpd_conf=edge_conf,
                          bgpd_args=azure.module_args(), bfd=True)
    msee1 = lab.add_router("msee1", bfd=True, bgpd_conf=azure_side(
        12076, "192.0.2.1", "192.0.2.2", msee1_extra,
        nets=msee1_nets, shutdown=True))
    msee2 = lab.add_router("msee2", bfd=True, bgpd_conf=azure_side(
        12076, "192.0.2.5", "192.0.2.6", " neighbor 192.0.2.6 bfd\n",
        shutdown=True))
    vpngw = lab.add_router("vpngw", bgpd_conf=azure_side(
        65515, VPN_ADDR, "198.51.100.2",
        " neighbor 198.51.100.2 ebgp-multihop 2\n"
        " neighbor 198.51.100.2 update-source 10.100.255.254\n",
        nets=vpngw_nets, shutdown=True))
    edge.er_links = [
        lab.link(edge, msee1, a_addrs=["192.0.2.2/30"],
                 b_addrs=["192.0.2.1/30"]),
        lab.link(edge, msee2, a_addrs=["192.0.2.6/30"],
                 b_addrs=["192.0.2.5/30"])]
    lab.link(edge, vpngw, a_addrs=["198.51.100.2/30"],
             b_addrs=["198.51.100.1/30"])
    vpngw.exec(["ip", "addr", "add", "10.100.255.254/32", "dev", "lo"])
    # the "tunnel": a host route to the gateway's BGP address
    edge.exec(["ip", "route", "add", "10.100.255.254/32", "via",
               "198.51.100.1"])
    # on-prem networks behind the edge (the "network" statements' routes)
    for p in ("172.16.1.0/24", "172.16.2.0/24", "192.168.50.0/24"):
        edge.exec(["ip", "route", "add", "blackhole", p])
    lab.start()
    return edge, msee1, msee2, vpngw


def accepted(edge, addr):
    nbr = azure.erpolicy(edge)["neighbors"].get(addr, {})
    return nbr.get("addressFamilyInfo", {}).get("ipv4Unicast", {}).get(
        "acceptedPrefixCounter", 0)


def up(lab, edge, msee2, vpngw, counts=None, advertised=2):
    """MSEE 1, then MSEE 2, then the VPN gateway, each with its routes;
    then every neighbor with ``advertised`` prefixes sent."""
    counts = counts or {}
    # bgpd binds the route-maps of its configuration 5 s after it read
    # it (route-map delay timer): routes that arrive before are evaluated
    # twice, so the sessions come up after that
    time.sleep(6)
    msee1 = lab.router("msee1")
    for router, addr in ((msee1, "192.0.2.1"), (msee2, "192.0.2.5"),
                         (vpngw, VPN_ADDR)):
        router.config(["router bgp %s" % (65515 if router is vpngw
                                          else 12076),
                       "no neighbor %s shutdown" % {
                           "msee1": "192.0.2.2", "msee2": "192.0.2.6",
                           "vpngw": "198.51.100.2"}[router.name]])
        want = counts.get(addr, 3)
        lab.wait_until(azure.established(edge, [addr]), timeout=60)
        lab.wait_until(lambda: accepted(edge, addr) == want, timeout=60,
                       message="%s: %d prefixes accepted" % (addr, want))
        time.sleep(1)

    def settled():
        if advertised is None:
            return True
        st = azure.erpolicy(edge)
        return all(n["addressFamilyInfo"]["ipv4Unicast"]["sentPrefixCounter"]
                   == advertised for n in st["neighbors"].values())
    lab.wait_until(settled, timeout=30,
                   message="%s prefixes advertised to each" % advertised)
    time.sleep(2)


def state_is(edge, want):
    return lambda: azure.erpolicy(edge)["addressFamilies"]["ipv4"][
        "pathState"] == want


# ---------------------------------------------------------------------------
# grammar: what the erpolicy-aware vtysh accepts, from its "list"

GRAMMAR = [
    # (sample, node, regex on the command line)
    ("grammar-neighbor", "router", r"^(no )?(\[no\] )?erpolicy neighbor "),
    ("grammar-local-preference", "router", r"erpolicy local-preference"),
    ("grammar-prefix", "router", r"erpolicy <azure-prefix"),
    ("grammar-allow-default-route", "router", r"erpolicy allow-default"),
    ("grammar-maximum-prefix-length", "router",
     r"erpolicy maximum-prefix-length"),
    ("grammar-failback", "router", r"erpolicy failback"),
    ("grammar-drain", "router", r"erpolicy drain"),
    ("grammar-symmetric-failover", "router", r"erpolicy symmetric-failover"),
    ("grammar-mode", "router", r"erpolicy mode"),
    ("grammar-advertise", "router", r"erpolicy advertise"),
    ("grammar-no-erpolicy", "router", r"^no erpolicy$"),
    ("grammar-debug", "enable", r"debug bgp erpolicy"),
    ("grammar-show", "enable", r"^show bgp .*erpolicy"),
]


def vtysh_list(router, node):
    cmds = ["-c", "configure terminal", "-c", "router bgp 65010"] \
        if node == "router" else []
    out = vtysh_run(router, cmds + ["-c", "list"])
    return [ln.strip() for ln in out.split("\n") if ln.strip()]


def vtysh_run(router, args):
    """The erpolicy-aware vtysh with a private configuration directory."""
    with tempfile.TemporaryDirectory() as confdir:
        with open(os.path.join(confdir, "vtysh.conf"), "w") as f:
            f.write("service integrated-vtysh-config\n")
        proc = subprocess.run(
            [VTYSH, "--vty_socket", router.dir, "--config_dir", confdir,
             "-H", os.path.join(confdir, ".history")] + args,
            capture_output=True, text=True, timeout=60, cwd=confdir,
            env=dict(os.environ, VTYSH_PAGER="cat"))
    if proc.returncode:
        raise RuntimeError("%s %s: %s" % (VTYSH, args,
                                          proc.stdout + proc.stderr))
    return proc.stdout


def exporter(edge, keep):
    """What monitoring/erpolicy-prometheus writes for the edge (read
    through the erpolicy-aware vtysh), the lines ``keep`` selects."""
    proc = subprocess.run(
        [EXPORTER, "--output", "-", "--vtysh",
         "%s --vty_socket %s" % (VTYSH, edge.dir)],
        capture_output=True, text=True, timeout=60)
    if proc.returncode:
        raise RuntimeError("%s: %s" % (EXPORTER, proc.stdout + proc.stderr))
    return "\n".join(keep(proc.stdout.rstrip("\n").split("\n"))) + "\n"


def metric_lines(*wanted):
    """Lines of the metrics named, each with all the labels given:
    ("erpolicy_path_state", 'afi="ipv4"'), ..."""
    def keep(lines):
        out = []
        for ln in lines:
            name = re.split(r"[{ ]", ln, 1)[0]
            if any(name == w[0] and all(lab in ln for lab in w[1:])
                   for w in wanted):
                out.append(ln)
        return out
    return keep


def capture_grammar(cap, edge):
    if not os.access(VTYSH, os.X_OK):
        raise RuntimeError("erpolicy-aware vtysh not built: %s" % VTYSH)
    lists = {node: vtysh_list(edge, node) for node in ("router", "enable")}
    for node, cmds in lists.items():
        for cmd in cmds:
            if "erpolicy" in cmd and not any(
                    n == node and re.search(pat, cmd)
                    for _, n, pat in GRAMMAR):
                cap.problems.append(
                    "command '%s' (%s node) is in no grammar block: add it "
                    "to GRAMMAR in scripts/guide-samples.py and a "
                    "'.. sample:' block to the guide" % (cmd, node))
    for name, node, pat in GRAMMAR:
        lines = [ln for ln in lists[node] if re.search(pat, ln)]
        if not lines:
            raise RuntimeError("%s: no command matches %r" % (name, pat))
        # one line per DEFPY, in vtysh's order
        cap.put(name, "\n".join(dict.fromkeys(lines)))


# ---------------------------------------------------------------------------
# scenarios: each builds its own lab


def scenario_example(lab, cap):
    edge, msee1, msee2, vpngw = build(lab)
    cap.put("example-conf", EXAMPLE)
    up(lab, edge, msee2, vpngw)
    cap.show(edge, "show running-config", "running-config",
             keep=without_log_lines)
    cap.show(edge, "show modules", "show-modules")
    cap.show(edge, "show bgp erpolicy", "erpolicy")
    cap.show(edge, "show bgp erpolicy neighbor 192.0.2.1", "neighbor")
    cap.put("neighbor-missing",
            cap.run(edge, "show bgp erpolicy neighbor 203.0.113.77") +
            cap.run(edge, "show bgp erpolicy neighbor 203.0.113.77 json"))
    cap.show(edge, "show bgp vrf blue erpolicy", "vrf-blue")
    js = azure.erpolicy(edge)
    cap.keys["instance"] = js
    cap.keys["instance-af"] = js["addressFamilies"]["ipv4"]
    nbr = js["neighbors"]["192.0.2.1"]
    cap.keys["neighbor"] = nbr
    cap.keys["neighbor-af"] = nbr["addressFamilyInfo"]["ipv4Unicast"]
    cap.keys["reasons"] = {
        "in": nbr["addressFamilyInfo"]["ipv4Unicast"]["prefixesDenied"],
        "out": nbr["addressFamilyInfo"]["ipv4Unicast"][
            "prefixesNotAdvertised"]}
    cap.show(edge, "show route-map erpolicy-expressroute", "route-map")
    cap.show(edge, "show bgp neighbors 192.0.2.1", "bgp-neighbor-maps",
             keep=grep(r"path policy|Route map for"))
    cap.show(edge, "show bgp ipv4 unicast 10.100.1.0/24", "bgp-route")
    cap.show(vpngw, "show bgp ipv4 unicast", "vpngw-table",
             keep=lambda ls: [ln for ln in from_line(r"^\s+Network")(ls)
                              if ln.strip() and
                              not ln.startswith("Displayed")])
    capture_grammar(cap, edge)
    cmd = "show yang operational-data /frr-bgp-erpolicy:erpolicy-state bgpd"
    out = vtysh_run(edge, ["-c", cmd])
    cap.put("yang-state-excerpt", "$ vtysh -c '%s'\n%s\n..." % (
        cmd, "\n".join(out.split("\n")[:24])))
    # the symmetric guard: a /25 that TO-AZURE (le 24) keeps from
    # ExpressRoute is held back from the VPN too
    edge.exec(["ip", "route", "add", "blackhole", "172.16.2.128/25"])
    edge.config(["router bgp 65010",
                 "erpolicy onprem-prefix 172.16.0.0/12 le 25",
                 "address-family ipv4 unicast",
                 "network 172.16.2.128/25"])
    lab.wait_until(lambda: "172.16.2.128/25" in edge.log_text(),
                   timeout=30, message="the guard's log line")
    time.sleep(3)
    cap.put("guard-log", cap.log_lines(edge, r"not advertising "
                                       r"172\.16\.2\.128/25 to VPN"))
    cap.show(edge, "show bgp erpolicy neighbor 10.100.255.254",
             "neighbor-vpn-guard")


def scenario_commands(lab, cap):
    """Errors and notes of the configuration commands; the health
    warnings after changes to the attachments; no erpolicy."""
    edge, msee1, msee2, vpngw = build(lab)
    up(lab, edge, msee2, vpngw)
    cap.config(edge, [
        "router bgp 65010",
        "erpolicy neighbor 192.0.2.300 path vpn",
        "erpolicy neighbor 192.0.2.1 path vpn",
        "no erpolicy neighbor 192.0.2.1 path vpn",
        "no erpolicy neighbor 203.0.113.9",
        "erpolicy neighbor 203.0.113.9 route-map ER-IN in",
        "erpolicy neighbor 192.0.2.1 route-map erpolicy-expressroute in",
    ], "neighbor-errors", skip=1)
    notes = cap.config_text(edge, [
        "router bgp 65010",
        "erpolicy neighbor 203.0.113.9 path expressroute",
        "no erpolicy neighbor 203.0.113.9",
        "neighbor 203.0.113.10 remote-as 65515",
        "address-family ipv4 unicast",
        "neighbor 203.0.113.10 activate",
        "exit-address-family",
        "erpolicy neighbor 203.0.113.10 path vpn",
        "no neighbor 203.0.113.10",
        "no erpolicy neighbor 203.0.113.10"])
    keep = [b for b in re.split(r"(?m)^(?=\S+\(config[^)]*\)# )", notes)
            if re.search(r"# erpolicy neighbor 203\.0\.113\.(9|10) path", b)]
    cap.put("neighbor-notes", "".join(keep))
    cap.config(edge, [
        "router bgp 65010",
        "erpolicy azure-prefix 10.100.1.0/16",
        "erpolicy azure-prefix 10.100.0.0/16 ge 8",
        "erpolicy azure-prefix 10.100.0.0/16 le 40",
        "erpolicy azure-prefix 10.100.0.0/16 ge 25 le 24",
        "erpolicy azure-prefix 10.100.0.0/16 ge 0",
        "erpolicy onprem-prefix 10.100.0.0/16",
        "erpolicy azure-prefix 172.16.0.0/12",
        "erpolicy prefer-vpn-prefix 172.16.0.0/12",
        "no erpolicy azure-prefix 10.200.0.0/16",
    ], "prefix-errors", skip=1)
    cap.config(edge, ["router bgp 65010",
                      "erpolicy failback hold-down 600 maximum 60"],
               "failback-error", skip=1)
    cap.config(edge, ["route-map erpolicy-expressroute permit 5",
                      "route-map erpolicy-mine permit 10"],
               "reserved-route-map")
    # a declaration removed: the map stays attached and denies
    edge.config(["router bgp 65010", "no erpolicy neighbor 192.0.2.5"])
    time.sleep(3)
    # declared, but the attachment changed by hand
    edge.config(["router bgp 65010",
                 "erpolicy neighbor 192.0.2.5 path expressroute",
                 "address-family ipv4 unicast",
                 "no neighbor 192.0.2.5 route-map erpolicy-expressroute in",
                 "neighbor 192.0.2.5 route-map ER-IN in"])
    time.sleep(3)
    edge.config(["router bgp 65010", "address-family ipv4 unicast",
                 "no neighbor 192.0.2.5 route-map ER-IN in",
                 "neighbor 192.0.2.5 route-map erpolicy-expressroute in"])
    time.sleep(3)
    edge.config(["router bgp 65010", "no erpolicy"])
    lab.wait_until(lambda: all(
        n["pfxRcd"] == 0 for n in edge.show_json(
            "show bgp ipv4 unicast summary")["peers"].values()),
        timeout=30, message="every route denied after no erpolicy")
    time.sleep(2)
    cap.put("summary-after-no", cap.run(edge, "show bgp erpolicy") +
            cap.run(edge, "show bgp summary"))
    cap.put("attachment-log", cap.log_lines(
        edge, r"erpolicy: default: (health warning (notDeclared|"
              r"policyNotAttached)|configuration removed)"))


def scenario_states(lab, cap):
    """show bgp erpolicy during failover, hold-down and drain, and with
    health warnings."""
    edge, msee1, msee2, vpngw = build(lab)
    up(lab, edge, msee2, vpngw)
    for link in edge.er_links:
        link.set_carrier(False)
    lab.wait_until(state_is(edge, "vpn"), timeout=30, message="failover")
    lab.wait_until(lambda: accepted(edge, "192.0.2.1") == 0
                   and accepted(edge, "192.0.2.5") == 0, timeout=30)
    time.sleep(2)
    cap.show(edge, "show bgp erpolicy", "erpolicy-failover")
    for link in edge.er_links:
        link.set_carrier(True)
    lab.wait_until(state_is(edge, "hold-down"), timeout=60,
                   message="hold-down")
    lab.wait_until(lambda: accepted(edge, "192.0.2.1") == 3
                   and accepted(edge, "192.0.2.5") == 3, timeout=30)
    time.sleep(2)
    cap.show(edge, "show bgp erpolicy", "erpolicy-hold-down")
    cap.show(edge, "show bgp erpolicy prefixes", "prefixes-hold-down")
    edge.config(["router bgp 65010", "erpolicy drain expressroute"])
    lab.wait_until(state_is(edge, "drained"), timeout=10, message="drained")
    time.sleep(2)
    cap.show(edge, "show bgp erpolicy", "erpolicy-drained")
    edge.config(["router bgp 65010", "no erpolicy drain expressroute",
                 "no neighbor 192.0.2.5 bfd",
                 "neighbor 10.100.255.254 timers 10 30",
                 "address-family ipv4 unicast",
                 "neighbor 192.0.2.5 weight 100"])
    edge.er_links[1].set_carrier(False)
    lab.wait_until(lambda: edge.bgp_peer_state("192.0.2.5") != "Established",
                   timeout=30)
    lab.wait_until(lambda: accepted(edge, "192.0.2.5") == 0, timeout=30)
    time.sleep(2)
    cap.show(edge, "show bgp erpolicy", "erpolicy-warnings")
    v4, nbr = 'afi="ipv4"', 'neighbor="192.0.2.5"'
    cap.put("prometheus", exporter(edge, metric_lines(
        ("erpolicy_exporter_up",), ("erpolicy_instance_info",),
        ("erpolicy_path_state", v4), ("erpolicy_preferred_path", v4),
        ("erpolicy_holddown_remaining_seconds", v4),
        ("erpolicy_path_events_total", v4, 'event="failover"'),
        ("erpolicy_path_events_total", v4, 'event="failback"'),
        ("erpolicy_path_events_total", v4, 'event="drain"'),
        ("erpolicy_sessions_established", v4),
        ("erpolicy_neighbor_up", nbr),
        ("erpolicy_neighbor_prefixes_accepted", v4, nbr),
        ("erpolicy_neighbor_prefixes_advertised", v4, nbr),
        ("erpolicy_neighbor_advertise_limit", v4, nbr),
        ("erpolicy_health_warnings",), ("erpolicy_health_warning",))))
    # the remote-as checks: a VPN neighbor with another AS than 65515
    # next to ExpressRoute, an ExpressRoute neighbor that is not 12076;
    # then the weight removed
    edge.config(["router bgp 65010",
                 "neighbor 203.0.113.20 remote-as 65001",
                 "neighbor 203.0.113.21 remote-as 65515",
                 "erpolicy neighbor 203.0.113.20 path vpn",
                 "erpolicy neighbor 203.0.113.21 path expressroute"])
    lab.wait_until(lambda: "health warning vpnRemoteAs" in edge.log_text()
                   and "health warning erRemoteAs" in edge.log_text(),
                   timeout=10, message="remote-as warnings logged")
    edge.config(["router bgp 65010", "address-family ipv4 unicast",
                 "no neighbor 192.0.2.5 weight 100"])
    lab.wait_until(lambda: "health warning weightSet cleared"
                   in edge.log_text(), timeout=10,
                   message="weightSet cleared")
    # in the order of one evaluation (the three changes above may fall
    # into two)
    cap.put("health-log", "".join(cap.log_lines(
        edge, r"erpolicy: default: health warning " + pat) for pat in (
            r"vpnTimers", r"erNoBfd: \S+ neighbor 192\.0\.2\.5",
            r"weightSet: ", r"vpnRemoteAs", r"erRemoteAs",
            r"weightSet cleared")))


def scenario_events(lab, cap):
    """A failover, ExpressRoute back with a 10 s hold-down, a flap during
    it, the fail-back, a drain and an undrain."""
    conf = EXAMPLE.replace("erpolicy failback hold-down 60 maximum 600",
                           "erpolicy failback hold-down 10 maximum 40")
    edge, msee1, msee2, vpngw = build(lab, edge_conf=conf)
    up(lab, edge, msee2, vpngw)
    # MSEE 1 first, then MSEE 2: the failover's cause is MSEE 2
    edge.er_links[0].set_carrier(False)
    lab.wait_until(lambda: accepted(edge, "192.0.2.1") == 0, timeout=30)
    edge.er_links[1].set_carrier(False)
    lab.wait_until(state_is(edge, "vpn"), timeout=30, message="failover")
    time.sleep(1)
    edge.er_links[0].set_carrier(True)
    lab.wait_until(state_is(edge, "hold-down"), timeout=60,
                   message="hold-down")
    time.sleep(1)
    edge.er_links[0].set_carrier(False)
    lab.wait_until(state_is(edge, "vpn"), timeout=30, message="flap")
    time.sleep(1)
    edge.er_links[0].set_carrier(True)
    lab.wait_until(state_is(edge, "hold-down"), timeout=60,
                   message="hold-down again")
    lab.wait_until(state_is(edge, "expressroute"), timeout=40,
                   message="fail-back after 20 s")
    time.sleep(2)
    edge.config(["router bgp 65010", "erpolicy drain expressroute"])
    lab.wait_until(state_is(edge, "drained"), timeout=10, message="drained")
    time.sleep(2)
    edge.config(["router bgp 65010", "no erpolicy drain expressroute"])
    lab.wait_until(state_is(edge, "expressroute"), timeout=10)
    time.sleep(1)
    cap.show(edge, "show bgp erpolicy events", "events")
    js = edge.show_json("show bgp erpolicy events")
    merged = {}
    for ev in js["events"]:
        merged.update(ev)
    cap.keys["events"] = merged
    cap.show(edge, "show bgp erpolicy events json", "events-json-excerpt",
             keep=one_event("hold-down-expired"))
    cap.put("events-log", cap.log_lines(
        edge, r"erpolicy: default ipv4 (failover:|ExpressRoute held down|"
              r"hold-down-start:)"))
    cap.put("symmetric-log", cap.log_lines(
        edge, r"erpolicy: default ipv4 (withdraw-from-er|restore-to-er):"))


def scenario_overlaps(lab, cap):
    """Azure sends an on-prem prefix (MSEE 1), an ExpressRoute-only
    10.100.8.0/24 (MSEE 1) and a VPN-only 10.100.7.0/24; debugging on."""
    edge, msee1, msee2, vpngw = build(
        lab, msee1_nets=AZURE_NETS + ("10.100.8.0/24", "172.16.99.0/24"),
        vpngw_nets=AZURE_NETS + ("10.100.7.0/24",))
    edge.vty("debug bgp erpolicy")
    up(lab, edge, msee2, vpngw, counts={"192.0.2.1": 4, VPN_ADDR: 4})
    time.sleep(11)   # the overlap summary is logged at most every 10 s
    cap.show(edge, "show bgp erpolicy prefixes", "prefixes")
    js = edge.show_json("show bgp erpolicy prefixes")
    merged = {}
    for p in js["prefixes"]:
        merged.update(p)
    cap.keys["prefixes"] = merged
    cap.show(edge, "show bgp erpolicy overlaps", "overlaps")
    cap.show(edge, "show bgp erpolicy overlaps json", "overlaps-json")
    cap.keys["overlaps"] = edge.show_json("show bgp erpolicy overlaps")
    cap.put("overlaps-log", cap.log_lines(
        edge, r"erpolicy: default: (\d+ Azure prefixes overlap|"
              r"ExpressRoute and VPN carry)"))
    cap.put("onprem-log", cap.log_lines(
        edge, r"erpolicy: 192\.0\.2\.1 \(expressroute\) sent 172\.16\.99"))
    # debugging on from enable mode (above): in show debugging, not in
    # the configuration; from configuration mode: in it
    cap.put("show-debugging", "edge# show debugging\n" +
            vtysh_run(edge, ["-c", "show debugging"]))
    out = vtysh_run(edge, ["-c", "configure terminal", "-c",
                           "debug bgp erpolicy", "-c", "end", "-c",
                           "show running-config"])
    cap.put("debug-running-config",
            "edge# configure terminal\nedge(config)# debug bgp erpolicy\n"
            "edge(config)# end\nedge# show running-config\n...\n" +
            "".join(ln + "\n" for ln in out.split("\n")
                    if ln.startswith("debug ")) + "...")
    # a change of what is advertised and accepted: re-evaluations, and a
    # /25 that the operator's TO-AZURE (le 24) denies
    edge.exec(["ip", "route", "add", "blackhole", "172.16.2.128/25"])
    edge.config(["router bgp 65010",
                 "erpolicy onprem-prefix 172.16.0.0/12 le 25",
                 "erpolicy azure-prefix 10.102.0.0/16",
                 "address-family ipv4 unicast",
                 "network 172.16.2.128/25"])
    lab.wait_until(lambda: re.search(r"192\.0\.2\.1: .*172\.16\.2\.128/25: "
                                     r"route-map TO-AZURE", edge.log_text()),
                   timeout=30, message="TO-AZURE's verdict logged")
    time.sleep(2)
    cap.put("debug-log", "".join(
        cap.log_lines(edge, pat).split("\n")[0] + "\n" for pat in (
            r"erpolicy: 192\.0\.2\.1 \(expressroute\): denied 172\.16\.99",
            r"erpolicy: 10\.100\.255\.254 \(vpn\): not advertising "
            r"192\.168\.50\.0/24",
            r"erpolicy: 192\.0\.2\.1: .*172\.16\.2\.128/25: route-map TO-AZURE",
            r"erpolicy: 192\.0\.2\.1 IPv4: re-evaluating received")))


GR_LINES = " bgp graceful-restart\n bgp graceful-restart restart-time 60\n"


def scenario_graceful_restart(lab, cap):
    """Graceful restart negotiated with MSEE 1 (both sides "bgp
    graceful-restart", its restart time 60 s; no BFD on that session, so
    that the closed connection ends it): MSEE 2's link cut, then MSEE 1's
    bgpd killed."""
    conf = EXAMPLE.replace(" bgp router-id 172.16.0.1\n",
                           " bgp router-id 172.16.0.1\n" + GR_LINES)
    conf = conf.replace(" neighbor 192.0.2.1 bfd\n", "")
    edge, msee1, msee2, vpngw = build(lab, edge_conf=conf,
                                      msee1_extra=GR_LINES)
    up(lab, edge, msee2, vpngw)
    cap.show(edge, "show bgp erpolicy", "gr-warning",
             keep=grep(r"Warning: .*graceful restart"))
    edge.er_links[1].set_carrier(False)
    lab.wait_until(lambda: accepted(edge, "192.0.2.5") == 0, timeout=30)
    msee1.kill_daemon("bgpd")
    lab.wait_until(lambda: "kept stale by graceful restart"
                   in edge.log_text(), timeout=30,
                   message="stale routes logged")
    lab.wait_until(state_is(edge, "vpn"), timeout=30, message="failover")
    time.sleep(2)
    cap.put("stale-log", cap.log_lines(edge, r"kept stale by graceful"))
    cap.show(edge, "show bgp ipv4 unicast 10.100.1.0/24", "stale-route")
    cap.show(edge, "show bgp erpolicy prefixes", "stale-prefixes")


def old_configuration():
    """The example as 0.x saved it: generated names with '+', no
    ``erpolicy neighbor X route-map`` lines, defaults left out."""
    old = EXAMPLE
    for a in ER_ADDRS:
        old = old.replace(
            "  neighbor %s route-map erpolicy-expressroute in\n" % a,
            "  neighbor %s route-map erpolicy-expressroute+ER-IN in\n" % a)
        old = old.replace(
            "  neighbor %s route-map erpolicy-out-expressroute out\n" % a,
            "  neighbor %s route-map erpolicy-out-expressroute+TO-AZURE out\n"
            % a)
        old = old.replace(" erpolicy neighbor %s route-map ER-IN in\n" % a,
                          "")
        old = old.replace(" erpolicy neighbor %s route-map TO-AZURE out\n"
                          % a, "")
    return old.replace(" erpolicy local-preference expressroute 200 "
                       "vpn 100\n", "")


def scenario_upgrade(lab, cap):
    """A 0.x configuration booted with this module; the migration script;
    the rewritten file booted."""
    old = old_configuration()
    edge, msee1, msee2, vpngw = build(lab, edge_conf=old)
    up(lab, edge, msee2, vpngw, counts={"192.0.2.1": 0, "192.0.2.5": 0},
       advertised=None)
    cap.show(edge, "show bgp erpolicy", "erpolicy-legacy")
    cap.put("legacy-log", cap.log_lines(
        edge, r"which bgpd_erpolicy no\s+longer builds", strip_time=False))
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "frr.conf")
        with open(path, "w") as f:
            f.write(old)
        tool = os.path.join(ROOT, "scripts", "erpolicy-migrate-config")
        proc = subprocess.run([tool, "frr.conf"], cwd=d, capture_output=True,
                              text=True)
        with open(os.path.join(d, "frr.conf.new"), "w") as f:
            f.write(proc.stdout)
        cap.put("migrate-stderr", "$ scripts/erpolicy-migrate-config "
                "frr.conf > frr.conf.new\n" + proc.stderr)
        diff = subprocess.run(["diff", "frr.conf", "frr.conf.new"], cwd=d,
                              capture_output=True, text=True)
        cap.put("migrate-diff", "$ diff frr.conf frr.conf.new\n" +
                diff.stdout)
        edge.write_conf("bgpd", proc.stdout)
    edge.restart_daemon("bgpd")
    lab.wait_until(azure.established(edge, ALL_ADDRS), timeout=60)
    lab.wait_until(lambda: all(accepted(edge, a) == 3 for a in ALL_ADDRS),
                   timeout=60, message="3 prefixes from each")
    time.sleep(2)
    cap.show(edge, "show bgp erpolicy", "erpolicy-migrated",
             keep=from_line(r"^Neighbor "))


def scenario_handwritten(lab, cap):
    """A frr.conf written by hand from the 0.x guide: no erpolicy-* map
    lines, the operator's maps attached directly."""
    old = "".join(
        line for line in EXAMPLE.splitlines(keepends=True)
        if "route-map erpolicy-" not in line
        and not line.startswith(" erpolicy neighbor 192.0.2.1 route-map")
        and not line.startswith(" erpolicy neighbor 192.0.2.5 route-map"))
    for a in ER_ADDRS:
        old = old.replace(
            "  neighbor %s soft-reconfiguration inbound\n" % a,
            "  neighbor %s soft-reconfiguration inbound\n"
            "  neighbor %s route-map ER-IN in\n"
            "  neighbor %s route-map TO-AZURE out\n" % (a, a, a))
    edge, msee1, msee2, vpngw = build(lab, edge_conf=old)
    up(lab, edge, msee2, vpngw, counts={VPN_ADDR: 0}, advertised=None)
    cap.show(edge, "show bgp summary", "summary-handwritten",
             keep=from_line(r"^Neighbor "))


SCENARIOS = {"example": scenario_example, "commands": scenario_commands,
             "states": scenario_states, "events": scenario_events,
             "overlaps": scenario_overlaps,
             "graceful-restart": scenario_graceful_restart,
             "upgrade": scenario_upgrade,
             "handwritten": scenario_handwritten}


# ---------------------------------------------------------------------------
# the guide

MARK = re.compile(r"^(\s*)\.\. (sample|keys): ([\w.-]+)\s*$")


class Block:
    def __init__(self, kind, name, mark, start, end, indent):
        self.kind, self.name, self.mark = kind, name, mark
        self.start, self.end, self.indent = start, end, indent

    def text(self, lines):
        return "\n".join(ln[self.indent:] if ln.strip() else ""
                         for ln in lines[self.start:self.end]) + "\n"


def indent_of(line):
    return len(line) - len(line.lstrip())


def blocks(lines):
    """The marked blocks of the guide: for ``sample``, the literal block
    after the bare ``::``; for ``keys``, the list-table after it."""
    out = []
    for i, line in enumerate(lines):
        m = MARK.match(line)
        if not m:
            continue
        kind, name, base = m.group(2), m.group(3), len(m.group(1))
        j = i + 1
        while j < len(lines) and not lines[j].strip():
            j += 1
        head = lines[j].strip() if j < len(lines) else ""
        want = "::" if kind == "sample" else ".. list-table::"
        if not head.startswith(want) or (kind == "sample" and head != "::"):
            raise SystemExit("%s line %d: '.. %s: %s' must be followed by "
                             "'%s'" % (DOC, i + 1, kind, name, want))
        j += 1
        if kind == "keys":     # options of the directive
            while j < len(lines) and lines[j].strip().startswith(":"):
                j += 1
        while j < len(lines) and not lines[j].strip():
            j += 1
        ind = indent_of(lines[j])
        if ind <= base:
            raise SystemExit("%s line %d: empty block after '.. %s: %s'"
                             % (DOC, i + 1, kind, name))
        k = j
        while k < len(lines) and (not lines[k].strip()
                                  or indent_of(lines[k]) >= ind):
            k += 1
        while k > j and not lines[k - 1].strip():
            k -= 1
        out.append(Block(kind, name, i, j, k, ind))
    names = [b.kind + ":" + b.name for b in out]
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        raise SystemExit("%s: marked twice: %s" % (DOC, ", ".join(sorted(dup))))
    return out


# --- JSON key tables


def table_rows(text):
    """list-table rows as lists of cell texts."""
    rows, cell = [], None
    for line in text.split("\n"):
        m = re.match(r"^\s*\* - (.*)$", line)
        if m:
            rows.append([m.group(1)])
            continue
        m = re.match(r"^\s*- (.*)$", line)
        if m and rows:
            rows[-1].append(m.group(1))
            continue
        if rows and line.strip():
            rows[-1][-1] += " " + line.strip()
    return rows


def documented_keys(first_cell):
    """``a.b``, ``.c`` -> a.b, a.c; ``x[]`` stays x[]."""
    keys, parent = [], ""
    for tok in re.findall(r"``([^`]+)``", first_cell):
        if tok.startswith("."):
            tok = parent + tok
        keys.append(tok)
        parent = tok.rsplit(".", 1)[0] if "." in tok else ""
    return keys


def real_keys(obj, documented, prefix=""):
    out = set()
    for k, v in obj.items():
        path = prefix + k
        if path in documented or path + "[]" in documented:
            out.add(path + "[]" if isinstance(v, list) else path)
        elif isinstance(v, dict) and v:
            out |= real_keys(v, documented, path + ".")
        elif isinstance(v, list):
            out.add(path + "[]")
        else:
            out.add(path)
    return out


def check_keys(block, lines, obj):
    rows = table_rows(block.text(lines))[1:]  # without the header row
    if block.name == "reasons":
        doc = {}
        for row in rows:
            for key in documented_keys(row[0]):
                doc[key] = set(re.findall(r"\b(in|out)\b", row[1]))
        real = {}
        for d, counters in obj.items():
            for key in counters:
                real.setdefault(key, set()).add(d)
        if doc == real:
            return []
        return ["%s: documented %s, real %s" % (
            k, "/".join(sorted(doc.get(k, ()))) or "-",
            "/".join(sorted(real.get(k, ()))) or "-")
            for k in sorted(set(doc) | set(real))
            if doc.get(k) != real.get(k)]
    doc = set()
    for row in rows:
        doc.update(documented_keys(row[0]))
    real = real_keys(obj, doc)
    return (["in the guide, not in the JSON: %s" % k
             for k in sorted(doc - real)] +
            ["in the JSON, not in the guide: %s" % k
             for k in sorted(real - doc)])


# ---------------------------------------------------------------------------


def produce(names, dump=None):
    cap = Capture()
    for name in names:
        t0 = time.monotonic()
        with labmod.Lab("guide-" + name) as lab:
            SCENARIOS[name](lab, cap)
        sys.stderr.write("guide-samples: %s: %.0f s\n"
                         % (name, time.monotonic() - t0))
    if dump:
        os.makedirs(dump, exist_ok=True)
        for n, text in cap.samples.items():
            with open(os.path.join(dump, n + ".txt"), "w") as f:
                f.write(text)
    return cap


def compare(lines, cap, complete=True):
    """Problems of the guide (its lines) against the samples of a run, and
    the names of the samples that differ.  ``complete``: the run had every
    scenario, so a marked block nobody produced is a problem too."""
    marked = blocks(lines)
    problems = list(cap.problems)
    samples = {b.name: b for b in marked if b.kind == "sample"}
    keys = {b.name: b for b in marked if b.kind == "keys"}
    for name in cap.samples:
        if name not in samples:
            problems.append("sample %s: produced, but the guide has no "
                            "'.. sample: %s' block" % (name, name))
    for name in cap.keys:
        if name not in keys:
            problems.append("keys %s: produced, but the guide has no "
                            "'.. keys: %s' table" % (name, name))
    if complete:
        for name in samples:
            if name not in cap.samples:
                problems.append("sample %s: in the guide, no scenario "
                                "produces it" % name)
        for name in keys:
            if name not in cap.keys:
                problems.append("keys %s: in the guide, no scenario "
                                "produces its JSON" % name)
    for name, block in keys.items():
        if name in cap.keys:
            for p in check_keys(block, lines, cap.keys[name]):
                problems.append("keys %s (line %d): %s"
                                % (name, block.mark + 1, p))
    changed = []
    for name, block in samples.items():
        if name not in cap.samples:
            continue
        have = normalise(block.text(lines))
        want = normalise(cap.samples[name].expandtabs())
        if have == want:
            continue
        changed.append(name)
        diff = difflib.unified_diff(have.split("\n"), want.split("\n"),
                                    "guide", "module", lineterm="", n=2)
        problems.append("sample %s (line %d) differs (normalised; - guide, "
                        "+ module):\n%s" % (name, block.mark + 1,
                                             "\n".join(diff)))
    return problems, changed


def write(lines, cap, changed):
    samples = {b.name: b for b in blocks(lines) if b.kind == "sample"}
    for block in sorted((samples[n] for n in changed),
                        key=lambda b: -b.start):
        pad = " " * block.indent
        new = [pad + ln.rstrip() if ln.strip() else ""
               for ln in cap.samples[block.name].expandtabs()
               .rstrip("\n").split("\n")]
        lines[block.start:block.end] = new
    return lines


def main(argv):
    ap = argparse.ArgumentParser(
        description=__doc__ % {"scenarios": ", ".join(SCENARIOS)},
        formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true")
    mode.add_argument("--check", action="store_true")
    ap.add_argument("--only", nargs="+", choices=list(SCENARIOS))
    ap.add_argument("--doc", default=DOC)
    ap.add_argument("--dump", help="also write each sample to DIR/NAME.txt")
    args = ap.parse_args(argv[1:])

    with open(args.doc) as f:
        lines = f.read().split("\n")
    blocks(lines)   # a malformed marker fails before any lab is built
    cap = produce(args.only or list(SCENARIOS), args.dump)
    problems, changed = compare(lines, cap, complete=not args.only)
    if args.write:
        if changed:
            with open(args.doc, "w") as f:
                f.write("\n".join(write(lines, cap, changed)))
            print("guide-samples: rewrote %d blocks of %s: %s"
                  % (len(changed), args.doc, ", ".join(changed)))
        problems = [p for p in problems if not p.startswith("sample ")
                    or " differs " not in p]
    for p in problems:
        print("guide-samples: " + p)
    print("guide-samples: %d samples, %d key tables, %d problems"
          % (len(cap.samples), len(cap.keys), len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
