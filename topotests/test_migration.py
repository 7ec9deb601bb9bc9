"""Issue 11: a router whose configuration was written by bgpd_erpolicy 0.x
(generated map names such as erpolicy-expressroute+ER-IN).

With the current module such a name resolves to no map: bgpd denies every
route through it (fail closed) and the module says what to change, in
"show bgp erpolicy" and in the log.  scripts/erpolicy-migrate-config
rewrites the file; booted from the rewritten file the router has the policy
the old configuration meant.
"""

import os
import subprocess

from lib import azure

ER = azure.PEERS["msee1"]
VPN = azure.PEERS["vpngw"]
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MIGRATE = os.path.join(ROOT, "scripts", "erpolicy-migrate-config")

USER_MAPS = """\
route-map ER-IN permit 10
 set community 65010:99
!
route-map TO-AZURE permit 10
!
"""

# what bgpd_erpolicy 0.x wrote into the running configuration
OLD_V4 = (f"  neighbor {ER[1]} route-map erpolicy-expressroute+ER-IN in\n"
          f"  neighbor {ER[1]} route-map erpolicy-out-expressroute+TO-AZURE out\n"
          f"  neighbor {VPN[1]} route-map erpolicy-vpn in\n"
          f"  neighbor {VPN[1]} route-map erpolicy-out-vpn+TO-AZURE out\n")
OLD_V6 = (f"  neighbor {ER[3]} route-map erpolicy-expressroute in\n"
          f"  neighbor {ER[3]} route-map erpolicy-out-expressroute out\n"
          f"  neighbor {VPN[3]} route-map erpolicy-vpn in\n"
          f"  neighbor {VPN[3]} route-map erpolicy-out-vpn out\n")


def old_conf():
    return azure.edge_conf(["msee1", "vpngw"], before=USER_MAPS,
                           ipv4_extra=OLD_V4, ipv6_extra=OLD_V6,
                           attach=False)


