#!/usr/bin/env python3
"""The source files of bgpd_erpolicy/ depend on each other without a cycle.

    tests/layers/check-layers.py [--negative-control] [SRCDIR]

Derives the dependency graph from the ``#include "erpolicy*.h"`` lines of
every bgpd_erpolicy/*.c and *.h: a file erpolicy_X.c or erpolicy_X.h is
unit X, and each include is an edge to the unit of the header.  (The
module is built with -Werror=implicit-function-declaration, so a unit
cannot call another one without including its header: the includes are
the calls.)  Prints the units layer by layer, from those that depend on
nothing of the module up; fails with the cycle if there is one.

--negative-control: copies the sources, adds an include that closes a
cycle (a low unit including a high one, and the paths/re-evaluation pair
that used to call each other) and fails unless the check detects each.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
INCLUDE_RE = re.compile(r'^\s*#\s*include\s+"(erpolicy[a-z0-9_]*)\.h"', re.M)


def unit(filename):
    base = os.path.splitext(os.path.basename(filename))[0]
    return "core" if base == "erpolicy" else base[len("erpolicy_"):] \
        if base.startswith("erpolicy_") else base


def graph(srcdir):
    g = {}
    for name in sorted(os.listdir(srcdir)):
        if not re.match(r"erpolicy[a-z0-9_]*\.[ch]$", name):
            continue
        with open(os.path.join(srcdir, name)) as f:
            text = f.read()
        deps = g.setdefault(unit(name), set())
        for inc in INCLUDE_RE.findall(text):
            if unit(inc) != unit(name):
                deps.add(unit(inc))
                g.setdefault(unit(inc), set())
    return g


def find_cycle(g):
    """A list of units forming a cycle, or None."""
    state, stack = {}, []

    def visit(u):
        state[u] = "open"
        stack.append(u)
        for v in sorted(g[u]):
            if state.get(v) == "open":
                return stack[stack.index(v):] + [v]
            if v not in state:
                cyc = visit(v)
                if cyc:
                    return cyc
        stack.pop()
        state[u] = "done"
        return None

    for u in sorted(g):
        if u not in state:
            cyc = visit(u)
            if cyc:
                return cyc
    return None


def layers(g):
    level = {}

    def depth(u):
        if u not in level:
            level[u] = 1 + max((depth(v) for v in g[u]), default=-1)
        return level[u]

    for u in g:
        depth(u)
    out = {}
    for u, lv in level.items():
        out.setdefault(lv, []).append(u)
    return [sorted(out[lv]) for lv in sorted(out)]


def check(srcdir, quiet=False):
    g = graph(srcdir)
    cyc = find_cycle(g)
    if cyc:
        print("layers: dependency cycle in %s: %s" % (srcdir, " -> ".join(cyc)))
        return 1
    if not quiet:
        print("layers: %d units, no cycle; from the bottom:" % len(g))
        for i, units in enumerate(layers(g)):
            print("  %d: %s" % (i, " ".join(units)))
    return 0


CONTROLS = [
    # (file to edit, header it must not include)
    ("erpolicy_peer.c", "erpolicy_vty.h"),
    ("erpolicy_reevaluate.c", "erpolicy_paths.h"),
]


def negative_control(srcdir):
    ok = True
    for target, header in CONTROLS:
        tmp = tempfile.mkdtemp(prefix="erp-layers-")
        try:
            for name in os.listdir(srcdir):
                if re.match(r"erpolicy[a-z0-9_]*\.[ch]$", name):
                    shutil.copy(os.path.join(srcdir, name), tmp)
            path = os.path.join(tmp, target)
            with open(path) as f:
                text = f.read()
            text = text.replace('#include "erpolicy.h"\n',
                                '#include "erpolicy.h"\n#include "%s"\n'
                                % header, 1)
            with open(path, "w") as f:
                f.write(text)
            rc = subprocess.run([sys.executable, __file__, tmp],
                                capture_output=True, text=True)
            if rc.returncode == 0:
                print("layers: negative control FAILED: %s including %s "
                      "was not reported" % (target, header))
                ok = False
            else:
                print("layers: negative control (%s includes %s): %s"
                      % (target, header, rc.stdout.strip()))
        finally:
            shutil.rmtree(tmp)
    return 0 if ok else 1


def main(argv):
    neg = "--negative-control" in argv
    args = [a for a in argv if a != "--negative-control"]
    srcdir = args[0] if args else os.path.join(ROOT, "bgpd_erpolicy")
    if neg:
        return negative_control(srcdir)
    return check(srcdir)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
