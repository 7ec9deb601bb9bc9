"""Issue 13: FRR 10.3's own daemons run from the Debian 13 root.

Two routers in network namespaces, each with zebra and bgpd of Debian 13's
frr 10.3-3+deb13u1 started through scripts/in-target.sh (no module loaded:
this checks the target's infrastructure, not the port).  It shows that

* the daemons are the root's (``show version`` says 10.3, through the root's
  own ``vtysh``, and through the lab's direct vty client);
* an eBGP session comes up, a prefix crosses it and the receiving zebra
  installs it in its namespace's kernel table;
* after the lab stops: no daemon, no namespace and no mount below the root is
  left (the mounts of in-target.sh live in private mount namespaces).

Skipped when the root is not built (``scripts/target-root.sh frr-10.3``).
"""

import os
import subprocess

import pytest

from lib import lab as labmod
from lib.lab import Lab, wait_until

TARGET = "frr-10.3"
ROOT = labmod.target_root(TARGET)
VERSION = "10.3-3+deb13u1"

pytestmark = pytest.mark.skipif(
    not os.path.exists(os.path.join(ROOT, ".erp-root-complete")),
    reason="the %s root is not built (scripts/target-root.sh %s)"
    % (TARGET, TARGET))

R1 = """\
router bgp 65001
 bgp router-id 10.0.0.1
 no bgp network import-check
 neighbor 10.0.12.2 remote-as 65002
 neighbor 10.0.12.2 timers 3 9
 neighbor 10.0.12.2 timers connect 1
 address-family ipv4 unicast
  neighbor 10.0.12.2 route-map ALL in
  neighbor 10.0.12.2 route-map ALL out
 exit-address-family
"""
R2 = """\
router bgp 65002
 bgp router-id 10.0.0.2
 no bgp network import-check
 neighbor 10.0.12.1 remote-as 65001
 neighbor 10.0.12.1 timers 3 9
 neighbor 10.0.12.1 timers connect 1
 address-family ipv4 unicast
  network 10.99.0.0/24
  neighbor 10.0.12.1 route-map ALL in
  neighbor 10.0.12.1 route-map ALL out
 exit-address-family
"""
# route-maps first (see lab-notes: a later one delays the first updates)
ALL = "route-map ALL permit 10\n"


def _mounts_below(path):
    path = os.path.realpath(path)
    with open("/proc/self/mountinfo") as f:
        points = [line.split()[4] for line in f]
    return [p for p in points if p == path or p.startswith(path + "/")]


def test_frr103_zebra_bgpd_vtysh_in_netns():
    lab = Lab("frr103", target=TARGET)
    try:
        r1 = lab.add_router("r1", bgpd_conf=ALL + R1)
        r2 = lab.add_router("r2", bgpd_conf=ALL + R2)
        lab.link(r1, r2, a_addrs=["10.0.12.1/24"], b_addrs=["10.0.12.2/24"])
        lab.start()

        # the daemons are the root's 10.3, not the host's 8.4
        for r in (r1, r2):
            exe = os.readlink("/proc/%d/exe" % r.pid("bgpd"))
            assert exe.startswith(ROOT + "/"), exe
        ver = r1.vty("show version")
        assert "FRRouting 10.3" in ver, ver

        # the root's vtysh answers on the lab's sockets
        out = subprocess.run(
            lab.target_argv(["vtysh", "--vty_socket", r1.dir,
                             "-c", "show version"]),
            capture_output=True, text=True, timeout=30, check=True).stdout
        assert "FRRouting 10.3" in out, out

        wait_until(lambda: r1.bgp_peer_state("10.0.12.2") == "Established",
                   timeout=30, message="r1-r2 eBGP session (FRR 10.3)")
        route = wait_until(lambda: r1.route("10.99.0.0/24"), timeout=15,
                           message="10.99.0.0/24 in r1's kernel table")
        assert route.get("gateway") == "10.0.12.2", route
        assert route.get("protocol") == "bgp", route

        # vtysh again, a show command that only bgpd answers, as JSON
        out = subprocess.run(
            lab.target_argv(["vtysh", "--vty_socket", r1.dir, "-c",
                             "show bgp ipv4 unicast 10.99.0.0/24 json"]),
            capture_output=True, text=True, timeout=30, check=True).stdout
        assert '"aspath"' in out and "65002" in out, out
        pids = lab.pids
        namespaces = list(lab._namespaces)
        assert pids and len(namespaces) == 2
    finally:
        problems = lab.stop()
    assert not problems, problems

    alive = [p for p in pids if os.path.exists("/proc/%d" % p)]
    assert not alive, "daemons left: %s" % alive
    listed = subprocess.run(["ip", "netns", "list"], capture_output=True,
                            text=True, check=True).stdout
    assert not [ns for ns in namespaces if ns in listed.split()], listed
    assert _mounts_below(ROOT) == [], _mounts_below(ROOT)


def test_root_frr_is_the_target_version():
    """The root's frr is exactly the target's version and held there."""
    out = subprocess.run(
        [labmod.IN_TARGET, TARGET, "dpkg-query", "-W",
         "-f=${Version} ${Status}\\n", "frr", "frr-pythontools",
         "frr-snmp", "frr-rpki-rtrlib"],
        capture_output=True, text=True, timeout=60, check=True).stdout
    lines = out.strip().splitlines()
    assert lines == ["%s hold ok installed" % VERSION] * 4, lines
    assert _mounts_below(ROOT) == []
