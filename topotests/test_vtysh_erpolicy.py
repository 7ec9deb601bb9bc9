"""Issue 3: the erpolicy-aware vtysh (vtysh/build-vtysh.sh, build/obj/vtysh/vtysh).

Debian's vtysh only knows the commands compiled into it: it answers
"% Unknown command" to the module's commands and, at boot (``vtysh -b`` with
the integrated frr.conf), skips them.  The vtysh built from the same FRR tree
with the module's command files scanned must:

* accept the module's commands with ``-c`` and interactively, with ``?`` help
  and TAB completion, and show them (``show bgp erpolicy json``,
  ``show running-config``);
* apply them at boot from an integrated frr.conf (``vtysh -b``);
* ``write memory`` a frr.conf that boots back to the same state;
* work under ``frr-reload.py --reload`` (adds, changes and removes erpolicy
  lines and ends in exactly the new file's state, routes included);
* with a bgpd that has no module: a clear error, everything else applied.

Nothing here touches /etc/frr: every vtysh runs with ``--config_dir`` (and
``-H``) in the lab's directory and ``--vty_socket`` to the lab's daemons.

The same tests run for every build target (``ERPOLICY_TARGET``): for the
host's FRR 8.4 the vtysh comes from extract.pl (vtysh/build-vtysh.sh), for
FRR >= 8.5 (frr-10.3) from xref data (vtysh/build-vtysh-xref.sh); there,
vtysh, the stock vtysh and frr-reload.py are the target root's, run through
scripts/in-target.sh like the daemons.
"""

import json
import os
import pty
import re
import select
import signal
import subprocess
import time

import pytest

from lib import azure
from lib import lab as labmod

TARGET = labmod.TARGET
VTYSH = os.environ.get("ERPOLICY_VTYSH",
                       os.path.join(azure.build_dir(TARGET), "vtysh",
                                    "vtysh"))
FRR_RELOAD = "/usr/lib/frr/frr-reload.py"
PYTHON = "/usr/bin/python3"
ASN = 65001

# the reason is also the skip of the tests that need this vtysh
# (test_config_round_trip, test_vtysh_debian)
_NO_VTYSH = ("ERPOLICY_TARGET=%s: erpolicy-aware vtysh not built: %s "
             "(scripts/build.sh, or make in %s)"
             % (TARGET, VTYSH, azure.build_dir(TARGET)))
pytestmark = pytest.mark.skipif(not os.access(VTYSH, os.X_OK),
                                reason=_NO_VTYSH)


# ---------------------------------------------------------------------------
# helpers


def in_target(path):
    """Where the target's (root's) absolute path is seen from here."""
    root = labmod.target_root(TARGET)
    return root + path if root else path


def stock_vtysh():
    """The target's own Debian vtysh (moved to vtysh.distrib while ours is
    installed) if it really is the stock one, else None; a path as the
    target sees it."""
    for path in ("/usr/bin/vtysh.distrib", "/usr/bin/vtysh"):
        if not os.access(in_target(path), os.X_OK):
            continue
        if path == "/usr/bin/vtysh" and os.path.exists(
                in_target("/usr/bin/vtysh.distrib")):
            continue
        return path
    return None


class Vtysh:
    """One vtysh binary pointed at a router's vty sockets, with a private
    configuration directory (frr.conf, vtysh.conf, history)."""

    def __init__(self, router, binary=VTYSH, confdir=None):
        self.router = router
        self.binary = binary
        self.confdir = confdir or make_confdir(router)

    @property
    def frr_conf(self):
        return os.path.join(self.confdir, "frr.conf")

    def argv(self, *extra):
        """The command line, run with the lab's target's FRR (in its root:
        the lab's directory and the project are seen at the same paths)."""
        return self.router.lab.target_argv(
            [self.binary, "--vty_socket", self.router.dir,
             "--config_dir", self.confdir,
             "-H", os.path.join(self.confdir, ".history")] + list(extra))

    def run(self, *args, timeout=60):
        env = dict(os.environ, VTYSH_PAGER="cat")
        proc = subprocess.run(self.argv(*args), capture_output=True,
                              text=True, timeout=timeout, cwd=self.confdir,
                              env=env)
        proc.text = proc.stdout + proc.stderr
        return proc

    def cmd(self, *cmds, check=True):
        args = []
        for c in cmds:
            args += ["-c", c]
        proc = self.run(*args)
        if check and proc.returncode != 0:
            raise AssertionError("%s: %r failed (rc=%d):\n%s"
                                 % (self.binary, cmds, proc.returncode,
                                    proc.text))
        return proc

    def config(self, lines, check=True):
        return self.cmd("configure terminal", "router bgp %d" % ASN, *lines,
                        check=check)

    def boot(self):
        return self.run("-b")

    def show_json(self, cmd):
        return json.loads(self.cmd(cmd + " json").stdout)

    def running(self):
        return self.cmd("show running-config").stdout


