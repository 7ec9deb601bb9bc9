#!/usr/bin/python3
"""Capture the user guide's command output from the module as built.

The edge router of the guide's "A complete example" (its frr.conf below,
word for word), two emulated MSEEs (192.0.2.1, 192.0.2.5, AS 12076, BFD)
and an emulated VPN gateway (BGP address 10.100.255.254 behind
198.51.100.1, AS 65515, eBGP multihop), each originating 10.100.0.0/16,
10.100.1.0/24 and 10.101.0.0/16, in network namespaces (topotests/lib).

usage: sudo scripts/guide-samples.py OUTDIR [SECTION...]
  sections (default: all): example, commands, usermaps, states, upgrade,
  handwritten
Each capture goes to OUTDIR/NN-name.txt: "ROUTER# CMD" and the output, or
for configuration each line with its prompt and bgpd's answer.  The guide's
blocks are these files as they are (running-config without the two "log"
comment lines of the lab; some blocks only the lines the text names).
Needs the module built (scripts/build.sh); ERPOLICY_MODULEDIR overrides
build/obj/.libs.
"""

import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "topotests"))

from lib import azure, lab as labmod  # noqa: E402

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


def azure_side(asn, rid, peer, extra_nbr=""):
    nets = "".join("  network %s\n" % p for p in AZURE_NETS)
    return f"""\
router bgp {asn}
 bgp router-id {rid}
 no bgp default ipv4-unicast
 no bgp ebgp-requires-policy
 no bgp network import-check
 neighbor {peer} remote-as 65010
 neighbor {peer} timers connect 5
{extra_nbr} address-family ipv4 unicast
  neighbor {peer} activate
{nets} exit-address-family
!
"""


class Capture:
    def __init__(self, outdir):
        self.outdir = outdir
        self.n = 0
        os.makedirs(outdir, exist_ok=True)

    def save(self, name, text):
        self.n += 1
        path = os.path.join(self.outdir, "%02d-%s.txt" % (self.n, name))
        with open(path, "w") as f:
            f.write(text)
        return text

    def show(self, router, cmd, name, prompt=None):
        status, out = router.vty_raw(cmd)
        prompt = prompt or router.name
        return self.save(name, "%s# %s\n%s" % (prompt, cmd, out))

    def config(self, router, lines, name):
        """Each line in "configure terminal", with the prompt vtysh would
        show, what bgpd answered and, if not 0, its status."""
        text, mode = "", "config"
        with router.client() as c:
            c.cmd("configure terminal")
            for line in lines:
                status, out = c.cmd(line)
                text += "%s(%s)# %s\n%s" % (router.name, mode, line, out)
                if status:
                    text += "[status %d]\n" % status
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
        return self.save(name, text)


def build(lab, edge_conf=EXAMPLE):
    edge = lab.add_router("edge", bgpd_conf=edge_conf,
                          bgpd_args=azure.module_args(), bfd=True)
    msee1 = lab.add_router("msee1", bfd=True, bgpd_conf=azure_side(
        12076, "192.0.2.1", "192.0.2.2", " neighbor 192.0.2.2 bfd\n"))
    msee2 = lab.add_router("msee2", bfd=True, bgpd_conf=azure_side(
        12076, "192.0.2.5", "192.0.2.6", " neighbor 192.0.2.6 bfd\n"))
    vpngw = lab.add_router("vpngw", bgpd_conf=azure_side(
        65515, "10.100.255.254", "198.51.100.2",
        " neighbor 198.51.100.2 ebgp-multihop 2\n"
        " neighbor 198.51.100.2 update-source 10.100.255.254\n"))
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
    return edge, msee1, msee2, vpngw


def up(lab, edge):
    lab.wait_until(azure.established(
        edge, ["192.0.2.1", "192.0.2.5", "10.100.255.254"]), timeout=60)

    def settled():
        st = azure.erpolicy(edge)
        afs = [n["addressFamilyInfo"]["ipv4Unicast"]
               for n in st["neighbors"].values()]
        return all(af["acceptedPrefixCounter"] == 3 and
                   af["sentPrefixCounter"] == 2 for af in afs)
    lab.wait_until(settled, timeout=30, message="3 in, 2 out each")
    time.sleep(2)


