"""Issue 6 (robustness): FRR's own BGP topotests pass the same with the
module loaded.

Runs tests/frr-topotests/run.sh, which runs each test of
tests/frr-topotests/LIST (FRR 8.4.4's tests/topotests from Debian's source
package) twice - stock, and with ``--moduledir DIR -M erpolicy`` added to
every bgpd the harness starts, without any erpolicy configuration - each in
a private mount + PID namespace.  Both runs of a test go at the same time
(``-p``): ~1 minute for the list.  Set ERPOLICY_FRR_TOPOTESTS=0 to skip.
"""

import os
import subprocess
import time

import pytest

from lib import lab as labmod

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
RUN = os.path.join(ROOT, "tests", "frr-topotests", "run.sh")
RESULTS = os.path.join(ROOT, "build", "frr-topotests-run", "results.tsv")

pytestmark = [
    pytest.mark.skipif(
        os.environ.get("ERPOLICY_FRR_TOPOTESTS", "1") in ("0", "no"),
        reason="ERPOLICY_FRR_TOPOTESTS=0"),
    # run.sh runs FRR 8.4.4's own topotests (host source tree, host daemons)
    labmod.host_only("FRR 8.4.4's topotests with the host's daemons; FRR "
                     "10.3's own topotests are not wired to a target "
                     "(issue 13 item 6)")]


def listed_tests():
    with open(os.path.join(ROOT, "tests", "frr-topotests", "LIST")) as f:
        return [ln.split("#")[0].strip() for ln in f
                if ln.split("#")[0].strip()]


def test_frr_bgp_topotests_pass_the_same_with_the_module():
    env = dict(os.environ)
    env.setdefault("ERPOLICY_MODULEDIR",
                   os.path.join(labmod.target_obj(), ".libs"))
    t0 = time.monotonic()
    proc = subprocess.run([RUN, "-p"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=1200)
    took = time.monotonic() - t0
    print(proc.stdout[-6000:])
    print(proc.stderr[-2000:])
    assert proc.returncode in (0, 1), "run.sh setup error:\n%s%s" % (
        proc.stdout[-3000:], proc.stderr[-3000:])

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
    assert proc.returncode == 0, proc.stdout[-3000:]
    print("FRR topotests: %d tests x 2 modes in %.0f s" % (len(tests), took))
