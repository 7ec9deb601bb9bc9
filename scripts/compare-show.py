#!/usr/bin/env python3
"""Compare the show output of two builds of the module in one live lab.

    sudo scripts/compare-show.py OLD_MODULEDIR NEW_MODULEDIR [OUTDIR]

Builds the emulated edge of topotests/lib/azure.py (two ExpressRoute and one
VPN neighbor, hostile and VPN-only routes, an operator's maps, a declared
neighbor that does not exist, a map attached without a declaration, a legacy
0.x map name, drain, hold-down and advertise options), then runs bgpd on
the edge with OLD, NEW and OLD again, each time after the routes have
settled, and captures every read command (text and json, every neighbor,
the operational state).  Writes the captures to OUTDIR and prints
diff(OLD, NEW) next to diff(OLD, OLD): a refactoring of the show code must
leave the first no larger than the second (the run-to-run noise).  The failover
events of the operational state (their order follows the sessions), times
of events and the cumulative update counters (which depend on when bgpd re-ran
the maps) are masked in every capture.
"""

import difflib
import json
import os
import re
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "topotests"))

from lib import azure  # noqa: E402
from lib.lab import Lab  # noqa: E402

ER1, ER2, VPN = (azure.PEERS[n] for n in ("msee1", "msee2", "vpngw"))
NAMES = ["msee1", "msee2", "vpngw"]

PRE = """\
route-map ER-IN deny 5
 match ip address prefix-list USER-DENY
route-map ER-IN permit 10
 set community 65010:99
route-map VPN-OUT permit 10
 set metric 77
!
ip prefix-list USER-DENY seq 5 permit 10.100.9.0/24
!
"""

HOSTILE_V4 = ["0.0.0.0/0", "172.16.5.0/24", "192.168.77.0/24",
              "10.100.3.0/26"]


def edge_conf():
    erp = azure.erpolicy_lines(["msee1", "vpngw"])
    # msee2: IPv4 declared, IPv6 attached without a declaration
    erp += " erpolicy neighbor %s path expressroute\n" % ER2[1]
    erp += " erpolicy neighbor 10.9.9.9 path vpn\n"
    erp += " erpolicy neighbor %s route-map ER-IN in\n" % ER1[1]
    erp += " erpolicy neighbor %s route-map VPN-OUT out\n" % VPN[1]
    erp += " erpolicy prefer-vpn-prefix 10.100.64.0/18\n"
    erp += " erpolicy failback hold-down 30 maximum 120\n"
    erp += " erpolicy advertise vpn-prepend 2\n"
    erp += " erpolicy advertise limit vpn 500\n"
    erp += " erpolicy maximum-prefix-length ipv4 24\n"
    conf = azure.edge_conf(NAMES, before=PRE, erpolicy=erp)
    # a legacy 0.x name on msee2's IPv6 outbound
    conf = conf.replace(
        "  neighbor %s route-map erpolicy-out-expressroute out\n" % ER2[3],
        "  neighbor %s route-map erpolicy-out-expressroute+OLD out\n"
        % ER2[3])
    conf += "ip prefix-list ONPREM seq 5 permit 172.16.1.0/24\n"
    return conf


def azure_confs():
    v4 = azure.AZURE_V4 + ["10.100.9.0/24"] + HOSTILE_V4
    return {
        "msee1": azure.azure_conf("msee1", v4, azure.AZURE_V6),
        "msee2": azure.azure_conf("msee2", azure.AZURE_V4, azure.AZURE_V6),
        "vpngw": azure.azure_conf(
            "vpngw", v4 + ["10.100.64.0/18", "10.100.2.0/24"],
            azure.AZURE_V6 + ["2001:db8:100:5::/64"]),
    }


def commands():
    cmds = []
    for suffix in ("", " json"):
        cmds.append("show bgp erpolicy" + suffix)
        for peer in (ER1, ER2, VPN):
            for addr in (peer[1], peer[3]):
                cmds.append("show bgp erpolicy neighbor %s%s" % (addr, suffix))
        cmds.append("show bgp erpolicy neighbor 10.9.9.9" + suffix)
        cmds.append("show bgp erpolicy neighbor 192.0.2.99" + suffix)
        cmds.append("show bgp vrf nosuch erpolicy" + suffix)
        cmds.append("show bgp erpolicy prefixes" + suffix)
        cmds.append("show bgp erpolicy overlaps" + suffix)
        cmds.append("show bgp erpolicy events" + suffix)
        cmds.append("show bgp erpolicy prefixes 10.100.1.0/24" + suffix)
        cmds.append("show bgp erpolicy prefixes 10.99.0.0/24" + suffix)
        cmds.append("show bgp vrf nosuch erpolicy events" + suffix)
        cmds.append("show bgp vrf nosuch erpolicy overlaps" + suffix)
    base = "/frr-bgp-erpolicy:erpolicy-state"
    inst = base + "/instance[vrf='default']"
    for path in (base, inst, inst + "/address-family[afi='ipv4']",
                 inst + "/neighbor[name='%s']" % ER1[1],
                 inst + "/neighbor[name='%s']/address-family[afi='ipv4']"
                 % ER1[1], inst + "/health-warning", inst + "/overlaps"):
        cmds.append("show yang operational-data %s" % path)
    return cmds


