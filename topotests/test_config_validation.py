"""Issue 11: defects of the old configuration model, each reproduced, and
validation that holds for every northbound client.

* route-map names starting with "erpolicy-" are the module's: an operator's
  "route-map erpolicy-expressroute permit 5" slipped in ahead of the
  module's verdict (policy bypass) and, once the module freed its map,
  reached freed entries;
* a configuration command in a "router bgp" node whose instance another
  session deleted enqueued an uninitialised XPath;
* operator map names longer than ~230 characters were truncated inside the
  generated map name (every route denied);
* the checks "a prefix cannot be Azure's and on-prem", "maximum not below
  hold-down" and "one path per neighbor" existed only in the CLI: a
  northbound client (here bgpd's transactional CLI loading a JSON
  configuration, --tcli) got around them.
"""

import json
import os

from lib import azure
from lib import vty as vtyclient

ER = azure.PEERS["msee1"]
VPN = azure.PEERS["vpngw"]


def start(lab, erpolicy_extra="", before=""):
    names = ["msee1", "vpngw"]
    r = azure.build(lab, names=names, edge_bgpd=azure.edge_conf(
        names, before=before,
        erpolicy=azure.erpolicy_lines(names) + erpolicy_extra))
    lab.start()
    edge = r["edge"]
    lab.wait_until(lambda: len(azure.paths(edge, "10.100.1.0/24")) == 2,
                   timeout=30, message="Azure routes from both paths")
    return edge


def lp_of(edge, peer, prefix="10.100.1.0/24"):
    p = azure.path_from(edge, prefix, peer)
    return p.get("locPrf") if p else None


def community_of(edge, peer, prefix="10.100.1.0/24"):
    p = azure.path_from(edge, prefix, peer) or {}
    return p.get("community", {}).get("string")


def test_module_map_names_are_reserved(lab):
    edge = start(lab)
    assert lp_of(edge, ER[1]) == 200
    conf = edge.vty("show running-config")

    for lines in (["route-map erpolicy-expressroute permit 5",
                   "set local-preference 999"],
                  ["route-map erpolicy-out-vpn permit 5"],
                  ["route-map erpolicy-anything permit 10"]):
        status, out = edge.config(lines, check=False)
        assert status != 0, (lines, out)
        assert "reserved for bgpd_erpolicy" in out, out
    status, out = edge.config(["router bgp 65010",
                               "erpolicy neighbor %s route-map "
                               "erpolicy-vpn in" % ER[1]], check=False)
    assert status != 0 and "bgpd_erpolicy's own maps" in out, out
    assert edge.vty("show running-config") == conf
    # the module's maps are as built: three entries each, nothing else
    maps = edge.vty("show route-map erpolicy-expressroute")
    assert maps.count("route-map: erpolicy-expressroute") == 1
    assert maps.count(", sequence ") == 3, maps
    assert lp_of(edge, ER[1]) == 200

    # the old use-after-free: the declaration gone, an edit of the map
    edge.config(["router bgp 65010", "no erpolicy neighbor %s" % ER[1]])
    status, out = edge.config(["route-map erpolicy-expressroute permit 5",
                               "set local-preference 999"], check=False)
    assert status != 0 and "reserved" in out, out
    lab.wait_until(lambda: lp_of(edge, ER[1]) is None, timeout=10,
                   message="ER routes denied (not declared)")
    lab.check_daemons()


def test_config_command_after_instance_deleted(lab):
    edge = start(lab)
    a = vtyclient.VtyClient(edge.vty_socket("bgpd"))
    b = vtyclient.VtyClient(edge.vty_socket("bgpd"))
    try:
        a.check("configure terminal")
        a.check("router bgp 65010")
        b.check("configure terminal")
        b.check("no router bgp 65010")
        for cmd in ("erpolicy local-preference expressroute 300 vpn 100",
                    "erpolicy azure-prefix 10.200.0.0/16",
                    "erpolicy neighbor %s path vpn" % ER[1],
                    "no erpolicy"):
            status, out = a.cmd(cmd)
            assert status != vtyclient.CMD_SUCCESS, (cmd, out)
            assert "no longer exists" in out, (cmd, out)
    finally:
        a.close()
        b.close()
    lab.check_daemons()
    assert edge.show_json("show bgp erpolicy") == {} or \
        "erpolicy is not configured" in edge.vty("show bgp erpolicy")
    assert " erpolicy " not in edge.vty("show running-config")


LONG = "OPERATOR-" + "x" * 291  # 300 characters


