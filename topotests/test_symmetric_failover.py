"""Issue 12 item 3: both directions fail over together.

Azure prefers ExpressRoute over VPN for the same prefix, whatever on-prem
does with its own traffic.  While the module demotes ExpressRoute (drain,
fail-back hold-down) and the VPN carries the on-prem prefixes, it withdraws
them from the MSEEs, so that Azure's return traffic moves to the VPN too.

The lab (azure.build_with_vnet) puts an emulated Azure VNet behind the
three Azure routers: it prefers what the MSEEs send over what the VPN
gateway sends, as Azure does.  Pings from a host of the on-prem site
behind the edge to the VNet's Azure host show, by the edge's interface counters, which path each
direction really took: tx for on-prem -> Azure, rx for Azure -> on-prem.

With ERPOLICY_TIMELINE=DIR set, the drain and hold-down tests also record a
timeline (packet counters sampled under a steady ping stream, the module's
events, the lab's actions) as DIR/drain.json and DIR/holddown.json, which
doc/failover-timeline.py draws as doc/failover-timeline.svg.
"""

import json
import os
import re
import subprocess
import threading
import time

from lib import azure

NAMES = ["msee1", "msee2", "vpngw"]
M1 = azure.PEERS["msee1"]
M2 = azure.PEERS["msee2"]
VPN = azure.PEERS["vpngw"]
AZ_PFX = "10.100.1.0/24"
IFS = {"eth-msee1": "er", "eth-msee2": "er", "eth-vpngw": "vpn"}
VNET_GW = {azure.VNET_LINKS["msee1"][0]: "er",
           azure.VNET_LINKS["msee2"][0]: "er",
           azure.VNET_LINKS["vpngw"][0]: "vpn"}
EDGE_GW = {M1[1]: "er", M2[1]: "er", VPN[1]: "vpn"}


def start(lab, extra="", before=""):
    edge_cfg = azure.edge_conf(
        NAMES, erpolicy=azure.erpolicy_lines(NAMES) + extra, before=before,
        ipv4_extra="  network %s\n" % azure.ONPREM_PFX)
    r = azure.build_with_vnet(lab, edge_cfg, names=NAMES)
    lab.start()
    edge, vnet = r["edge"], r["vnet"]
    lab.wait_until(azure.established(edge, [M1[1], M2[1], VPN[1]]),
                   timeout=30, message="edge sessions up")
    lab.wait_until(azure.established(
        vnet, [azure.VNET_LINKS[n][0] for n in NAMES]),
        timeout=30, message="VNet sessions up")
    lab.wait_until(lambda: len(azure.paths(vnet, azure.ONPREM_PFX)) == 3,
                   timeout=30, message="VNet hears on-prem from all three")
    lab.wait_until(lambda: len(azure.paths(edge, AZ_PFX)) == 3, timeout=20,
                   message="edge hears Azure from all three")
    lab.wait_until(lambda: directions(r) == ("er", "er"), timeout=15,
                   message="both directions on ExpressRoute")
    return r


def directions(r):
    """(on-prem -> Azure, Azure -> on-prem) as the kernels route them now:
    the edge's route to the Azure prefix, the VNet's to the on-prem one."""
    out = EDGE_GW.get(azure.kernel_gateway(r["edge"], AZ_PFX))
    back = VNET_GW.get(azure.kernel_gateway(r["vnet"], azure.ONPREM_PFX))
    return out, back


def packets_path(r, count=50):
    """Ping the Azure host from the on-prem site's host; every reply must
    come back.  Returns (path of the requests, path of the replies) from the
    edge's tx and rx counters: the one interface that sent, and the one
    that received, at least count packets (BGP keepalives are a handful)."""
    edge, site = r["edge"], r["site"]
    before = {i: azure.if_packets(edge, i) for i in IFS}
    res = site.exec(["ping", "-n", "-q", "-c", str(count), "-i", "0.01",
                     "-W", "1", azure.AZURE_HOST], check=False)
    m = re.search(r"(\d+) received", res.stdout)
    assert m and int(m.group(1)) == count, res.stdout + res.stderr
    after = {i: azure.if_packets(edge, i) for i in IFS}
    tx = [i for i in IFS if after[i][0] - before[i][0] >= count]
    rx = [i for i in IFS if after[i][1] - before[i][1] >= count]
    assert len(tx) == 1 and len(rx) == 1, (before, after)
    return IFS[tx[0]], IFS[rx[0]]


