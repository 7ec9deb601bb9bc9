"""Issue 6 (robustness): the edge's bgpd under valgrind memcheck.

A representative scenario runs with the module loaded into a bgpd started
under ``valgrind --leak-check=full``: configuration from the file, routes
from an ExpressRoute and a VPN neighbor (some denied), a policy change,
failover (ER link down), fail-back (link up), the operator's own maps as
declaration leaves (set, edited in use, edited after their neighbor was
undeclared, removed), a neighbor undeclared with the module's map still
attached (fail closed, health warning), a reserved route-map name refused,
``no erpolicy``, the configuration back, then bgpd is stopped (SIGTERM) so that valgrind reports
leaks.  The valgrind XML report is parsed:

* errors (invalid reads/writes, uninitialised values, bad frees ...) with
  a frame in bgpd_erpolicy.so anywhere in their stack: must be none;
* definite leaks whose allocation stack has a frame in the module: must be
  none;
* everything else is FRR's own (bgpd, libfrr, libyang at exit): reported
  in the output (-s) and in the lab's directory, not asserted on.

The valgrind text log and XML are kept in the lab directory (use
ERPOLICY_KEEP_LABS=1 to keep it); the test prints a summary.
"""

import glob
import os
import re
import shutil
import subprocess
import time
import xml.etree.ElementTree as ET

import pytest

from lib import azure

ER = azure.PEERS["msee1"]
VPN = azure.PEERS["vpngw"]
NAMES = ["msee1", "vpngw"]
MODULE_OBJ = "bgpd_erpolicy.so"
ONPREM = "172.16.9.0/24"

V4 = azure.AZURE_V4 + ["0.0.0.0/0", "172.16.5.0/24", "192.168.77.0/24",
                       "10.100.3.0/26"]
V6 = azure.AZURE_V6 + ["::/0", "fd00:aaaa:1::/48"]

pytestmark = pytest.mark.skipif(shutil.which("valgrind") is None,
                                reason="valgrind not installed")


def parse_report(xml_path):
    """[(kind, what, frames, from_module)] from a valgrind XML file; frames
    are 'fn (obj:file:line)' strings."""
    tree = ET.parse(xml_path)
    out = []
    for err in tree.getroot().iter("error"):
        kind = err.findtext("kind", "")
        what = err.findtext("what") or err.findtext("xwhat/text") or ""
        frames, module = [], False
        for stack in err.findall("stack"):
            for fr in stack.findall("frame"):
                obj = fr.findtext("obj", "")
                fn = fr.findtext("fn", "?")
                loc = fr.findtext("file", "")
                line = fr.findtext("line", "")
                frames.append("%s (%s%s)" % (
                    fn, os.path.basename(obj),
                    ":%s:%s" % (loc, line) if loc else ""))
                if os.path.basename(obj) == MODULE_OBJ:
                    module = True
        out.append((kind, what, frames, module))
    return out


def summarize(report):
    lines = []
    for kind, what, frames, module in report:
        lines.append("%s%s: %s" % ("[MODULE] " if module else "", kind, what))
        lines += ["    " + f for f in frames[:12]]
    return "\n".join(lines)


def build_lab(lab, wrapper, bgpd_args):
    # an on-prem prefix advertised: symmetric failover runs the VPN's
    # outbound map on scratch copies of it
    edge_cfg = azure.edge_conf(
        NAMES, erpolicy=azure.erpolicy_lines(NAMES) +
        " erpolicy maximum-prefix-length ipv4 24\n"
        " erpolicy failback hold-down 1 maximum 2\n",
        ipv4_extra="  network %s\n" % ONPREM,
        extra=" no bgp network import-check\n")
    edge = lab.add_router("edge", bgpd_conf=edge_cfg, bgpd_args=bgpd_args,
                          bgpd_wrapper=wrapper, stop_timeout=90)
    routers = {"edge": edge}
    for n in NAMES:
        routers[n] = lab.add_router(n, bgpd_conf=azure.azure_conf(n, V4, V6))
        e4, p4, e6, p6, _, plen = azure.PEERS[n]
        routers[n + "_link"] = lab.link(
            edge, routers[n], a_addrs=["%s/%d" % (e4, plen), "%s/64" % e6],
            b_addrs=["%s/%d" % (p4, plen), "%s/64" % p6])
    return routers


