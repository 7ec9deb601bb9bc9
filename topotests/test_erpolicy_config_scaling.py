"""Issue 11, item 6: a large policy is cheap to read and to change.

* One declaration added on a running router with a large policy and
  established neighbors re-evaluates the received and advertised routes of
  its address family once, and the other family's not at all: the module's own record (``debug bgp erpolicy``: one "re-evaluating"
  line per neighbor, address family and direction) and bgpd's (one
  ROUTE-REFRESH sent per session) agree, counted over long enough for any
  second pass to show (the module's 1 s reconcile, bgpd's 5 s route-map
  delay timer).
* Twenty declarations sent the way ``vtysh -f`` (frr-reload) sends them
  (between XFRR_start_configuration and XFRR_end_configuration) are also
  one re-evaluation, not one per line.
* bgpd reads its configuration file with the module's lines grouped into
  one northbound transaction (the cost: bench/policy_cost.py
  --config-scaling, doc/benchmarks.md; not timed here).  What grouping must
  not change: every declaration read, a line the CLI refuses refused alone
  (the rest of the file still applied), and YANG lines after the module's
  (a route-map written after ``router bgp``, as ``write memory`` does)
  applied too.
"""

import re
import time

from lib import azure

ER = azure.PEERS["msee1"]
VPN = azure.PEERS["vpngw"]
NAMES = ["msee1", "vpngw"]
SESSIONS = [ER[1], ER[3], VPN[1], VPN[3]]  # v4 and v6 session of each

