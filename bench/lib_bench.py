"""Shared helpers for the bgpd_erpolicy benchmarks (run by hand, as root).

Topology (one network namespace each, built on topotests/lib/lab.py)::

    msee  (bird2, AS 12076) -- 192.0.2.0/30 ------.
                                                    edge (zebra + bgpd [-n] [-M erpolicy] [+ bfdd])
    vpngw (bird2, AS 65515) -- 198.51.100.0/30 ---'

Both bird2 speakers announce the same N /24s (optionally N6 /48s over
parallel IPv6 sessions) from static routes; every protocol starts
``disabled`` so the benchmark decides when (and in which order) each path
delivers its routes.

What is measured and how:
* CPU seconds: utime+stime of the daemon's PID from /proc/PID/stat;
* settle: the target state (pfxRcd, kernel route count, a few sample
  prefixes) is checked no faster than every 0.25 s; once it holds we keep
  sampling /proc every 50 ms until the watched daemons have been idle for a
  second.  The settle time is the end of the last busy 100 ms slice (>= 20 %
  of a core) -- i.e. when the daemons stopped working, not when we polled;
* medians and spreads over repeats.

ERPOLICY_BENCH_EDGE_GLOBAL: lines for the top of the edge's bgpd
configuration, whatever the policy, separated by ";" (e.g. "no service
cputime-stats", doc/benchmarks.md section 12); recorded in machine_info().

Everything started here is stopped by PID (birds, ip monitor) before the
Lab tears down its daemons and namespaces, also on Ctrl-C / SIGTERM.
"""

import datetime
import hashlib
import ipaddress
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "topotests"))

from lib import lab as labmod  # noqa: E402
from lib.lab import Lab, LabError, wait_until  # noqa: E402,F401 (re-exported)

CLK_TCK = os.sysconf("SC_CLK_TCK")
EDGE_AS = 65010
MSEE_AS = 12076
VPN_AS = 65515

# name -> (edge v4, peer v4, edge v6, peer v6, AS, bird protocol name)
PEERS = {
    "msee": ("192.0.2.2", "192.0.2.1", "2001:db8:e1::2", "2001:db8:e1::1",
             MSEE_AS, "p_er"),
    "vpngw": ("198.51.100.2", "198.51.100.1", "2001:db8:f1::2",
              "2001:db8:f1::1", VPN_AS, "p_vpn"),
}
ER_NH = PEERS["msee"][1]
VPN_NH = PEERS["vpngw"][1]

POLL = 0.25          # never poll bgpd/ip faster than this
SAMPLE = 0.05        # /proc sampling period
BUSY_SLICE = 0.10    # a slice is busy if the daemons used >= 20 % of a core
BUSY_FRACTION = 0.20
QUIET = 1.0          # idle this long after the target state => settled
RMAP_TIMER_WAIT = 6.0  # bgpd's route-map delay-timer (5 s) + margin

MODULE_SRC = os.environ.get(
    "ERPOLICY_MODULEDIR", os.path.join(ROOT, "build", "obj", ".libs"))
EDGE_GLOBAL = [l.strip() for l in
               os.environ.get("ERPOLICY_BENCH_EDGE_GLOBAL", "").split(";")
               if l.strip()]


# ---------------------------------------------------------------------------
# signals: make SIGTERM/SIGHUP unwind like Ctrl-C so every `with` cleans up

def _raise_exit(signum, frame):
    raise SystemExit(128 + signum)


for _sig in (signal.SIGTERM, signal.SIGHUP):
    signal.signal(_sig, _raise_exit)


# ---------------------------------------------------------------------------
# prefixes
#
# Azure: 1,000 declared /14s from 20.0.0.0 ("le 24"), together 1,024,000 /24s;
#        route i is 20.0.0.0 + i*256 /24, so any N <= 1,024,000 routes are
#        covered by the first ceil(N/1024) declarations.
# on-prem: 1,000 declared /24s from 172.16.0.0 ("le 32"); no received
#        route falls into them (they are checked and pass).
# IPv6: Azure 2001:db8:8000::/34 + i*2^94 ("/34 le 48"), routes /48s from
#        2001:db8:8000::; on-prem fd00:0:i::/48 le 128.

V4_AZ_BASE = int(ipaddress.IPv4Address("20.0.0.0"))
V4_OP_BASE = int(ipaddress.IPv4Address("172.16.0.0"))
V6_AZ_BASE = int(ipaddress.IPv6Address("2001:db8:8000::"))
V6_OP_BASE = int(ipaddress.IPv6Address("fd00::"))


