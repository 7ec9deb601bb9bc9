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

* The source package (scripts/build-deb.sh): FRR's source comes as orig
  components that are Debian's frr tarballs byte for byte, the binary
  package is built from the unpacked .dsc without network, Debian's frr
  patches are applied, FRR is configured with the flags of Debian's bgpd,
  the cmocka unit tests run in the build, and lintian --pedantic finds no
  error or warning that an override with a reason does not cover.
* The maintainer scripts' messages (add -M erpolicy, restart after an
  upgrade, warning on removal while /etc/frr/daemons still loads the
  module), run against private daemons files in a mount namespace.
* The autopkgtest script (debian/tests/module-loads) against the installed
  package.

The tests that change the machine restore it in ``finally`` even when they
fail, and refuse to run if the machine already has a diversion of
/usr/bin/vtysh or the package installed.  Set ERPOLICY_SKIP_SYSTEM_INSTALL=1
to skip them; ERPOLICY_DEB=path.deb uses a package built beforehand.

For a build target with a Debian root (``ERPOLICY_TARGET=frr-10.3``) the
same tests run against that target: its package (scripts/build-deb.sh
--target), built in the root; "the machine" is then the root (dpkg, the
diversion, /usr/bin/vtysh, lintian and the autopkgtest run inside it through
scripts/in-target.sh, the lab's daemons are the root's).
"""

import glob
import hashlib
import os
import re
import shlex
import shutil
import subprocess

import pytest

from lib import azure
from lib import lab as labmod

ROOT = azure.ROOT
TARGET = labmod.TARGET
TROOT = labmod.target_root(TARGET)
BUILD = azure.build_dir(TARGET)
PKG = "frr-bgpd-erpolicy"
VTYSH = "/usr/bin/vtysh"
DIVERTED = "/usr/bin/vtysh.distrib"

def _multiarch():
    try:
        return subprocess.run(["dpkg-architecture", "-qDEB_HOST_MULTIARCH"],
                              capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        # without dpkg-dev: what gcc was built for
        return subprocess.run(["gcc", "-print-multiarch"],
                              capture_output=True, text=True).stdout.strip()


MULTIARCH = _multiarch()
MODULEDIR = "/usr/lib/%s/frr/modules" % MULTIARCH
MODULE = os.path.join(MODULEDIR, "bgpd_erpolicy.so")
YANG = "/usr/share/yang/frr-bgp-erpolicy.yang"
BUILD_DEB = os.path.join(ROOT, "scripts", "build-deb.sh")
AUTOPKGTEST = os.path.join(ROOT, "debian", "tests", "module-loads")
UNIT_TESTS = ("test_erpolicy_decide", "test_erpolicy_failover")


def run(argv, check=True, timeout=600, **kw):
    proc = subprocess.run(argv, capture_output=True, text=True,
                          timeout=timeout, **kw)
    proc.text = proc.stdout + proc.stderr
    if check and proc.returncode != 0:
        raise AssertionError("%s failed (rc=%d):\n%s"
                             % (" ".join(argv), proc.returncode, proc.text))
    return proc


def trun(argv, **kw):
    """run() on the target's system (in its root, if it has one)."""
    return run(labmod.target_argv(TARGET, argv), **kw)


def tpath(path):
    """Where the target's absolute path is seen from here."""
    return TROOT + path if TROOT else path


def target_frr_version():
    return trun(["dpkg-query", "-W", "-f=${Version}", "frr"]).stdout