def advertised(edge, addr):
    data = edge.show_json("show bgp ipv4 unicast neighbors %s "
                          "advertised-routes" % addr)
    return set(data.get("advertisedRoutes", {}))


def erpolicy(edge):
    return azure.erpolicy(edge)


def events(edge, afi="ipv4"):
    return [e for e in edge.show_json("show bgp erpolicy events")["events"]
            if e["afi"] == afi]


def yang_state(edge):
    out = subprocess.run(
        ["vtysh", "--vty_socket", edge.dir, "-c",
         "show yang operational-data /frr-bgp-erpolicy:erpolicy-state bgpd"],
        capture_output=True, text=True, timeout=30, check=True).stdout
    return json.loads(out)["frr-bgp-erpolicy:erpolicy-state"]["instance"][0]


def switch_time(r, want, t0, timeout):
    """Seconds from t0 (time.monotonic()) until each kernel routes its
    direction over want: (on-prem side, Azure side), None for a side that
    did not within timeout (the packets then tell what happened).  Polled
    every 20 ms."""
    sides = [(r["edge"], AZ_PFX, EDGE_GW),
             (r["vnet"], azure.ONPREM_PFX, VNET_GW)]
    got = [None, None]
    while None in got and time.monotonic() - t0 < timeout:
        for k, (node, pfx, gws) in enumerate(sides):
            if got[k] is None:
                now = time.monotonic()
                if gws.get(azure.kernel_gateway(node, pfx)) == want:
                    got[k] = now - t0
        time.sleep(0.02)
    return tuple(got)


class Timeline:
    """Under a steady ping stream (one packet each 20 ms), samples the
    edge's per-path packet counters every 250 ms, and keeps the lab's
    actions; save() adds the module's events.  Only with ERPOLICY_TIMELINE."""

    def __init__(self, r, name):
        self.edge, self.name = r["edge"], name
        self.dir = os.environ.get("ERPOLICY_TIMELINE")
        self.samples, self.actions, self.texts = [], [], []
        self.t0 = time.monotonic()
        self._stop = threading.Event()
        self._ping = self._thread = None
        if not self.dir:
            return
        argv = ["ip", "netns", "exec", r["site"].ns, "ping", "-n", "-q",
                "-i", "0.02", azure.AZURE_HOST]
        self._ping = subprocess.Popen(argv, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL)
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self):
        while not self._stop.is_set():
            before = time.monotonic()
            links = self.edge.ip_json("-s", "link", "show")
            now = (before + time.monotonic()) / 2 - self.t0
            row = {"t": round(now, 3)}
            for link in links:
                path = IFS.get(link["ifname"])
                if path:
                    st = link["stats64"]
                    for d in ("tx", "rx"):
                        k = "%s_%s" % (path, d)
                        row[k] = row.get(k, 0) + st[d]["packets"]
            self.samples.append(row)
            self._stop.wait(0.25)

    def action(self, text):
        if self.dir:
            self.actions.append({"t": round(time.monotonic() - self.t0, 3),
                                 "action": text})

    def capture(self, cmd, grep=None):
        """Keep a command's output (or the log's lines containing grep)
        for the user guide's samples."""
        if not self.dir:
            return
        if grep:
            lines = [ln for ln in self.edge.log_text().splitlines()
                     if grep in ln]
            self.texts.append("bgpd.log (%s):\n%s\n" % (grep,
                                                        "\n".join(lines)))
        else:
            self.texts.append("edge# %s\n%s" % (cmd, self.edge.vty(cmd)))

    def stop(self):
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=5)
        if self._ping:
            self._ping.terminate()
            self._ping.wait(timeout=5)

    def save(self, measured):
        self.stop()
        if not self.dir:
            return
        evs = [{"t": round(e["monotonicMs"] / 1000.0 - self.t0, 3),
                "event": e["event"], "from": e["from"], "to": e["to"],
                "cause": e["cause"]}
               for e in events(self.edge)
               if e["monotonicMs"] / 1000.0 >= self.t0]
        os.makedirs(self.dir, exist_ok=True)
        with open(os.path.join(self.dir, self.name + ".json"), "w") as f:
            json.dump({"scenario": self.name, "samples": self.samples,
                       "actions": self.actions, "events": evs,
                       "measured": measured}, f, indent=1)
        with open(os.path.join(self.dir, self.name + "-samples.txt"),
                  "w") as f:
            f.write("\n".join(self.texts))