def v4_route(i):
    return "%s/24" % ipaddress.IPv4Address(V4_AZ_BASE + (i << 8))


def v6_route(i):
    return "%s/48" % ipaddress.IPv6Address(V6_AZ_BASE + (i << 80))


def azure_decl_v4(k=1000):
    return ["%s/14 le 24" % ipaddress.IPv4Address(V4_AZ_BASE + (i << 18))
            for i in range(k)]


def onprem_decl_v4(k=1000):
    return ["%s/24 le 32" % ipaddress.IPv4Address(V4_OP_BASE + (i << 8))
            for i in range(k)]


def azure_decl_v6(k=1000):
    # /48 routes i..: a /38 holds 1024 /48s -> 1000 /38 declarations
    return ["%s/38 le 48" % ipaddress.IPv6Address(V6_AZ_BASE + (i << 90))
            for i in range(k)]


def onprem_decl_v6(k=1000):
    return ["%s/48 le 128" % ipaddress.IPv6Address(V6_OP_BASE + (i << 80))
            for i in range(k)]


def sample_indexes(n, k=8):
    """k route indexes spread over 0..n-1 (first and last included)."""
    if n <= k:
        return list(range(n))
    return sorted({round(j * (n - 1) / (k - 1)) for j in range(k)})


# ---------------------------------------------------------------------------
# bird2 injector

def write_routes(path, n, v6=False):
    """A bird static-protocol include with n blackhole routes."""
    fn = v6_route if v6 else v4_route
    with open(path, "w") as f:
        if not v6:
            # fast path for 1M routes
            for i in range(n):
                a = V4_AZ_BASE + (i << 8)
                f.write("route %d.%d.%d.0/24 blackhole;\n"
                        % (a >> 24, (a >> 16) & 255, (a >> 8) & 255))
        else:
            for i in range(n):
                f.write("route %s blackhole;\n" % fn(i))


def bird_conf(name, dirpath, n4, n6=0, bfd=False, timers=(60, 180)):
    """bird.conf for the Azure speaker `name` ('msee' or 'vpngw').

    Protocols start disabled (enable with ``birdc enable p_er``...).
    """
    edge4, me4, edge6, me6, asn, proto = PEERS[name]
    r4 = os.path.join(dirpath, "routes4-%d.conf" % n4)
    if not os.path.exists(r4):
        write_routes(r4, n4)
    keep, hold = timers
    common = (f"  connect delay time 1;\n  connect retry time 1;\n"
              f"  error wait time 1, 2;\n  hold time {hold};\n"
              f"  keepalive time {keep};\n"
              + ("  bfd on;\n" if bfd else ""))
    conf = f"""\
log "{dirpath}/bird-{name}.log" {{ info, warning, error, fatal }};
router id {me4};
protocol device {{ scan time 10; }}
protocol static s4 {{
  ipv4;
include "{r4}";
}}
protocol bgp {proto} {{
  disabled;
  local {me4} as {asn};
  neighbor {edge4} as {EDGE_AS};
{common}  ipv4 {{ import none; export all; }};
}}
"""
    if n6:
        r6 = os.path.join(dirpath, "routes6-%d.conf" % n6)
        if not os.path.exists(r6):
            write_routes(r6, n6, v6=True)
        conf += f"""\
protocol static s6 {{
  ipv6;
include "{r6}";
}}
protocol bgp {proto}6 {{
  disabled;
  local {me6} as {asn};
  neighbor {edge6} as {EDGE_AS};
{common}  ipv6 {{ import none; export all; }};
}}
"""
    if bfd:
        conf += """\
protocol bfd {
  interface "*" { min rx interval 300 ms; min tx interval 300 ms; multiplier 3; };
}
"""
    return conf


