"""Lab topology files (lab/topologies/*.yaml, lab/topology_lab.py).

- every shipped topology runs end to end: exit code 0, every step passed,
  and the JSON results show what the file expects (one test each);
- the demo file describes the same lab as the narrated demo
  (lab/er_failover_lab.py: addresses, BFD, timers, prefixes, erpolicy);
- bad files get a clear error, exit code 2, and nothing is started;
- negative control: the demo file with a misbehaving policy (VPN preferred)
  and a wrong traffic expectation makes the run fail (exit code 1) and the
  output says what differed.
"""

import copy
import json
import os
import subprocess
import sys
import time

import pytest
import yaml

from lib import topology as topomod

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
RUNNER = os.path.join(ROOT, "lab", "topology_lab.py")
TOPO_DIR = os.path.join(ROOT, "lab", "topologies")
SHIPPED = ("demo", "two-circuits", "active-active-vpn")


def netns_with_prefix(prefix):
    out = subprocess.run(["ip", "netns", "list"], capture_output=True,
                         text=True).stdout
    return [l.split()[0] for l in out.splitlines()
            if l.split() and l.split()[0].startswith(prefix)]


def run(topology, tmp_path, timeout=180):
    """Run the runner; return (CompletedProcess-like, results or None,
    seconds).  Checks that the run left no namespace behind."""
    out = tmp_path / "results.json"
    t0 = time.monotonic()
    proc = subprocess.Popen(["/usr/bin/python3", RUNNER, str(topology),
                             "--json", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, text=True)
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.terminate()  # the runner cleans up on SIGTERM
        stdout, stderr = proc.communicate(timeout=60)
    took = time.monotonic() - t0
    sys.stdout.write(stdout)
    sys.stderr.write(stderr)
    print("%s: %.1f s" % (topology, took))
    # the runner's Lab names its namespaces erp<pid>-<seq>-<node>
    left = netns_with_prefix("erp%d-" % proc.pid)
    assert not left, "namespaces left behind: %s" % left
    proc.stdout_text, proc.stderr_text = stdout, stderr
    results = json.loads(out.read_text()) if out.exists() else None
    return proc, results, took


def steps(results):
    assert results is not None, "the runner wrote no JSON results"
    return {s["title"]: s for s in results["steps"]}


def all_passed(proc, results):
    assert proc.returncode == 0, proc.stdout_text[-5000:] + \
        proc.stderr_text[-2000:]
    assert results["passed"] is True
    assert not results["lab_stop_problems"]
    for s in results["steps"]:
        assert s["passed"] and not s["skipped"], s
    assert "overall: PASS" in proc.stdout_text


def via(step, prefix="10.100.0.0/16"):
    return step["data"]["observed"]["via"][prefix]["bgp"]


# ---------------------------------------------------------------------------
# the shipped topologies


def test_demo(tmp_path):
    proc, results, took = run("demo", tmp_path)
    all_passed(proc, results)
    s = steps(results)
    first = s["ExpressRoute preferred"]["data"]
    assert first["observed"]["health"] == []
    assert via(s["ExpressRoute preferred"]) == ["msee1", "msee2"]
    fo = s["ExpressRoute lost: fail over to the VPN"]
    assert via(fo) == ["vpngw"]
    assert fo["data"]["observed"]["events"] == ["failover"]
    assert fo["data"]["traffic"]["out_interfaces"] == ["eth-vpngw"]
    assert fo["data"]["held_after_s"] < 3
    fb = s["ExpressRoute back: fail back"]
    assert fb["data"]["observed"]["events"] == ["failback"]
    assert set(fb["data"]["traffic"]["out_interfaces"]) <= {"eth-msee1",
                                                            "eth-msee2"}


def test_two_circuits(tmp_path):
    proc, results, took = run("two-circuits", tmp_path)
    all_passed(proc, results)
    s = steps(results)
    first = s["ExpressRoute preferred, both circuits"]
    assert via(first) == ["msee1", "msee2", "msee3", "msee4"]
    assert via(first, "10.200.0.0/16") == ["msee3", "msee4"]
    er1 = s["Circuit er1 lost: stays on er2"]
    assert via(er1) == ["msee3", "msee4"]
    assert er1["data"]["observed"]["events"] == []
    silent = s["Silent MSEE msee3: BFD finds it"]
    assert via(silent) == ["msee4"]
    assert silent["data"]["held_after_s"] < 3   # BFD, not the 9 s hold timer
    fo = s["Last MSEE lost: fail over to the VPN"]
    assert fo["data"]["observed"]["events"] == ["failover"]
    drained = s["Drain ExpressRoute (maintenance)"]
    assert drained["data"]["observed"]["state"] == "drained"
    assert drained["data"]["traffic"]["out_interfaces"] == ["eth-vpngw"]
    # symmetric failover: the on-prem prefixes are withdrawn from the
    # MSEEs, Azure answers over the VPN too
    assert drained["data"]["observed"]["return"] == ["vpngw"]
    assert set(drained["data"]["traffic"]["in_interfaces"]) == {"eth-vpngw"}
    assert drained["data"]["observed"]["events"] == ["drain",
                                                     "withdraw-from-er"]
    assert s["Undrain"]["data"]["observed"]["events"] == ["undrain",
                                                          "restore-to-er"]
    assert s["Undrain"]["data"]["observed"]["return"] == [
        "msee1", "msee2", "msee3", "msee4"]
    assert first["data"]["observed"]["neighbors"]["msee3"] == {
        "localPreference": 200, "acceptedPrefixCounter": 2,
        "sentPrefixCounter": 1}
    assert drained["data"]["observed"]["neighbors"]["msee1"] == {
        "localPreference": 99}


def test_active_active_vpn(tmp_path):
    proc, results, took = run("active-active-vpn", tmp_path)
    all_passed(proc, results)
    s = steps(results)
    fo = s["ExpressRoute lost: both VPN tunnels"]
    assert via(fo) == ["vpngw0", "vpngw1"]
    assert fo["data"]["observed"]["return"] == ["vpngw0", "vpngw1"]
    one = s["VPN instance 0 lost: stays on instance 1"]
    assert via(one) == ["vpngw1"]
    assert one["data"]["traffic"]["out_interfaces"] == ["eth-vpngw1"]
    assert one["data"]["observed"]["state"] == "vpn"
    held = s["ExpressRoute back: 2 s hold-down"]
    assert held["data"]["observed"]["state"] == "hold-down"
    assert via(held) == ["vpngw0", "vpngw1"]
    assert held["data"]["observed"]["events"] == ["withdraw-from-er",
                                                  "hold-down-start"]
    # symmetric failover: the MSEEs get no on-prem prefix during the
    # hold-down, so Azure's replies stay on the VPN too
    assert held["data"]["observed"]["return"] == ["vpngw0", "vpngw1"]
    assert set(held["data"]["traffic"]["in_interfaces"]) <= {"eth-vpngw0",
                                                             "eth-vpngw1"}
    fb = s["Hold-down over: fail back"]
    assert via(fb) == ["msee1", "msee2"]
    assert fb["data"]["observed"]["events"] == ["hold-down-expired",
                                                "failback", "restore-to-er"]
    assert fb["data"]["observed"]["return"] == ["msee1", "msee2"]


# ---------------------------------------------------------------------------
# negative control: wrong expectations fail the run


def test_wrong_expectations_fail_the_run(tmp_path):
    """The demo file with a misbehaving policy (VPN preferred): the demo's
    own first step fails on it, and so does a traffic expectation that does
    not match where the pings go."""
    with open(os.path.join(TOPO_DIR, "demo.yaml")) as f:
        data = yaml.safe_load(f)
    assert data["edge"]["erpolicy"][0] == \
        "erpolicy local-preference expressroute 200 vpn 100"
    data["edge"]["erpolicy"][0] = \
        "erpolicy local-preference expressroute 100 vpn 200"
    first = copy.deepcopy(data["scenario"][0])
    first["within"] = 3
    # step 1: the path state is what this policy gives, the traffic
    # expectation is not (the pings go over the VPN): the step fails, the
    # run goes on; step 2: the demo's real first step never holds, it fails
    # after 'within' and the remaining steps are skipped
    wrong_traffic = {"name": "wrong traffic",
                     "expect": {"preferred": "vpn",
                                "traffic": ["msee1", "msee2"]}}
    data["scenario"] = [wrong_traffic, first, data["scenario"][1]]
    path = tmp_path / "wrong.yaml"
    path.write_text(yaml.safe_dump(data))
    proc, results, took = run(path, tmp_path)
    out = proc.stdout_text
    assert proc.returncode == 1, out[-3000:]
    assert "overall: FAIL" in out
    assert "FAIL  pings left the edge through eth-msee1 or eth-msee2" in out
    assert "preferred path: expected expressroute, got vpn" in out
    assert ("edge's BGP path(s) for 10.100.0.0/16: expected via [msee1, "
            "msee2], got via [vpngw]") in out
    assert ("health warnings: expected [], got [expressroute "
            "local-preference 100 is not above vpn's 200") in out
    s = {x["title"]: x for x in results["steps"]}
    assert s["Lab up, BGP sessions established"]["passed"]
    assert not s["wrong traffic"]["passed"] and \
        not s["wrong traffic"]["skipped"]
    assert not s["ExpressRoute preferred"]["passed"]
    assert s["One MSEE lost: stays on ExpressRoute"]["skipped"]
    assert results["passed"] is False


# ---------------------------------------------------------------------------
# the files themselves


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_files_are_valid(name):
    topo = topomod.load(os.path.join(TOPO_DIR, name + ".yaml"))
    assert topo.name == name


def test_demo_file_is_the_narrated_demo():
    """lab/topologies/demo.yaml and lab/er_failover_lab.py describe the same
    lab: same routers, addresses, BFD, timers, prefixes, erpolicy lines."""
    sys.path.insert(0, os.path.join(ROOT, "lab"))
    import er_failover_lab as demo
    topo = topomod.load(os.path.join(TOPO_DIR, "demo.yaml"))
    assert [r.name for r in topo.routers] == list(demo.AZ)
    for r in topo.routers:
        p = demo.AZ[r.name]
        assert (r.peer, r.edge, r.asn, r.role, r.bfd) == (
            p["peer"], p["edge"], p["asn"], p["role"], p["bfd"]), r.name
        assert r.vnet_side == p["vnet_side"], r.name
        timers = (r.timers["keepalive"], r.timers["hold"]) \
            if r.timers else None
        assert timers == p["timers"], r.name
    assert (topo.timers["keepalive"], topo.timers["hold"],
            topo.timers["connect"]) == (demo.KEEPALIVE, demo.HOLD,
                                        demo.CONNECT)
    assert topo.azure_prefixes == [demo.AZURE_PREFIX]
    assert topo.vm == demo.AZURE_VM
    assert topo.onprem_prefixes == [demo.ONPREM_PREFIX]
    assert topo.host == demo.ONPREM_HOST
    demo_erp = [l.strip() for l in demo.edge_bgpd_conf().splitlines()
                if l.strip().startswith("erpolicy ")]
    file_erp = [l.strip() for l in topo.edge_conf().splitlines()
                if l.strip().startswith("erpolicy ")]
    assert file_erp == demo_erp


def load_demo():
    with open(os.path.join(TOPO_DIR, "demo.yaml")) as f:
        return yaml.safe_load(f)


def broken(change):
    data = load_demo()
    change(data)
    return data


BAD = {
    "unknown key": (
        lambda d: d.__setitem__("vpns", d.pop("vpn")),
        ["(top level): unknown key 'vpns' (did you mean 'vpn'?)"]),
    "unknown key in a router": (
        lambda d: d["vpn"][0].__setitem__("bgp-timers", 1),
        ["vpn[0]: unknown key 'bgp-timers'"]),
    "missing field": (
        lambda d: d["scenario"][1].pop("expect"),
        ["scenario[1]: missing required key 'expect'"]),
    "missing vm": (
        lambda d: d["azure"].pop("vm"),
        ["azure: missing required key 'vm'"]),
    "bad prefix": (
        lambda d: d["azure"].__setitem__("prefixes", ["10.100.0.0/33"]),
        ["azure.prefixes[0]: '10.100.0.0/33' is not an IPv4 prefix"]),
    "host bits set": (
        lambda d: d["onprem"].__setitem__("prefixes", ["172.16.1.1/24"]),
        ["onprem.prefixes[0]: '172.16.1.1/24' is not an IPv4 prefix"]),
    "prefix in an expectation": (
        lambda d: d["scenario"][0]["expect"].__setitem__(
            "via", {"10.300.0.0/16": ["msee1"]}),
        ["is not an IPv4 prefix"]),
    "unknown router": (
        lambda d: d["scenario"][1].__setitem__("do", [{"fail": "msee9"}]),
        ["fail: unknown router 'msee9'"]),
    "duplicate name": (
        lambda d: d["expressroute"][0]["msees"][1].__setitem__("name",
                                                               "msee1"),
        ["router name 'msee1' used twice"]),
    "bad state": (
        lambda d: d["scenario"][0]["expect"].__setitem__("state", "er"),
        ["scenario[0].expect.state: 'er' is not one of"]),
    "bad timer": (
        lambda d: d["vpn"][0]["timers"].__setitem__("hold", "180s"),
        ["vpn[0].timers.hold: must be an integer"]),
    "two actions in one item": (
        lambda d: d["scenario"][1].__setitem__(
            "do", [{"fail": "msee1", "drain": True}]),
        ["one action per item"]),
    "neighbor in erpolicy": (
        lambda d: d["edge"]["erpolicy"].append(
            "erpolicy neighbor 192.0.2.1 path expressroute"),
        ["neighbors are declared by the runner"]),
    "unknown counter": (
        lambda d: d["scenario"][0]["expect"].__setitem__(
            "neighbors", {"msee1": {"prefixes": 1}}),
        ["scenario[0].expect.neighbors.msee1: unknown key 'prefixes'"]),
    "vm outside the VNet": (
        lambda d: d["azure"].__setitem__("vm", "10.101.1.10"),
        ["azure.vm: 10.101.1.10 is not inside the first Azure prefix"]),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_file_clear_error(case):
    change, messages = BAD[case]
    with pytest.raises(topomod.TopologyError) as e:
        topomod.from_data(broken(change), "bad.yaml")
    text = str(e.value)
    for m in messages:
        assert m in text, text


def test_bad_file_starts_nothing(tmp_path):
    """The runner: exit code 2, every problem listed, no lab started."""
    data = broken(lambda d: (d.__setitem__("vpns", d.pop("vpn")),
                             d["azure"].__setitem__("prefixes",
                                                    ["10.100.0.0/33"])))
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data))
    proc, results, took = run(path, tmp_path, timeout=30)
    assert proc.returncode == 2, proc.stdout_text + proc.stderr_text
    err = proc.stderr_text
    assert "bad topology file, nothing started" in err
    assert "unknown key 'vpns'" in err
    assert "'10.100.0.0/33' is not an IPv4 prefix" in err
    assert proc.stdout_text == ""     # no step, no lab
    assert results is None
    (tmp_path / "broken.yaml").write_text("name: [unclosed\n")
    proc, _, _ = run(tmp_path / "broken.yaml", tmp_path, timeout=30)
    assert proc.returncode == 2 and "not valid YAML" in proc.stderr_text
    proc, _, _ = run("no-such-topology", tmp_path, timeout=30)
    assert proc.returncode == 2 and "cannot read" in proc.stderr_text


def test_guide_example_is_valid():
    """The example of the user guide's "Lab topology files" is a valid
    topology file."""
    with open(os.path.join(ROOT, "doc", "user-guide.rst")) as f:
        text = f.read()
    section = text[text.index("\nLab topology files\n"):]
    block = section[section.index(".. code-block:: yaml\n"):]
    lines = []
    for line in block.splitlines()[2:]:
        if line and not line.startswith("   "):
            break
        lines.append(line[3:])
    topo = topomod.from_data(yaml.safe_load("\n".join(lines)), "guide")
    assert topo.name == "demo" and len(topo.steps) == 2
