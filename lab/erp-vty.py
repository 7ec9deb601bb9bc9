#!/usr/bin/python3
"""Run commands on an FRR daemon's vty socket directly (e.g. bgpd.vty).

The stock vtysh rejects commands added by a loadable module such as
``show bgp erpolicy``; this talks to the daemon's own socket instead.

    erp-vty.py SOCKET_OR_DIR 'show bgp erpolicy' ['another command' ...]
    erp-vty.py SOCKET_OR_DIR            # interactive, one command per line

SOCKET_OR_DIR is the daemon socket or a router directory (then bgpd.vty in
it is used).  Lines starting with "conf" enter configuration mode as in
vtysh; "end" leaves it.
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "topotests"))

from lib.vty import VtyClient, VtyError, status_name  # noqa: E402


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        return 2
    path = argv[1]
    if os.path.isdir(path):
        path = os.path.join(path, "bgpd.vty")
    rc = 0
    with VtyClient(path) as c:
        def run(line):
            status, out = c.cmd(line)
            sys.stdout.write(out)
            if out and not out.endswith("\n"):
                sys.stdout.write("\n")
            if status != 0:
                sys.stderr.write("(%s)\n" % status_name(status))
            return status
        if len(argv) > 2:
            for line in argv[2:]:
                if run(line) != 0:
                    rc = 1
            return rc
        while True:
            try:
                line = input("%s> " % os.path.basename(path))
            except (EOFError, KeyboardInterrupt):
                print()
                return rc
            if line.strip() in ("exit", "quit") and False:
                return rc
            if line.strip():
                try:
                    run(line.strip())
                except VtyError as e:
                    print(e)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