def make_confdir(router, frr_conf=None, name=None):
    """A private FRR configuration directory for the router, in integrated
    mode (vtysh.conf: service integrated-vtysh-config)."""
    d = os.path.join(router.lab.dir, name or router.name + "-etc")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "vtysh.conf"), "w") as f:
        f.write("service integrated-vtysh-config\n")
    if frr_conf is not None:
        write_frr_conf(d, frr_conf)
    return d


def write_frr_conf(confdir, text):
    with open(os.path.join(confdir, "frr.conf"), "w") as f:
        f.write(text)


def erp_lines(text):
    """The erpolicy lines of a configuration, stripped, in order."""
    return [l.strip() for l in text.splitlines()
            if l.strip().startswith("erpolicy ")]


def bgp_block(text):
    """The 'router bgp' block of a configuration (list of lines)."""
    m = re.search(r"^router bgp .*?^exit$", text, re.M | re.S)
    return m.group(0).splitlines() if m else []


def rmap_in(text, addr):
    """Name of the inbound route-map of neighbor addr in a config text."""
    m = re.search(r"^\s+neighbor %s route-map (\S+) in$" % re.escape(addr),
                  text, re.M)
    return m.group(1) if m else None


def config_view(js):
    """The configuration part of 'show bgp erpolicy json'."""
    view = {k: js.get(k) for k in ("localPreference", "azurePrefixes",
                                   "onpremPrefixes", "allowDefaultRoute",
                                   "maximumPrefixLength")}
    view["neighbors"] = {a: n.get("path")
                         for a, n in js.get("neighbors", {}).items()}
    return view


def start_router(lab, name="r1", module=True, bgpd_conf=""):
    args = azure.module_args() if module else []
    return lab.add_router(name, bgpd_conf=bgpd_conf, bgpd_args=args)


NEIGHBORS = """\
router bgp 65001
 bgp router-id 10.0.0.1
 neighbor 192.0.2.1 remote-as 12076
 neighbor 192.0.2.2 remote-as 65515
 neighbor 192.0.2.3 remote-as 12076
!
"""


class Pty:
    """An interactive program on a pseudo-terminal (no pexpect here)."""

    def __init__(self, argv, cwd, env):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # child: exec at once
            try:
                os.chdir(cwd)
                os.execve(argv[0], argv, env)
            finally:
                os._exit(127)
        self.out = ""
        self.mark = 0

    def read(self, timeout):
        r, _, _ = select.select([self.fd], [], [], timeout)
        if not r:
            return False
        try:
            data = os.read(self.fd, 65536)
        except OSError:
            data = b""
        if not data:
            raise EOFError(self.out)
        self.out += data.decode(errors="replace")
        return True

    def expect(self, pattern, timeout=10):
        """Wait for pattern (regex) in the output since the last send."""
        deadline = time.monotonic() + timeout
        rx = re.compile(pattern)
        while True:
            m = rx.search(self.out, self.mark)
            if m:
                return m
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError("no %r on the terminal; got:\n%s"
                                     % (pattern, self.out[self.mark:]))
            try:
                self.read(left)
            except EOFError:
                raise AssertionError("terminal closed waiting for %r; "
                                     "got:\n%s"
                                     % (pattern, self.out[self.mark:]))

    def send(self, text):
        self.mark = len(self.out)
        os.write(self.fd, text.encode())

    def close(self):
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(self.pid, 0)
        os.close(self.fd)


# ---------------------------------------------------------------------------
# (a) the erpolicy-aware vtysh against a bgpd with the module