def test_drain_moves_both_directions(lab):
    r = start(lab)
    edge = r["edge"]
    assert packets_path(r) == ("er", "er")
    tl = Timeline(r, "drain")
    try:
        time.sleep(2)
        tl.action("erpolicy drain expressroute")
        t0 = time.monotonic()
        edge.config(["router bgp 65010", "erpolicy drain expressroute"])
        out_s, back_s = switch_time(r, "vpn", t0, timeout=20)
        # Azure's return traffic follows on-prem's onto the VPN
        assert packets_path(r) == ("vpn", "vpn")
        assert None not in (out_s, back_s)
        assert azure.ONPREM_PFX not in advertised(edge, M1[1])
        assert azure.ONPREM_PFX not in advertised(edge, M2[1])
        assert azure.ONPREM_PFX in advertised(edge, VPN[1])
        st = erpolicy(edge)
        assert st["symmetricFailover"] is True
        assert st["addressFamilies"]["ipv4"]["expressrouteWithdrawn"] is True
        for m in (M1, M2):
            na = st["neighbors"][m[1]]["addressFamilyInfo"]["ipv4Unicast"][
                "prefixesNotAdvertised"]
            assert na["expressrouteDemoted"] == 1, na
        na = st["neighbors"][VPN[1]]["addressFamilyInfo"]["ipv4Unicast"][
            "prefixesNotAdvertised"]
        assert na["expressrouteDemoted"] == 0, na
        types = [e["event"] for e in events(edge)]
        assert types[-2:] == ["drain", "withdraw-from-er"], types
        inst = yang_state(edge)
        assert inst["symmetric-failover"] is True
        afs = {a["afi"]: a for a in inst["address-family"]}
        assert afs["ipv4"]["expressroute-withdrawn"] is True
        nbr = {n["name"]: n for n in inst["neighbor"]}[M1[1]]
        naf = {a["afi"]: a for a in nbr["address-family"]}["ipv4"]
        assert naf["prefixes-not-advertised"]["expressroute-demoted"] == 1, \
            naf
        text = edge.vty("show bgp erpolicy")
        assert "IPv4 preferred path: vpn" in text
        assert "state drained; on-prem prefixes withdrawn from " \
            "ExpressRoute" in text, text
        assert "Symmetric failover: off" not in text
        tl.capture("show bgp erpolicy")
        tl.capture("show bgp ipv4 unicast neighbors %s advertised-routes"
                   % M1[1])
        time.sleep(2)

        tl.action("no erpolicy drain expressroute")
        t1 = time.monotonic()
        edge.config(["router bgp 65010", "no erpolicy drain expressroute"])
        out_b, back_b = switch_time(r, "er", t1, timeout=20)
        assert packets_path(r) == ("er", "er")
        assert None not in (out_b, back_b)
        assert azure.ONPREM_PFX in advertised(edge, M1[1])
        types = [e["event"] for e in events(edge)]
        assert types[-2:] == ["undrain", "restore-to-er"], types
        assert erpolicy(edge)["addressFamilies"]["ipv4"][
            "expressrouteWithdrawn"] is False
        time.sleep(2)
        measured = {"drain_onprem_s": out_s, "drain_azure_s": back_s,
                    "undrain_onprem_s": out_b, "undrain_azure_s": back_b}
        print("drain: on-prem side %.2f s, Azure side %.2f s; undrain: "
              "on-prem side %.2f s, Azure side %.2f s"
              % (out_s, back_s, out_b, back_b))
    finally:
        tl.stop()
    tl.save(measured)


