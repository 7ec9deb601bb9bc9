"""pytest setup for the erpolicy topotests.

* puts topotests/ on sys.path so tests can ``from lib import lab``;
* skips every test in this directory unless running as root with FRR and
  iproute2 available (namespaces and daemons need root);
* fixtures: ``lab`` (a Lab named after the test, always torn down, log
  tails printed on failure) and ``lab_factory`` (several labs per test).
"""

import os
import shutil
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

from lib import lab as _labmod  # noqa: E402


def _skip_reason():
    if os.geteuid() != 0:
        return ("topotests need root (network namespaces + FRR daemons); "
                "run as root: /usr/bin/python3 -m pytest topotests")
    root = _labmod.target_root(_labmod.TARGET)
    if root and not os.path.exists(os.path.join(root,
                                                ".erp-root-complete")):
        return ("ERPOLICY_TARGET=%s but its root is not built "
                "(scripts/target-root.sh %s)" % (_labmod.TARGET,
                                                 _labmod.TARGET))
    for daemon in ("zebra", "bgpd"):
        path = (root or "") + os.path.join(_labmod.FRR_DIR, daemon)
        if not os.access(path, os.X_OK):
            return "FRR daemon %s not found (install Debian's frr)" % path
    if not shutil.which("ip"):
        return "iproute2 'ip' not found"
    return None


def pytest_collection_modifyitems(config, items):
    reason = _skip_reason()
    if not reason:
        return
    marker = pytest.mark.skip(reason=reason)
    for item in items:
        if str(item.fspath).startswith(HERE + os.sep):
            item.add_marker(marker)


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, "rep_" + rep.when, rep)


def _test_failed(request):
    rep = getattr(request.node, "rep_call", None)
    return rep is not None and rep.failed


def _finish(request, lab):
    if _test_failed(request):
        # shown in the "Captured stdout teardown" section of the failure
        print(lab.diagnostics())
    problems = lab.stop()
    if problems and not _test_failed(request):
        pytest.fail("lab %s: %s" % (lab.name, "\n".join(problems)),
                    pytrace=False)


@pytest.fixture
def machine_alone():
    """Held for the whole test (ask for it before ``lab``): the tests that
    load the machine most (valgrind, FRR's own topotests) do not run at the
    same time as each other in the pytest runs of other targets
    (scripts/test.sh runs the targets side by side)."""
    with _labmod.exclusive("heavy"):
        yield


@pytest.fixture
def lab(request):
    """A fresh Lab for this test; stopped (and checked) at teardown."""
    the_lab = _labmod.Lab(request.node.name)
    try:
        yield the_lab
    finally:
        _finish(request, the_lab)


@pytest.fixture
def lab_factory(request):
    """Call ``lab_factory(name)`` to get extra Labs, all stopped at
    teardown."""
    labs = []

    def make(name=None):
        new = _labmod.Lab(name or request.node.name)
        labs.append(new)
        return new

    try:
        yield make
    finally:
        errors = []
        for one in labs:
            try:
                _finish(request, one)
            except BaseException as e:  # keep stopping the others
                errors.append(e)
        if errors:
            raise errors[0]