def test_commands_with_c(lab):
    r1 = start_router(lab, bgpd_conf=NEIGHBORS)
    lab.start()
    v = Vtysh(r1)

    p = v.config(["erpolicy neighbor 192.0.2.1 path expressroute",
                  "erpolicy neighbor 192.0.2.2 path vpn",
                  "erpolicy local-preference expressroute 300 vpn 50",
                  "erpolicy azure-prefix 10.100.0.0/16 le 24",
                  "erpolicy onprem-prefix 172.16.0.0/12"])
    assert "Unknown command" not in p.text

    js = v.show_json("show bgp erpolicy")
    view = config_view(js)
    assert view["localPreference"] == {"expressroute": 300, "vpn": 50}
    assert view["neighbors"] == {"192.0.2.1": "expressroute",
                                 "192.0.2.2": "vpn"}
    assert view["azurePrefixes"] == [{"prefix": "10.100.0.0/16", "le": 24}]
    assert view["onpremPrefixes"] == [{"prefix": "172.16.0.0/12"}]
    # the same through the VRF form and for one neighbor
    assert config_view(v.show_json("show bgp vrf default erpolicy")) == view
    one = v.cmd("show bgp erpolicy neighbor 192.0.2.1").stdout
    assert "expressroute" in one
    # what bgpd itself says is what vtysh shows
    assert config_view(r1.show_json("show bgp erpolicy")) == view

    running = v.running()
    assert erp_lines(running) == [
        "erpolicy neighbor 192.0.2.1 path expressroute",
        "erpolicy neighbor 192.0.2.2 path vpn",
        "erpolicy local-preference expressroute 300 vpn 50",
        "erpolicy azure-prefix 10.100.0.0/16 le 24",
        "erpolicy onprem-prefix 172.16.0.0/12",
    ], running
    # the lines are inside the router bgp block
    assert set(erp_lines(running)) <= {l.strip() for l in bgp_block(running)}

    # debug in enable and config mode
    v.cmd("debug bgp erpolicy")
    v.cmd("configure terminal", "no debug bgp erpolicy")

    # removal and "no" forms go through as well
    v.config(["no erpolicy neighbor 192.0.2.2",
              "no erpolicy local-preference"])
    view = config_view(v.show_json("show bgp erpolicy"))
    assert view["neighbors"] == {"192.0.2.1": "expressroute"}
    assert view["localPreference"] == {"expressroute": 200, "vpn": 100}

    # a malformed erpolicy command is rejected by vtysh's own parser
    p = v.config(["erpolicy local-preference expressroute 300"], check=False)
    assert p.returncode != 0 and "incomplete" in p.text.lower(), p.text

    # control: Debian's vtysh does not know the command (why this exists)
    stock = stock_vtysh()
    if stock:
        p = Vtysh(r1, binary=stock, confdir=v.confdir).config(
            ["erpolicy neighbor 192.0.2.3 path expressroute"], check=False)
        assert p.returncode != 0 and "Unknown command" in p.text, p.text
        assert "192.0.2.3" not in config_view(
            v.show_json("show bgp erpolicy"))["neighbors"]


def test_same_commands_as_debian(lab):
    """This vtysh knows exactly the commands of the target's Debian vtysh
    plus the module's ("find ." lists every command of every node): it is
    built from the same daemons' command definitions, nothing lost or
    added besides the module's."""
    stock = stock_vtysh()
    if not stock:
        pytest.skip("the target has no stock vtysh to compare with")
    r1 = start_router(lab, bgpd_conf=NEIGHBORS)
    lab.start()
    ours = Vtysh(r1).cmd("find .").stdout.splitlines()
    theirs = Vtysh(r1, binary=stock).cmd("find .").stdout.splitlines()
    assert len(theirs) > 1000, theirs[:20]
    assert sorted(set(theirs) - set(ours)) == []
    extra = sorted(set(ours) - set(theirs))
    assert [l for l in extra if "erpolicy" not in l] == []
    assert len(ours) == len(theirs) + len(extra)
    text = "\n".join(extra)
    for cmd in (r"\(bgp\)  (\[no\] )?erpolicy neighbor ",
                r"\(bgp\)  (\[no\] )?erpolicy local-preference",
                r"\(view\)  show bgp \[vrf NAME\] erpolicy",
                r"\(enable\)  (\[no\] )?debug bgp erpolicy",
                r"\(config\)  (\[no\] )?debug bgp erpolicy"):
        assert re.search(cmd, text), (cmd, text)


