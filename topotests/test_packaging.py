"""Issue 3: installing the module and the erpolicy-aware vtysh.

* ``make install DESTDIR=...`` stages the module, the YANG model and vtysh
  without diverting anything; ``INSTALL_VTYSH=no`` leaves vtysh out.
* ``make install`` / ``make uninstall`` on the machine: Debian's vtysh is
  diverted (local diversion) and restored byte for byte.
* The Debian package (scripts/build-deb.sh): ``dpkg -i`` installs the module
  in Debian's moduledir, diverts /usr/bin/vtysh to vtysh.distrib and puts
  the erpolicy-aware one in its place (a namespaced bgpd loads the packaged
  module with a plain ``-M erpolicy`` and /usr/bin/vtysh configures it);
  ``dpkg -r`` restores Debian's vtysh (same sha256) and leaves no diversion.

The tests that change the machine restore it in ``finally`` even when they
fail, and refuse to run if the machine already has a diversion of
/usr/bin/vtysh or the package installed.  Set ERPOLICY_SKIP_SYSTEM_INSTALL=1
to skip them; ERPOLICY_DEB=path.deb uses a package built beforehand.
"""

import glob
import hashlib
import os
import shutil
import subprocess

import pytest

from lib import azure

ROOT = azure.ROOT
BUILD = os.path.join(ROOT, "build", "obj")
PKG = "frr-bgpd-erpolicy"
VTYSH = "/usr/bin/vtysh"
DIVERTED = "/usr/bin/vtysh.distrib"
MODULEDIR = "/usr/lib/x86_64-linux-gnu/frr/modules"
MODULE = os.path.join(MODULEDIR, "bgpd_erpolicy.so")
YANG = "/usr/share/yang/frr-bgp-erpolicy.yang"
BUILD_DEB = os.path.join(ROOT, "scripts", "build-deb.sh")


def run(argv, check=True, timeout=600, **kw):
    proc = subprocess.run(argv, capture_output=True, text=True,
                          timeout=timeout, **kw)
    proc.text = proc.stdout + proc.stderr
    if check and proc.returncode != 0:
        raise AssertionError("%s failed (rc=%d):\n%s"
                             % (" ".join(argv), proc.returncode, proc.text))
    return proc


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def diversion():
    """(owner, diverted-to) of /usr/bin/vtysh or None."""
    owner = run(["dpkg-divert", "--listpackage", VTYSH]).stdout.strip()
    if not owner:
        return None
    return owner, run(["dpkg-divert", "--truename", VTYSH]).stdout.strip()


def pkg_status(name):
    proc = run(["dpkg-query", "-W", "-f=${db:Status-Abbrev}", name],
               check=False)
    return proc.stdout.strip() if proc.returncode == 0 else ""


def present(name):
    """Installed, unpacked, half-installed or with config files left."""
    s = pkg_status(name)
    return len(s) >= 2 and s[1] != "n"


def frr_verify():
    """dpkg -V frr lines about vtysh (empty: intact)."""
    out = run(["dpkg", "-V", "frr"], check=False).stdout
    return [l for l in out.splitlines() if "vtysh" in l]


def knows_erpolicy(binary, vty_dir, confdir):
    """True if the vtysh binary accepts 'show bgp erpolicy json' (needs a
    bgpd on vty_dir)."""
    p = run([binary, "--vty_socket", vty_dir, "--config_dir", confdir,
             "-H", os.path.join(confdir, ".history"),
             "-c", "show bgp erpolicy json"], check=False, timeout=60)
    return p.returncode == 0 and p.stdout.lstrip().startswith("{")


