"""Issue 3: FRR started "the Debian way" with the module and this vtysh.

On a root target (frr-10.3) all of it runs inside the target's Debian root
(scripts/in-target.sh: chroot in a private mount namespace): Debian 13's
frrinit.sh, watchfrr, daemons and frr-reload.py, the bind mounts over the
root's directories.

Debian starts FRR with /usr/lib/frr/frrinit.sh: it reads /etc/frr/daemons,
starts watchfrr, which starts the daemons and then runs ``/usr/bin/vtysh -b``
to apply the integrated /etc/frr/frr.conf; ``write memory`` goes through
watchfrr (``vtysh -w``) and ``frrinit.sh reload`` runs frr-reload.py.  All
those paths are hard-coded, so the test runs frrinit.sh in a network
namespace *and* a private mount namespace where private directories are
bind-mounted over /etc/frr, /var/run/frr and /var/log/frr, and the vtysh
under test over /usr/bin/vtysh.  The machine's /etc/frr, /var/run/frr,
/var/log/frr and /usr/bin/vtysh are never written (the bind mounts exist
only inside that mount namespace).

frr.conf is what the user guide tells operators to write: the module's maps
attached in each address family (``neighbor X route-map erpolicy-... in``)
and the operator's own map as a leaf of the declaration (``erpolicy
neighbor X route-map NAME in``).  With Debian's vtysh the erpolicy lines of
frr.conf are lost at boot (the control case: the attachments stay, so the
neighbors fail closed); with the erpolicy-aware vtysh they are applied and
the policy is attached, ``write memory`` keeps them and ``frrinit.sh
reload`` applies a changed file.
"""

import glob
import os
import shutil
import signal
import subprocess
import time

import pytest

from lib import azure
from lib import lab as labmod
from lib.lab import FRR_ZLOG_TMPDIR, _pid_alive

import test_vtysh_erpolicy as tv

FRRINIT = "/usr/lib/frr/frrinit.sh"
MOUNTED = ("/etc/frr", "/var/run/frr", "/var/log/frr")

pytestmark = [
    pytest.mark.skipif(not os.access(tv.VTYSH, os.X_OK), reason=tv._NO_VTYSH)]
# frrinit.sh, its directories and the zlog directories are the target's
# root's (tv.in_target: where its paths are seen from here)


def _skip_reason():
    for tool in ("unshare", "nsenter", "mount"):
        if not shutil.which(tool):
            return "%s not found (util-linux/mount)" % tool
    if not os.access(tv.in_target(FRRINIT), os.X_OK):
        return "%s not found (Debian's frr)" % tv.in_target(FRRINIT)
    for d in MOUNTED:
        if not os.path.isdir(tv.in_target(d)):
            # a bind mount needs an existing mount point; creating one
            # would touch the machine's FRR directories
            return "%s does not exist: nothing to mount the private " \
                   "directory over" % d
    return None


ER_ADDRS = ("192.0.2.1", "192.0.2.3")
VPN_ADDR = "192.0.2.2"