def test_interactive_help_and_completion(lab):
    r1 = start_router(lab, bgpd_conf=NEIGHBORS)
    lab.start()
    v = Vtysh(r1)
    env = dict(os.environ, TERM="dumb", VTYSH_PAGER="cat")
    term = Pty(v.argv(), v.confdir, env)
    try:
        prompt = r"# $"
        term.expect(prompt)
        term.send("configure terminal\n")
        term.expect(r"\(config\)# $")
        term.send("router bgp %d\n" % ASN)
        term.expect(r"\(config-router\)# $")

        # "?" lists the module's subcommands with their help
        term.send("erpolicy ?")
        term.expect(r"(?s)neighbor\s+A neighbor's path declaration.*"
                    r"\(config-router\)# erpolicy $")
        helptext = term.out[term.mark:]
        for sub in ("local-preference", "azure-prefix", "onprem-prefix",
                    "allow-default-route", "maximum-prefix-length"):
            assert sub in helptext, helptext
        term.send("\x15")  # ^U: kill the line

        # TAB completes a unique keyword
        term.send("erpolicy nei\t")
        term.expect(r"ghbor $")
        term.send("192.0.2.3 path ?")
        term.expect(r"(?s)expressroute.*vpn.*path $")
        term.send("expressroute\n")
        term.expect(r"\(config-router\)# $")

        term.send("do show bgp erpolicy ?")
        term.expect(r"(?s)json.*neighbor.*erpolicy $")
        term.send("\x15")
        term.send("end\n")
        term.expect(r"[^)]# $")
        term.send("show running-config\n")
        term.expect(r"erpolicy neighbor 192\.0\.2\.3 path expressroute")
        term.expect(r"\nend\r?\n.*# $")
        term.send("exit\n")
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                term.read(0.5)
            except EOFError:
                break
    finally:
        term.close()
    assert config_view(v.show_json("show bgp erpolicy"))["neighbors"] == {
        "192.0.2.3": "expressroute"}


BOOT_CONF = """\
frr defaults traditional
!
router bgp 65001
 bgp router-id 10.0.0.1
 neighbor 192.0.2.1 remote-as 12076
 neighbor 192.0.2.2 remote-as 65515
 neighbor 192.0.2.3 remote-as 12076
 address-family ipv4 unicast
  neighbor 192.0.2.1 route-map erpolicy-expressroute in
  neighbor 192.0.2.1 route-map erpolicy-out-expressroute out
  neighbor 192.0.2.2 route-map erpolicy-vpn in
  neighbor 192.0.2.2 route-map erpolicy-out-vpn out
  neighbor 192.0.2.3 route-map erpolicy-expressroute in
  neighbor 192.0.2.3 route-map erpolicy-out-expressroute out
 exit-address-family
 erpolicy neighbor 192.0.2.1 path expressroute
 erpolicy neighbor 192.0.2.3 path expressroute
 erpolicy neighbor 192.0.2.2 path vpn
 erpolicy local-preference expressroute 250 vpn 90
 erpolicy azure-prefix 10.100.0.0/16 le 24
 erpolicy azure-prefix 2001:db8:100::/48 le 64
 erpolicy onprem-prefix 172.16.0.0/12 le 32
 erpolicy allow-default-route
 erpolicy maximum-prefix-length ipv4 28
exit
!
"""

BOOT_VIEW = {
    "localPreference": {"expressroute": 250, "vpn": 90},
    "azurePrefixes": [{"prefix": "10.100.0.0/16", "le": 24},
                      {"prefix": "2001:db8:100::/48", "le": 64}],
    "onpremPrefixes": [{"prefix": "172.16.0.0/12", "le": 32}],
    "allowDefaultRoute": True,
    "maximumPrefixLength": {"ipv4": 28, "ipv6": 128},
    "neighbors": {"192.0.2.1": "expressroute", "192.0.2.2": "vpn",
                  "192.0.2.3": "expressroute"},
}


def wait_attached(lab, v, want):
    """Wait until each neighbor's inbound map is the module's map for its
    path (want: {addr: role or None}), as the configuration attached it
    (the module attaches nothing itself); return the running config."""
    def check():
        text = v.running()
        for addr, role in want.items():
            name = rmap_in(text, addr)
            if role is None:
                if name and name.startswith("erpolicy"):
                    return False
            elif not (name and name.startswith("erpolicy") and role in name):
                return False
        return text
    return lab.wait_until(check, timeout=15,
                          message="module route-maps attached: %s" % want)