@pytest.fixture
def system_guard(request):
    """Refuse to touch a machine already set up; afterwards, restore
    /usr/bin/vtysh, remove the package and our diversion whatever
    happened, and check Debian's vtysh is intact."""
    if os.environ.get("ERPOLICY_SKIP_SYSTEM_INSTALL", "") not in ("", "0"):
        pytest.skip("ERPOLICY_SKIP_SYSTEM_INSTALL set")
    if os.geteuid() != 0:
        pytest.skip("needs root")
    if not shutil.which("dpkg-divert"):
        pytest.skip("not a dpkg system")
    if pkg_status("frr")[:2] != "ii":
        pytest.skip("Debian's frr is not installed")
    if diversion():
        pytest.skip("/usr/bin/vtysh is already diverted (%s, to %s): not "
                    "touching this machine" % diversion())
    if present(PKG):
        pytest.skip("%s is already installed here" % PKG)
    if os.path.exists(MODULE) or os.path.exists(DIVERTED):
        pytest.skip("%s or %s already exists" % (MODULE, DIVERTED))
    before = sha256(VTYSH)
    verify_before = frr_verify()
    state = {"sha256": before}
    try:
        yield state
    finally:
        problems = []
        if present(PKG):
            p = run(["dpkg", "--purge", PKG], check=False)
            if p.returncode != 0:
                problems.append("dpkg --purge: " + p.text)
                run(["dpkg", "--purge", "--force-all", PKG], check=False)
        div = diversion()
        if div and div[0] == "LOCAL" and os.path.exists(div[1]):
            # a make install left over: remove ours, rename Debian's back
            os.unlink(VTYSH)
            run(["dpkg-divert", "--local", "--rename", "--divert", div[1],
                 "--remove", VTYSH], check=False)
            problems.append("local diversion had to be removed")
        elif div and div[0] == PKG and os.path.exists(div[1]):
            os.unlink(VTYSH)
            run(["dpkg-divert", "--package", PKG, "--rename", "--divert",
                 div[1], "--remove", VTYSH], check=False)
            problems.append("package diversion had to be removed")
        for leftover in (MODULE, YANG):
            if os.path.exists(leftover) and not present(PKG):
                os.unlink(leftover)
                problems.append("removed leftover %s" % leftover)
        assert diversion() is None, "diversion left: %s" % (diversion(),)
        assert sha256(VTYSH) == before, \
            "Debian's /usr/bin/vtysh was not restored!"
        assert frr_verify() == verify_before
        rep = getattr(request.node, "rep_call", None)
        if rep is None or rep.passed:
            # a passing test must have cleaned up by itself
            assert not problems, problems


def test_make_install_destdir(tmp_path):
    """Staged install: files in DESTDIR, no diversion, nothing outside."""
    if not os.path.exists(os.path.join(BUILD, "Makefile")):
        pytest.skip("build/obj not configured (scripts/build.sh)")
    if not shutil.which("dpkg-divert"):
        pytest.skip("not a dpkg system")
    div_before = diversion()
    dest = str(tmp_path / "root")
    run(["make", "-C", BUILD, "-s", "install", "DESTDIR=" + dest])
    assert os.path.isfile(dest + MODULE)
    assert os.path.isfile(dest + YANG)
    assert os.access(dest + VTYSH, os.X_OK)
    assert not glob.glob(dest + "/usr/bin/vtysh.*")
    assert diversion() == div_before
    run(["make", "-C", BUILD, "-s", "uninstall", "DESTDIR=" + dest])
    assert not os.path.exists(dest + MODULE)
    assert not os.path.exists(dest + VTYSH)

    dest2 = str(tmp_path / "root2")
    run(["make", "-C", BUILD, "-s", "install", "DESTDIR=" + dest2,
         "INSTALL_VTYSH=no"])
    assert os.path.isfile(dest2 + MODULE)
    assert not os.path.exists(dest2 + VTYSH)


def test_make_install_uninstall_system(lab, system_guard):
    """make install diverts Debian's vtysh (local diversion) and installs
    ours; make uninstall puts Debian's back."""
    if not os.path.exists(os.path.join(BUILD, "Makefile")):
        pytest.skip("build/obj not configured (scripts/build.sh)")
    run(["make", "-C", BUILD, "-s", "install"])
    assert diversion() == ("LOCAL", DIVERTED)
    assert sha256(DIVERTED) == system_guard["sha256"]
    assert sha256(VTYSH) == sha256(os.path.join(BUILD, "vtysh", "vtysh"))
    assert os.path.isfile(MODULE)

    # a plain "-M erpolicy" finds the installed module; /usr/bin/vtysh
    # (ours now) configures it
    r1 = lab.add_router("r1", bgpd_args=["-M", "erpolicy"])
    lab.start()
    confdir = os.path.join(lab.dir, "etc")
    os.makedirs(confdir)
    assert knows_erpolicy(VTYSH, r1.dir, confdir)
    assert not knows_erpolicy(DIVERTED, r1.dir, confdir)
    lab.stop()

    run(["make", "-C", BUILD, "-s", "uninstall"])
    assert diversion() is None
    assert sha256(VTYSH) == system_guard["sha256"]
    assert not os.path.exists(MODULE) and not os.path.exists(DIVERTED)


