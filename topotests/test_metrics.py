"""Issue 14 item 3: metrics and logs that monitoring can use.

* monitoring/erpolicy-prometheus (packaged, run by a systemd timer) writes
  the module's state for Debian's prometheus-node-exporter textfile
  collector.  End to end: the lab's edge router (two MSEEs, a VPN gateway),
  the exporter reading it through the erpolicy-aware vtysh, the real
  ``prometheus-node-exporter`` listening on a loopback port inside the
  edge's namespace, scraped over HTTP.  ExpressRoute down: the path state
  metric goes from expressroute to vpn and the failover counter grows;
  back: failback counted.
* The example Grafana dashboard loads and every query names only metrics
  the scraped exporter really emits (and parses as PromQL: promtool checks
  each one as a recording rule); the alert rules pass ``promtool check
  rules`` and ``promtool test rules`` (monitoring/erpolicy-alerts.test.yml),
  which fails on a broken rule (negative control).
* Health warnings are logged when they appear and when they clear.
* ``show debugging`` lists ``debug bgp erpolicy``; set in configuration
  mode it is part of the running configuration, so ``write memory`` keeps
  it and vtysh applies it at boot (integrated frr.conf).
"""

import json
import os
import re
import shlex
import shutil
import subprocess

import pytest

from lib import azure
from lib.lab import stop_popen, wait_until
import test_erpolicy_failover as fo
import test_vtysh_erpolicy as tve

MON = os.path.join(azure.ROOT, "monitoring")
EXPORTER = os.path.join(MON, "erpolicy-prometheus")
DASHBOARD = os.path.join(MON, "grafana-dashboard.json")
RULES = os.path.join(MON, "erpolicy-alerts.yml")
RULES_TEST = os.path.join(MON, "erpolicy-alerts.test.yml")
NODE_EXPORTER = shutil.which("prometheus-node-exporter")
PROMTOOL = shutil.which("promtool")
METRIC_RE = re.compile(r"\berpolicy_[a-z_]+\b")
PORT = 9100

need_promtool = pytest.mark.skipif(
    not PROMTOOL, reason="promtool not installed (Debian package prometheus)")


# ------------------------------------------------------------ helpers ----
def dashboard_queries():
    """Every PromQL text of the dashboard: panel targets, template
    variables, annotations."""
    with open(DASHBOARD) as f:
        dash = json.load(f)
    out = []
    for p in dash["panels"]:
        assert p["targets"], p["title"]
        out += [t["expr"] for t in p["targets"]]
    for v in dash["templating"]["list"]:
        if v["type"] == "query":
            out.append(v["query"]["query"])
    out += [a["expr"] for a in dash["annotations"]["list"]]
    return out


def rule_exprs():
    # PyYAML is not needed for this: every expr of the file is either on
    # one line or a '|' block of deeper-indented lines
    exprs, lines = [], open(RULES).read().splitlines()
    for i, line in enumerate(lines):
        m = re.match(r"^(\s*)expr: ?(.*)$", line)
        if not m:
            continue
        if m.group(2).strip() != "|":
            exprs.append(m.group(2))
            continue
        block = []
        for nxt in lines[i + 1:]:
            if len(nxt) - len(nxt.lstrip()) <= len(m.group(1)):
                break
            block.append(nxt.strip())
        exprs.append(" ".join(block))
    return exprs


def grafana_to_promql(expr):
    """A dashboard query as Prometheus sees it once Grafana has replaced
    its variables (label_values(SELECTOR, LABEL) is Grafana's: Prometheus
    sees the selector)."""
    m = re.match(r"^label_values\((.*), *\w+\)$", expr)
    if m:
        expr = m.group(1)
    return (expr.replace("$__rate_interval", "1m")
            .replace("$instance", ".*").replace("$vrf", ".*"))


def parse_exposition(text):
    """{(name, frozenset(labels.items())): value} of Prometheus' text
    format (no escapes in this exporter's label values but \\\\ and \\")."""
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = re.match(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$', line)
        assert m, line
        labels = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"',
                                 m.group(2) or ""))
        out[(m.group(1), frozenset(labels.items()))] = float(m.group(3))
    return out


def value(samples, name, **labels):
    want = set(labels.items())
    found = [v for (n, lbl), v in samples.items()
             if n == name and want <= set(lbl)]
    assert len(found) == 1, (name, labels, found)
    return found[0]


def names(samples):
    return {n for n, _ in samples}


