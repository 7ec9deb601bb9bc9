"""Issue 13: the module refuses to run in a bgpd of another FRR version.

FRR's module loader is a plain dlopen with no version check; the module
checks at load that the running libfrr is the FRR version it was compiled
against (erpolicy_main.c) and bgpd exits.  The test edits the version the
module carries (the only "X.Y.Z\\0" string of the target's FRR version in the
.so, same length) and starts the target's bgpd with it: it must exit 1 and
say why.  Control: the unmodified module keeps bgpd running.
"""

import os
import re
import shutil
import signal
import subprocess
import tempfile
import time

from lib import azure
from lib import lab as labmod


def frr_version():
    out = subprocess.run(
        labmod.target_argv(labmod.TARGET,
                           [os.path.join(labmod.FRR_DIR, "bgpd"), "-v"]),
        capture_output=True, text=True, timeout=60).stdout
    return re.search(r"bgpd version (\S+)", out).group(1)


def start_bgpd(moddir, rundir):
    """bgpd with the module from moddir, no zebra, no BGP port."""
    return subprocess.Popen(
        labmod.target_argv(labmod.TARGET, [
            os.path.join(labmod.FRR_DIR, "bgpd"), "--moduledir", moddir,
            "-M", "erpolicy", "-n", "-p", "0", "-l", "127.0.0.1",
            "--vty_socket", rundir, "-i", os.path.join(rundir, "bgpd.pid"),
            "-z", os.path.join(rundir, "zserv.api"), "-f", "/dev/null"]),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_module_built_for_another_frr_is_refused():
    ver = frr_version()
    with open(os.path.join(azure.MODULE_DIR, "bgpd_erpolicy.so"), "rb") as f:
        so = f.read()
    needle = ver.encode() + b"\0"
    assert so.count(needle) == 1, "module carries its FRR version once"
    other = (ver[:-1] + ("9" if ver[-1] != "9" else "8")).encode() + b"\0"
    tmp = tempfile.mkdtemp(prefix="erp-vcheck-", dir="/tmp")
    procs = []
    try:
        os.chmod(tmp, 0o755)
        for name, data in (("bad", so.replace(needle, other)), ("good", so)):
            os.makedirs(os.path.join(tmp, name, "run"))
            with open(os.path.join(tmp, name, "bgpd_erpolicy.so"), "wb") as f:
                f.write(data)
            shutil.chown(os.path.join(tmp, name, "run"), labmod.FRR_USER,
                         labmod.FRR_GROUP)

        bad = start_bgpd(os.path.join(tmp, "bad"), os.path.join(tmp, "bad",
                                                                "run"))
        procs.append(bad)
        out, err = bad.communicate(timeout=60)
        assert bad.returncode == 1, (bad.returncode, out, err)
        assert ("built for FRR %s, refusing to load into FRR %s"
                % (other[:-1].decode(), ver)) in err, err

        good = start_bgpd(os.path.join(tmp, "good"),
                          os.path.join(tmp, "good", "run"))
        procs.append(good)
        time.sleep(3)
        assert good.poll() is None, good.communicate()
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        shutil.rmtree(tmp, ignore_errors=True)