def test_long_operator_map_names(lab):
    before = ("route-map %s permit 10\n set community 65010:5\n!\n"
              "route-map %s-OUT permit 10\n set community 65010:6\n!\n"
              % (LONG, LONG))
    edge = start(lab, before=before,
                 erpolicy_extra=" erpolicy neighbor %s route-map %s in\n"
                 % (ER[1], LONG))
    lab.wait_until(lambda: community_of(edge, ER[1]) == "65010:5",
                   timeout=10, message="the operator's map applied")
    assert lp_of(edge, ER[1]) == 200
    st = azure.erpolicy(edge)
    assert st["neighbors"][ER[1]]["userRouteMapIn"] == LONG
    den = st["neighbors"][ER[1]]["addressFamilyInfo"]["ipv4Unicast"][
        "prefixesDenied"]
    assert den["total"] == 0, den
    assert " erpolicy neighbor %s route-map %s in" % (ER[1], LONG) in \
        edge.vty("show running-config")

    edge.config(["router bgp 65010",
                 "no erpolicy neighbor %s route-map %s in" % (ER[1], LONG)])
    lab.wait_until(lambda: community_of(edge, ER[1]) is None, timeout=10,
                   message="the operator's map removed")
    assert lp_of(edge, ER[1]) == 200
    assert " erpolicy neighbor %s route-map" % ER[1] not in \
        edge.vty("show running-config")


def nb_commit(router, obj, name):
    """Load obj (JSON) into a transactional candidate and commit it; the
    commit's output and status.  (The file is in the router's directory:
    bgpd reads it as user frr.)"""
    path = os.path.join(router.dir, name + ".json")
    with open(path, "w") as f:
        json.dump(obj, f)
    os.chmod(path, 0o644)
    with vtyclient.VtyClient(router.vty_socket("bgpd")) as c:
        c.check("configure terminal")
        status, out = c.cmd("configuration load file json %s" % path)
        assert status == vtyclient.CMD_SUCCESS, out
        status, out = c.cmd("commit")
        c.cmd("discard")
    return status, out


def erp(instance):
    instance = dict(instance, vrf="default")
    return {"frr-bgp-erpolicy:erpolicy": {"instance": [instance]}}


def test_northbound_client_gets_the_same_checks(lab):
    """bgpd's transactional CLI (--tcli) loads JSON into a candidate and
    commits it: the module's checks run in the northbound's validation,
    with the CLI's words."""
    r1 = lab.add_router("r1", bgpd_conf="router bgp 65010\n!\n",
                        bgpd_args=azure.module_args() + ["--tcli"])
    lab.start()

    status, out = nb_commit(r1, erp({
        "neighbor": [{"name": "192.0.2.1", "path": "expressroute"}],
        "azure-prefix": [{"prefix": "10.100.0.0/16"}]}), "ok")
    assert status == vtyclient.CMD_SUCCESS, out
    conf = r1.vty("show running-config")
    assert " erpolicy neighbor 192.0.2.1 path expressroute" in conf

    bad = [
        ({"onprem-prefix": [{"prefix": "10.100.0.0/16"}]},
         "10.100.0.0/16 is already an azure-prefix; a prefix cannot be both"),
        ({"failback": {"hold-down": 10, "hold-down-maximum": 5}},
         "maximum 5 must not be below hold-down 10"),
        ({"neighbor": [{"name": "192.0.2.1", "path": "vpn"}]},
         "neighbor 192.0.2.1 is already declared path expressroute"),
        ({"neighbor": [{"name": "192.0.2.1", "path": "expressroute",
                        "route-map-in": "erpolicy-vpn"}]},
         "bgpd_erpolicy's own maps"),
        ({"azure-prefix": [{"prefix": "10.100.0.0/16", "ge": 8}]},
         "ge 8 must be between"),
    ]
    for i, (inst, words) in enumerate(bad):
        status, out = nb_commit(r1, erp(inst), "bad%d" % i)
        assert status != vtyclient.CMD_SUCCESS, (inst, out)
        assert words in out, (inst, out)
        assert r1.vty("show running-config") == conf, inst
    status, out = nb_commit(r1, {"frr-route-map:lib": {"route-map": [
        {"name": "erpolicy-expressroute", "entry": [
            {"sequence": 5, "action": "permit"}]}]}}, "rmap")
    assert status != vtyclient.CMD_SUCCESS and "reserved" in out, out
    assert r1.vty("show running-config") == conf
    lab.check_daemons()


def test_cli_and_northbound_say_the_same(lab):
    """The CLI's refusals are the northbound's texts."""
    edge = start(lab)
    for line, words in (
            ("erpolicy onprem-prefix 10.100.0.0/16 le 24",
             "10.100.0.0/16 is already an azure-prefix; a prefix cannot be "
             "both"),
            ("erpolicy failback hold-down 10 maximum 5",
             "maximum 5 must not be below hold-down 10"),
            ("erpolicy neighbor %s path vpn" % ER[1],
             "neighbor %s is already declared path expressroute" % ER[1])):
        status, out = edge.config(["router bgp 65010", line], check=False)
        assert status != 0 and words in out, (line, out)
