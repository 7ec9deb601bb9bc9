"""Issue 14: every command-output block of doc/user-guide.rst is what the
module prints today.

scripts/guide-samples.py builds the guide's labs (the example's edge
router, two MSEEs, a VPN gateway), runs the commands and compares each
block marked ``.. sample: NAME`` with the output, after the few
normalisations it lists (clock times, up/down times, message counts, table
versions, route-map invocation counts, seconds left of a hold-down, the
pid and module path of ``show modules``).  The grammar blocks are the
erpolicy-aware vtysh's ``list``; the JSON key tables (``.. keys: NAME``)
must name exactly the keys of the real JSON.

When the output changes on purpose, regenerate the guide with
``scripts/guide-samples.py --write`` and read the diff.

The negative controls run the same comparison on copies of the guide with
one deliberate error each: every one must be reported.
"""

import importlib.util
import os

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(os.path.dirname(HERE), "scripts", "guide-samples.py")

_spec = importlib.util.spec_from_file_location("guide_samples", SCRIPT)
gs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gs)

pytestmark = [
    pytest.mark.skipif(
        not os.access(gs.VTYSH, os.X_OK),
        reason="erpolicy-aware vtysh not built: %s (scripts/build.sh)"
        % gs.VTYSH),
    # the guide's samples are the output of Debian 12's frr 8.4.4 (the host
    # target); what differs on 10.3 is in its "Supported FRR versions"
    gs.labmod.host_only("the guide's samples are 8.4.4's output; 10.3's "
                        "differences are listed in the guide instead")]


def edit(lines, kind, name, old, new):
    """A copy of the guide with ``old`` replaced by ``new`` inside the
    marked block ``kind: name``."""
    lines = list(lines)
    block = next(b for b in gs.blocks(lines)
                 if b.kind == kind and b.name == name)
    for i in range(block.start, block.end):
        if old in lines[i]:
            lines[i] = lines[i].replace(old, new, 1)
            return lines
    raise AssertionError("%s %s has no %r" % (kind, name, old))


def unmark(lines, name):
    return [ln for ln in lines if ln.strip() != ".. sample: %s" % name]


# (what is wrong, the wrong guide, what the report must contain)
NEGATIVE = [
    ("the grammar of a command",
     lambda ls: edit(ls, "sample", "grammar-prefix", "(1-128)", "(0-128)"),
     "sample grammar-prefix "),
    ("the preferred path during the hold-down",
     lambda ls: edit(ls, "sample", "erpolicy-hold-down",
                     "preferred path: vpn", "preferred path: expressroute"),
     "sample erpolicy-hold-down "),
    ("an error message",
     lambda ls: edit(ls, "sample", "prefix-errors", "cannot be both",
                     "can be both"),
     "sample prefix-errors "),
    ("a counter in the neighbor view",
     lambda ls: edit(ls, "sample", "neighbor", "transit 3", "transit 0"),
     "sample neighbor "),
    ("a JSON key renamed in a key table",
     lambda ls: edit(ls, "keys", "events", "``holdDownMs``",
                     "``holdDownSeconds``"),
     "keys events "),
    ("a neighbor key under its name before bgpd's (issue 14)",
     lambda ls: edit(ls, "keys", "neighbor-af", "``acceptedPrefixCounter``",
                     "``prefixesAccepted``"),
     "keys neighbor-af "),
    ("a health warning's log line",
     lambda ls: edit(ls, "sample", "health-log", "weightSet cleared",
                     "weightSet gone"),
     "sample health-log "),
    ("a reason's direction in the key table",
     lambda ls: edit(ls, "keys", "reasons", "- in, out", "- in"),
     "keys reasons "),
    ("a block the guide no longer marks",
     lambda ls: unmark(ls, "vrf-blue"),
     "sample vrf-blue: produced, but the guide has no"),
]


def test_user_guide_samples():
    with open(gs.DOC) as f:
        lines = f.read().split("\n")
    cap = gs.produce(list(gs.SCENARIOS))

    problems, _ = gs.compare(lines, cap)
    assert not problems, (
        "doc/user-guide.rst and the module disagree (regenerate with "
        "scripts/guide-samples.py --write and read the diff):\n"
        + "\n".join(problems))

    missed = []
    for what, wrong, expect in NEGATIVE:
        probs, _ = gs.compare(wrong(lines), cap)
        if not any(expect in p for p in probs):
            missed.append("%s: not reported (%s)" % (what, probs))
    assert not missed, "negative controls:\n" + "\n".join(missed)