# a large policy: 500 Azure + 500 on-prem declarations besides the lab's
BIG_AZURE = ["10.%d.%d.0/24" % (150 + i // 256, i % 256) for i in range(500)]
BIG_ONPREM = ["172.%d.%d.0/24" % (16 + i // 256, i % 256) for i in range(500)]
NEW_AZURE = "10.200.0.0/24"  # originated by both Azure sides, not declared
MORE_AZURE = ["10.201.%d.0/24" % i for i in range(20)]

REEVAL_RE = re.compile(
    r"erpolicy: (\S+) (\S+): re-evaluating (received|advertised) routes")
# bgpd's route-map delay timer (5 s) + the module's reconcile tick (1 s)
# + margin: a second pass from either would be in the log by then
SETTLE = 7.5


def big_policy():
    return (azure.erpolicy_lines(NAMES) +
            "".join(" erpolicy azure-prefix %s\n" % p for p in BIG_AZURE) +
            "".join(" erpolicy onprem-prefix %s\n" % p for p in BIG_ONPREM))


def start(lab, erpolicy=None, before="debug bgp erpolicy\n", after=""):
    az = {n: azure.azure_conf(n, azure.AZURE_V4 + [NEW_AZURE] + MORE_AZURE,
                              azure.AZURE_V6) for n in NAMES}
    edge_cfg = azure.edge_conf(NAMES, before=before,
                               erpolicy=big_policy() if erpolicy is None
                               else erpolicy) + after
    r = azure.build(lab, names=NAMES, edge_bgpd=edge_cfg, azure=az)
    lab.start()
    edge = r["edge"]
    lab.wait_until(azure.established(edge, SESSIONS), timeout=60,
                   message="all four sessions established")
    lab.wait_until(lambda: azure.best_path(edge, "10.100.1.0/24") and
                   azure.path_from(edge, "10.100.1.0/24", VPN[1]),
                   timeout=30, message="Azure routes in from ER and VPN")
    return edge


def refresh_sent(edge):
    out = {}
    for a in SESSIONS:
        n = edge.show_json("show bgp neighbors %s" % a)[a]
        out[a] = n["messageStats"]["routeRefreshSent"]
    return out


def reevaluations(edge, since):
    """{(neighbor, afi, received|advertised): count} logged after offset
    since of the log."""
    counts = {}
    for m in REEVAL_RE.finditer(edge.log_text("bgpd")[since:]):
        counts[m.groups()] = counts.get(m.groups(), 0) + 1
    return counts


def quiet(edge):
    """Wait until no re-evaluation has been logged for SETTLE seconds (the
    start's own passes are over); return the log offset."""
    while True:
        before = len(edge.log_text("bgpd"))
        time.sleep(SETTLE)
        text = edge.log_text("bgpd")
        if not REEVAL_RE.search(text[before:]):
            return len(text)


def check_once(lab, edge, since, refresh_before, family="IPv4"):
    """Every declared session of the family of what was added, both
    directions, re-evaluated exactly once; the other family's not at all
    (its policy did not change: its routes are not sent again, which FRR
    10.3's zebra would re-install in the kernel)."""
    time.sleep(SETTLE)
    counts = reevaluations(edge, since)
    refresh = refresh_sent(edge)
    sessions = [ER[1], VPN[1]] if family == "IPv4" else [ER[3], VPN[3]]
    want = {(a, family) for a in sessions}
    got = {(n, afi) for n, afi, _ in counts}
    assert got == want, counts
    assert all(c == 1 for c in counts.values()), counts
    assert {d for _, _, d in counts} == {"received", "advertised"}, counts
    # and bgpd asked each neighbor of the family to resend its routes once
    delta = {a: refresh[a] - refresh_before[a] for a in SESSIONS}
    assert delta == {a: int(a in sessions) for a in SESSIONS}, delta


def test_one_added_declaration_reevaluates_once(lab):
    edge = start(lab)
    assert azure.paths(edge, NEW_AZURE) == []  # not declared: denied
    since = quiet(edge)
    refresh_before = refresh_sent(edge)

    edge.config(["router bgp 65010", "erpolicy azure-prefix %s" % NEW_AZURE])
    lab.wait_until(lambda: azure.path_from(edge, NEW_AZURE, ER[1]) and
                   azure.path_from(edge, NEW_AZURE, VPN[1]),
                   timeout=15, message="%s accepted from ER and VPN"
                   % NEW_AZURE)
    assert azure.best_path(edge, NEW_AZURE)["peer"]["peerId"] == ER[1]
    check_once(lab, edge, since, refresh_before)

    # and an IPv6 declaration: the IPv6 sessions only
    since = quiet(edge)
    refresh_before = refresh_sent(edge)
    edge.config(["router bgp 65010",
                 "erpolicy maximum-prefix-length ipv6 56"])
    check_once(lab, edge, since, refresh_before, family="IPv6")


def test_grouped_declarations_reevaluate_once(lab):
    edge = start(lab)
    since = quiet(edge)
    refresh_before = refresh_sent(edge)

    # what `vtysh -f` (frr-reload) sends bgpd for twenty new lines
    edge.config(["XFRR_start_configuration", "router bgp 65010"] +
                ["erpolicy azure-prefix %s" % p for p in MORE_AZURE] +
                ["exit", "XFRR_end_configuration"])
    lab.wait_until(lambda: all(azure.path_from(edge, p, ER[1])
                               for p in MORE_AZURE),
                   timeout=15, message="the twenty prefixes accepted")
    check_once(lab, edge, since, refresh_before)


def test_config_file_read_grouped_applies_every_line(lab):
    # a line the CLI refuses in the middle of the declarations (the prefix
    # is already on-prem), and a route-map written after router bgp
    policy = (big_policy() +
              " erpolicy azure-prefix %s\n" % BIG_ONPREM[7] +
              " erpolicy azure-prefix %s\n" % NEW_AZURE +
              " erpolicy neighbor %s route-map ER-IN in\n" % ER[1] +
              " exit\n")
    after = ("route-map ER-IN permit 10\n"
             " set community 65010:99\n"
             "exit\n!\n")
    az = {n: azure.azure_conf(n, azure.AZURE_V4 + [NEW_AZURE],
                              azure.AZURE_V6) for n in NAMES}
    edge_cfg = azure.edge_conf(NAMES, erpolicy=policy) + after
    r = azure.build(lab, names=NAMES, edge_bgpd=edge_cfg, azure=az)
    lab.start()
    edge = r["edge"]
    lab.wait_until(azure.established(edge, SESSIONS), timeout=60,
                   message="all four sessions established")

    st = azure.erpolicy(edge)
    # 10.100.0.0/16 le 24, 2001:db8:100::/48 le 64, 500 + NEW_AZURE
    assert len(st["azurePrefixes"]) == 2 + 500 + 1, len(st["azurePrefixes"])
    assert len(st["onpremPrefixes"]) == 2 + 500, len(st["onpremPrefixes"])
    assert BIG_ONPREM[7] not in [e["prefix"] for e in st["azurePrefixes"]]
    assert "%s is already an onprem-prefix" % BIG_ONPREM[7] in \
        edge.log_text("bgpd") + edge.out_text("bgpd")
    running = edge.vty("show running-config")
    assert running.count(" erpolicy azure-prefix ") == 503
    assert running.count(" erpolicy onprem-prefix ") == 502

    # the route-map after router bgp was applied, and so was the policy
    lab.wait_until(lambda: azure.path_from(edge, NEW_AZURE, ER[1]),
                   timeout=30, message="%s accepted from ER" % NEW_AZURE)
    p = azure.path_from(edge, "10.100.1.0/24", ER[1])
    assert p and p.get("locPrf") == 200, p
    full = edge.show_json("show bgp ipv4 unicast 10.100.1.0/24")
    er = [x for x in full["paths"] if x["peer"]["peerId"] == ER[1]][0]
    assert "65010:99" in er.get("community", {}).get("string", ""), er