def scenario(lab, routers):
    """Config, routes, show commands, policy change, failover, fail-back,
    drain, removal and re-adding, on the (instrumented) edge."""
    edge = routers["edge"]

    def best(pfx, afi="ipv4"):
        b = azure.best_path(edge, pfx, afi)
        return b and (b["peer"]["peerId"], b.get("locPrf"))

    lab.wait_until(azure.established(edge, [ER[1], ER[3], VPN[1], VPN[3]]),
                   timeout=60, interval=0.5, message="sessions up")
    lab.wait_until(lambda: best("10.100.1.0/24") == (ER[1], 200) and
                   best("2001:db8:100::/48", "ipv6") == (ER[3], 200),
                   timeout=30, interval=0.5, message="ER preferred")
    lab.wait_until(lambda: azure.erpolicy(edge)["neighbors"][ER[1]][
        "addressFamilyInfo"]["ipv4Unicast"]["prefixesDenied"]["total"] == 4,
        timeout=10, interval=0.5, message="denied routes counted")
    # every show command once (JSON and text)
    for cmd in ("show bgp erpolicy", "show bgp erpolicy neighbor %s" % ER[1],
                "show bgp erpolicy events", "show bgp erpolicy prefixes",
                "show bgp erpolicy overlaps"):
        edge.vty(cmd)
        edge.show_json(cmd)
    # the northbound state callbacks, through the stock vtysh
    out = subprocess.run(
        edge.lab.target_argv(["vtysh", "--vty_socket", edge.dir, "-c",
         "show yang operational-data /frr-bgp-erpolicy:erpolicy-state bgpd"]),
        capture_output=True, text=True, timeout=60, check=True).stdout
    assert "erpolicy-state" in out
    edge.vty("show running-config")
    edge.vty("write file")

    # policy change
    edge.config(["router bgp 65010",
                 "erpolicy local-preference expressroute 300 vpn 50",
                 "erpolicy onprem-prefix 10.100.1.0/24"])
    lab.wait_until(lambda: azure.paths(edge, "10.100.1.0/24") == [] and
                   best("10.100.0.0/16") == (ER[1], 300), timeout=30,
                   interval=0.5, message="policy change applied")

    # failover and fail-back (with a hold-down)
    routers["msee1_link"].set_carrier(False)
    lab.wait_until(lambda: best("10.100.0.0/16") == (VPN[1], 50),
                   timeout=30, interval=0.5, message="failover to VPN")
    routers["msee1_link"].set_carrier(True)
    lab.wait_until(lambda: best("10.100.0.0/16") == (ER[1], 300),
                   timeout=60, interval=0.5, message="fail-back to ER")
    assert "failback" in {e["event"] for e in edge.show_json(
        "show bgp erpolicy events")["events"]}

    # drain and undrain; the on-prem prefix leaves ExpressRoute and comes
    # back (symmetric failover)
    def to_er():
        return ONPREM in edge.show_json(
            "show bgp ipv4 unicast neighbors %s advertised-routes"
            % ER[1]).get("advertisedRoutes", {})
    lab.wait_until(to_er, timeout=30, interval=0.5,
                   message="on-prem prefix advertised to ER")
    edge.config(["router bgp 65010", "erpolicy drain expressroute"])
    lab.wait_until(lambda: best("10.100.0.0/16") == (VPN[1], 50),
                   timeout=30, interval=0.5, message="drained")
    lab.wait_until(lambda: not to_er(), timeout=30, interval=0.5,
                   message="on-prem prefix withdrawn from ER")
    edge.vty("show bgp erpolicy neighbor %s" % ER[1])
    edge.config(["router bgp 65010", "no erpolicy drain expressroute"])
    lab.wait_until(lambda: best("10.100.0.0/16") == (ER[1], 300),
                   timeout=30, interval=0.5, message="undrained")
    lab.wait_until(to_er, timeout=30, interval=0.5,
                   message="on-prem prefix advertised to ER again")

    # the operator's own maps run inside the module's: ER-IN refuses
    # 10.100.0.0/16 from ExpressRoute, so it is reached over the VPN
    # (10.100.1.0/24 is Azure's again, to show what ER-IN lets through)
    edge.config(["router bgp 65010", "no erpolicy onprem-prefix 10.100.1.0/24",
                 "exit", "ip prefix-list ER-DROP seq 5 permit 10.100.0.0/16",
                 "route-map ER-IN deny 10",
                 "match ip address prefix-list ER-DROP", "exit",
                 "route-map ER-IN permit 20", "exit",
                 "route-map VPN-OUT permit 10", "exit",
                 "router bgp 65010",
                 "erpolicy neighbor %s route-map ER-IN in" % ER[1],
                 "erpolicy neighbor %s route-map VPN-OUT out" % VPN[1]])
    lab.wait_until(lambda: best("10.100.0.0/16") == (VPN[1], 50) and
                   best("10.100.1.0/24") == (ER[1], 300), timeout=30,
                   interval=0.5, message="operator's map applied")
    # edited while in use
    edge.config(["no route-map ER-IN deny 10"])
    lab.wait_until(lambda: best("10.100.0.0/16") == (ER[1], 300),
                   timeout=30, interval=0.5, message="edited map applied")
    edge.config(["route-map ER-IN deny 10",
                 "match ip address prefix-list ER-DROP", "exit"])
    lab.wait_until(lambda: best("10.100.0.0/16") == (VPN[1], 50),
                   timeout=30, interval=0.5, message="edited back")
    # undeclared while the module's maps stay attached: everything from it
    # is denied and a health warning says why
    edge.config(["router bgp 65010", "no erpolicy neighbor %s" % ER[1]])
    lab.wait_until(lambda: azure.path_from(edge, "10.100.1.0/24", ER[1])
                   is None, timeout=30, interval=0.5,
                   message="undeclared neighbor denied")
    assert {"check": "notDeclared", "neighbor": ER[1]} in [
        {"check": w["check"], "neighbor": w.get("neighbor")}
        for w in azure.erpolicy(edge)["healthWarnings"]]
    edge.vty("show bgp erpolicy")
    # its former map edited afterwards: nothing of the module may still
    # point into it
    edge.config(["route-map ER-IN permit 30", "set metric 7", "exit",
                 "no route-map ER-IN permit 30"])
    # a route-map named like the module's is refused
    status, out = edge.config(["route-map erpolicy-expressroute permit 5"],
                              check=False)
    assert status != 0 and "reserved" in out, out
    edge.config(["router bgp 65010",
                 "erpolicy neighbor %s path expressroute" % ER[1],
                 "erpolicy neighbor %s route-map ER-IN in" % ER[1]])
    lab.wait_until(lambda: best("10.100.1.0/24") == (ER[1], 300) and
                   best("10.100.0.0/16") == (VPN[1], 50), timeout=30,
                   interval=0.5, message="declared again, with its map")
    edge.config(["router bgp 65010",
                 "no erpolicy neighbor %s route-map ER-IN in" % ER[1],
                 "no erpolicy neighbor %s route-map VPN-OUT out" % VPN[1]])
    lab.wait_until(lambda: best("10.100.0.0/16") == (ER[1], 300),
                   timeout=30, interval=0.5, message="operator's map removed")

    # removal while up (fail closed: the module's maps stay attached and
    # deny), and back
    edge.config(["router bgp 65010", "no erpolicy"])
    lab.wait_until(lambda: azure.paths(edge, "10.100.0.0/16") == [],
                   timeout=30, interval=0.5, message="policy removed")
    edge.config(["router bgp 65010"] +
                azure.erpolicy_lines(NAMES).strip().splitlines())
    lab.wait_until(lambda: best("10.100.1.0/24") == (ER[1], 200),
                   timeout=30, interval=0.5, message="policy back")