class Bird:
    """A bird2 process in a lab node's namespace, stopped by PID."""

    def __init__(self, node, name, conf, dirpath):
        self.node = node
        self.name = name
        self.dir = dirpath
        self.conf = os.path.join(dirpath, "bird-%s.conf" % name)
        self.sock = os.path.join(dirpath, "bird-%s.ctl" % name)
        self.pidfile = os.path.join(dirpath, "bird-%s.pid" % name)
        with open(self.conf, "w") as f:
            f.write(conf)
        self.popen = None

    def start(self, timeout=60):
        out = open(os.path.join(self.dir, "bird-%s.out" % self.name), "ab")
        try:
            self.popen = subprocess.Popen(
                ["ip", "netns", "exec", self.node.ns, "bird", "-f",
                 "-c", self.conf, "-s", self.sock, "-P", self.pidfile],
                stdin=subprocess.DEVNULL, stdout=out,
                stderr=subprocess.STDOUT, start_new_session=True)
        finally:
            out.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.popen.poll() is not None:
                raise LabError("bird %s exited (%s): %s" % (
                    self.name, self.popen.returncode,
                    open(os.path.join(self.dir, "bird-%s.out" % self.name),
                         errors="replace").read()[-2000:]))
            if os.path.exists(self.sock):
                r = subprocess.run(["birdc", "-s", self.sock, "show",
                                    "status"], capture_output=True,
                                   text=True)
                if "Daemon is up" in r.stdout:
                    return self
            time.sleep(0.1)
        raise LabError("bird %s did not come up" % self.name)

    @property
    def pid(self):
        return self.popen.pid if self.popen else None

    def birdc(self, *args):
        r = subprocess.run(["birdc", "-s", self.sock] + list(args),
                           capture_output=True, text=True, timeout=60)
        if r.returncode != 0:
            raise LabError("birdc %s: %s%s" % (" ".join(args), r.stdout,
                                               r.stderr))
        return r.stdout

    def enable(self, proto):
        return self.birdc("enable", proto)

    def disable(self, proto):
        return self.birdc("disable", proto)

    def stop(self):
        if self.popen is None or self.popen.poll() is not None:
            return
        self.popen.terminate()
        try:
            self.popen.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait(timeout=5)


# ---------------------------------------------------------------------------
# edge configurations

OUT_POLICY = """\
! shared by every configuration: advertise on-prem prefixes only
ip prefix-list ONPREM-OUT seq 5 permit 172.16.0.0/12 le 32
route-map OUT permit 10
 match ip address prefix-list ONPREM-OUT
!
"""


def _prefix_list(name, entries, v6=False):
    kw = "ipv6" if v6 else "ip"
    return "".join("%s prefix-list %s seq %d permit %s\n"
                   % (kw, name, 5 * (i + 1), e)
                   for i, e in enumerate(entries))


def handwritten_maps(lp_er=200, lp_vpn=100, n_az=1000, n_op=1000, v6=False):
    """The hand-written FRR equivalent of the module's policy."""
    txt = _prefix_list("AZURE", azure_decl_v4(n_az))
    txt += _prefix_list("ONPREM", onprem_decl_v4(n_op))
    if v6:
        txt += _prefix_list("AZURE6", azure_decl_v6(n_az), v6=True)
        txt += _prefix_list("ONPREM6", onprem_decl_v6(n_op), v6=True)
    for name, lp in (("ER-IN", lp_er), ("VPN-IN", lp_vpn)):
        txt += ("route-map %s deny 10\n match ip address prefix-list ONPREM\n"
                "route-map %s permit 20\n match ip address prefix-list AZURE\n"
                " set local-preference %d\n" % (name, name, lp))
        if v6:
            txt += ("route-map %s6 deny 10\n match ipv6 address prefix-list "
                    "ONPREM6\nroute-map %s6 permit 20\n match ipv6 address "
                    "prefix-list AZURE6\n set local-preference %d\n"
                    % (name, name, lp))
    return txt + "!\n"


def floor_maps(lp_er=200, lp_vpn=100, v6=False):
    """The least any inbound policy costs bgpd: route-maps that only set
    the local-preference (no prefix matched, nothing denied)."""
    txt = ""
    for name, lp in (("ER-IN", lp_er), ("VPN-IN", lp_vpn)):
        for suffix in ("", "6") if v6 else ("",):
            txt += ("route-map %s%s permit 10\n set local-preference %d\n"
                    % (name, suffix, lp))
    return txt + "!\n"


def module_lines(lp_er=200, lp_vpn=100, n_az=1000, n_op=1000, v6=False,
                 extra=""):
    out = ""
    for name in ("msee", "vpngw"):
        role = "vpn" if name == "vpngw" else "expressroute"
        out += " erpolicy neighbor %s path %s\n" % (PEERS[name][1], role)
        if v6:
            out += " erpolicy neighbor %s path %s\n" % (PEERS[name][3], role)
    out += " erpolicy local-preference expressroute %d vpn %d\n" % (lp_er,
                                                                   lp_vpn)
    decl_az = azure_decl_v4(n_az) + (azure_decl_v6(n_az) if v6 else [])
    decl_op = onprem_decl_v4(n_op) + (onprem_decl_v6(n_op) if v6 else [])
    out += "".join(" erpolicy azure-prefix %s\n" % p for p in decl_az)
    out += "".join(" erpolicy onprem-prefix %s\n" % p for p in decl_op)
    return out + extra