@pytest.fixture(scope="module")
def deb():
    """The package: ERPOLICY_DEB or built with scripts/build-deb.sh."""
    given = os.environ.get("ERPOLICY_DEB")
    if given:
        return given
    if os.geteuid() != 0:
        pytest.skip("needs root")
    for tool in ("dpkg-buildpackage", "dh"):
        if not shutil.which(tool):
            pytest.skip("%s not available (install dpkg-dev and debhelper: "
                        "scripts/deps.sh)" % tool)
    p = run([BUILD_DEB], check=False, timeout=900, cwd=ROOT)
    assert p.returncode == 0, "scripts/build-deb.sh failed:\n" + p.text[-6000:]
    path = p.stdout.strip().splitlines()[-1]
    assert os.path.isfile(path), p.text
    return path


def test_deb_contents(deb):
    p = run(["dpkg-deb", "-f", deb, "Package", "Depends"])
    frr_version = run(["dpkg-query", "-W", "-f=${Version}", "frr"]).stdout
    assert "Package: %s" % PKG in p.stdout
    assert "frr (= %s)" % frr_version in p.stdout, p.stdout
    files = run(["dpkg-deb", "-c", deb]).stdout
    for path in (VTYSH, MODULE, YANG, "/usr/share/doc/%s/copyright" % PKG,
                 "/usr/share/doc/%s/README.vtysh.md" % PKG):
        assert " ." + path in files, files
    assert ".la\n" not in files
    ctrl = run(["dpkg-deb", "-I", deb, "preinst"]).stdout
    assert "dpkg-divert --package" in ctrl and DIVERTED in ctrl


def test_deb_install_remove(lab, deb, system_guard):
    run(["dpkg", "-i", deb])
    assert pkg_status(PKG) == "ii"
    assert os.path.isfile(MODULE) and os.path.isfile(YANG)
    assert diversion() == (PKG, DIVERTED)
    listing = run(["dpkg-divert", "--list", VTYSH]).stdout
    assert "by %s" % PKG in listing
    assert sha256(DIVERTED) == system_guard["sha256"]
    assert sha256(VTYSH) != system_guard["sha256"]
    assert frr_verify() == [], "dpkg -V frr sees a modified vtysh"

    # the packaged module and /usr/bin/vtysh work together
    r1 = lab.add_router("r1", bgpd_args=["-M", "erpolicy"],
                        bgpd_conf="router bgp 65001\n"
                                  " neighbor 192.0.2.1 remote-as 12076\n")
    lab.start()
    confdir = os.path.join(lab.dir, "etc")
    os.makedirs(confdir)
    assert knows_erpolicy(VTYSH, r1.dir, confdir)
    p = run([VTYSH, "--vty_socket", r1.dir, "--config_dir", confdir,
             "-H", os.path.join(confdir, ".history"),
             "-c", "configure terminal", "-c", "router bgp 65001",
             "-c", "erpolicy neighbor 192.0.2.1 path expressroute"])
    assert "erpolicy neighbor 192.0.2.1 path expressroute" in \
        r1.vty("show running-config")
    # Debian's binary, kept aside, still rejects the module's commands
    assert not knows_erpolicy(DIVERTED, r1.dir, confdir)
    lab.stop()

    run(["dpkg", "-r", PKG])
    assert not present(PKG) or pkg_status(PKG) == "rc"
    assert diversion() is None
    assert "vtysh" not in run(["dpkg-divert", "--list"]).stdout
    assert sha256(VTYSH) == system_guard["sha256"]
    assert not os.path.exists(DIVERTED)
    assert not os.path.exists(MODULE)
    assert frr_verify() == []
    run(["dpkg", "--purge", PKG])
