"""Issue 6 (robustness): FRR's own BGP topotests pass the same with the
module loaded.

Runs tests/frr-topotests/run.sh --target ERPOLICY_TARGET, which runs each
test of the target's list twice - stock, and with ``--moduledir DIR -M
erpolicy`` added to every bgpd the harness starts, without any erpolicy
configuration - each in private namespaces:

- host: tests/frr-topotests/LIST, FRR 8.4.4's tests/topotests from Debian's
  source package, with the host's daemons (mount + PID namespace);
- frr-10.3: tests/frr-topotests/LIST.frr-10.3, FRR 10.3's own topotests from
  Debian 13's source, run inside the target's Debian root (mount + PID +
  network namespace, pivot_root into the root) with its daemons and the
  module built for 10.3.

Both runs of a test go at the same time (``-p``): ~1 minute for the host
list, ~2 minutes for 10.3's.  Set ERPOLICY_FRR_TOPOTESTS=0 to skip.
"""

import os
import signal
import subprocess
import time

import pytest

from lib import lab as labmod

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
RUN = os.path.join(ROOT, "tests", "frr-topotests", "run.sh")
TARGET = labmod.TARGET
# run.sh's results: build/ for host, build/targets/T/ for a root target
RESULTS = os.path.join(
    ROOT, "build", *(() if TARGET == "host" else ("targets", TARGET)),
    "frr-topotests-run", "results.tsv")
LIST = os.path.join(ROOT, "tests", "frr-topotests",
                    "LIST" if TARGET == "host" else "LIST." + TARGET)

pytestmark = [
    pytest.mark.skipif(
        os.environ.get("ERPOLICY_FRR_TOPOTESTS", "1") in ("0", "no"),
        reason="ERPOLICY_FRR_TOPOTESTS=0")]


def listed_tests():
    with open(LIST) as f:
        return [ln.split("#")[0].strip() for ln in f
                if ln.split("#")[0].strip()]


def test_frr_bgp_topotests_pass_the_same_with_the_module(machine_alone):
    env = dict(os.environ)
    env.setdefault("ERPOLICY_MODULEDIR",
                   os.path.join(labmod.target_obj(), ".libs"))
    t0 = time.monotonic()
    # a session of its own: on a timeout the whole group is killed, the
    # unshare processes with it (each then kills its namespace: --kill-child)
    proc = subprocess.Popen([RUN, "--target", TARGET, "-p"], cwd=ROOT,
                            env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    labmod.kill_group_on_abort(proc.pid)  # pytest itself killed
    try:
        out, err = proc.communicate(timeout=1200)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
        labmod.forget_on_abort(proc.pid)
    took = time.monotonic() - t0
    print(out[-6000:])
    print(err[-2000:])
    assert proc.returncode in (0, 1), "run.sh setup error:\n%s%s" % (
        out[-3000:], err[-3000:])

    rows = {}
    with open(RESULTS) as f:
        for line in f:
            mode, test, rc, passed, failed, skipped, secs, loaded = \
                line.rstrip("\n").split("\t")
            rows[(mode, test)] = dict(rc=int(rc) if rc.isdigit() else rc,
                                      passed=int(passed), failed=int(failed),
                                      skipped=int(skipped),
                                      secs=float(secs), loaded=loaded)
    tests = listed_tests()
    assert len(tests) >= 4
    for t in tests:
        stock, module = rows[("stock", t)], rows[("module", t)]
        # the same outcome, test for test
        assert (stock["rc"], stock["passed"], stock["failed"],
                stock["skipped"]) == (module["rc"], module["passed"],
                                      module["failed"], module["skipped"]), \
            (t, stock, module)
        # and they pass (chosen because they pass here)
        assert stock["rc"] == 0 and stock["passed"] > 0, (t, stock)
        assert stock["failed"] == 0
        # every bgpd of the module run got -M erpolicy (bgpd exits if a
        # module cannot be loaded, so a pass means it was loaded)
        assert module["loaded"].isdigit() and int(module["loaded"]) > 0, \
            (t, module)
    assert proc.returncode == 0, out[-3000:]
    print("FRR topotests (%s): %d tests x 2 modes in %.0f s"
          % (TARGET, len(tests), took))