def test_scenario_under_valgrind(machine_alone, lab):
    vg_dir = os.path.join(lab.dir, "valgrind")
    os.makedirs(vg_dir)
    os.chmod(vg_dir, 0o777)  # valgrind writes as root, bgpd runs as frr
    wrapper = ["valgrind", "--tool=memcheck", "--error-exitcode=99",
               "--leak-check=full", "--errors-for-leak-kinds=definite",
               "--show-leak-kinds=definite,possible", "--num-callers=30",
               "--log-file=%s/bgpd.%%p.log" % vg_dir,
               "--xml=yes", "--xml-file=%s/bgpd.%%p.xml" % vg_dir]
    routers = build_lab(lab, wrapper, azure.module_args())
    edge = routers["edge"]
    t0 = time.monotonic()
    lab.start()
    start_s = time.monotonic() - t0
    exe = os.readlink("/proc/%d/exe" % edge.pid("bgpd"))
    assert "memcheck" in exe, exe  # really under valgrind
    scenario(lab, routers)
    scenario_s = time.monotonic() - t0 - start_s

    # stop bgpd ourselves: valgrind's exit code 99 may come from FRR's own
    # errors, which are reported, not asserted on
    t1 = time.monotonic()
    how = edge.stop_daemon("bgpd", timeout=90)
    stop_s = time.monotonic() - t1
    assert "SIGKILL" not in how, how
    assert how in ("exit code 0", "exit code 99"), how

    xmls = glob.glob(os.path.join(vg_dir, "*.xml"))
    assert len(xmls) == 1, xmls
    report = parse_report(xmls[0])
    # asserted: any error and any definite leak from the module; possible
    # leaks are reported
    module = [e for e in report if e[3] and e[0] != "Leak_PossiblyLost"]
    module_possible = [e for e in report
                       if e[3] and e[0] == "Leak_PossiblyLost"]
    others = [e for e in report if not e[3]]
    print("valgrind: start %.1f s, scenario %.1f s, stop %.1f s; %s"
          % (start_s, scenario_s, stop_s, how))
    print("valgrind: %d error(s)/definite leak(s) from the module, %d "
          "possible leak(s) from the module, %d from FRR itself"
          % (len(module), len(module_possible), len(others)))
    if module_possible:
        print("possible leaks from the module (not asserted):\n" +
              summarize(module_possible))
    if others:
        print("FRR's own (not asserted):\n" + summarize(others))
    assert not module, "errors/leaks in bgpd_erpolicy.so:\n" + \
        summarize(module)
    if how == "exit code 99":
        assert others, "valgrind reported errors but none were parsed"


