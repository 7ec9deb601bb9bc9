"""The main job: lab/er_failover_lab.py runs end to end and its measured
results say what it narrates.

Runs the lab script as a subprocess with --json and checks the exit code
and the results: ExpressRoute preferred (BGP, kernel, module state and
interface counters), one MSEE lost keeps traffic on the other MSEE, both
lost fails over to the VPN (counters on the VPN interface), restore fails
back (counters on ExpressRoute again).
"""

import json
import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SCRIPT = os.path.join(ROOT, "lab", "er_failover_lab.py")

MSEE_ADDRS = {"192.0.2.1", "192.0.2.5"}
VPN_ADDR = "198.51.100.1"
ER_IFS = {"eth-msee1", "eth-msee2"}
VPN_IF = "eth-vpngw"
PINGS = 50
NOISE = 25  # BGP keepalives, BFD (~3/s per MSEE link), ARP; a flow is 50


@pytest.fixture(scope="module")
def lab_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("lab") / "results.json"
    env = dict(os.environ)
    if os.environ.get("ERPOLICY_MODULEDIR"):
        env["ERPOLICY_MODULEDIR"] = os.environ["ERPOLICY_MODULEDIR"]
    proc = subprocess.run(["/usr/bin/python3", SCRIPT, "--json", str(out)],
                          capture_output=True, text=True, timeout=150,
                          env=env, stdin=subprocess.DEVNULL)
    # shown by pytest when a test fails
    sys.stdout.write(proc.stdout)
    sys.stderr.write(proc.stderr)
    results = json.loads(out.read_text()) if out.exists() else None
    return proc, results


def steps(results):
    assert results is not None, "the lab wrote no JSON results"
    return {s["id"]: s for s in results["steps"]}


def traffic_ok(t, ifaces, path):
    """All pings answered, requests out of and replies into ifaces only."""
    assert t["sent"] == PINGS and t["received"] == PINGS, t
    assert t["out_path"] == path and t["in_path"] == path, t
    assert set(t["out_interfaces"]) <= ifaces, t
    assert set(t["in_interfaces"]) <= ifaces, t
    c = t["counters"]
    assert sum(c[i]["tx"] for i in ifaces) >= PINGS, c
    assert sum(c[i]["rx"] for i in ifaces) >= PINGS, c
    for i in set(c) - ifaces:
        assert c[i]["tx"] < NOISE and c[i]["rx"] < NOISE, (i, c)


def test_exit_code_and_all_steps_passed(lab_run):
    proc, results = lab_run
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert results is not None
    assert results["passed"] is True
    assert not results["lab_stop_problems"]
    for s in results["steps"]:
        assert s["passed"] and not s["skipped"], s
    assert "overall: PASS" in proc.stdout


def test_er_preferred(lab_run):
    _, results = lab_run
    d = steps(results)["er_preferred"]["data"]
    assert d["best_peer"] in MSEE_ADDRS
    assert d["best_local_pref"] == 200
    vpn = [p for p in d["bgp_paths"] if p["peer"] == VPN_ADDR]
    assert vpn and vpn[0]["localPref"] == 100 and not vpn[0]["best"]
    assert d["kernel_nexthops"] == sorted(MSEE_ADDRS)
    assert d["preferred_path"] == "expressroute"
    # the lab's bgpd.conf attaches the module's maps of each path, the
    # operator's TO-AZURE is a leaf of each declaration
    for addr in MSEE_ADDRS | {VPN_ADDR}:
        role = "vpn" if addr == VPN_ADDR else "expressroute"
        assert d["policy"][addr] == {
            "attachedIn": True, "attachedOut": True,
            "routeMapIn": "erpolicy-" + role,
            "routeMapOut": "erpolicy-out-" + role,
            "userRouteMapOut": "TO-AZURE"}, d["policy"]
    assert len(d["policy"]) == 3
    # the recommended configuration (BFD on the MSEEs, the VPN at 60/180):
    # the module's health report is clean
    assert d["warnings"] == [], d["warnings"]
    traffic_ok(d["traffic_er"], ER_IFS, "expressroute")


def test_one_msee_lost_stays_on_er(lab_run):
    _, results = lab_run
    d = steps(results)["one_msee_cut"]["data"]
    cut_if = "eth-" + d["cut"]
    other_if = (ER_IFS - {cut_if}).pop()
    # the MSEE that carried step 1's pings is the one cut
    assert steps(results)["er_preferred"]["data"]["traffic_er"][
        "out_interfaces"] == [cut_if]
    traffic_ok(d["traffic_one_msee"], {other_if}, "expressroute")
    assert d["reroute_s"] < 3


def test_failover_to_vpn(lab_run):
    _, results = lab_run
    d = steps(results)["er_cut"]["data"]
    assert 0 < d["failover_s"] < 3
    assert 0 < d["return_failover_s"] < 5
    assert d["preferred_path"] == "vpn"
    traffic_ok(d["traffic_vpn"], {VPN_IF}, "vpn")
    assert d["background_ping"]["received"] > 0


def test_failback_to_er(lab_run):
    _, results = lab_run
    d = steps(results)["er_restored"]["data"]
    assert 0 < d["failback_s"] < 10
    assert 0 < d["return_failback_s"] < 10
    assert d["preferred_path"] == "expressroute"
    traffic_ok(d["traffic_er_back"], ER_IFS, "expressroute")
    m = results["measured"]
    assert m["failover_s"] == steps(results)["er_cut"]["data"]["failover_s"]
    assert m["failback_s"] == d["failback_s"]