# the user guide's frr.conf of an edge (no session comes up: no links)
BOOT_CONF = """\
frr defaults traditional
!
route-map ER-IN permit 10
 set metric 7
exit
!
router bgp 65001
 bgp router-id 10.0.0.1
 neighbor 192.0.2.1 remote-as 12076
 neighbor 192.0.2.2 remote-as 65515
 neighbor 192.0.2.3 remote-as 12076
 !
 address-family ipv4 unicast
""" + "".join(azure.attach_lines(a, "expressroute") for a in ER_ADDRS) + \
    azure.attach_lines(VPN_ADDR, "vpn") + """\
 exit-address-family
 erpolicy neighbor 192.0.2.1 path expressroute
 erpolicy neighbor 192.0.2.1 route-map ER-IN in
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

# what "show bgp erpolicy json" says of it: the same policy as the
# erpolicy-aware vtysh test boots
BOOT_VIEW = tv.BOOT_VIEW


def attached(js):
    """{neighbor: (routeMapIn, policyAttachedIn, policyAttachedOut,
    userRouteMapIn)} of show bgp erpolicy json (IPv4)."""
    out = {}
    for addr, n in js.get("neighbors", {}).items():
        af = n["addressFamilyInfo"]["ipv4Unicast"]
        out[addr] = (af["routeMapForIncomingAdvertisements"],
                     af["policyAttachedIn"],
                     af["policyAttachedOut"], n["userRouteMapIn"])
    return out


def warnings(js):
    return sorted((w["check"], w.get("neighbor"))
                  for w in js.get("healthWarnings", [])
                  if w["check"] in ("notDeclared", "policyNotAttached",
                                    "legacyRouteMap"))


DAEMONS = """\
# private /etc/frr/daemons of the test
bgpd=yes
vtysh_enable=yes
zebra_options="  -A 127.0.0.1 -s 90000000 --log file:{log}/zebra.log"
bgpd_options="   -A 127.0.0.1 --moduledir {moddir} -M erpolicy --log file:{log}/bgpd.log"
staticd_options="-A 127.0.0.1 --log file:{log}/staticd.log"
watchfrr_options="--log file:{log}/watchfrr.log"
"""


class DebianFrr:
    """frrinit.sh in the namespace of ``host`` with private FRR dirs."""

    def __init__(self, lab, host, vtysh):
        self.lab = lab
        self.host = host
        self.vtysh = vtysh
        self.dir = os.path.join(lab.dir, "debian")
        self.etc = os.path.join(self.dir, "etc")
        self.run = os.path.join(self.dir, "run")
        self.log = os.path.join(self.dir, "log")
        self.seen_pids = {}
        for d in (self.etc, self.run, self.log):
            os.makedirs(d)
            shutil.chown(d, "frr", "frr")
        os.chmod(self.dir, 0o755)
        self.write("daemons", DAEMONS.format(log=self.log,
                                             moddir=azure.MODULE_DIR))
        self.write("vtysh.conf", "service integrated-vtysh-config\n")

    def write(self, name, text):
        path = os.path.join(self.etc, name)
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, 0o640)
        shutil.chown(path, "frr", "frr")

    def read(self, name):
        with open(os.path.join(self.etc, name)) as f:
            return f.read()

    # -- processes ---------------------------------------------------------
    def pids(self):
        """{name: pid} of the running FRR processes (from the pidfiles)."""
        out = {}
        for pf in glob.glob(os.path.join(self.run, "*.pid")):
            try:
                with open(pf) as f:
                    pid = int(f.read().split()[0])
            except (OSError, ValueError, IndexError):
                continue
            if _pid_alive(pid):
                name = os.path.basename(pf)[:-4]
                out[name] = pid
                self.seen_pids.setdefault(name, set()).add(pid)
        return out

    def start(self):
        script = ("set -e; mount --bind {etc} /etc/frr; "
                  "mount --bind {run} /var/run/frr; "
                  "mount --bind {log} /var/log/frr; "
                  "mount --bind {vtysh} /usr/bin/vtysh; "
                  "exec {frrinit} start >{log}/frrinit.out 2>&1").format(
                      etc=self.etc, run=self.run, log=self.log,
                      vtysh=self.vtysh, frrinit=FRRINIT)
        if labmod.target_root(labmod.TARGET):
            # in-target.sh: a private mount namespace already, chrooted;
            # the lab's directories (/tmp) and the project are at the same
            # paths in there
            argv = labmod.target_argv(labmod.TARGET,
                                      ["/bin/sh", "-c", script])
        else:
            argv = ["unshare", "--mount", "--propagation", "private",
                    "/bin/sh", "-c", script]
        # frrinit.sh's output to a file: 10.3's daemons keep the stderr
        # they were started with, a pipe would stay open
        proc = self.host.exec(argv, timeout=120, check=False)
        if proc.returncode != 0:
            raise AssertionError("frrinit.sh start failed (rc=%d):\n%s"
                                 % (proc.returncode, proc.stdout +
                                    proc.stderr + self.out()))
        return proc

    def out(self):
        try:
            with open(os.path.join(self.log, "frrinit.out")) as f:
                return f.read()
        except OSError:
            return ""

    def frrinit(self, action, check=True):
        """Run frrinit.sh inside the mount + network namespace of the
        running daemons."""
        pids = self.pids()
        if not pids:
            raise AssertionError("no FRR process running")
        target = pids.get("zebra") or next(iter(pids.values()))
        # -r -w: the daemons' root (the target's) and directory too; the
        # output to a file, not a pipe: 10.3's reload restarts watchfrr,
        # which would keep a pipe open
        out = os.path.join(self.log, "frrinit-%s.out" % action)
        with open(out, "w") as f:
            proc = subprocess.run(["nsenter", "-t", str(target), "-m", "-n",
                                   "-r", "-w", FRRINIT, action], stdout=f,
                                  stderr=subprocess.STDOUT, timeout=120)
        with open(out) as f:
            proc.stdout = f.read()
        if check and proc.returncode != 0:
            raise AssertionError("frrinit.sh %s failed (rc=%d):\n%s"
                                 % (action, proc.returncode, proc.stdout))
        return proc

    def stop(self):
        if self.pids():
            self.frrinit("stop", check=False)
        deadline = time.monotonic() + 15
        while self.pids() and time.monotonic() < deadline:
            time.sleep(0.1)
        left = self.pids()
        for pid in left.values():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self._cleanup_zlog_tmpdirs()
        return left

    def _cleanup_zlog_tmpdirs(self):
        """libfrr makes /var/tmp/frr/<daemon>.<pid> before daemonizing
        (-d): named after the parent, it holds logbuf.<tid> files of the
        daemon.  Remove those of our (dead) processes only."""
        zlog = tv.in_target(FRR_ZLOG_TMPDIR)
        for name, pids in self.seen_pids.items():
            for path in glob.glob(os.path.join(zlog, name + ".*")):
                try:
                    dirpid = int(path.rsplit(".", 1)[1])
                    files = os.listdir(path)
                except (ValueError, OSError):
                    continue
                bufs = {int(f.split(".", 1)[1]) for f in files
                        if f.startswith("logbuf.") and
                        f.split(".", 1)[1].isdigit()}
                ours = dirpid in pids or bufs & pids
                if ours and not _pid_alive(dirpid) and \
                        not any(_pid_alive(p) for p in bufs):
                    if "crashlog" in files:
                        shutil.copy(os.path.join(path, "crashlog"),
                                    os.path.join(self.log, "%s.%d.crashlog"
                                                 % (name, dirpid)))
                    shutil.rmtree(path, ignore_errors=True)

    def client(self):
        """The vtysh under test from outside, on the private sockets."""
        class _R:
            pass
        r = _R()
        r.dir = self.run
        r.lab = self.lab
        r.name = "debian"
        return tv.Vtysh(r, binary=tv.VTYSH, confdir=self.etc)


@pytest.mark.parametrize("which", ["erpolicy", "stock"])
def test_frrinit_start_write_reload(lab, which):
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    vtysh = tv.VTYSH if which == "erpolicy" else tv.stock_vtysh()
    if not vtysh:
        pytest.skip("Debian's stock vtysh not found")
    host = lab.add_host("deb")
    frr = DebianFrr(lab, host, vtysh)
    frr.write("frr.conf", BOOT_CONF)
    try:
        frr.start()
        v = frr.client()

        def booted():
            pids = frr.pids()
            if not {"watchfrr", "zebra", "bgpd", "staticd"} <= set(pids):
                return False
            text = v.running()
            return " neighbor 192.0.2.3 remote-as 12076" in text and text
        lab.wait_until(booted, timeout=30,
                       message="frrinit.sh start + vtysh -b",
                       diag=lambda: frr.out() + open(os.path.join(
                           frr.log, "watchfrr.log")).read())
        if which == "stock":
            # the problem: Debian's vtysh drops the module's lines at boot;
            # the attachments are ordinary bgpd lines and stay, so the
            # neighbors fail closed (nothing accepted) rather than open
            time.sleep(1)
            text = v.running()
            assert tv.erp_lines(text) == []
            for line in BOOT_CONF.splitlines():
                if "route-map erpolicy-" in line:
                    assert line in text.splitlines(), (line, text)
            frr.stop()
            assert frr.pids() == {}
            return

        lab.wait_until(lambda: sorted(tv.erp_lines(v.running())) ==
                       sorted(tv.erp_lines(BOOT_CONF)), timeout=10,
                       message="erpolicy lines applied at boot")
        js = v.show_json("show bgp erpolicy")
        assert tv.config_view(js) == BOOT_VIEW
        # the module's maps are attached as frr.conf says, ER-IN inside
        assert attached(js) == {
            "192.0.2.1": ("erpolicy-expressroute", True, True, "ER-IN"),
            "192.0.2.2": ("erpolicy-vpn", True, True, ""),
            "192.0.2.3": ("erpolicy-expressroute", True, True, "")}, js
        assert warnings(js) == [], js

        # write memory: vtysh -> watchfrr -> /usr/bin/vtysh -w (ours)
        v.config(["erpolicy onprem-prefix fd00::/8 le 64"])
        p = v.cmd("write memory")
        saved = frr.read("frr.conf")
        assert " erpolicy onprem-prefix fd00::/8 le 64" in saved, \
            p.text + saved
        assert sorted(tv.erp_lines(saved)) == \
            sorted(tv.erp_lines(v.running()))
        for line in BOOT_CONF.splitlines():
            if "route-map erpolicy-" in line:
                assert line in saved.splitlines(), (line, saved)

        # frrinit.sh reload: frr-reload.py with /etc/frr/frr.conf; the
        # operator stops using 192.0.2.3 (its declaration and attachments
        # go) and moves ER-IN from 192.0.2.1 to outbound
        new = saved.replace(" erpolicy allow-default-route\n", "") \
            .replace("erpolicy local-preference expressroute 250 vpn 90",
                     "erpolicy local-preference expressroute 260 vpn 80") \
            .replace(" erpolicy neighbor 192.0.2.3 path expressroute\n", "") \
            .replace(azure.attach_lines("192.0.2.3", "expressroute"), "") \
            .replace(" erpolicy neighbor 192.0.2.1 route-map ER-IN in\n",
                     " erpolicy neighbor 192.0.2.1 route-map ER-IN out\n")
        assert new.count("192.0.2.3") == 1, new  # its remote-as only
        new = new.replace(" erpolicy onprem-prefix fd00::/8 le 64\n",
                          " erpolicy onprem-prefix fd00::/8 le 64\n"
                          " erpolicy onprem-prefix 192.168.0.0/16 le 32\n")
        frr.write("frr.conf", new)
        if os.path.exists(tv.in_target("/usr/lib/frr/frr-reload.py")):
            frr.frrinit("reload")
            lab.wait_until(lambda: sorted(tv.erp_lines(v.running())) ==
                           sorted(tv.erp_lines(new)), timeout=15,
                           message="frrinit.sh reload applied frr.conf",
                           diag=lambda: v.running() + open(os.path.join(
                               frr.log, "frr-reload.log")).read())
            js = v.show_json("show bgp erpolicy")
            view = tv.config_view(js)
            assert view["localPreference"] == {"expressroute": 260,
                                               "vpn": 80}
            assert view["allowDefaultRoute"] is False
            assert "192.0.2.3" not in view["neighbors"]
            assert attached(js) == {
                "192.0.2.1": ("erpolicy-expressroute", True, True, ""),
                "192.0.2.2": ("erpolicy-vpn", True, True, "")}, js
            assert js["neighbors"]["192.0.2.1"]["userRouteMapOut"] == \
                "ER-IN"
            assert warnings(js) == [], js
            text = v.running()
            assert "neighbor 192.0.2.3 route-map" not in text, text
            # frr-reload.py logged into the private /var/log/frr
            assert os.path.exists(os.path.join(frr.log, "frr-reload.log"))

        left = frr.stop()
        assert left == {}, "still running after frrinit.sh stop: %s" % left
    finally:
        frr.stop()