def section_example(lab, cap):
    edge, msee1, msee2, vpngw = build(lab)
    lab.start()
    cap.save("example-conf", EXAMPLE)
    cap.show(edge, "show running-config", "running-config")
    up(lab, edge)
    cap.show(edge, "show running-config", "running-config-up")
    cap.show(edge, "show bgp erpolicy", "erpolicy")
    cap.show(edge, "show bgp erpolicy neighbor 192.0.2.1", "nbr-msee1")
    cap.show(edge, "show bgp erpolicy neighbor 10.100.255.254", "nbr-vpngw")
    cap.show(edge, "show bgp erpolicy neighbor 203.0.113.77", "nbr-missing")
    cap.show(edge, "show bgp erpolicy neighbor 203.0.113.77 json",
             "nbr-missing-json")
    cap.show(edge, "show bgp erpolicy json", "erpolicy-json")
    cap.show(edge, "show route-map erpolicy-expressroute", "route-map")
    cap.show(edge, "show bgp neighbors 192.0.2.1", "bgp-neighbor")
    cap.show(edge, "show bgp ipv4 unicast 10.100.1.0/24", "bgp-route")
    cap.show(vpngw, "show bgp ipv4 unicast", "vpngw-table")
    cmd = "show yang operational-data /frr-bgp-erpolicy:erpolicy-state bgpd"
    out = edge.exec(["vtysh", "--vty_socket", edge.dir, "-c", cmd])
    cap.save("yang-state", "$ vtysh -c '%s'\n%s" % (cmd, out.stdout))
    cap.show(edge, "show bgp summary", "summary")
    cap.show(edge, "show bgp vrf blue erpolicy", "vrf-blue")


def section_commands(lab, cap):
    """Errors and notes of the erpolicy neighbor commands, health
    warnings after changes to the attachments."""
    edge, msee1, msee2, vpngw = build(lab)
    lab.start()
    up(lab, edge)
    cap.config(edge, [
        "router bgp 65010",
        "erpolicy neighbor 192.0.2.300 path vpn",
        "erpolicy neighbor 192.0.2.1 path vpn",
        "no erpolicy neighbor 192.0.2.1 path vpn",
        "no erpolicy neighbor 203.0.113.9",
        "erpolicy neighbor 203.0.113.9 route-map ER-IN in",
        "erpolicy neighbor 192.0.2.1 route-map erpolicy-expressroute in",
        "erpolicy neighbor 203.0.113.9 path expressroute",
        "no erpolicy neighbor 203.0.113.9",
        "neighbor 203.0.113.10 remote-as 65515",
        "address-family ipv4 unicast",
        "neighbor 203.0.113.10 activate",
        "exit-address-family",
        "erpolicy neighbor 203.0.113.10 path vpn",
        "no neighbor 203.0.113.10",
        "no erpolicy neighbor 203.0.113.10",
        "erpolicy neighbor 192.0.2.1 route-map in",
        "no erpolicy neighbor 192.0.2.1 route-map in",
        "no erpolicy neighbor 192.0.2.1 route-map TO-AZURE out",
        "erpolicy neighbor 192.0.2.1 route-map ER-IN in",
        "erpolicy neighbor 192.0.2.1 route-map TO-AZURE out",
    ], "neighbor-errors")
    cap.show(edge, "show running-config", "running-config-after-errors")
    cap.config(edge, ["route-map erpolicy-expressroute permit 5",
                      "route-map erpolicy-mine permit 10"],
               "reserved-route-map")
    # a declaration removed: the map stays attached and denies
    cap.config(edge, ["router bgp 65010",
                      "no erpolicy neighbor 192.0.2.5"], "undeclare")
    time.sleep(3)
    cap.show(edge, "show bgp erpolicy", "erpolicy-undeclared")
    cap.show(edge, "show bgp erpolicy json", "erpolicy-undeclared-json")
    cap.show(edge, "show bgp ipv4 unicast 10.100.1.0/24", "route-undeclared")
    # declared, but the attachment changed by hand
    cap.config(edge, ["router bgp 65010",
                      "erpolicy neighbor 192.0.2.5 path expressroute",
                      "address-family ipv4 unicast",
                      "no neighbor 192.0.2.5 route-map erpolicy-expressroute in",
                      "neighbor 192.0.2.5 route-map ER-IN in"],
               "detach")
    time.sleep(2)
    cap.show(edge, "show bgp erpolicy", "erpolicy-detached")
    cap.config(edge, ["router bgp 65010", "address-family ipv4 unicast",
                      "no neighbor 192.0.2.5 route-map ER-IN in",
                      "neighbor 192.0.2.5 route-map erpolicy-expressroute in"],
               "reattach")
    time.sleep(2)
    cap.show(edge, "show bgp summary", "summary-before-no")
    cap.config(edge, ["router bgp 65010", "no erpolicy"], "no-erpolicy")
    time.sleep(3)
    cap.show(edge, "show bgp erpolicy", "erpolicy-after-no")
    cap.show(edge, "show bgp summary", "summary-after-no")
    cap.save("edge-log", edge.log_text())