TIME_RE = re.compile(r'"(time|epoch|monotonicMs)": *("[^"]*"|\d+)')
# the time column of "show bgp erpolicy events"
TEXT_TIME_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}", re.M)
# Cumulative evaluations depend on when bgpd re-ran the maps (session
# order, route-map timer), not on the show code: masked in every run.
UPDATES_RE = re.compile(
    r'("updates(Accepted|Denied)"|"updates-(accepted|denied)"): *"?\d+"?|'
    r'updates evaluated this session: \d+ accepted, \d+ denied')


def drop_events(data):
    """The failover events of the operational state follow the order in
    which sessions came up: different in every run."""
    if isinstance(data, dict):
        return {k: drop_events(v) for k, v in data.items() if k != "event"}
    if isinstance(data, list):
        return [drop_events(v) for v in data]
    return data


def capture(edge, outdir, tag):
    out = {}
    for cmd in commands():
        status, text = edge.vty_raw(cmd)
        if cmd.startswith("show yang") and text.strip().startswith("{"):
            text = json.dumps(drop_events(json.loads(text)), indent=2)
        text = TIME_RE.sub(r'"\1": "<masked>"', text)
        text = TEXT_TIME_RE.sub("<time masked>           ", text)
        text = UPDATES_RE.sub("<updates masked>", text)
        out[cmd] = "status %d\n%s" % (status, text)
    with open(os.path.join(outdir, tag + ".txt"), "w") as f:
        for cmd, text in out.items():
            f.write("##### %s\n%s\n" % (cmd, text))
    return out


def settled(edge):
    st = edge.show_json("show bgp erpolicy")
    nbrs = st.get("neighbors", {})
    ups = [n for n in nbrs.values() if n.get("bgpState") == "Established"]
    if len(ups) < 5:  # msee2 IPv6 is not declared: not listed
        return False
    er = nbrs.get(ER1[1], {}).get("addressFamilyInfo", {}).get(
        "ipv4Unicast", {})
    vpn = nbrs.get(VPN[1], {}).get("addressFamilyInfo", {}).get(
        "ipv4Unicast", {})
    return (er.get("acceptedPrefixCounter", 0) >= 2 and
            vpn.get("acceptedPrefixCounter", 0) >= 3)


def run_with(lab, edge, moduledir):
    if edge.is_running("bgpd"):
        edge.stop_daemon("bgpd")
    edge.start_daemon("bgpd", extra_args=["--moduledir", moduledir,
                                          "-M", "erpolicy"])
    try:
        lab.wait_until(lambda: settled(edge), timeout=60,
                       message="sessions and routes")
    except Exception:
        print(edge.vty("show bgp erpolicy"))
        print(edge.log_text()[-3000:])
        raise
    # past bgpd's route-map timer (5 s) and the module's 1 s tick
    time.sleep(12)


def diff(a, b, la, lb):
    lines = []
    for cmd in a:
        if a[cmd] != b[cmd]:
            lines += list(difflib.unified_diff(
                a[cmd].splitlines(), b[cmd].splitlines(),
                "%s: %s" % (la, cmd), "%s: %s" % (lb, cmd), lineterm="", n=1))
    return lines


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    old, new = (os.path.abspath(p) for p in sys.argv[1:3])
    outdir = sys.argv[3] if len(sys.argv) > 3 else tempfile.mkdtemp(
        prefix="erp-compare-")
    os.makedirs(outdir, exist_ok=True)
    with Lab("compare-show") as lab:
        r = azure.build(lab, names=NAMES, edge_bgpd=edge_conf(),
                        azure=azure_confs())
        edge = r["edge"]
        for n in NAMES:
            r[n].start_daemon("zebra")
            r[n].start_daemon("bgpd")
        edge.start_daemon("zebra")
        runs = []
        for tag, moddir in (("old1", old), ("new", new), ("old2", old)):
            run_with(lab, edge, moddir)
            runs.append(capture(edge, outdir, tag))
        edge.stop_daemon("bgpd")
    d_new = diff(runs[0], runs[1], "old", "new")
    d_old = diff(runs[0], runs[2], "old", "old again")
    print("captures in %s (%d commands)" % (outdir, len(runs[0])))
    print("== diff old -> old again (run-to-run noise): %d lines" % len(d_old))
    print("\n".join(d_old))
    print("== diff old -> new: %d lines" % len(d_new))
    print("\n".join(d_new))
    json.dump({"old_vs_new": d_new, "old_vs_old": d_old},
              open(os.path.join(outdir, "diff.json"), "w"), indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