def test_boot_from_integrated_config(lab):
    """``vtysh -b`` (what Debian runs at boot with frr.conf) applies the
    erpolicy lines; the daemons themselves start without configuration."""
    r1 = start_router(lab, "r1")
    r2 = start_router(lab, "r2")
    lab.start()
    v = Vtysh(r1)
    write_frr_conf(v.confdir, BOOT_CONF)

    p = v.boot()
    assert p.returncode == 0, p.text
    assert "Unknown command" not in p.text, p.text
    assert config_view(v.show_json("show bgp erpolicy")) == BOOT_VIEW
    running = wait_attached(lab, v, {"192.0.2.1": "expressroute",
                                     "192.0.2.2": "vpn",
                                     "192.0.2.3": "expressroute"})
    assert sorted(erp_lines(running)) == sorted(erp_lines(BOOT_CONF)), running
    assert " bgp router-id 10.0.0.1" in running

    # control: Debian's vtysh boots the same file without the module's
    # lines (exit 2) -- the problem this vtysh solves
    stock = stock_vtysh()
    if stock:
        s = Vtysh(r2, binary=stock)
        write_frr_conf(s.confdir, BOOT_CONF)
        p = s.boot()
        assert p.returncode != 0 and "erpolicy" in p.text, p.text
        running2 = s.running()
        assert " neighbor 192.0.2.3 remote-as 12076" in running2
        assert erp_lines(running2) == []


def test_write_memory_boots_back(lab):
    r1 = start_router(lab, bgpd_conf=NEIGHBORS)
    lab.start()
    v = Vtysh(r1)
    # integrated mode: vtysh.conf says so; no frr.conf yet
    v.config(["address-family ipv4 unicast",
              "neighbor 192.0.2.1 route-map erpolicy-expressroute in",
              "neighbor 192.0.2.1 route-map erpolicy-out-expressroute out",
              "neighbor 192.0.2.2 route-map erpolicy-vpn in",
              "neighbor 192.0.2.2 route-map erpolicy-out-vpn out",
              "exit-address-family",
              "erpolicy neighbor 192.0.2.1 path expressroute",
              "erpolicy neighbor 192.0.2.2 path vpn",
              "erpolicy local-preference expressroute 300 vpn 50",
              "erpolicy local-preference expressroute 310 vpn 40",
              "erpolicy azure-prefix 10.100.0.0/16 le 24",
              "erpolicy azure-prefix 10.200.0.0/16",
              "no erpolicy azure-prefix 10.200.0.0/16",
              "erpolicy onprem-prefix fd00::/8 le 64",
              "erpolicy maximum-prefix-length ipv6 64"])
    want_maps = {"192.0.2.1": "expressroute", "192.0.2.2": "vpn",
                 "192.0.2.3": None}
    running = wait_attached(lab, v, want_maps)
    view = config_view(v.show_json("show bgp erpolicy"))
    assert view["localPreference"] == {"expressroute": 310, "vpn": 40}

    p = v.cmd("write memory")
    assert os.path.exists(v.frr_conf), p.text
    with open(v.frr_conf) as f:
        saved = f.read()
    assert erp_lines(saved) == erp_lines(running)
    assert "erpolicy azure-prefix 10.200.0.0/16" not in saved

    # a fresh bgpd without any configuration, then boot from frr.conf
    r1.write_conf("bgpd", "")
    r1.restart_daemon("bgpd")
    assert erp_lines(v.running()) == []
    p = v.boot()
    assert p.returncode == 0, p.text

    def norm(text):
        return [l for l in bgp_block(text)]
    lab.wait_until(lambda: norm(v.running()) == norm(running), timeout=15,
                   message="router bgp block as before the restart",
                   diag=lambda: "before:\n%s\nnow:\n%s"
                   % (running, v.running()))
    assert config_view(v.show_json("show bgp erpolicy")) == view


# ---------------------------------------------------------------------------
# frr-reload.py (Debian's frr-pythontools) through this vtysh

NAMES = ["msee1", "vpngw"]
ER = azure.PEERS["msee1"]
VPN = azure.PEERS["vpngw"]