def section_usermaps(lab, cap):
    """An edit of the operator's map; a map name that does not exist."""
    edge, msee1, msee2, vpngw = build(lab)
    lab.start()
    up(lab, edge)
    cap.config(edge, ["ip prefix-list NOT-THIS seq 5 permit 10.100.1.0/24",
                      "route-map ER-IN deny 5",
                      "match ip address prefix-list NOT-THIS"], "edit-er-in")
    t0 = time.monotonic()
    lab.wait_until(lambda: azure.path_from(edge, "10.100.1.0/24",
                                           "192.0.2.1") is None,
                   timeout=30, message="edit of ER-IN applied")
    cap.save("edit-delay", "10.100.1.0/24 from 192.0.2.1 gone %.1f s after "
             "the edit, without clear bgp\n" % (time.monotonic() - t0))
    cap.show(edge, "show bgp erpolicy neighbor 192.0.2.1", "nbr-edited")
    cap.config(edge, ["router bgp 65010",
                      "erpolicy neighbor 192.0.2.5 route-map NO-SUCH-MAP in"],
               "missing-map")
    time.sleep(3)
    cap.show(edge, "show bgp erpolicy neighbor 192.0.2.5", "nbr-missing-map")
    cap.config(edge, ["route-map NO-SUCH-MAP permit 10"], "define-map")
    t0 = time.monotonic()
    lab.wait_until(lambda: azure.path_from(edge, "10.100.1.0/24",
                                           "192.0.2.5") is not None,
                   timeout=30, message="map defined later used")
    cap.save("define-delay", "10.100.1.0/24 from 192.0.2.5 back %.1f s after "
             "the map was defined\n" % (time.monotonic() - t0))


def section_states(lab, cap):
    """show bgp erpolicy during failover, hold-down and drain, and with
    health warnings."""
    edge, msee1, msee2, vpngw = build(lab)
    lab.start()
    up(lab, edge)

    def state(want):
        return lambda: azure.erpolicy(edge)["addressFamilies"]["ipv4"][
            "pathState"] == want
    for link in edge.er_links:
        link.set_carrier(False)
    lab.wait_until(state("vpn"), timeout=30, message="failover")
    time.sleep(2)
    cap.show(edge, "show bgp erpolicy", "erpolicy-failover")
    for link in edge.er_links:
        link.set_carrier(True)
    lab.wait_until(state("hold-down"), timeout=60, message="hold-down")
    lab.wait_until(lambda: all(
        n["addressFamilyInfo"]["ipv4Unicast"]["acceptedPrefixCounter"] == 3
        for n in azure.erpolicy(edge)["neighbors"].values()), timeout=30)
    cap.show(edge, "show bgp erpolicy", "erpolicy-hold-down")
    cap.config(edge, ["router bgp 65010", "erpolicy drain expressroute"],
               "drain")
    lab.wait_until(state("drained"), timeout=10, message="drained")
    time.sleep(1)
    cap.show(edge, "show bgp erpolicy", "erpolicy-drained")
    cap.config(edge, ["router bgp 65010", "no erpolicy drain expressroute",
                      "no neighbor 192.0.2.5 bfd",
                      "neighbor 10.100.255.254 timers 10 30",
                      "address-family ipv4 unicast",
                      "neighbor 192.0.2.5 weight 100"], "warnings")
    edge.er_links[1].set_carrier(False)
    lab.wait_until(lambda: edge.bgp_peer_state("192.0.2.5") != "Established",
                   timeout=30)
    time.sleep(3)
    cap.show(edge, "show bgp erpolicy", "erpolicy-warnings")