def edge_conf(policy, v6=False, bfd=False, n_az=1000, n_op=1000,
              lp_er=200, lp_vpn=100, timers=(60, 180), extra=""):
    """edge bgpd.conf; policy in 'none', 'floor', 'routemap', 'module'."""
    before = "".join(l + "\n" for l in EDGE_GLOBAL)
    before += OUT_POLICY if policy != "module" else ""
    if policy == "routemap":
        before += handwritten_maps(lp_er, lp_vpn, n_az, n_op, v6)
    elif policy == "floor":
        before += floor_maps(lp_er, lp_vpn, v6)
    nbr = ""
    af4 = af6 = ""
    for name in ("msee", "vpngw"):
        edge4, peer4, edge6, peer6, asn, _ = PEERS[name]
        addrs = [peer4] + ([peer6] if v6 else [])
        for a in addrs:
            nbr += (f" neighbor {a} remote-as {asn}\n"
                    f" neighbor {a} timers {timers[0]} {timers[1]}\n"
                    f" neighbor {a} timers connect 1\n")
            if bfd and name == "msee" and a == peer4:
                nbr += f" neighbor {a} bfd\n"
        rm = "ER-IN" if name == "msee" else "VPN-IN"
        # the module brings its own outbound rule (on-prem only, no
        # transit between the paths); the others get the same by hand
        role = "vpn" if name == "vpngw" else "expressroute"
        out = (f"  neighbor {peer4} route-map erpolicy-{role} in\n"
               f"  neighbor {peer4} route-map erpolicy-out-{role} out\n"
               if policy == "module" else
               f"  neighbor {peer4} route-map OUT out\n")
        out6 = (f"  neighbor {peer6} route-map erpolicy-{role} in\n"
                f"  neighbor {peer6} route-map erpolicy-out-{role} out\n"
                if policy == "module" else
                f"  neighbor {peer6} route-map OUT out\n")
        af4 += f"  neighbor {peer4} activate\n" + out
        if policy in ("routemap", "floor"):
            af4 += f"  neighbor {peer4} route-map {rm} in\n"
        if v6:
            af6 += f"  neighbor {peer6} activate\n" + out6
            if policy in ("routemap", "floor"):
                af6 += f"  neighbor {peer6} route-map {rm}6 in\n"
    body = ""
    if policy == "module":
        body = module_lines(lp_er, lp_vpn, n_az, n_op, v6)
    txt = before
    txt += "router bgp %d\n bgp router-id 10.0.0.1\n" % EDGE_AS
    txt += " bgp log-neighbor-changes\n"
    txt += " no bgp default ipv4-unicast\n"
    if policy == "none":
        txt += " no bgp ebgp-requires-policy\n"
    txt += nbr
    txt += " address-family ipv4 unicast\n" + af4 + " exit-address-family\n"
    if v6:
        txt += " address-family ipv6 unicast\n" + af6 + \
            " exit-address-family\n"
    txt += body + extra + "!\n"
    return txt


# ---------------------------------------------------------------------------
# the module binary: a private copy so concurrent rebuilds cannot change it
# between runs

_module_copy = None


def module_dir():
    """Copy build/obj/.libs/bgpd_erpolicy.so to a private dir (once)."""
    global _module_copy
    if _module_copy:
        return _module_copy
    src = os.path.join(MODULE_SRC, "bgpd_erpolicy.so")
    if not os.path.exists(src):
        raise LabError("module not built: %s (run scripts/build.sh)" % src)
    d = tempfile.mkdtemp(prefix="erpolicy-bench-mod-")
    os.chmod(d, 0o755)
    shutil.copy2(src, os.path.join(d, "bgpd_erpolicy.so"))
    _module_copy = d
    import atexit
    atexit.register(shutil.rmtree, d, True)
    return d


def module_info():
    so = os.path.join(module_dir(), "bgpd_erpolicy.so")
    h = hashlib.sha256(open(so, "rb").read()).hexdigest()[:16]
    src = os.path.join(MODULE_SRC, "bgpd_erpolicy.so")
    mtime = time.strftime("%Y-%m-%d %H:%M:%S",
                          time.localtime(os.path.getmtime(src)))
    git = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                         capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain",
                            "bgpd_erpolicy"], capture_output=True,
                           text=True).stdout.strip()
    return {"sha256": h, "built": mtime, "git": git,
            "module_sources_dirty": bool(dirty)}