RELOAD_V1 = f"""\
 erpolicy neighbor {ER[1]} path expressroute
 erpolicy neighbor {ER[3]} path expressroute
 erpolicy neighbor {VPN[1]} path expressroute
 erpolicy neighbor {VPN[3]} path vpn
 erpolicy local-preference expressroute 200 vpn 100
 erpolicy azure-prefix 10.100.0.0/16 le 24
 erpolicy azure-prefix 2001:db8:100::/48 le 64
 erpolicy maximum-prefix-length ipv4 23
"""

# changed: VPN[1] path, local-preference, the v6 Azure prefix's le;
# added: onprem-prefix, allow-default-route;
# removed: VPN[3] declaration, maximum-prefix-length
RELOAD_V2 = f"""\
 erpolicy neighbor {ER[1]} path expressroute
 erpolicy neighbor {ER[3]} path expressroute
 erpolicy neighbor {VPN[1]} path vpn
 erpolicy local-preference expressroute 400 vpn 60
 erpolicy azure-prefix 10.100.0.0/16 le 24
 erpolicy azure-prefix 2001:db8:100::/48 le 56
 erpolicy onprem-prefix 172.16.0.0/12 le 32
 erpolicy allow-default-route
"""

RELOAD_V2_VIEW = {
    "localPreference": {"expressroute": 400, "vpn": 60},
    "azurePrefixes": [{"prefix": "10.100.0.0/16", "le": 24},
                      {"prefix": "2001:db8:100::/48", "le": 56}],
    "onpremPrefixes": [{"prefix": "172.16.0.0/12", "le": 32}],
    "allowDefaultRoute": True,
    "maximumPrefixLength": {"ipv4": 32, "ipv6": 128},
    "neighbors": {ER[1]: "expressroute", ER[3]: "expressroute",
                  VPN[1]: "vpn"},
}


# the path each version declares, and so attaches (None: not declared, no
# module map attached: ebgp-requires-policy denies everything)
V1_ROLES = {ER[1]: "expressroute", ER[3]: "expressroute",
            VPN[1]: "expressroute", VPN[3]: "vpn"}
V2_ROLES = {ER[1]: "expressroute", ER[3]: "expressroute", VPN[1]: "vpn",
            VPN[3]: None}


def reload_conf(erpolicy, roles):
    """The edge's frr.conf of one version: the module's maps attached as
    the declarations say."""
    def lines(addrs):
        return "".join(azure.attach_lines(a, roles[a])
                       for a in addrs if roles[a])
    return azure.edge_conf(NAMES, erpolicy=erpolicy, attach=False,
                           ipv4_extra=lines([ER[1], VPN[1]]),
                           ipv6_extra=lines([ER[3], VPN[3]]))


def frr_reload(v, *args):
    rundir = os.path.join(v.confdir, "run")
    os.makedirs(rundir, exist_ok=True)
    argv = v.router.lab.target_argv(
        [PYTHON, FRR_RELOAD, *args, "--stdout",
         "--bindir", os.path.dirname(v.binary),
         "--confdir", v.confdir, "--rundir", rundir,
         "--vty_socket", v.router.dir, v.frr_conf])
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=120,
                          cwd=v.confdir)
    proc.text = proc.stdout + proc.stderr
    return proc