# --- AddressSanitizer + UBSan (opt-in: needs a sanitizer build) -------------

ASAN_DIR = os.environ.get("ERPOLICY_ASAN_MODULEDIR", "")
LIBASAN = sorted(glob.glob("/usr/lib/x86_64-linux-gnu/libasan.so.[0-9]*"))
CONTROL_LEAK = r"""
#include <stdlib.h>
#include <string.h>
void *erp_control_sink;
__attribute__((constructor)) static void erp_control_leak(void)
{ char *p = malloc(77); memset(p, 1, 77); erp_control_sink = p;
  erp_control_sink = NULL; }
"""


def asan_reports(asan_dir):
    """[(kind, text, from_module)] from ASan/LSan/UBSan log files."""
    out = []
    for path in sorted(glob.glob(os.path.join(asan_dir, "*"))):
        with open(path, errors="replace") as f:
            text = f.read()
        # LSan: one block per leak; ASan: one report; UBSan: per line
        blocks = re.split(r"\n(?=(?:Direct|Indirect) leak of )", text)
        for blk in blocks:
            m = re.search(r"(ERROR: AddressSanitizer: [\w-]+|"
                          r"(?:Direct|Indirect) leak of|runtime error:)",
                          blk)
            if m:
                out.append((m.group(1), blk.strip()[:3000],
                            MODULE_OBJ in blk))
    return out


@pytest.mark.skipif(not ASAN_DIR, reason="opt-in: build with "
                    "--enable-sanitizers, set ERPOLICY_ASAN_MODULEDIR "
                    "(see doc/sanitizers.md)")