def sha256(path, target=True):
    """sha256 of a file of the target's system (target=False: of this
    machine, e.g. a build product)."""
    h = hashlib.sha256()
    with open(tpath(path) if target else path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def diversion():
    """(owner, diverted-to) of /usr/bin/vtysh or None."""
    owner = trun(["dpkg-divert", "--listpackage", VTYSH]).stdout.strip()
    if not owner:
        return None
    return owner, trun(["dpkg-divert", "--truename", VTYSH]).stdout.strip()


def pkg_status(name):
    proc = trun(["dpkg-query", "-W", "-f=${db:Status-Abbrev}", name],
                check=False)
    return proc.stdout.strip() if proc.returncode == 0 else ""


def present(name):
    """Installed, unpacked, half-installed or with config files left."""
    s = pkg_status(name)
    return len(s) >= 2 and s[1] != "n"


def frr_verify():
    """dpkg -V frr lines about the vtysh binary (empty: intact).  Not its
    man page: a target's root is made without documentation (dpkg
    path-exclude), so dpkg -V reports vtysh.1.gz missing there."""
    out = trun(["dpkg", "-V", "frr"], check=False).stdout
    return [l for l in out.splitlines()
            if l.split()[-1:] in (["/usr/bin/vtysh"], ["/usr/bin/vtysh.distrib"])]


def knows_erpolicy(binary, vty_dir, confdir):
    """True if the vtysh binary accepts 'show bgp erpolicy json' (needs a
    bgpd on vty_dir)."""
    p = trun([binary, "--vty_socket", vty_dir, "--config_dir", confdir,
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
    if pkg_status("frr")[1:2] != "i":  # installed (maybe held: a root's)
        pytest.skip("Debian's frr is not installed")
    if diversion():
        pytest.skip("/usr/bin/vtysh is already diverted (%s, to %s): not "
                    "touching this machine" % diversion())
    if present(PKG):
        pytest.skip("%s is already installed here" % PKG)
    if os.path.exists(tpath(MODULE)) or os.path.exists(tpath(DIVERTED)):
        pytest.skip("%s or %s already exists" % (MODULE, DIVERTED))
    before = sha256(VTYSH)
    verify_before = frr_verify()
    state = {"sha256": before}
    try:
        yield state
    finally:
        problems = []
        if present(PKG):
            p = trun(["dpkg", "--purge", PKG], check=False)
            if p.returncode != 0:
                problems.append("dpkg --purge: " + p.text)
                trun(["dpkg", "--purge", "--force-all", PKG], check=False)
        div = diversion()
        if div and div[0] == "LOCAL" and os.path.exists(tpath(div[1])):
            # a make install left over: remove ours, rename Debian's back
            os.unlink(tpath(VTYSH))
            trun(["dpkg-divert", "--local", "--rename", "--divert", div[1],
                  "--remove", VTYSH], check=False)
            problems.append("local diversion had to be removed")
        elif div and div[0] == PKG and os.path.exists(tpath(div[1])):
            os.unlink(tpath(VTYSH))
            trun(["dpkg-divert", "--package", PKG, "--rename", "--divert",
                  div[1], "--remove", VTYSH], check=False)
            problems.append("package diversion had to be removed")
        for leftover in (MODULE, YANG):
            if os.path.exists(tpath(leftover)) and not present(PKG):
                os.unlink(tpath(leftover))
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
        pytest.skip("%s not configured (scripts/build.sh)" % BUILD)
    if not shutil.which("dpkg-divert"):
        pytest.skip("not a dpkg system")
    div_before = diversion()
    dest = str(tmp_path / "root")
    trun(["make", "-C", BUILD, "-s", "install", "DESTDIR=" + dest])
    assert os.path.isfile(dest + MODULE)
    assert os.path.isfile(dest + YANG)
    assert os.access(dest + VTYSH, os.X_OK)
    assert not glob.glob(dest + "/usr/bin/vtysh.*")
    assert diversion() == div_before
    trun(["make", "-C", BUILD, "-s", "uninstall", "DESTDIR=" + dest])
    assert not os.path.exists(dest + MODULE)
    assert not os.path.exists(dest + VTYSH)

    dest2 = str(tmp_path / "root2")
    trun(["make", "-C", BUILD, "-s", "install", "DESTDIR=" + dest2,
          "INSTALL_VTYSH=no"])
    assert os.path.isfile(dest2 + MODULE)
    assert not os.path.exists(dest2 + VTYSH)


def test_make_install_uninstall_system(lab, system_guard):
    """make install diverts Debian's vtysh (local diversion) and installs
    ours; make uninstall puts Debian's back."""
    if not os.path.exists(os.path.join(BUILD, "Makefile")):
        pytest.skip("%s not configured (scripts/build.sh)" % BUILD)
    trun(["make", "-C", BUILD, "-s", "install"])
    assert diversion() == ("LOCAL", DIVERTED)
    assert sha256(DIVERTED) == system_guard["sha256"]
    assert sha256(VTYSH) == sha256(os.path.join(BUILD, "vtysh", "vtysh"),
                                   target=False)
    assert os.path.isfile(tpath(MODULE))

    # a plain "-M erpolicy" finds the installed module; /usr/bin/vtysh
    # (ours now) configures it
    r1 = lab.add_router("r1", bgpd_args=["-M", "erpolicy"])
    lab.start()
    confdir = os.path.join(lab.dir, "etc")
    os.makedirs(confdir)
    assert knows_erpolicy(VTYSH, r1.dir, confdir)
    assert not knows_erpolicy(DIVERTED, r1.dir, confdir)
    lab.stop()

    trun(["make", "-C", BUILD, "-s", "uninstall"])
    assert diversion() is None
    assert sha256(VTYSH) == system_guard["sha256"]
    assert not os.path.exists(tpath(MODULE))
    assert not os.path.exists(tpath(DIVERTED))


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
    p = run([BUILD_DEB, "--target", TARGET], check=False, timeout=1800,
            cwd=ROOT)
    assert p.returncode == 0, "scripts/build-deb.sh failed:\n" + p.text[-6000:]
    path = p.stdout.strip().splitlines()[-1]
    assert os.path.isfile(path), p.text
    return path


def test_deb_contents(deb):
    p = run(["dpkg-deb", "-f", deb, "Package", "Depends"])
    frr_version = target_frr_version()
    assert "Package: %s" % PKG in p.stdout
    assert "frr (= %s)" % frr_version in p.stdout, p.stdout
    files = run(["dpkg-deb", "-c", deb]).stdout
    for path in (VTYSH, MODULE, YANG, "/usr/share/doc/%s/copyright" % PKG,
                 "/usr/share/doc/%s/README.vtysh.md" % PKG):
        assert " ." + path in files, files
    assert ".la\n" not in files
    ctrl = run(["dpkg-deb", "-I", deb, "preinst"]).stdout
    assert "dpkg-divert --package" in ctrl and DIVERTED in ctrl


def unit_dir():
    """Where the package's systemd units belong on the target's release:
    where its debhelper puts them (debian/rules, UNITDIR)."""
    dh = trun(["dpkg-query", "-W", "-f=${Version}", "debhelper"]).stdout
    newer = trun(["dpkg", "--compare-versions", dh, "ge", "13.11.6~"],
                 check=False).returncode == 0
    return "/usr/lib/systemd/system" if newer else "/lib/systemd/system"


MONITORING = ("/usr/libexec/%s/erpolicy-prometheus" % PKG,
              "UNITDIR/erpolicy-prometheus.service",
              "UNITDIR/erpolicy-prometheus.timer",
              "/usr/share/doc/%s/examples/grafana-dashboard.json" % PKG,
              "/usr/share/doc/%s/examples/erpolicy-alerts.yml" % PKG)


def test_deb_monitoring(deb, tmp_path):
    """Issue 14: the metrics exporter, its systemd units (valid: systemd-
    analyze verify says nothing) and the examples are in the package; the
    timer is enabled by the maintainer scripts; python3 is a dependency."""
    files = run(["dpkg-deb", "-c", deb]).stdout
    monitoring = [m.replace("UNITDIR", unit_dir()) for m in MONITORING]
    for path in monitoring:
        assert " ." + path in files, (path, files)
    assert "python3" in run(["dpkg-deb", "-f", deb, "Depends"]).stdout
    postinst = run(["dpkg-deb", "-I", deb, "postinst"]).stdout
    assert "erpolicy-prometheus.timer" in postinst, postinst
    root = tmp_path / "root"
    run(["dpkg-deb", "-x", deb, str(root)])
    exporter = str(root) + MONITORING[0]
    assert os.access(exporter, os.X_OK)
    # without vtysh: it says so (exit 1, erpolicy_exporter_up 0)
    p = run([exporter, "--output", "-", "--vtysh", "/bin/false"],
            check=False)
    assert p.returncode == 1 and "erpolicy_exporter_up 0" in p.stdout, \
        p.text
    if not shutil.which("systemd-analyze"):
        pytest.skip("systemd-analyze not installed")
    units = tmp_path / "units"
    units.mkdir()
    for unit in monitoring[1:3]:
        text = open(str(root) + unit).read()
        (units / os.path.basename(unit)).write_text(
            text.replace(MONITORING[0], exporter))
    verify = ["systemd-analyze", "verify",
              str(units / "erpolicy-prometheus.timer"),
              str(units / "erpolicy-prometheus.service")]
    p = run(verify, check=False)
    assert p.returncode == 0 and not p.text.strip(), p.text
    # negative control: a misspelt setting is reported
    svc = units / "erpolicy-prometheus.service"
    svc.write_text(svc.read_text().replace("ProtectHome=", "ProtectHom="))
    p = run(verify, check=False)
    assert "ProtectHom" in p.text, p.text


# ------------------------------------------------------ source package ----
def source_package(deb):
    """The .dsc that scripts/build-deb.sh left next to the .deb."""
    dscs = glob.glob(os.path.join(os.path.dirname(deb), PKG + "_*.dsc"))
    if not dscs:
        pytest.skip("no source package next to %s" % deb)
    return dscs[0]


def dsc_checksums(path):
    """file name -> sha256 (Checksums-Sha256 of a .dsc)."""
    out, inside = {}, False
    with open(path) as f:
        for line in f:
            if line.startswith("Checksums-Sha256:"):
                inside = True
            elif inside and line.startswith(" "):
                digest, _size, name = line.split()
                out[name] = digest
            elif inside:
                break
    return out


def frr_src_dir():
    """Where scripts/frr-source.sh puts the target's frr source."""
    if TARGET == "host":
        return os.path.join(ROOT, "build", "frr")
    return os.path.join(ROOT, "build", "targets", TARGET, "src")


def frr_dl_dir():
    """Debian's frr source as scripts/frr-source.sh got it."""
    return os.path.join(frr_src_dir(), "dl")


def test_source_package_components(deb):
    """Format 3.0 (quilt); FRR's source is in the source package as two
    orig components that are Debian's frr tarballs byte for byte."""
    dsc = source_package(deb)
    d = os.path.dirname(dsc)
    with open(dsc) as f:
        text = f.read()
    assert re.search(r"^Format: 3\.0 \(quilt\)$", text, re.M), text
    sums = dsc_checksums(dsc)
    names = sorted(sums)
    upver = run(["dpkg-parsechangelog", "-l",
                 os.path.join(ROOT, "debian", "changelog"),
                 "-S", "Version"]).stdout.strip().rsplit("-", 1)[0]
    base = "%s_%s.orig" % (PKG, upver)
    for want in (base + ".tar.xz", base + "-frr.tar.xz",
                 base + "-frr-debian.tar.xz"):
        assert want in names, names
    assert any(n.endswith(".debian.tar.xz") for n in names), names
    for name, digest in sums.items():
        assert sha256(os.path.join(d, name), target=False) == digest, name

    frr_version = target_frr_version()
    frr_dsc = os.path.join(frr_dl_dir(), "frr_%s.dsc" % frr_version)
    if not os.path.exists(frr_dsc):
        pytest.skip("%s not there (scripts/frr-source.sh)" % frr_dsc)
    debian = dsc_checksums(frr_dsc)
    frr_up = frr_version.rsplit("-", 1)[0]
    assert sums[base + "-frr.tar.xz"] == \
        debian["frr_%s.orig.tar.xz" % frr_up]
    assert sums[base + "-frr-debian.tar.xz"] == \
        debian["frr_%s.debian.tar.xz" % frr_version]


def test_rules_fetch_nothing():
    """debian/rules builds from what the source package holds."""
    with open(os.path.join(ROOT, "debian", "rules")) as f:
        rules = "".join(l for l in f if not l.lstrip().startswith("#"))
    for word in ("frr-source.sh", "apt-get", "wget", "curl", "http:",
                 "https:", "git clone"):
        assert word not in rules, word


def configure_flags(text):
    """The configure arguments in `text` (quoted like bgpd -v or
    config.status --config), without those that differ on purpose:
    documentation switches and PYTHON (see scripts/frr-configure.sh), and
    the compiler flags that dpkg-buildflags puts in the environment of a
    package build (Debian's frr is built with them too; its bgpd -v does not
    list them)."""
    skip = {"--enable-doc", "--enable-doc-html", "-q"}
    return [a for a in shlex.split(text)
            if a not in skip and not a.startswith("PYTHON=")
            and not re.match(r"^[A-Z]*FLAGS=", a)]


def debian_bgpd_flags():
    out = trun(["/usr/lib/frr/bgpd", "-v"]).stdout
    return configure_flags(out.split("configured with:", 1)[1])


def test_frr_configured_like_debian():
    """The tree of developer builds (scripts/frr-source.sh, configured by
    scripts/frr-configure.sh) has the flags of Debian's bgpd."""
    trees = glob.glob(os.path.join(frr_src_dir(), "frr-*", "config.status"))
    if not trees:
        pytest.skip("no configured FRR tree (scripts/frr-source.sh)")
    ours = run([trees[0], "--config"]).stdout
    assert configure_flags(ours) == debian_bgpd_flags()


def test_package_build_log(deb):
    """The binary package was built offline from the .dsc: Debian's frr
    patches applied, FRR configured with Debian's flags, the cmocka unit
    tests ran and passed."""
    log_path = os.path.join(os.path.dirname(source_package(deb)),
                            "build.log")
    with open(log_path) as f:
        log = f.read()
    if os.geteuid() == 0:
        assert "build-deb: network: none (unshare -n)" in log

    frr_version = target_frr_version()
    series = run(["tar", "-xOJf", os.path.join(
        frr_dl_dir(), "frr_%s.debian.tar.xz" % frr_version),
        "debian/patches/series"]).stdout
    patches = [l.split()[0] for l in series.splitlines()
               if l.strip() and not l.lstrip().startswith("#")]
    assert patches
    for name in patches:
        assert "frr-apply-patches: %s\n" % name in log, name
    assert "frr-apply-patches: %d patches applied" % len(patches) in log

    m = re.search(r"^frr configured with: (.*)$", log, re.M)
    assert m, "no 'frr configured with' line in the build log"
    assert configure_flags(m.group(1)) == debian_bgpd_flags()

    for t in UNIT_TESTS:
        head = "===== debian/build/tests/%s.log\n" % t
        assert head in log, "%s: cmocka output not in the build log" % t
        part = log.split(head, 1)[1].split("\n=====", 1)[0]
        ran = re.search(r"^\[=+\] (?:\S+: )?(\d+) test\(s\) run\.$",
                        part, re.M)
        passed = re.search(r"^\[  PASSED  \] (\d+) test\(s\)\.$", part,
                           re.M)
        assert ran and passed and ran.group(1) == passed.group(1), part
        assert int(ran.group(1)) > 0
        assert "[  FAILED  ]" not in part


LINTIAN_LINE = re.compile(r"^([EWIPXNO]): (\S+?)( source)?: (\S+)(.*)$")


def test_lintian(deb):
    """lintian --pedantic (with info and experimental tags) on the source
    and binary packages: no error, no warning; every override is used."""
    if not os.path.exists(tpath("/usr/bin/lintian")):
        pytest.skip("lintian not installed (scripts/deps.sh; "
                    "scripts/target-root.sh)")
    dsc = source_package(deb)
    # the target's own lintian (its release's policy)
    p = trun(["lintian", "--pedantic", "--display-info",
              "--display-experimental", "--tag-display-limit", "0",
              dsc, deb], check=False, timeout=900)
    print(p.text)
    tags = [LINTIAN_LINE.match(l).groups() for l in p.stdout.splitlines()
            if LINTIAN_LINE.match(l)]
    bad = [t for t in tags if t[0] in "EW"]
    assert not bad, p.text
    stale = [t for t in tags
             if t[3] in ("unused-override", "mismatched-override")]
    assert not stale, p.text
    assert "error" not in p.stderr.replace(
        "running with root privileges is not recommended!", ""), p.text


# --------------------------------------------------- maintainer scripts ----
def run_maint_script(script, args, daemons, frr_conf=""):
    """Run an extracted maintainer script with private /etc/frr/daemons and
    /etc/frr/frr.conf (bind mounts in a mount namespace of its own)."""
    d = os.path.dirname(script)
    with open(os.path.join(d, "daemons.test"), "w") as f:
        f.write(daemons)
    with open(os.path.join(d, "frr.conf.test"), "w") as f:
        f.write(frr_conf)
    sh = ('mount --bind "$1/daemons.test" /etc/frr/daemons && '
          'mount --bind "$1/frr.conf.test" /etc/frr/frr.conf && '
          'shift && exec sh "$@"')
    return run(["unshare", "-m", "sh", "-c", sh, "sh", d, script] +
               list(args))


def test_maintainer_script_messages(deb, tmp_path):
    if os.geteuid() != 0:
        pytest.skip("needs root (mount namespace)")
    if not (os.path.isfile("/etc/frr/daemons") and
            os.path.isfile("/etc/frr/frr.conf")):
        pytest.skip("no /etc/frr/daemons or frr.conf to bind over")
    # the scripts run on this machine (for every target: they are the same
    # shell scripts), so this machine's package and diversion matter
    host_pkg = run(["dpkg-query", "-W", "-f=${db:Status-Abbrev}", PKG],
                   check=False).stdout.strip()
    host_div = run(["dpkg-divert", "--listpackage", VTYSH]).stdout.strip()
    if (len(host_pkg) >= 2 and host_pkg[1] != "n") or host_div:
        pytest.skip("%s or a vtysh diversion present: postrm would act"
                    % PKG)
    real = ("/etc/frr/daemons", "/etc/frr/frr.conf")
    before = [sha256(f, target=False) for f in real]
    ctrl = str(tmp_path / "DEBIAN")
    run(["dpkg-deb", "-e", deb, ctrl])
    postinst = os.path.join(ctrl, "postinst")
    postrm = os.path.join(ctrl, "postrm")
    plain = 'bgpd=yes\nbgpd_options="   -A 127.0.0.1"\n'
    loaded = 'bgpd=yes\nbgpd_options="   -A 127.0.0.1 -M erpolicy"\n'

    p = run_maint_script(postinst, ["configure", ""], plain)
    assert 'add "-M erpolicy"' in p.stdout and "/etc/frr/daemons" in p.stdout
    p = run_maint_script(postinst, ["configure", "0.0.9-1"], plain)
    assert 'add "-M erpolicy"' in p.stdout
    p = run_maint_script(postinst, ["configure", "0.0.9-1"], loaded)
    assert "upgraded from 0.0.9-1" in p.stdout
    assert "restart bgpd" in p.stdout
    assert "add" not in p.stdout

    for daemons in (loaded,
                    'bgpd_options="-A 127.0.0.1 -Merpolicy"\n',
                    'bgpd_options="--module=erpolicy:x -A 127.0.0.1"\n',
                    '  bgpd_options="-A 127.0.0.1 --module erpolicy"\n'):
        p = run_maint_script(postrm, ["remove"], daemons)
        assert "WARNING" in p.stderr and "-M erpolicy" in p.stderr, daemons
    for daemons in (plain,
                    '#bgpd_options="-A 127.0.0.1 -M erpolicy"\n',
                    'bgpd_options="-A 127.0.0.1 -M erpolicyx"\n',
                    'zebra_options="-M erpolicy"\n'):
        p = run_maint_script(postrm, ["remove"], daemons)
        assert "WARNING" not in p.text, (daemons, p.text)
    p = run_maint_script(postrm, ["remove"], plain,
                         "router bgp 65010\n erpolicy neighbor 192.0.2.1"
                         " path expressroute\n")
    assert "frr.conf has erpolicy lines" in p.stderr
    # purge after remove: no second warning
    p = run_maint_script(postrm, ["purge"], loaded)
    assert "WARNING" not in p.text
    # the machine's own files were never touched
    assert [sha256(f, target=False) for f in real] == before


def daemons_loads_erpolicy():
    """Whether the machine's /etc/frr/daemons loads the module (the
    maintainer scripts' own test, in Python)."""
    try:
        with open(tpath("/etc/frr/daemons")) as f:
            text = f.read()
    except FileNotFoundError:
        return False
    return re.search(r"^\s*bgpd_options=.*(-M|--module)[\s=]*erpolicy"
                     r"([^A-Za-z0-9_]|$)", text, re.M) is not None


def test_deb_install_remove(lab, deb, system_guard, tmp_path):
    p = trun(["dpkg", "-i", deb])
    assert pkg_status(PKG) == "ii"
    if daemons_loads_erpolicy():
        assert "/etc/frr/daemons loads the module" in p.stdout, p.text
    else:
        assert 'add "-M erpolicy"' in p.stdout, p.text
    assert os.path.isfile(tpath(MODULE)) and os.path.isfile(tpath(YANG))
    assert diversion() == (PKG, DIVERTED)
    listing = trun(["dpkg-divert", "--list", VTYSH]).stdout
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
    p = trun([VTYSH, "--vty_socket", r1.dir, "--config_dir", confdir,
              "-H", os.path.join(confdir, ".history"),
              "-c", "configure terminal",
              "-c", "route-map ER-IN permit 10", "-c", "exit",
              "-c", "router bgp 65001",
              "-c", "erpolicy neighbor 192.0.2.1 path expressroute",
              "-c", "erpolicy neighbor 192.0.2.1 route-map ER-IN in",
              "-c", "address-family ipv4 unicast",
              "-c", "neighbor 192.0.2.1 route-map erpolicy-expressroute in"])
    conf = r1.vty("show running-config")
    for line in ("erpolicy neighbor 192.0.2.1 path expressroute",
                 "erpolicy neighbor 192.0.2.1 route-map ER-IN in",
                 "neighbor 192.0.2.1 route-map erpolicy-expressroute in"):
        assert line in conf, (line, p.text, conf)
    # Debian's binary, kept aside, still rejects the module's commands
    assert not knows_erpolicy(DIVERTED, r1.dir, confdir)
    lab.stop()

    # the autopkgtest, against the installed package
    env = dict(os.environ, AUTOPKGTEST_TMP=str(tmp_path))
    p = trun([AUTOPKGTEST], env=env, timeout=120)
    assert "show bgp erpolicy json: OK" in p.stdout, p.text
    assert p.stdout.rstrip().endswith("module-loads: OK"), p.text

    p = trun(["dpkg", "-r", PKG])
    assert ("WARNING" in p.stderr) == daemons_loads_erpolicy(), p.text
    assert not present(PKG) or pkg_status(PKG) == "rc"
    assert diversion() is None
    assert "vtysh" not in trun(["dpkg-divert", "--list"]).stdout
    assert sha256(VTYSH) == system_guard["sha256"]
    assert not os.path.exists(tpath(DIVERTED))
    assert not os.path.exists(tpath(MODULE))
    assert frr_verify() == []
    trun(["dpkg", "--purge", PKG])