def module_args():
    return ["--moduledir", module_dir(), "-M", "erpolicy"]


# ---------------------------------------------------------------------------
# the lab

class BenchLab:
    """Lab + the two bird speakers; a context manager that stops birds and
    monitors by PID before the Lab removes daemons and namespaces."""

    def __init__(self, name, policy, n4, n6=0, kernel=False, bfd=False,
                 bridged=False, timers=(60, 180), bgpd_wrapper=(),
                 bird_bfd=None, edge_extra="", n_decl=(1000, 1000)):
        self.policy = policy
        self.n_decl = n_decl
        self.n4 = n4
        self.n6 = n6
        self.kernel = kernel
        self.lab = Lab(name)
        self.birds = {}
        self.procs = []
        self.links = {}
        try:
            self._build(bfd, bridged, timers, bgpd_wrapper,
                        bfd if bird_bfd is None else bird_bfd, edge_extra)
        except BaseException:
            self.stop()
            raise

    def _build(self, bfd, bridged, timers, wrapper, bird_bfd, edge_extra):
        lab = self.lab
        self.timers = timers
        self.bird_bfd = bird_bfd
        args = []
        if self.policy == "module":
            args += module_args()
        if not self.kernel:
            args.append("-n")
        self.edge = lab.add_router(
            "edge", bgpd_conf=edge_conf(self.policy, v6=bool(self.n6),
                                        bfd=bfd, timers=timers,
                                        n_az=self.n_decl[0],
                                        n_op=self.n_decl[1],
                                        extra=edge_extra),
            bgpd_args=args, bfd=bfd, bgpd_wrapper=wrapper)
        # a second log target with ms timestamps (the --log target of
        # the command line keeps whole seconds): session changes
        self.mslog = os.path.join(self.edge.dir, "bgpd-ms.log")
        self.edge.write_conf("bgpd", "log file %s informational\n"
                             "log timestamp precision 3\n%s"
                             % (self.mslog, self.edge.read_conf("bgpd")))
        for name in ("msee", "vpngw"):
            node = lab.add_host(name)
            edge4, me4, edge6, me6, _, _ = PEERS[name]
            self.links[name] = lab.link(
                self.edge, node, a_addrs=["%s/30" % edge4, "%s/64" % edge6],
                b_addrs=["%s/30" % me4, "%s/64" % me6],
                bridged=bridged and name == "msee")
            self.birds[name] = Bird(
                node, name,
                bird_conf(name, lab.dir, self.n4, self.n6,
                          bfd=bird_bfd and name == "msee", timers=timers),
                lab.dir)

    def start(self, config_timeout=600):
        """Start everything; wait until bgpd has read its configuration
        (the vty answers while the config file is still being read) and is
        idle.  self.startup: wall and CPU seconds of that."""
        t0 = time.time()
        self.lab.start()
        for b in self.birds.values():
            b.start()
        peers = [PEERS["msee"][1], PEERS["vpngw"][1]]

        def configured():
            got = self.summary().get("peers", {})
            return all(p in got for p in peers)
        pid = self.edge.pid("bgpd")
        s = wait_settled(configured, {"bgpd": pid}, timeout=config_timeout,
                         check=self.lab.check_daemons)
        self.startup = {"wall": round(s.t_settle - t0, 2),
                        "cpu_bgpd": proc_cpu(pid),
                        "rss_kb": proc_rss_kb(pid)}
        # every route-map/prefix-list change read from the configuration
        # (re)arms bgpd's route-map update timer (5 s); when it fires with
        # sessions up, bgpd re-evaluates (route refresh).  Let it fire now.
        time.sleep(RMAP_TIMER_WAIT)
        return self

    def set_routes(self, n4, n6=None):
        """Make both speakers originate n4 (n6) routes; their BGP protocols
        must be disabled (they stay disabled)."""
        self.n4 = n4
        if n6 is not None:
            self.n6 = n6
        for name, b in self.birds.items():
            with open(b.conf, "w") as f:
                f.write(bird_conf(name, self.lab.dir, self.n4, self.n6,
                                  bfd=self.bird_bfd and name == "msee",
                                  timers=self.timers))
            out = b.birdc("configure")
            if "Reconfigured" not in out and "Reconfiguration" not in out:
                raise LabError("bird %s configure: %s" % (name, out))

    # -- context -------------------------------------------------------------
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        problems = self.stop()
        if problems and exc[0] is None:
            raise LabError("lab %s: %s" % (self.lab.name,
                                           "\n".join(problems)))
        return False

    def stop(self):
        for p in self.procs:
            stop_proc(p)
        self.procs = []
        for b in self.birds.values():
            try:
                b.stop()
            except Exception as e:  # noqa: BLE001
                sys.stderr.write("stopping bird %s: %r\n" % (b.name, e))
        return self.lab.stop()

    # -- helpers -------------------------------------------------------------
    def pids(self):
        return {"bgpd": self.edge.pid("bgpd"),
                "zebra": self.edge.pid("zebra"),
                "bird_er": self.birds["msee"].pid,
                "bird_vpn": self.birds["vpngw"].pid}

    def enable(self, name, v6=False):
        proto = PEERS[name][5] + ("6" if v6 else "")
        return self.birds[name].enable(proto)

    def disable(self, name, v6=False):
        proto = PEERS[name][5] + ("6" if v6 else "")
        return self.birds[name].disable(proto)

    def summary(self, afi="ipv4"):
        return self.edge.show_json("show bgp %s unicast summary" % afi)

    def pfx_rcd(self, peer, afi="ipv4"):
        p = self.summary(afi).get("peers", {}).get(peer, {})
        if p.get("state") != "Established":
            return None
        return p.get("pfxRcd")

    def neighbor(self, peer):
        return self.edge.show_json("show bgp neighbors %s" % peer).get(
            peer, {})

    def established_at(self, peer):
        """Wall-clock time the session came up (from bgpTimerUpMsec)."""
        nb = self.neighbor(peer)
        if nb.get("bgpState") != "Established":
            return None
        return time.time() - nb.get("bgpTimerUpMsec", 0) / 1000.0

    _ADJ = re.compile(r"^(\d{4}/\d\d/\d\d \d\d:\d\d:\d\d\.\d+) .*"
                      r"%ADJCHANGE: neighbor (\S+?)(?:\(\S*\))? in vrf \S+ "
                      r"(Up|Down)")

    def adjchanges(self, peer=None, since=0.0):
        """[(epoch, peer, 'Up'|'Down')] from bgpd's log (ms precision)."""
        out = []
        try:
            with open(self.mslog, errors="replace") as f:
                text = f.read()
        except FileNotFoundError:
            text = ""
        for line in text.splitlines():
            m = self._ADJ.match(line)
            if not m:
                continue
            t = datetime.datetime.strptime(
                m.group(1), "%Y/%m/%d %H:%M:%S.%f").timestamp()
            if t >= since and (peer is None or m.group(2) == peer):
                out.append((t, m.group(2), m.group(3)))
        return out

    def up_since(self, peer, since):
        """Time the session to peer last came up after `since` (log)."""
        ups = [t for t, _, st in self.adjchanges(peer, since) if st == "Up"]
        return ups[-1] if ups else None

    def paths(self, prefix, afi="ipv4"):
        return self.edge.show_json("show bgp %s unicast %s" % (
            afi, prefix)).get("paths", [])

    def kernel_count(self, gw=None, family=4):
        """Number of proto bgp kernel routes (optionally via gateway gw)."""
        cmd = "ip -n %s -%d route show proto bgp" % (self.edge.ns, family)
        if gw:
            cmd += " | grep -cF 'via %s '" % gw
        else:
            cmd += " | wc -l"
        r = subprocess.run(["sh", "-c", cmd], capture_output=True, text=True,
                           timeout=120)
        try:
            return int(r.stdout.strip() or 0)
        except ValueError:
            return 0

    def rss_kb(self, daemon="bgpd"):
        return proc_rss_kb(self.edge.pid(daemon))