def test_frr_reload(lab):
    if not os.path.exists(in_target(FRR_RELOAD)):
        pytest.skip("%s missing (Debian package frr-pythontools)"
                    % FRR_RELOAD)
    if os.path.basename(VTYSH) != "vtysh":
        pytest.skip("frr-reload.py needs the binary to be named vtysh")
    r = azure.build(lab, names=NAMES)  # edge: no configuration of its own
    lab.start()
    edge = r["edge"]
    v = Vtysh(edge)
    write_frr_conf(v.confdir, "frr defaults traditional\n!\n" +
                   reload_conf(RELOAD_V1, V1_ROLES))
    p = v.boot()
    assert p.returncode == 0, p.text
    lab.wait_until(azure.established(edge, [ER[1], ER[3], VPN[1], VPN[3]]),
                   timeout=30, message="sessions up")

    def lp(prefix, peer, afi="ipv4"):
        path = azure.path_from(edge, prefix, peer, afi)
        return path.get("locPrf") if path else None

    # v1: both IPv4 neighbors are "expressroute", the /24 is longer than
    # the maximum prefix length
    lab.wait_until(lambda: lp("10.100.0.0/16", ER[1]) == 200 and
                   lp("10.100.0.0/16", VPN[1]) == 200 and
                   lp("2001:db8:100::/48", VPN[3], "ipv6") == 100,
                   timeout=20, message="v1 policy on received routes",
                   diag=lambda: edge.vty("show bgp ipv4 unicast")
                   + edge.vty("show bgp ipv6 unicast") + v.running())
    assert azure.paths(edge, "10.100.1.0/24") == []

    # the new file replaces the old one, as an operator would edit it
    write_frr_conf(v.confdir, "frr defaults traditional\n!\n" +
                   reload_conf(RELOAD_V2, V2_ROLES))
    p = frr_reload(v, "--reload")
    assert p.returncode == 0, p.text
    assert "Unknown command" not in p.text, p.text

    running = wait_attached(lab, v, {ER[1]: "expressroute",
                                     VPN[1]: "vpn", VPN[3]: None})
    assert sorted(erp_lines(running)) == sorted(erp_lines(RELOAD_V2)), \
        running + p.text
    assert config_view(v.show_json("show bgp erpolicy")) == RELOAD_V2_VIEW

    # the routes follow: ER 400, VPN (now declared vpn) 60, the /24 is
    # accepted (no maximum length any more), the undeclared VPN v6
    # neighbor has no policy any more (ebgp-requires-policy: denied)
    lab.wait_until(lambda: lp("10.100.0.0/16", ER[1]) == 400 and
                   lp("10.100.0.0/16", VPN[1]) == 60 and
                   lp("10.100.1.0/24", ER[1]) == 400 and
                   lp("10.100.1.0/24", VPN[1]) == 60 and
                   lp("2001:db8:100::/48", ER[3], "ipv6") == 400 and
                   lp("2001:db8:100::/48", VPN[3], "ipv6") is None,
                   timeout=20, message="v2 policy on received routes",
                   diag=lambda: edge.vty("show bgp ipv4 unicast")
                   + edge.vty("show bgp ipv6 unicast"))
    # best-path selection runs after the re-evaluation: wait for it
    lab.wait_until(lambda: (azure.best_path(edge, "10.100.1.0/24") or {})
                   .get("peer", {}).get("peerId") == ER[1], timeout=10,
                   message="ExpressRoute best for 10.100.1.0/24")

    # a second run finds nothing of the module's to change
    p = frr_reload(v, "--test")
    assert p.returncode == 0, p.text
    assert not [l for l in p.stdout.splitlines()
                if re.search(r"^\s*(no )?erpolicy ", l)], p.text
    lab.check_daemons()


# ---------------------------------------------------------------------------
# (b) the module not loaded


def test_without_module_clear_error(lab):
    r1 = start_router(lab, module=False, bgpd_conf=NEIGHBORS)
    lab.start()
    v = Vtysh(r1)

    p = v.config(["erpolicy neighbor 192.0.2.1 path expressroute"],
                 check=False)
    assert p.returncode != 0, p.text
    assert "Unknown command" in p.text and "erpolicy" in p.text, p.text
    p = v.cmd("show bgp erpolicy json", check=False)
    assert p.returncode != 0 and "Unknown command" in p.text, p.text

    # everything else still works
    v.config(["neighbor 192.0.2.9 remote-as 65009"])
    assert "192.0.2.9" in v.show_json("show bgp summary")["ipv4Unicast"][
        "peers"]

    # boot: the erpolicy lines fail loudly, the rest is applied
    write_frr_conf(v.confdir, BOOT_CONF.replace(
        "neighbor 192.0.2.3 remote-as 12076",
        "neighbor 192.0.2.3 remote-as 12076\n neighbor 192.0.2.7 remote-as 65007"))
    p = v.boot()
    assert p.returncode != 0, p.text
    failed = [l for l in p.text.splitlines() if "erpolicy" in l]
    assert len(failed) >= len(erp_lines(BOOT_CONF)), p.text
    running = v.running()
    assert " neighbor 192.0.2.7 remote-as 65007" in running
    assert erp_lines(running) == []
    assert r1.is_running("bgpd") and r1.is_running("zebra")
    lab.check_daemons()