def test_holddown_moves_both_directions(lab):
    hold = 12
    r = start(lab, extra=" erpolicy failback hold-down %d\n" % hold)
    edge = r["edge"]
    tl = Timeline(r, "holddown")
    try:
        time.sleep(2)
        tl.action("ExpressRoute links down")
        t0 = time.monotonic()
        for n in ("msee1_link", "msee2_link"):
            r[n].set_carrier(False, end="b")
        out_f, back_f = switch_time(r, "vpn", t0, timeout=20)
        assert packets_path(r) == ("vpn", "vpn")
        assert None not in (out_f, back_f)
        time.sleep(1)

        tl.action("ExpressRoute links up")
        for n in ("msee1_link", "msee2_link"):
            r[n].set_carrier(True, end="b")
        lab.wait_until(lambda: erpolicy(edge)["addressFamilies"]["ipv4"][
            "pathState"] == "hold-down", timeout=30,
            message="hold-down started")
        lab.wait_until(lambda: azure.path_from(edge, AZ_PFX, M1[1])
                       and azure.path_from(edge, AZ_PFX, M2[1]),
                       timeout=15, message="ER routes received")
        # during the hold-down: ER sessions up and carrying Azure routes,
        # both directions on the VPN, the MSEEs told nothing of on-prem
        assert packets_path(r) == ("vpn", "vpn")
        assert directions(r) == ("vpn", "vpn")
        assert azure.ONPREM_PFX not in advertised(edge, M1[1])
        assert azure.ONPREM_PFX not in advertised(edge, M2[1])
        assert azure.path_from(r["vnet"], azure.ONPREM_PFX,
                               azure.VNET_LINKS["msee1"][0]) is None
        st = erpolicy(edge)["addressFamilies"]["ipv4"]
        assert st["pathState"] == "hold-down"
        assert st["expressrouteWithdrawn"] is True
        left = st["holdDownRemaining"]
        assert left > 0
        tl.capture("show bgp erpolicy")

        def failed_back():
            return [e for e in events(edge) if e["event"] == "failback"]
        lab.wait_until(failed_back, timeout=left + 10,
                       message="fail-back after the hold-down")
        t1 = failed_back()[-1]["monotonicMs"] / 1000.0
        out_b, back_b = switch_time(r, "er", t1, timeout=20)
        assert packets_path(r) == ("er", "er")
        assert None not in (out_b, back_b)
        assert azure.ONPREM_PFX in advertised(edge, M1[1])
        types = [e["event"] for e in events(edge)]
        assert "withdraw-from-er" in types
        assert types[-3:] == ["hold-down-expired", "failback",
                              "restore-to-er"], types
        tl.capture("show bgp erpolicy events")
        tl.capture(None, grep="erpolicy: default ipv4")
        time.sleep(2)
        measured = {"failover_onprem_s": out_f, "failover_azure_s": back_f,
                    "failback_onprem_s": out_b, "failback_azure_s": back_b,
                    "hold_down_s": hold}
        print("ER lost: on-prem side %.2f s, Azure side %.2f s; fail-back "
              "(from the event): on-prem side %.2f s, Azure side %.2f s"
              % (out_f, back_f, out_b, back_b))
    finally:
        tl.stop()
    tl.save(measured)