def test_migrate_script_rewrites_old_names(tmp_path):
    path = tmp_path / "bgpd.conf"
    path.write_text(old_conf())
    p = subprocess.run([MIGRATE, str(path)], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    new = p.stdout
    assert "+ER-IN" not in new and "+TO-AZURE" not in new
    assert f"  neighbor {ER[1]} route-map erpolicy-expressroute in\n" in new
    assert f"  neighbor {VPN[1]} route-map erpolicy-out-vpn out\n" in new
    assert f" erpolicy neighbor {ER[1]} route-map ER-IN in\n" in new
    assert f" erpolicy neighbor {ER[1]} route-map TO-AZURE out\n" in new
    assert f" erpolicy neighbor {VPN[1]} route-map TO-AZURE out\n" in new
    # the declaration comes before the map line that needs it
    assert new.index(f" erpolicy neighbor {ER[1]} path") < \
        new.index(f" erpolicy neighbor {ER[1]} route-map ER-IN in")
    # a second run finds nothing to do
    path.write_text(new)
    p2 = subprocess.run([MIGRATE, str(path)], capture_output=True, text=True)
    assert p2.returncode == 0 and p2.stdout == new
    assert "nothing to change" in p2.stderr

    # a VRF's names carried "@VRF"; a name split at '+' inside the VRF
    # name is no problem, the VRF comes from "router bgp ... vrf"
    vrf = ("router bgp 65010 vrf a+b\n address-family ipv4 unicast\n"
           "  neighbor 192.0.2.1 route-map erpolicy-vpn@a+b+MINE in\n"
           "  neighbor 192.0.2.1 route-map erpolicy-out-vpn@a+b out\n"
           " exit-address-family\n erpolicy neighbor 192.0.2.1 path vpn\n"
           "exit\n")
    path.write_text(vrf)
    p = subprocess.run([MIGRATE, str(path)], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert "route-map erpolicy-vpn in\n" in p.stdout
    assert "route-map erpolicy-out-vpn out\n" in p.stdout
    assert " erpolicy neighbor 192.0.2.1 route-map MINE in\n" in p.stdout

    # two address families with different operator maps: cannot be
    # expressed per neighbor, refused with the reason
    two = ("router bgp 65010\n address-family ipv4 unicast\n"
           "  neighbor G route-map erpolicy-vpn+A in\n"
           " exit-address-family\n address-family ipv6 unicast\n"
           "  neighbor G route-map erpolicy-vpn+B in\n"
           " exit-address-family\nexit\n")
    path.write_text(two)
    p = subprocess.run([MIGRATE, "--in-place", str(path)],
                       capture_output=True, text=True)
    assert p.returncode == 1 and "merge them" in p.stderr, p.stderr
    assert path.read_text() == two


# what the 0.x user guide had operators write: their own maps in the
# declared neighbors' slots (0.x wrapped them), no module map at all
HANDWRITTEN_V4 = (f"  neighbor {ER[1]} route-map ER-IN in\n"
                  f"  neighbor {ER[1]} route-map TO-AZURE out\n")


def handwritten_conf():
    return azure.edge_conf(["msee1", "vpngw"], before=USER_MAPS,
                           ipv4_extra=HANDWRITTEN_V4, attach=False)


def test_migrate_script_handwritten_0x_file(tmp_path):
    path = tmp_path / "frr.conf"
    path.write_text(handwritten_conf())
    p = subprocess.run([MIGRATE, str(path)], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    new = p.stdout
    assert f"  neighbor {ER[1]} route-map ER-IN in\n" not in new
    assert f" erpolicy neighbor {ER[1]} route-map ER-IN in\n" in new
    assert f" erpolicy neighbor {ER[1]} route-map TO-AZURE out\n" in new
    # every declared, activated neighbor gets the module's maps, once
    for addr, role in ((ER[1], "expressroute"), (ER[3], "expressroute"),
                       (VPN[1], "vpn"), (VPN[3], "vpn")):
        assert new.count(f"  neighbor {addr} route-map erpolicy-{role} in\n") \
            == 1, addr
        assert new.count(
            f"  neighbor {addr} route-map erpolicy-out-{role} out\n") == 1
    p = subprocess.run([MIGRATE, "--bogus"], capture_output=True, text=True)
    assert p.returncode == 2 and "usage:" in p.stderr


def test_handwritten_0x_file_is_reported_in_show_and_log(lab):
    r = azure.build(lab, names=["msee1", "vpngw"],
                    edge_bgpd=handwritten_conf())
    lab.start()
    edge = r["edge"]
    lab.wait_until(azure.established(edge, [ER[1], VPN[1]]), timeout=30)
    st = azure.erpolicy(edge)
    missing = {(w["neighbor"], "ER-IN" in w["message"])
               for w in st["healthWarnings"]
               if w["check"] == "policyNotAttached"}
    assert (ER[1], True) in missing and (VPN[1], False) in missing, st
    lab.wait_until(lambda: "has route-map ER-IN in: the policy is not "
                   "applied" in edge.log_text(), timeout=5,
                   message="logged")


def test_old_config_fails_closed_and_says_what_to_change(lab):
    r = azure.build(lab, names=["msee1", "vpngw"], edge_bgpd=old_conf())
    lab.start()
    edge = r["edge"]
    lab.wait_until(azure.established(edge, [ER[1], VPN[1]]), timeout=30)
    st = azure.erpolicy(edge)
    legacy = [w for w in st["healthWarnings"]
              if w["check"] == "legacyRouteMap"]
    assert {w["neighbor"] for w in legacy} == {ER[1], VPN[1]}, legacy
    msg = [w["message"] for w in legacy if w["neighbor"] == ER[1]][0]
    assert "erpolicy-expressroute+ER-IN" in msg and "upgrade" in msg, msg
    # ... also in the log, without anyone asking
    lab.wait_until(lambda: "erpolicy-expressroute+ER-IN" in edge.log_text(),
                   timeout=5, message="logged")
    # fail closed: the ER routes are denied (no such map)
    assert azure.path_from(edge, "10.100.1.0/24", ER[1]) is None

    # migrated and booted again: the policy the old file meant
    path = os.path.join(edge.dir, "migrated.conf")
    with open(path, "w") as f:
        f.write(old_conf())
    p = subprocess.run([MIGRATE, "--in-place", path], capture_output=True,
                       text=True)
    assert p.returncode == 0, p.stderr
    with open(path) as f:
        edge.write_conf("bgpd", f.read())
    edge.restart_daemon("bgpd")
    lab.wait_until(lambda: (azure.best_path(edge, "10.100.1.0/24") or {})
                   .get("peer", {}).get("peerId") == ER[1], timeout=30,
                   message="ER best after migration")
    best = azure.best_path(edge, "10.100.1.0/24")
    assert best["locPrf"] == 200
    assert "65010:99" in best["community"]["string"]
    assert azure.path_from(edge, "10.100.1.0/24", VPN[1])["locPrf"] == 100
    st = azure.erpolicy(edge)
    assert [w for w in st["healthWarnings"]
            if w["check"] in ("legacyRouteMap", "policyNotAttached")] == []