# --------------------------------------------------- static checks ----
def test_dashboard_loads_and_queries_parse(tmp_path):
    queries = dashboard_queries()
    assert len(queries) >= 12
    for q in queries:
        assert METRIC_RE.search(q), "query names no erpolicy metric: " + q
    if not PROMTOOL:
        pytest.skip("promtool not installed: PromQL syntax not checked")
    # each query as a recording rule: promtool parses it
    rules = tmp_path / "dashboard-rules.yml"
    rules.write_text("groups:\n  - name: dashboard\n    rules:\n" + "".join(
        "      - record: dashboard_query_%d\n        expr: %s\n"
        % (i, json.dumps(grafana_to_promql(q)))
        for i, q in enumerate(queries)))
    p = subprocess.run([PROMTOOL, "check", "rules", str(rules)],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stdout + p.stderr
    # negative control: a query that is not PromQL is refused
    rules.write_text("groups:\n  - name: bad\n    rules:\n"
                     "      - record: bad\n        expr: 'max by (afi ("
                     "erpolicy_path_state)'\n")
    p = subprocess.run([PROMTOOL, "check", "rules", str(rules)],
                       capture_output=True, text=True)
    assert p.returncode != 0


@need_promtool
def test_alert_rules_promtool(tmp_path):
    p = subprocess.run([PROMTOOL, "check", "rules", RULES],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "SUCCESS: 6 rules found" in p.stdout, p.stdout
    p = subprocess.run([PROMTOOL, "test", "rules", RULES_TEST],
                       capture_output=True, text=True, cwd=MON)
    assert p.returncode == 0, p.stdout + p.stderr
    assert {"ErpolicyExpressRouteDown", "ErpolicyHoldDownActive",
            "ErpolicyAdvertiseLimitNear", "ErpolicyHealthWarning"} <= \
        set(re.findall(r"alert: (\w+)", open(RULES).read()))
    # negative control: ER down alerting on one neighbor down instead of
    # all of them fails the unit test (r2 has one of two up)
    shutil.copy(RULES_TEST, tmp_path)
    broken = open(RULES).read().replace(
        'max by (instance, vrf) (erpolicy_neighbor_up{path="expressroute"})',
        'min by (instance, vrf) (erpolicy_neighbor_up{path="expressroute"})')
    assert broken != open(RULES).read()
    (tmp_path / "erpolicy-alerts.yml").write_text(broken)
    p = subprocess.run([PROMTOOL, "test", "rules", "erpolicy-alerts.test.yml"],
                       capture_output=True, text=True, cwd=str(tmp_path))
    assert p.returncode != 0, p.stdout


def test_exporter_without_bgpd(tmp_path):
    """vtysh fails: the file says erpolicy_exporter_up 0 (exit status 1)
    and nothing else is made up; the file is replaced, not appended."""
    out = tmp_path / "frr_erpolicy.prom"
    out.write_text("stale 1\n")
    p = subprocess.run([EXPORTER, "--output", str(out), "--vtysh",
                        "/bin/false"], capture_output=True, text=True)
    assert p.returncode == 1, p.stderr
    s = parse_exposition(out.read_text())
    assert value(s, "erpolicy_exporter_up") == 0
    assert names(s) == {"erpolicy_exporter_up",
                        "erpolicy_exporter_last_run_timestamp_seconds",
                        "erpolicy_exporter_duration_seconds"}
    assert os.listdir(str(tmp_path)) == ["frr_erpolicy.prom"]  # no temp


# ------------------------------------------------------- end to end ----
class NodeExporter:
    """Debian's prometheus-node-exporter in a namespace of the lab, with
    only the textfile collector, on 127.0.0.1:PORT of that namespace."""

    def __init__(self, node, textdir):
        self.node = node
        self.log = os.path.join(node.lab.dir, "node-exporter.log")
        with open(self.log, "ab") as log:
            self.popen = subprocess.Popen(
                ["ip", "netns", "exec", node.ns, NODE_EXPORTER,
                 "--web.listen-address=127.0.0.1:%d" % PORT,
                 "--collector.disable-defaults", "--collector.textfile",
                 "--collector.textfile.directory=" + textdir],
                stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True)

    def scrape(self):
        # curl inside the namespace: the port exists only there
        p = self.node.exec(["curl", "-sf", "http://127.0.0.1:%d/metrics"
                            % PORT], check=False)
        if p.returncode != 0:
            if self.popen.poll() is not None:
                raise AssertionError("node-exporter exited:\n" +
                                     open(self.log).read())
            return None
        return p.stdout

    def stop(self):
        stop_popen(self.popen)


@pytest.fixture
def node_exporter():
    started = []

    def make(node, textdir):
        ne = NodeExporter(node, textdir)
        started.append(ne)
        return ne
    yield make
    for ne in started:
        ne.stop()


@pytest.mark.skipif(not NODE_EXPORTER,
                    reason="prometheus-node-exporter not installed")
@pytest.mark.skipif(not os.access(tve.VTYSH, os.X_OK),
                    reason="erpolicy-aware vtysh not built")
def test_node_exporter_end_to_end(lab, node_exporter):
    r = fo.start(lab)
    edge = r["edge"]
    lab.wait_until(lambda: fo.via_er(edge), timeout=10, message="via ER")
    textdir = os.path.join(lab.dir, "textfile")
    os.makedirs(textdir)
    # the target's vtysh runs in its root (a frr-10.3 vtysh needs trixie's
    # libc); the exporter and node-exporter run here
    vtysh = " ".join(shlex.quote(a) for a in lab.target_argv(
        [tve.VTYSH, "--vty_socket", edge.dir]))
    ne = node_exporter(edge, textdir)

    def export_and_scrape():
        p = subprocess.run([EXPORTER, "--vtysh", vtysh, "--output",
                            os.path.join(textdir, "frr_erpolicy.prom")],
                           capture_output=True, text=True, timeout=60)
        assert p.returncode == 0, p.stderr
        text = wait_until(ne.scrape, timeout=10, message="node-exporter")
        assert "node_textfile_scrape_error 0" in text, text
        return parse_exposition(text)

    s = export_and_scrape()
    with open(os.path.join(textdir, "frr_erpolicy.prom")) as f:
        print(f.read())  # the user guide's sample
    assert value(s, "erpolicy_exporter_up") == 1
    assert value(s, "erpolicy_instance_info", vrf="default") == 1
    assert value(s, "erpolicy_path_state", afi="ipv4",
                 state="expressroute") == 1
    assert value(s, "erpolicy_path_state", afi="ipv4", state="vpn") == 0
    assert value(s, "erpolicy_preferred_path", afi="ipv4",
                 path="expressroute") == 1
    assert value(s, "erpolicy_sessions_established", afi="ipv4",
                 path="expressroute") == 2
    assert value(s, "erpolicy_path_events_total", afi="ipv4",
                 event="failover") == 0
    assert value(s, "erpolicy_neighbor_up", neighbor=fo.M1[1]) == 1
    assert value(s, "erpolicy_neighbor_prefixes_accepted",
                 neighbor=fo.M1[1], afi="ipv4") >= 1
    assert value(s, "erpolicy_neighbor_advertise_limit",
                 neighbor=fo.M1[1], afi="ipv4") > 0
    # the lab has no BFD and timers 3/9: the health checks say so, one
    # erNoBfd per ExpressRoute neighbor (IPv4 and IPv6 sessions)
    er = [n for n, v in azure.erpolicy(edge)["neighbors"].items()
          if v["path"] == "expressroute"]
    assert len(er) >= 2
    assert value(s, "erpolicy_health_warnings", check="erNoBfd") == len(er)
    assert value(s, "erpolicy_health_warning", check="vpnTimers",
                 neighbor=fo.VPN[1]) == 1

    # every metric the dashboard and the alert rules name is emitted
    emitted = names(s)
    for q in dashboard_queries() + rule_exprs():
        missing = set(METRIC_RE.findall(q)) - emitted
        assert not missing, (q, missing)

    # ExpressRoute down: the path state moves to vpn, a failover counted
    for link in ("msee1_link", "msee2_link"):
        r[link].set_carrier(False, end="b")
    lab.wait_until(lambda: fo.state(edge)["pathState"] == "vpn",
                   timeout=20, message="failed over")
    s = export_and_scrape()
    assert value(s, "erpolicy_path_state", afi="ipv4", state="vpn") == 1
    assert value(s, "erpolicy_path_state", afi="ipv4",
                 state="expressroute") == 0
    assert value(s, "erpolicy_sessions_established", afi="ipv4",
                 path="expressroute") == 0
    assert value(s, "erpolicy_path_events_total", afi="ipv4",
                 event="failover") == 1
    assert value(s, "erpolicy_neighbor_up", neighbor=fo.M1[1]) == 0

    # back: fail-back counted, state expressroute again
    for link in ("msee1_link", "msee2_link"):
        r[link].set_carrier(True, end="b")
    lab.wait_until(lambda: fo.state(edge)["pathState"] == "expressroute",
                   timeout=30, message="failed back")
    s = export_and_scrape()
    assert value(s, "erpolicy_path_state", afi="ipv4",
                 state="expressroute") == 1
    assert value(s, "erpolicy_path_events_total", afi="ipv4",
                 event="failback") == 1
    assert value(s, "erpolicy_path_events_total", afi="ipv4",
                 event="failover") == 1


# --------------------------------------------- logs and debugging ----
def test_health_warning_logged_when_it_appears_and_clears(lab):
    """Generic over the checks: the weight check is logged once when a
    weight is set (whatever the count of prefixes meanwhile), once cleared
    when it is removed; a second one for another neighbor is its own."""
    r = fo.start(lab)
    edge = r["edge"]
    appear = ("health warning weightSet: neighbor %s has weight 10 in ipv4:"
              " weight overrides the module's local-preference")
    cleared = "health warning weightSet cleared (was: neighbor %s"
    edge.config(["router bgp %d" % azure.EDGE_AS, "address-family ipv4 unicast",
                 "neighbor %s weight 10" % fo.M1[1]])
    lab.wait_until(lambda: appear % fo.M1[1] in edge.log_text(),
                   timeout=10, message="weightSet logged")
    edge.config(["router bgp %d" % azure.EDGE_AS, "address-family ipv4 unicast",
                 "neighbor %s weight 10" % fo.M2[1]])
    lab.wait_until(lambda: appear % fo.M2[1] in edge.log_text(),
                   timeout=10, message="second weightSet logged")
    edge.config(["router bgp %d" % azure.EDGE_AS, "address-family ipv4 unicast",
                 "no neighbor %s weight 10" % fo.M1[1]])
    lab.wait_until(lambda: cleared % fo.M1[1] in edge.log_text(),
                   timeout=10, message="weightSet cleared")
    fo.time.sleep(2.5)  # a few ticks: nothing logged twice
    log = edge.log_text()
    print("\n".join(l for l in log.splitlines() if "health warning" in l))
    assert log.count(appear % fo.M1[1]) == 1, log
    assert log.count(appear % fo.M2[1]) == 1, log
    assert log.count(cleared % fo.M1[1]) == 1, log
    assert cleared % fo.M2[1] not in log
    # with what to do
    assert ('%s. To fix: write "no neighbor %s weight"'
            % (appear % fo.M1[1], fo.M1[1])) in log, log
    # the warnings present from the start were logged once each too
    assert log.count("health warning erNoBfd: ExpressRoute neighbor %s"
                     % fo.M1[1]) == 1, log


@pytest.mark.skipif(not os.access(tve.VTYSH, os.X_OK),
                    reason="erpolicy-aware vtysh not built")
def test_show_debugging_and_write_memory(lab):
    r = fo.start(lab)
    edge = r["edge"]
    vt = tve.Vtysh(edge)

    def debugging():
        return vt.cmd("show debugging").stdout

    assert "erpolicy" not in debugging()
    # from enable mode: for this terminal, not in the configuration
    vt.cmd("debug bgp erpolicy")
    assert "BGP erpolicy debugging is on" in debugging()
    assert "debug bgp erpolicy" not in vt.running()
    vt.cmd("no debug bgp erpolicy")
    assert "erpolicy" not in debugging()

    # from configuration mode: in the running configuration and frr.conf
    vt.cmd("configure terminal", "debug bgp erpolicy")
    assert "BGP erpolicy debugging is on" in debugging()
    assert "\ndebug bgp erpolicy\n" in vt.running()
    vt.cmd("write memory")
    with open(vt.frr_conf) as f:
        saved = f.read()
    assert "\ndebug bgp erpolicy\n" in saved, saved
    # bgpd's own debug lines are still written (the chained writer)
    vt.cmd("configure terminal", "debug bgp nht")
    running = vt.running()
    assert "debug bgp nht" in running and "debug bgp erpolicy" in running

    # a bgpd restarted without it, then booted from frr.conf: on again
    edge.restart_daemon("bgpd")
    assert "erpolicy" not in debugging()
    p = vt.boot()
    assert p.returncode == 0, p.text
    assert "BGP erpolicy debugging is on" in debugging()
    assert "\ndebug bgp erpolicy\n" in vt.running()