def test_never_withdrawn_without_vpn_and_setting_off(lab):
    r = start(lab)
    edge = r["edge"]
    # no VPN session: a drain must not cut Azure off from on-prem
    edge.config(["router bgp 65010", "neighbor %s shutdown" % VPN[1],
                 "neighbor %s shutdown" % VPN[3]])
    lab.wait_until(lambda: erpolicy(edge)["addressFamilies"]["ipv4"][
        "vpnSessionsEstablished"] == 0, timeout=10)
    edge.config(["router bgp 65010", "erpolicy drain expressroute"])
    lab.wait_until(lambda: erpolicy(edge)["addressFamilies"]["ipv4"][
        "pathState"] == "drained", timeout=10)
    time.sleep(1)  # a re-evaluation would have happened by now
    assert erpolicy(edge)["addressFamilies"]["ipv4"][
        "expressrouteWithdrawn"] is False
    assert azure.ONPREM_PFX in advertised(edge, M1[1])
    assert packets_path(r) == ("er", "er")
    # the VPN back: withdrawn
    edge.config(["router bgp 65010", "no neighbor %s shutdown" % VPN[1],
                 "no neighbor %s shutdown" % VPN[3]])
    lab.wait_until(lambda: directions(r) == ("vpn", "vpn"), timeout=30,
                   message="VPN back: both directions on it")
    assert packets_path(r) == ("vpn", "vpn")

    # symmetric failover off: the old behaviour, Azure returns over ER
    edge.config(["router bgp 65010", "erpolicy symmetric-failover off"])
    lab.wait_until(lambda: directions(r) == ("vpn", "er"), timeout=20,
                   message="asymmetric again")
    assert packets_path(r) == ("vpn", "er")
    st = erpolicy(edge)
    assert st["symmetricFailover"] is False
    assert yang_state(edge)["symmetric-failover"] is False
    assert st["addressFamilies"]["ipv4"]["expressrouteWithdrawn"] is False
    assert " erpolicy symmetric-failover off" in edge.vty(
        "show running-config")
    assert "Symmetric failover: off" in edge.vty("show bgp erpolicy")
    assert events(edge)[-1]["event"] == "restore-to-er"
    # back to the default
    edge.config(["router bgp 65010", "no erpolicy symmetric-failover"])
    lab.wait_until(lambda: directions(r) == ("vpn", "vpn"), timeout=20)
    assert "symmetric-failover" not in edge.vty("show running-config")

    # the VPN lost during the drain: everything back on ExpressRoute, the
    # on-prem prefix advertised to it again
    edge.config(["router bgp 65010", "neighbor %s shutdown" % VPN[1],
                 "neighbor %s shutdown" % VPN[3]])
    lab.wait_until(lambda: directions(r) == ("er", "er"), timeout=20,
                   message="VPN lost: both directions on ExpressRoute")
    assert azure.ONPREM_PFX in advertised(edge, M1[1])
    assert packets_path(r) == ("er", "er")
    assert events(edge)[-1]["event"] == "restore-to-er"


def test_vpn_map_edited_during_drain(lab):
    """The operator's own outbound map of the VPN neighbor, edited during a
    drain so that the VPN no longer gets the on-prem prefix: ExpressRoute
    must get it back (else Azure has no route to it at all)."""
    r = start(lab, extra=" erpolicy neighbor %s route-map VPN-OUT out\n"
              % VPN[1], before="ip prefix-list SITE seq 5 permit %s\n"
              "route-map VPN-OUT permit 10\nexit\n" % azure.ONPREM_PFX)
    edge = r["edge"]
    edge.config(["router bgp 65010", "erpolicy drain expressroute"])
    lab.wait_until(lambda: directions(r) == ("vpn", "vpn"), timeout=20,
                   message="drained: both directions on the VPN")
    # only the map changes (a prefix-list change re-announces everything)
    edge.config(["route-map VPN-OUT deny 5",
                 "match ip address prefix-list SITE", "exit"])
    lab.wait_until(lambda: azure.ONPREM_PFX not in advertised(edge, VPN[1]),
                   timeout=20, message="the VPN no longer gets it")
    lab.wait_until(lambda: azure.ONPREM_PFX in advertised(edge, M1[1]),
                   timeout=20, message="ExpressRoute gets it back")
    assert packets_path(r) == ("vpn", "er")