def section_upgrade(lab, cap):
    """A 0.x running config: generated names with '+'."""
    old = EXAMPLE
    for a in ("192.0.2.1", "192.0.2.5"):
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
        old = old.replace(" erpolicy local-preference expressroute 200 "
                          "vpn 100\n", "")
    cap.save("old-conf", old)
    edge, msee1, msee2, vpngw = build(lab, edge_conf=old)
    lab.start()
    lab.wait_until(azure.established(
        edge, ["192.0.2.1", "192.0.2.5", "10.100.255.254"]), timeout=60)
    time.sleep(5)
    cap.show(edge, "show bgp erpolicy", "erpolicy-legacy")
    cap.show(edge, "show bgp ipv4 unicast 10.100.1.0/24", "route-legacy")
    cap.save("edge-log-legacy", edge.log_text())
    # rewritten by the migration script and booted again
    path = os.path.join(edge.dir, "migrated.conf")
    with open(path, "w") as f:
        f.write(old)
    subprocess.run([os.path.join(ROOT, "scripts", "erpolicy-migrate-config"),
                    "--in-place", path], check=True, capture_output=True)
    with open(path) as f:
        edge.write_conf("bgpd", f.read())
    edge.restart_daemon("bgpd")
    up(lab, edge)
    cap.show(edge, "show bgp erpolicy", "erpolicy-migrated")


def section_handwritten(lab, cap):
    """A frr.conf written by hand from the 0.x guide: no erpolicy-* map
    lines, the operator's maps attached directly."""
    old = "".join(
        line for line in EXAMPLE.splitlines(keepends=True)
        if "route-map erpolicy-" not in line
        and not line.startswith(" erpolicy neighbor 192.0.2.1 route-map")
        and not line.startswith(" erpolicy neighbor 192.0.2.5 route-map"))
    for a in ("192.0.2.1", "192.0.2.5"):
        old = old.replace(
            "  neighbor %s soft-reconfiguration inbound\n" % a,
            "  neighbor %s soft-reconfiguration inbound\n"
            "  neighbor %s route-map ER-IN in\n"
            "  neighbor %s route-map TO-AZURE out\n" % (a, a, a))
    cap.save("handwritten-conf", old)
    edge, msee1, msee2, vpngw = build(lab, edge_conf=old)
    lab.start()
    lab.wait_until(azure.established(
        edge, ["192.0.2.1", "192.0.2.5", "10.100.255.254"]), timeout=60)
    time.sleep(5)
    cap.show(edge, "show bgp erpolicy", "erpolicy-handwritten")
    cap.show(edge, "show bgp summary", "summary-handwritten")
    cap.show(edge, "show bgp ipv4 unicast 10.100.1.0/24",
             "route-handwritten")


SECTIONS = {"example": section_example, "commands": section_commands,
            "usermaps": section_usermaps, "states": section_states,
            "upgrade": section_upgrade,
            "handwritten": section_handwritten}


def main(argv):
    if len(argv) < 2:
        sys.stderr.write(__doc__)
        return 2
    cap = Capture(argv[1])
    for name in argv[2:] or list(SECTIONS):
        with labmod.Lab("guide") as lab:
            SECTIONS[name](lab, cap)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