@pytest.mark.skipif(not LIBASAN, reason="libasan not installed")
def test_scenario_under_asan(lab):
    so = os.path.join(ASAN_DIR, MODULE_OBJ)
    assert os.path.exists(so), so
    assert "libasan" in subprocess.run(["ldd", so], capture_output=True,
                                       text=True).stdout, \
        "%s is not a sanitizer build" % so
    san_dir = os.path.join(lab.dir, "asan")
    os.makedirs(san_dir)
    os.chmod(san_dir, 0o777)
    # negative control: a 77-byte leak outside the module, preloaded
    control = os.path.join(lab.dir, "control-leak.so")
    src = os.path.join(lab.dir, "control-leak.c")
    with open(src, "w") as f:
        f.write(CONTROL_LEAK)
    subprocess.run(["gcc", "-shared", "-fPIC", "-o", control, src],
                   check=True)
    os.chmod(control, 0o755)
    wrapper = ["env", "LD_PRELOAD=%s %s" % (LIBASAN[-1], control),
               "ASAN_OPTIONS=log_path=%s/asan:detect_leaks=1:"
               "abort_on_error=0:halt_on_error=0" % san_dir,
               "UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=0:"
               "log_path=%s/ubsan" % san_dir]
    routers = build_lab(lab, wrapper, ["--moduledir", ASAN_DIR,
                                       "-M", "erpolicy"])
    lab.start()
    scenario(lab, routers)
    how = routers["edge"].stop_daemon("bgpd", timeout=60)
    assert "SIGKILL" not in how, how
    reports = asan_reports(san_dir)
    module = [r for r in reports if r[2]]
    others = [r for r in reports if not r[2]]
    print("asan: %s; %d report(s) from the module, %d from elsewhere"
          % (how, len(module), len(others)))
    for kind, text, _ in others:
        print("not the module's (%s):\n%s" % (kind, text[:1500]))
    assert any("leak of 77 byte" in t for _, t, _ in others), \
        "LeakSanitizer did not report the control leak: %s" % reports
    assert not module, "\n\n".join(t for _, t, _ in module)


LEAKY_LIB = r"""
#include <stdlib.h>
#include <string.h>
char *erp_leak(void) { char *p = malloc(64); strcpy(p, "leak"); return p; }
int erp_bad_read(void) { int *p = malloc(4 * sizeof(int)); int v = p[4];
                         free(p); return v; }
"""
LEAKY_MAIN = r"""
#include <stdio.h>
#include <stdlib.h>
extern char *erp_leak(void);
extern int erp_bad_read(void);
int main(void) { char *q = malloc(32); q[0] = 0; q = NULL;
                 erp_leak(); printf("%d\n", erp_bad_read() & 0); return 0; }
"""


@pytest.mark.skipif(shutil.which("gcc") is None, reason="no gcc")
def test_report_parser_negative_control(tmp_path):
    """The flags and the parser do find errors and leaks, and attribute
    them to bgpd_erpolicy.so only when a frame is in it."""
    (tmp_path / "lib.c").write_text(LEAKY_LIB)
    (tmp_path / "main.c").write_text(LEAKY_MAIN)
    lib = tmp_path / MODULE_OBJ
    subprocess.run(["gcc", "-g", "-O0", "-shared", "-fPIC", "-o", str(lib),
                    str(tmp_path / "lib.c")], check=True)
    exe = tmp_path / "leaky"
    subprocess.run(["gcc", "-g", "-O0", "-o", str(exe),
                    str(tmp_path / "main.c"), str(lib),
                    "-Wl,-rpath," + str(tmp_path)], check=True)
    xml = tmp_path / "vg.xml"
    proc = subprocess.run(
        ["valgrind", "--tool=memcheck", "--error-exitcode=99",
         "--leak-check=full", "--errors-for-leak-kinds=definite",
         "--show-leak-kinds=definite,possible", "--xml=yes",
         "--xml-file=%s" % xml, str(exe)], capture_output=True, timeout=120)
    assert proc.returncode == 99
    report = parse_report(str(xml))
    kinds = {(k, m) for k, _, _, m in report}
    assert ("InvalidRead", True) in kinds, summarize(report)
    assert ("Leak_DefinitelyLost", True) in kinds, summarize(report)
    assert ("Leak_DefinitelyLost", False) in kinds, summarize(report)