def stop_proc(p):
    if p.poll() is None:
        p.terminate()
        try:
            p.wait(timeout=3)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(timeout=3)


# ---------------------------------------------------------------------------
# /proc

def proc_stat(pid):
    """(user s, system s, minor page faults) of pid (None if gone)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except (OSError, TypeError):
        return None
    return (int(fields[11]) / CLK_TCK, int(fields[12]) / CLK_TCK,
            int(fields[7]))


def proc_cpu(pid):
    """utime+stime of pid in seconds (None if gone)."""
    st = proc_stat(pid)
    return st[0] + st[1] if st else None


def proc_rss_kb(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except (OSError, TypeError):
        return None
    return None


def cpu_snapshot(pids):
    """CPU seconds of each daemon; for bgpd also its user and system
    seconds and minor page faults apart (bgpd_user, bgpd_sys, bgpd_minflt:
    routes loaded into memory bgpd has not touched yet, or gave back to
    the kernel, fault it in: system time)."""
    snap = {k: proc_cpu(p) for k, p in pids.items() if p}
    st = proc_stat(pids["bgpd"]) if pids.get("bgpd") else None
    if st:
        snap.update(bgpd_user=st[0], bgpd_sys=st[1], bgpd_minflt=st[2])
    return snap


def cpu_delta(a, b):
    return {k: round(b[k] - a[k], 3) for k in a if k in b and
            a[k] is not None and b[k] is not None}


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def uptime_line():
    return subprocess.run(["uptime"], capture_output=True,
                          text=True).stdout.strip()


# ---------------------------------------------------------------------------
# settle detection

class Settle:
    """Result of wait_settled()."""

    def __init__(self, t_target, t_settle, t_busy, t_false, samples):
        self.t_target = t_target    # first poll at which the target held
        self.t_settle = t_settle    # max(t_busy, t_false): see wait_settled
        self.t_busy = t_busy        # end of the last busy slice (or None)
        self.t_false = t_false      # last poll at which it did not hold
        self.samples = samples

    def busy_end(self, since):
        """End of the daemons' work after `since` (None if they never
        were busy after it)."""
        if self.t_busy is None or self.t_busy <= since:
            return None
        return self.t_busy

    def bulk_end(self, since, gap=0.3):
        """End of the first stretch of busy slices after `since` that is
        followed by an idle gap of at least `gap` s (None if never busy).
        bird holds its last UPDATE back ~1 s: this is when bgpd had
        finished the bulk of the routes."""
        busy = _busy_ends(self.samples, since)
        if not busy:
            return None
        end = busy[0]
        for t in busy[1:]:
            if t - end > gap:
                break
            end = t
        return end


def wait_settled(cond, watch_pids, timeout=300.0, quiet=QUIET,
                 check=None, not_before=None):
    """Wait until cond() holds (polled every >= POLL s) and the daemons in
    watch_pids (name -> pid) have been idle for `quiet` s.  check(), if
    given, is called every poll and may raise (e.g. lab.check_daemons).
    not_before(), if given, is a lower bound for the settle time (e.g. the
    moment the session came up: work too small to register as busy)."""
    t0 = time.time()
    samples = []  # (t, total cpu of watched)
    next_poll = t0
    t_target = None
    t_false = t0  # last poll at which the target did not hold
    deadline = t0 + timeout
    while True:
        now = time.time()
        c = sum(proc_cpu(p) or 0 for p in watch_pids.values())
        samples.append((now, c))
        if t_target is None and now >= next_poll:
            if check:
                check()
            ok = False
            try:
                ok = cond()
            except (labmod.VtyError, LabError, ValueError, KeyError):
                ok = False
            if ok:
                t_target = time.time()
            else:
                t_false = now
            next_poll = time.time() + POLL
        if t_target is not None:
            # idle for `quiet` seconds?
            t_busy = _last_busy(samples)
            if now - max(t_busy or 0, t_target) >= quiet:
                t_settle = max(t_busy or 0, t_false)
                if not_before:
                    t_settle = max(t_settle, not_before())
                return Settle(t_target, t_settle, t_busy, t_false, samples)
        if now > deadline:
            raise labmod.WaitTimeout(
                "not settled after %.0f s (target %s)" % (
                    timeout, "reached" if t_target else "not reached"))
        time.sleep(SAMPLE)


def _busy_ends(samples, since):
    """End times of all busy BUSY_SLICE windows after `since`."""
    out = []
    i = 0
    for j in range(1, len(samples)):
        if samples[j][0] <= since:
            continue
        while i < j and samples[j][0] - samples[i + 1][0] >= BUSY_SLICE:
            i += 1
        dt = samples[j][0] - samples[i][0]
        if dt > 0 and (samples[j][1] - samples[i][1]) / dt >= BUSY_FRACTION:
            out.append(samples[j][0])
    return out


def _last_busy(samples):
    """End time of the last BUSY_SLICE window with >= BUSY_FRACTION cpu."""
    # walk back; compare each sample with the one ~BUSY_SLICE earlier
    j = len(samples) - 1
    i = j
    while j > 0:
        while i > 0 and samples[j][0] - samples[i][0] < BUSY_SLICE:
            i -= 1
        dt = samples[j][0] - samples[i][0]
        if dt > 0 and (samples[j][1] - samples[i][1]) / dt >= BUSY_FRACTION:
            return samples[j][0]
        j -= 1
        i = min(i, j)
    return None


# ---------------------------------------------------------------------------
# ip monitor (kernel route events with timestamps)

class RouteMonitor:
    """``ip -ts monitor route`` in the edge namespace, stopped by PID."""

    def __init__(self, blab):
        self.blab = blab
        self.path = tempfile.mktemp(prefix="mon-", suffix=".txt",
                                    dir=blab.lab.dir)
        self.f = open(self.path, "w")
        self.p = subprocess.Popen(
            ["ip", "-n", blab.edge.ns, "-ts", "monitor", "route"],
            stdout=self.f, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True)
        blab.procs.append(self.p)
        time.sleep(0.3)

    def stop(self):
        stop_proc(self.p)
        if self.p in self.blab.procs:
            self.blab.procs.remove(self.p)
        self.f.close()

    _LINE = re.compile(r"^\[([0-9T:.\-]+)\]\s*(Deleted )?(\S+)\s.*?via (\S+)")

    def events(self):
        """[(epoch, deleted, prefix, gateway)]"""
        out = []
        with open(self.path) as f:
            for line in f:
                m = self._LINE.match(line)
                if not m:
                    continue
                ts = datetime.datetime.strptime(
                    m.group(1), "%Y-%m-%dT%H:%M:%S.%f").timestamp()
                out.append((ts, bool(m.group(2)), m.group(3), m.group(4)))
        return out


def last_move(events, gw, prefixes, since, quantiles=()):
    """(first, last) time at which a prefix of `prefixes` was added via
    `gw` after `since`, and how many distinct prefixes moved; with
    quantiles (e.g. (0.5, 0.9)) also {q: time by which that fraction of
    `prefixes` had moved (None if never)}."""
    last = {}
    first = None
    for ts, deleted, pfx, g in events:
        if deleted or g != gw or ts < since or pfx not in prefixes:
            continue
        last[pfx] = ts
        if first is None or ts < first:
            first = ts
    res = (first, (max(last.values()) if last else None), len(last))
    if not quantiles:
        return res
    times = sorted(last.values())
    qs = {}
    for q in quantiles:
        k = max(1, int(round(q * len(prefixes))))
        qs[q] = times[k - 1] if len(times) >= k else None
    return res + (qs,)


# ---------------------------------------------------------------------------
# statistics and output

def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def spread(xs):
    xs = [x for x in xs if x is not None]
    if not xs:
        return None
    return (min(xs), max(xs))


def fmt(x, digits=2):
    if x is None:
        return "-"
    if isinstance(x, float):
        return "%.*f" % (digits, x)
    return str(x)


def fmt_ms(xs, digits=2):
    """'median (min-max)'."""
    m = median(xs)
    s = spread(xs)
    if m is None:
        return "-"
    if len([x for x in xs if x is not None]) < 2:
        return fmt(m, digits)
    return "%s (%s-%s)" % (fmt(m, digits), fmt(s[0], digits),
                           fmt(s[1], digits))


def ratio(a, b):
    if a is None or b in (None, 0):
        return None
    return a / b


def machine_info():
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = "?"
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal"):
                mem = "%.1f GiB" % (int(line.split()[1]) / 1048576)
    # the FRR the daemons run: the target's root (ERPOLICY_TARGET) or here
    frr = subprocess.run(labmod.target_argv(
        labmod.TARGET, ["dpkg-query", "-W", "-f=${Version}", "frr"]),
        capture_output=True, text=True).stdout
    bird = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "bird2"],
                          capture_output=True, text=True).stdout
    return {"nproc": os.cpu_count(), "cpu": cpu, "mem": mem,
            "kernel": os.uname().release, "frr": frr, "bird2": bird,
            "target": labmod.TARGET, "edge_global": EDGE_GLOBAL}


def save_json(path, data):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w") as f:
        json.dump(data, f, indent=1, sort_keys=True, default=str)


def log(msg):
    sys.stderr.write("[%s] %s\n" % (time.strftime("%H:%M:%S"), msg))
    sys.stderr.flush()


def bird_available():
    return shutil.which("bird") and shutil.which("birdc")


def require_root_and_tools():
    if os.geteuid() != 0:
        sys.exit("run as root (network namespaces, FRR daemons)")
    if not bird_available():
        sys.exit("bird2 missing: apt-get install -y bird2 (the Debian "
                 "service must not run; the benchmarks start bird "
                 "themselves)")

