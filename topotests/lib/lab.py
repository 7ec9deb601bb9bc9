"""Tiny network-namespace lab for FRR topotests (Debian 12, FRR 8.4.4).

One network namespace per node, veth pairs between them, real FRR daemons
from /usr/lib/frr started with explicit paths so nothing touches /etc/frr or
/var/run/frr.  Everything created by a lab is removed by ``Lab.stop()``
(context-manager exit, pytest finalizer, atexit or SIGTERM).

Typical use::

    from lib.lab import Lab
    with Lab("basic") as lab:
        r1 = lab.add_router("r1", bgpd_conf=R1_CONF)
        r2 = lab.add_router("r2", bgpd_conf=R2_CONF)
        lab.link(r1, r2, a_addrs=["10.0.12.1/24"], b_addrs=["10.0.12.2/24"])
        lab.start()
        lab.wait_until(lambda: established(r1), timeout=10)

Daemons run in the foreground (no ``-d``) as children of the test process,
with stdout/stderr captured to ``<router dir>/<daemon>.out``.  This keeps
early startup errors (e.g. a module that fails to load) and the exit
status/signal of a crashed daemon visible.  The PID used for everything is
read from the daemon's pidfile (``-i``); it is the same process as the one we
spawned because ``ip netns exec`` and wrappers such as valgrind exec in place.

Environment:
  ERPOLICY_KEEP_LABS=1   keep the lab's temp dir (configs, logs) after stop
  ERPOLICY_FRR_DIR       directory with the FRR daemons (default /usr/lib/frr)
  ERPOLICY_TARGET        build target whose FRR runs the daemons: "host"
                         (default, this machine's) or e.g. "frr-10.3" (the
                         daemons run in that target's Debian root through
                         scripts/in-target.sh; the lab's directory is under
                         /tmp, which the root shares)
"""

import atexit
import contextlib
import grp
import itertools
import json
import os
import pwd
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import weakref

try:  # works both as "lib.lab" (package) and as a plain module
    from .vty import (VtyClient, VtyCommandError, VtyConnectionError,
                      VtyError, CMD_SUCCESS, wait_for_socket)
except ImportError:  # pragma: no cover
    from vty import (VtyClient, VtyCommandError, VtyConnectionError,
                     VtyError, CMD_SUCCESS, wait_for_socket)

__all__ = [
    "Lab", "Node", "Router", "Link", "LabError", "WaitTimeout", "StopWaiting",
    "wait_until",
    "VtyClient", "VtyError", "VtyCommandError", "VtyConnectionError",
    "cleanup_all_labs", "KEEP_LABS", "FRR_DIR",
]

FRR_DIR = os.environ.get("ERPOLICY_FRR_DIR", "/usr/lib/frr")
KEEP_LABS = os.environ.get("ERPOLICY_KEEP_LABS", "") not in ("", "0", "no")
FRR_USER = "frr"
FRR_GROUP = "frr"
IFNAMSIZ = 15  # max interface name length
# libfrr (lib/zlog.c) creates /var/tmp/frr/<daemon>.<pid>/ (crashlog and
# per-thread log buffers); not configurable, and often left behind on exit
FRR_ZLOG_TMPDIR = "/var/tmp/frr"
TOP = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
IN_TARGET = os.path.join(TOP, "scripts", "in-target.sh")
TARGET = os.environ.get("ERPOLICY_TARGET", "host") or "host"


def target_root(target):
    """The Debian root of a build target (None for "host")."""
    if target == "host":
        return None
    return os.path.join(TOP, "build", "targets", target, "root")


def target_obj(target=None):
    """Where scripts/build.sh builds the module for ``target`` (default:
    this run's): build/obj, or build/targets/NAME/obj."""
    target = target or TARGET
    if target == "host":
        return os.path.join(TOP, "build", "obj")
    return os.path.join(TOP, "build", "targets", target, "obj")


def host_only(why):
    """A pytest skip marker for a test that runs on the host target only;
    ``why`` says why it cannot run on the others (given in the skip)."""
    import pytest
    return pytest.mark.skipif(
        TARGET != "host", reason="ERPOLICY_TARGET=%s: %s" % (TARGET, why))


_bfdctl_support = {}


def _bfdd_has_bfdctl(target):
    """FRR 10.x's bfdd has no --bfdctl (its control socket is gone)."""
    if target not in _bfdctl_support:
        proc = subprocess.run(
            target_argv(target, [os.path.join(FRR_DIR, "bfdd"), "--help"]),
            capture_output=True, text=True, timeout=60)
        _bfdctl_support[target] = "--bfdctl" in proc.stdout + proc.stderr
    return _bfdctl_support[target]


@contextlib.contextmanager
def exclusive(name):
    """One holder at a time, across the pytest runs of all targets of this
    checkout (scripts/test.sh runs the targets side by side): for the tests
    that load the machine or time FRR's own tests (valgrind, FRR's
    topotests).  A file lock under build/, released when the block ends or
    the process dies."""
    import fcntl
    os.makedirs(os.path.join(TOP, "build"), exist_ok=True)
    with open(os.path.join(TOP, "build", ".exclusive-%s.lock" % name),
              "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


_frr_major = {}


def frr_major(target=None):
    """The major version of the target's FRR (``bgpd -v``): 8 or 10."""
    target = target or TARGET
    if target not in _frr_major:
        proc = subprocess.run(
            target_argv(target, [os.path.join(FRR_DIR, "bgpd"), "-v"]),
            capture_output=True, text=True, timeout=60)
        m = re.search(r"bgpd version (\d+)\.", proc.stdout)
        assert m, "no version in bgpd -v: %r" % (proc.stdout + proc.stderr)
        _frr_major[target] = int(m.group(1))
    return _frr_major[target]


def target_argv(target, argv):
    """``argv`` run with the FRR of ``target`` (in its root, same PID:
    scripts/in-target.sh execs in place)."""
    if target == "host":
        return list(argv)
    return [IN_TARGET, target] + list(argv)

DEFAULT_START_TIMEOUT = 15.0
WRAPPED_START_TIMEOUT = 120.0  # e.g. valgrind
DEFAULT_STOP_TIMEOUT = 3.0

_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,9}$")
_lab_seq = itertools.count(1)
_active_labs = weakref.WeakSet()
_handlers_installed = False
_lock = threading.RLock()


class LabError(Exception):
    """Something in the lab went wrong (setup, daemon crash, ...)."""


class StopWaiting(Exception):
    """Raise from a wait_until() predicate to abort the wait at once; it
    propagates unchanged."""


class WaitTimeout(AssertionError):
    """wait_until() gave up.  An AssertionError so pytest shows it nicely."""

    def __init__(self, message, last_value=None, last_exception=None):
        self.last_value = last_value
        self.last_exception = last_exception
        super().__init__(message)


# ---------------------------------------------------------------------------
# helpers


def _short(value, limit=2000):
    text = value if isinstance(value, str) else repr(value)
    if len(text) > limit:
        text = text[:limit] + "... [%d more chars]" % (len(text) - limit)
    return text


def wait_until(predicate, timeout=10.0, interval=0.2, message=None,
               diag=None, ignore_exceptions=True):
    """Call ``predicate()`` until it returns a truthy value; return that value.

    Exceptions raised by the predicate count as "not yet" (unless
    ``ignore_exceptions`` is False) and the last one is reported;
    StopWaiting always propagates at once.  On
    timeout raises WaitTimeout with ``message``, the last value/exception,
    and the text returned by ``diag()`` if given (e.g. a crash report).
    ``diag`` may also raise to abort the wait early (used for crashes).
    """
    deadline = time.monotonic() + timeout
    last_value = None
    last_exc = None
    attempts = 0
    while True:
        attempts += 1
        try:
            last_value = predicate()
            last_exc = None
            if last_value:
                return last_value
        except StopWaiting:
            raise
        except Exception as e:  # noqa: BLE001 - reported below
            if not ignore_exceptions:
                raise
            last_exc = e
        if time.monotonic() >= deadline:
            break
        time.sleep(max(0.0, min(interval, deadline - time.monotonic())))
    what = message or getattr(predicate, "__name__", repr(predicate))
    parts = ["timed out after %.1fs (%d attempts) waiting for: %s"
             % (timeout, attempts, what)]
    if last_exc is not None:
        parts.append("last exception: %s: %s"
                     % (type(last_exc).__name__, _short(str(last_exc))))
    else:
        parts.append("last value: %s" % _short(last_value))
    if diag is not None:
        try:
            extra = diag()
        except Exception as e:  # noqa: BLE001
            extra = "diagnostics failed: %r" % e
        if extra:
            parts.append(extra)
    raise WaitTimeout("\n".join(parts), last_value, last_exc)


def _run(argv, check=True, timeout=60, input=None):
    """Run a host command; raise LabError with its stderr on failure."""
    try:
        proc = subprocess.run(argv, input=input, capture_output=True,
                              text=True, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        raise LabError("command timed out after %ss: %s"
                       % (timeout, shlex.join(argv))) from e
    if check and proc.returncode != 0:
        raise LabError("command failed (rc=%d): %s\n%s%s"
                       % (proc.returncode, shlex.join(argv), proc.stdout,
                          proc.stderr))
    return proc


def stop_popen(popen, timeout=5):
    """Stop a helper process a test started with subprocess.Popen (None or
    already exited: nothing to do): SIGTERM, then SIGKILL after
    ``timeout`` seconds."""
    if popen is None or popen.poll() is not None:
        return
    popen.send_signal(signal.SIGTERM)
    try:
        popen.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        popen.kill()
        popen.wait(timeout=timeout)


def _pid_alive(pid):
    """True if ``pid`` exists and is not a zombie."""
    if not pid:
        return False
    try:
        with open("/proc/%d/stat" % pid) as f:
            stat = f.read()
    except (FileNotFoundError, ProcessLookupError):
        return False
    except OSError:
        return True
    # state is the field after the ")" closing the command name
    state = stat.rsplit(")", 1)[-1].split()[0]
    return state not in ("Z", "X")


def _signal_name(num):
    try:
        return signal.Signals(num).name
    except ValueError:
        return "signal %d" % num


def _describe_rc(rc):
    if rc is None:
        return "still running"
    if rc < 0:
        return "killed by %s" % _signal_name(-rc)
    return "exit code %d" % rc


def _tail(path, lines=30):
    try:
        with open(path, errors="replace") as f:
            data = f.readlines()
    except OSError:
        return ""
    return "".join(data[-lines:])


def _chown_frr(path):
    uid = pwd.getpwnam(FRR_USER).pw_uid
    gid = grp.getgrnam(FRR_GROUP).gr_gid
    os.chown(path, uid, gid)


def netns_view_wrapper(names):
    """Command prefix that runs a daemon in a private mount namespace where
    /run/netns holds only the named namespaces.  zebra's --vrfwnetns
    backend takes every namespace there for a VRF: without this it would
    list (and track, and crash on, as 8.4.4 did) the namespaces of every
    other router and lab on the machine."""
    script = ('set -e; d=$(mktemp -d); mount -t tmpfs tmpfs "$d"; '
              'for n in %s; do : > "$d/$n"; '
              'mount --bind "/run/netns/$n" "$d/$n"; done; '
              'mount --rbind "$d" /run/netns; exec "$@"'
              % " ".join(shlex.quote(n) for n in names))
    return ["unshare", "-m", "--propagation", "private", "/bin/sh", "-c",
            script, "sh"]


def _netns_list():
    proc = _run(["ip", "-j", "netns", "list"], check=False)
    try:
        return [n["name"] for n in json.loads(proc.stdout or "[]")]
    except ValueError:
        return [l.split()[0] for l in proc.stdout.splitlines() if l.strip()]


# ---------------------------------------------------------------------------
# nodes


class Node:
    """A network namespace (a host without daemons, or base of a Router)."""

    def __init__(self, lab, name):
        self.lab = lab
        self.name = name
        self.ns = lab.prefix + name
        self.ifnames = set()

    def __repr__(self):
        return "<%s %s ns=%s>" % (type(self).__name__, self.name, self.ns)

    # -- namespace life cycle --------------------------------------------
    def _create_ns(self, forwarding=True):
        _run(["ip", "netns", "add", self.ns])
        self.lab._namespaces.append(self.ns)
        self.exec(["ip", "link", "set", "lo", "up"])
        sysctls = [
            # IPv6 addresses usable immediately, kept on link down
            "net.ipv6.conf.all.accept_dad=0",
            "net.ipv6.conf.default.accept_dad=0",
            "net.ipv6.conf.all.keep_addr_on_down=1",
            "net.ipv6.conf.default.keep_addr_on_down=1",
        ]
        if forwarding:
            sysctls += ["net.ipv4.ip_forward=1",
                        "net.ipv6.conf.all.forwarding=1"]
        # namespace-local sysctls only; never host-wide
        self.exec(["sysctl", "-q", "-w"] + sysctls)

    # -- commands --------------------------------------------------------
    def exec(self, argv, check=True, timeout=60, input=None):
        """Run ``argv`` (list or shell-like string) inside the namespace.

        Returns subprocess.CompletedProcess (text mode); raises LabError if
        ``check`` and the command fails.
        """
        if isinstance(argv, str):
            argv = shlex.split(argv)
        return _run(["ip", "netns", "exec", self.ns] + list(argv),
                    check=check, timeout=timeout, input=input)

    def ip_json(self, *args):
        """``ip -n NS -j ARGS...`` parsed: ``ip_json("route", "show")``."""
        proc = _run(["ip", "-n", self.ns, "-j"] + list(args))
        return json.loads(proc.stdout) if proc.stdout.strip() else []

    def add_address(self, ifname, addr):
        """Add an address (IPv6 with ``nodad``) and set the interface up."""
        argv = ["ip", "-n", self.ns, "addr", "add", addr, "dev", ifname]
        if ":" in addr:
            argv.append("nodad")
        _run(argv)
        _run(["ip", "-n", self.ns, "link", "set", ifname, "up"])

    def ping(self, addr, count=1, wait=2):
        """True if ``ping`` (or ping -6) to addr succeeds from this node."""
        argv = ["ping", "-n", "-q", "-c", str(count), "-W", str(wait), addr]
        if ":" in addr:
            argv.insert(1, "-6")
        return self.exec(argv, check=False, timeout=count * wait + 10) \
            .returncode == 0

    def routes(self, family=4, table="main"):
        """Kernel routes (``ip -j route show``) as a list of dicts."""
        return self.ip_json("-%d" % family, "route", "show", "table",
                            str(table))

    def route(self, prefix, family=None):
        """The kernel route for exactly ``prefix`` (dict) or None."""
        fam = family or (6 if ":" in prefix else 4)
        for r in self.routes(fam):
            if r.get("dst") == prefix:
                return r
        return None


class _Crash:
    def __init__(self, daemon, text):
        self.daemon = daemon
        self.text = text
        self.reported = False


class _Daemon:
    def __init__(self, router, name):
        self.router = router
        self.name = name
        self.popen = None
        self.pid = None
        self.expected = False       # we believe it should be running
        self.crash_recorded = False  # this run's death already recorded
        self.was_running_at_stop = False
        self.starts = 0
        self.all_pids = set()

    def dead(self):
        """True if it should be running but is not."""
        if not self.expected:
            return False
        if self.popen is not None and self.popen.poll() is not None:
            return True
        return self.pid is not None and not _pid_alive(self.pid)

    def returncode(self):
        return None if self.popen is None else self.popen.poll()


class Router(Node):
    """A namespace running zebra + bgpd (+ optional bfdd/staticd)."""

    def __init__(self, lab, name, zebra_conf="", bgpd_conf="", bgpd_args=(),
                 bfd=False, bfdd_conf="", staticd=False, staticd_conf="",
                 bgpd_wrapper=(), start_timeout=None, stop_timeout=None,
                 log_level=None):
        super().__init__(lab, name)
        self.dir = os.path.join(lab.dir, name)
        self.bgpd_args = list(bgpd_args)
        self.zebra_args = []  # e.g. ["--vrfwnetns"], set before start
        # namespaces zebra and bgpd see in /run/netns (None: the host's
        # all); set before start, see netns_view_wrapper()
        self.netns_view = None
        self.bgpd_wrapper = list(bgpd_wrapper)
        self.start_timeout = start_timeout
        self.stop_timeout = stop_timeout or DEFAULT_STOP_TIMEOUT
        self.log_level = log_level
        self.daemon_names = ["zebra"]
        if staticd:
            self.daemon_names.append("staticd")
        if bfd:
            self.daemon_names.append("bfdd")
        self.daemon_names.append("bgpd")
        self.daemons = {d: _Daemon(self, d) for d in self.daemon_names}
        self.crashes = []  # _Crash records, kept across restarts
        self._initial_conf = {"zebra": zebra_conf, "bgpd": bgpd_conf,
                              "bfdd": bfdd_conf, "staticd": staticd_conf}

    def _setup_dir(self):
        os.makedirs(self.dir)
        os.chmod(self.dir, 0o755)
        _chown_frr(self.dir)
        for d in self.daemon_names:
            self.write_conf(d, self._initial_conf.get(d, ""))

    # -- paths -------------------------------------------------------------
    def conf_path(self, daemon):
        return os.path.join(self.dir, "%s.conf" % daemon)

    def pidfile(self, daemon):
        return os.path.join(self.dir, "%s.pid" % daemon)

    def log_path(self, daemon):
        return os.path.join(self.dir, "%s.log" % daemon)

    def out_path(self, daemon):
        """stdout/stderr of the daemon process (startup errors, valgrind)."""
        return os.path.join(self.dir, "%s.out" % daemon)

    def vty_socket(self, daemon="bgpd"):
        return os.path.join(self.dir, "%s.vty" % daemon)

    @property
    def zserv_path(self):
        return os.path.join(self.dir, "zserv.api")

    # -- configuration files ---------------------------------------------
    def write_conf(self, daemon, text):
        """(Re)write ``<dir>/<daemon>.conf`` (used at the next start)."""
        text = text or ""
        if not re.search(r"^\s*hostname\s", text, re.M):
            text = "hostname %s\n%s" % (self.name, text)
        if not text.endswith("\n"):
            text += "\n"
        path = self.conf_path(daemon)
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, 0o644)
        _chown_frr(path)

    def read_conf(self, daemon="bgpd"):
        with open(self.conf_path(daemon)) as f:
            return f.read()

    # -- daemons -----------------------------------------------------------
    def _argv(self, daemon, extra_args=None):
        argv = [os.path.join(FRR_DIR, daemon),
                "-f", self.conf_path(daemon),
                "-i", self.pidfile(daemon),
                "-z", self.zserv_path,
                "--vty_socket", self.dir,
                "-P", "0",  # no TCP vty
                "--log", "file:%s" % self.log_path(daemon)]
        if self.log_level:
            argv += ["--log-level", self.log_level]
        if daemon == "bfdd" and _bfdd_has_bfdctl(self.lab.target):
            argv += ["--bfdctl", os.path.join(self.dir, "bfdd.sock")]
        if daemon == "zebra":
            argv += self.zebra_args
        if daemon == "bgpd":
            argv += self.bgpd_args if extra_args is None else list(extra_args)
            if self.bgpd_wrapper:
                wrapper = list(self.bgpd_wrapper)
                if (os.path.basename(wrapper[0]) == "valgrind" and
                        not any(a.startswith("--vgdb") for a in wrapper)):
                    # bgpd drops privileges, so valgrind could not remove
                    # its /tmp/vgdb-pipe-* files at exit
                    wrapper.insert(1, "--vgdb=no")
                argv = wrapper + argv
        argv = target_argv(self.lab.target, argv)
        if self.netns_view is not None and daemon in ("zebra", "bgpd"):
            argv = netns_view_wrapper(self.netns_view) + argv
        return argv

    def start_daemon(self, daemon="bgpd", extra_args=None, timeout=None):
        """Start one daemon from its config file; wait until its vty is up.

        ``extra_args`` replaces the router's ``bgpd_args`` for this start.
        Returns the PID (from the pidfile).
        """
        d = self.daemons[daemon]
        self._record_crash(d)  # a previous run that died stays reported
        if d.expected and not d.dead():
            raise LabError("%s/%s already running (pid %s)"
                           % (self.name, daemon, d.pid))
        if daemon != "zebra" and not os.path.exists(self.zserv_path):
            raise LabError("%s: zebra must run before %s" % (self.name,
                                                              daemon))
        for p in (self.pidfile(daemon), self.vty_socket(daemon)):
            try:
                os.unlink(p)
            except FileNotFoundError:
                pass
        argv = ["ip", "netns", "exec", self.ns] + self._argv(daemon,
                                                             extra_args)
        wrapped = daemon == "bgpd" and self.bgpd_wrapper
        if timeout is None:
            timeout = self.start_timeout or (
                WRAPPED_START_TIMEOUT if wrapped else DEFAULT_START_TIMEOUT)
        out = open(self.out_path(daemon), "ab")
        try:
            out.write(("=== %s start: %s\n" % (time.strftime("%H:%M:%S"),
                                              shlex.join(argv))).encode())
            out.flush()
            d.popen = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                       stdout=out, stderr=subprocess.STDOUT,
                                       start_new_session=True,
                                       close_fds=True)
        finally:
            out.close()
        d.pid = d.popen.pid
        d.all_pids.add(d.pid)
        d.expected = True
        d.crash_recorded = False
        d.starts += 1
        self.lab._register_pid(d.popen.pid)

        need = [self.vty_socket(daemon), self.pidfile(daemon)]
        if daemon == "zebra":
            need.append(self.zserv_path)
        deadline = time.monotonic() + timeout
        while True:
            rc = d.popen.poll()
            if rc is not None:
                d.expected = False
                raise LabError(
                    "%s/%s exited during startup (%s)\n%s"
                    % (self.name, daemon, _describe_rc(rc),
                       self._daemon_diag(daemon)))
            if all(os.path.exists(p) for p in need):
                pid = self._read_pidfile(daemon)
                if pid and wait_for_socket(self.vty_socket(daemon),
                                           timeout=0.2):
                    d.pid = pid
                    d.all_pids.add(pid)
                    self.lab._register_pid(pid)
                    return pid
            if time.monotonic() >= deadline:
                self._kill(d, signal.SIGKILL, 1.0)
                d.expected = False
                raise LabError("%s/%s did not come up within %.0fs "
                               "(waiting for %s)\n%s"
                               % (self.name, daemon, timeout,
                                  ", ".join(p for p in need
                                            if not os.path.exists(p)),
                                  self._daemon_diag(daemon)))
            time.sleep(0.05)

    def _read_pidfile(self, daemon):
        try:
            with open(self.pidfile(daemon)) as f:
                return int(f.read().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def _kill(self, d, sig, timeout):
        """Send ``sig`` (None: nothing) to the daemon's pid(s); wait up to
        ``timeout`` seconds; True if gone."""
        pids = {p for p in (d.pid, d.popen.pid if d.popen else None) if p}
        for pid in pids:
            if sig is not None and _pid_alive(pid):
                try:
                    os.kill(pid, sig)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + timeout
        while True:
            if d.popen is not None:
                d.popen.poll()  # reap
            if not any(_pid_alive(p) for p in pids):
                if d.popen is not None:
                    try:
                        d.popen.wait(timeout=1)
                    except subprocess.TimeoutExpired:
                        pass
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.02)

    def _cleanup_zlog_tmpdirs(self, d):
        """Remove /var/tmp/frr/<daemon>.<pid> of our dead processes; a
        ``crashlog`` found there is first copied into the router dir."""
        for pid in sorted(d.all_pids):
            if _pid_alive(pid):
                continue
            path = os.path.join(self.lab.root_path(FRR_ZLOG_TMPDIR),
                                "%s.%d" % (d.name, pid))
            if not os.path.isdir(path):
                continue
            crashlog = os.path.join(path, "crashlog")
            if os.path.exists(crashlog):
                try:
                    shutil.copy(crashlog, os.path.join(
                        self.dir, "%s.%d.crashlog" % (d.name, pid)))
                except OSError:
                    pass
            shutil.rmtree(path, ignore_errors=True)

    def _send_term(self, daemon):
        d = self.daemons[daemon]
        self._record_crash(d)
        d.expected = False
        for pid in {p for p in (d.pid, d.popen.pid if d.popen else None)
                    if p}:
            if _pid_alive(pid):
                try:
                    os.kill(pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass

    def stop_daemon(self, daemon="bgpd", timeout=None):
        """SIGTERM the daemon (by PID), SIGKILL after ``timeout`` seconds.

        Returns a description of how it ended (e.g. ``'exit code 0'``).
        """
        d = self.daemons[daemon]
        timeout = self.stop_timeout if timeout is None else timeout
        self._send_term(daemon)
        try:
            if not self._kill(d, None, timeout):
                self._kill(d, signal.SIGKILL, 2.0)
                return "killed with SIGKILL after %.1fs" % timeout
            return _describe_rc(d.returncode())
        finally:
            self._cleanup_zlog_tmpdirs(d)

    def kill_daemon(self, daemon="bgpd", sig=signal.SIGKILL, timeout=None):
        """Deliberately kill a daemon with ``sig`` (not reported as a crash).
        Returns how it ended."""
        d = self.daemons[daemon]
        self._record_crash(d)
        d.expected = False
        timeout = self.stop_timeout if timeout is None else timeout
        try:
            if not self._kill(d, sig, timeout):
                self._kill(d, signal.SIGKILL, 2.0)
                return "killed with SIGKILL after %.1fs" % timeout
            return _describe_rc(d.returncode())
        finally:
            self._cleanup_zlog_tmpdirs(d)

    def restart_daemon(self, daemon="bgpd", **kw):
        self.stop_daemon(daemon)
        return self.start_daemon(daemon, **kw)

    def pid(self, daemon="bgpd"):
        """PID of the daemon if it is running, else None."""
        d = self.daemons[daemon]
        return d.pid if d.pid and _pid_alive(d.pid) else None

    def is_running(self, daemon="bgpd"):
        return self.pid(daemon) is not None

    def _record_crash(self, d):
        """If ``d`` died while expected to run, record it (once) with a
        snapshot of its log/output."""
        if d.crash_recorded or not d.dead():
            return
        d.crash_recorded = True
        rc = d.returncode()
        how = _describe_rc(rc) if rc is not None else "pid vanished"
        self.crashes.append(_Crash(
            d.name, "%s/%s (pid %s) CRASHED: %s\n%s"
            % (self.name, d.name, d.pid, how,
               self._daemon_diag(d.name, lines=40))))

    def _unreported(self):
        for d in self.daemons.values():
            self._record_crash(d)
        return [c for c in self.crashes if not c.reported]

    def crashed_daemons(self):
        """Names of daemons that died unexpectedly (not yet reported)."""
        return [c.daemon for c in self._unreported()]

    def mark_crashes_reported(self):
        for c in self._unreported():
            c.reported = True

    def _daemon_diag(self, daemon, lines=25):
        parts = []
        log = _tail(self.log_path(daemon), lines)
        if log.strip():
            parts.append("--- %s log tail (%s) ---\n%s"
                         % (daemon, self.log_path(daemon), log))
        # stdout/stderr minus FRR's crash-time memory statistics dump
        out = [l for l in _tail(self.out_path(daemon), 400).splitlines(True)
               if not l.startswith(("core_handler: memstats",
                                    "core_handler: showing active"))]
        out = "".join(out[-lines:])
        if out.strip():
            parts.append("--- %s stdout/stderr (%s) ---\n%s"
                         % (daemon, self.out_path(daemon), out))
        return "\n".join(parts) or "(no output/log for %s)" % daemon

    def crash_report(self):
        """Text about daemons that died unexpectedly and were not yet
        reported ('' if none)."""
        return "\n".join(c.text for c in self._unreported())

    def log_text(self, daemon="bgpd"):
        """Full text of the daemon's log file ('' if none yet)."""
        try:
            with open(self.log_path(daemon), errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def out_text(self, daemon="bgpd"):
        try:
            with open(self.out_path(daemon), errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    # -- vty -----------------------------------------------------------------
    def client(self, daemon="bgpd", timeout=30.0):
        """A new (persistent) VtyClient for the daemon's vty socket."""
        return VtyClient(self.vty_socket(daemon), timeout=timeout)

    def vty_raw(self, cmd, daemon="bgpd", timeout=30.0):
        """Run one command; return ``(status, output)`` without raising on
        a non-zero status."""
        with self.client(daemon, timeout) as c:
            return c.cmd(cmd)

    def vty(self, cmd, daemon="bgpd", timeout=30.0):
        """Run one command on the daemon (default bgpd); return its output.

        Raises VtyCommandError (with the daemon's text) on non-zero status.
        """
        with self.client(daemon, timeout) as c:
            return c.check(cmd)

    def zebra_vty(self, cmd, timeout=30.0):
        return self.vty(cmd, daemon="zebra", timeout=timeout)

    def config(self, lines, daemon="bgpd", check=True):
        """``configure terminal`` + lines + ``end``; see VtyClient.config."""
        with self.client(daemon) as c:
            return c.config(lines, check=check)

    def show_json(self, cmd, daemon="bgpd"):
        """Run ``cmd + ' json'`` and parse the output ({} if empty).

        Some commands print valid JSON but return CMD_WARNING (e.g. zebra's
        ``show ip route PREFIX json`` for a missing prefix prints ``{}``
        with status 1); such output is returned.  A non-zero status without
        JSON output raises VtyCommandError.
        """
        full = cmd + " json"
        status, out = self.vty_raw(full, daemon=daemon)
        if not out.strip():
            if status != CMD_SUCCESS:
                raise VtyCommandError(full, status, out,
                                      self.vty_socket(daemon))
            return {}
        try:
            return json.loads(out)
        except ValueError as e:
            if status != CMD_SUCCESS:
                raise VtyCommandError(full, status, out,
                                      self.vty_socket(daemon)) from None
            raise LabError("%s: %r did not return JSON: %s\n%s"
                           % (self.name, full, e, _short(out))) from e

    # -- BGP conveniences -------------------------------------------------
    def bgp_peer_state(self, peer, afi="ipv4", safi="unicast"):
        """Session state of ``peer`` from ``show bgp <afi> <safi> summary``
        or None if unknown."""
        summ = self.show_json("show bgp %s %s summary" % (afi, safi))
        return summ.get("peers", {}).get(peer, {}).get("state")


class Link:
    """A veth link between two nodes, optionally through a bridge.

    Through a bridge (``bridged=True``) the link can be cut silently:
    ``cut()`` detaches b's side from the bridge, so both routers keep
    carrier and their interfaces stay up, but no frame passes any more.
    ``set_carrier(False)`` instead takes an end down so the peer sees
    NO-CARRIER (the routers notice immediately).
    """

    def __init__(self, lab, idx, a, b, a_ifname, b_ifname, bridged):
        self.lab = lab
        self.idx = idx
        self.a = a
        self.b = b
        self.a_ifname = a_ifname
        self.b_ifname = b_ifname
        self.bridged = bridged
        self.bridge = "br%d" % idx if bridged else None
        self.sw_a = "l%da" % idx if bridged else None
        self.sw_b = "l%db" % idx if bridged else None
        self.is_cut = False

    def __repr__(self):
        return "<Link %s:%s -- %s:%s%s>" % (
            self.a.name, self.a_ifname, self.b.name, self.b_ifname,
            " via %s" % self.bridge if self.bridged else "")

    def ifname(self, node):
        node = self.lab.node(node)
        if node is self.a:
            return self.a_ifname
        if node is self.b:
            return self.b_ifname
        raise LabError("%s is not an end of %r" % (node.name, self))

    def cut(self):
        """Silently drop all traffic (carrier stays up).  Bridged only."""
        if not self.bridged:
            raise LabError("cut() needs lab.link(..., bridged=True)")
        _run(["ip", "-n", self.lab.switch_ns, "link", "set", self.sw_b,
              "nomaster"])
        self.is_cut = True

    def restore(self):
        if not self.bridged:
            raise LabError("restore() needs lab.link(..., bridged=True)")
        _run(["ip", "-n", self.lab.switch_ns, "link", "set", self.sw_b,
              "master", self.bridge])
        self.is_cut = False

    def set_carrier(self, up, end="a"):
        """Take the interface of end ``a``/``b`` down or up (visible to
        both routers as a link/carrier change)."""
        node, ifname = ((self.a, self.a_ifname) if end == "a"
                        else (self.b, self.b_ifname))
        _run(["ip", "-n", node.ns, "link", "set", ifname,
              "up" if up else "down"])


# ---------------------------------------------------------------------------
# the lab


class Lab:
    """A set of namespaces/daemons that is torn down as a unit.

    Namespaces are named ``erp<pid>-<seq>-<node>`` (``lab.prefix`` +
    node name), so concurrent runs and several labs per run don't clash.
    """

    def __init__(self, name="lab", keep=None, target=None):
        self.target = target or TARGET
        with _lock:
            seq = next(_lab_seq)
        self.name = re.sub(r"[^A-Za-z0-9_.-]", "_", name)[:40] or "lab"
        self.prefix = "erp%d-%d-" % (os.getpid(), seq)
        self.keep = KEEP_LABS if keep is None else keep
        self.dir = tempfile.mkdtemp(prefix="erpolicy-%s-" % self.name)
        os.chmod(self.dir, 0o755)  # daemons run as frr: must traverse
        self.nodes = {}
        self.links = []
        self._namespaces = []
        self._pids = set()
        self._switch_ns = None
        self._started = False
        self._stopped = False
        self.stop_report = []
        _install_handlers()
        _active_labs.add(self)

    def target_argv(self, argv):
        """``argv`` run with this lab's FRR (e.g. the target's vtysh)."""
        return target_argv(self.target, argv)

    def root_path(self, path):
        """Where the daemons' absolute ``path`` is seen from here."""
        root = target_root(self.target)
        return root + path if root else path

    def __repr__(self):
        return "<Lab %s prefix=%s dir=%s>" % (self.name, self.prefix,
                                              self.dir)

    # -- context manager ---------------------------------------------------
    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        problems = self.stop()
        if problems:
            text = "lab %s: %s" % (self.name, "\n".join(problems))
            if exc is not None:
                if hasattr(exc, "add_note"):
                    exc.add_note(text)
                return False
            raise LabError(text)
        return False

    # -- building ----------------------------------------------------------
    def _check_name(self, name):
        if not _NAME_RE.match(name):
            raise LabError("bad node name %r (letter + up to 9 [A-Za-z0-9_])"
                           % name)
        if name in self.nodes:
            raise LabError("duplicate node name %r" % name)
        if self._stopped:
            raise LabError("lab already stopped")

    def add_router(self, name, zebra_conf="", bgpd_conf="", bgpd_args=(),
                   bfd=False, bfdd_conf="", staticd=False, staticd_conf="",
                   bgpd_wrapper=(), start_timeout=None, stop_timeout=None,
                   log_level=None):
        """Create a namespace + config dir for a router; daemons start with
        ``lab.start()`` (or ``router.start_daemon`` later).

        ``bgpd_args``: extra bgpd arguments, e.g.
        ``["--moduledir", DIR, "-M", "erpolicy"]``.
        ``bgpd_wrapper``: command prefix for bgpd, e.g.
        ``["valgrind", "--error-exitcode=99", "--log-file=/tmp/x"]``.
        """
        self._check_name(name)
        r = Router(self, name, zebra_conf=zebra_conf, bgpd_conf=bgpd_conf,
                   bgpd_args=bgpd_args, bfd=bfd, bfdd_conf=bfdd_conf,
                   staticd=staticd, staticd_conf=staticd_conf,
                   bgpd_wrapper=bgpd_wrapper, start_timeout=start_timeout,
                   stop_timeout=stop_timeout, log_level=log_level)
        self.nodes[name] = r
        r._setup_dir()
        r._create_ns(forwarding=True)
        return r

    def add_netns(self, suffix):
        """An extra namespace named lab.prefix + suffix (e.g. a VRF of
        zebra's --vrfwnetns backend, which names VRFs after namespaces),
        deleted with the lab.  Returns its name."""
        ns = self.prefix + suffix
        _run(["ip", "netns", "add", ns])
        self._namespaces.append(ns)
        _run(["ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up"])
        return ns

    def add_host(self, name, forwarding=False):
        """A plain namespace without daemons (traffic source/sink)."""
        self._check_name(name)
        h = Node(self, name)
        self.nodes[name] = h
        h._create_ns(forwarding=forwarding)
        return h

    def node(self, node):
        if isinstance(node, Node):
            return node
        try:
            return self.nodes[node]
        except KeyError:
            raise LabError("no node named %r" % node) from None

    def router(self, name):
        return self.node(name)

    @property
    def routers(self):
        return [n for n in self.nodes.values() if isinstance(n, Router)]

    @property
    def switch_ns(self):
        if self._switch_ns is None:
            ns = self.prefix + "sw"
            _run(["ip", "netns", "add", ns])
            self._namespaces.append(ns)
            self._switch_ns = ns
            _run(["ip", "-n", ns, "link", "set", "lo", "up"])
            _run(["ip", "netns", "exec", ns, "sysctl", "-q", "-w",
                  "net.ipv6.conf.all.disable_ipv6=1",
                  "net.ipv6.conf.default.disable_ipv6=1"])
        return self._switch_ns

    def _default_ifname(self, node, peer):
        base = ("eth-" + peer.name)[:IFNAMSIZ - 2]
        name = base
        k = 1
        while name in node.ifnames:
            k += 1
            name = "%s%d" % (base, k)
        return name

    def link(self, a, b, a_addrs=(), b_addrs=(), a_ifname=None,
             b_ifname=None, bridged=False, mtu=None):
        """Connect nodes ``a`` and ``b`` with a veth pair.

        Addresses are CIDR strings (IPv6 ones get ``nodad``).  Interface
        names default to ``eth-<peer>``.  ``bridged=True`` puts a bridge
        (in the lab's switch namespace) in the middle so ``link.cut()``
        can drop traffic silently.  Returns a Link.
        """
        a, b = self.node(a), self.node(b)
        a_ifname = a_ifname or self._default_ifname(a, b)
        b_ifname = b_ifname or self._default_ifname(b, a)
        for n, i in ((a, a_ifname), (b, b_ifname)):
            if len(i) > IFNAMSIZ:
                raise LabError("interface name %r longer than %d chars"
                               % (i, IFNAMSIZ))
            if i in n.ifnames:
                raise LabError("%s already has interface %s" % (n.name, i))
        idx = len(self.links) + 1
        link = Link(self, idx, a, b, a_ifname, b_ifname, bridged)
        if bridged:
            sw = self.switch_ns
            _run(["ip", "-n", sw, "link", "add", link.bridge, "type",
                  "bridge", "stp_state", "0", "mcast_snooping", "0"])
            _run(["ip", "-n", sw, "link", "set", link.bridge, "up"])
            for node, ifname, swname in ((a, a_ifname, link.sw_a),
                                         (b, b_ifname, link.sw_b)):
                _run(["ip", "-n", node.ns, "link", "add", ifname, "type",
                      "veth", "peer", "name", swname, "netns", sw])
                _run(["ip", "-n", sw, "link", "set", swname, "master",
                      link.bridge])
                _run(["ip", "-n", sw, "link", "set", swname, "up"])
        else:
            _run(["ip", "-n", a.ns, "link", "add", a_ifname, "type", "veth",
                  "peer", "name", b_ifname, "netns", b.ns])
        a.ifnames.add(a_ifname)
        b.ifnames.add(b_ifname)
        for node, ifname, addrs in ((a, a_ifname, a_addrs),
                                    (b, b_ifname, b_addrs)):
            if mtu:
                _run(["ip", "-n", node.ns, "link", "set", ifname, "mtu",
                      str(mtu)])
            for addr in addrs:
                node.add_address(ifname, addr)
            _run(["ip", "-n", node.ns, "link", "set", ifname, "up"])
        self.links.append(link)
        return link

    # -- running -----------------------------------------------------------
    def start(self):
        """Start zebra everywhere, then bfdd/staticd, then bgpd."""
        if self._stopped:
            raise LabError("lab already stopped")
        self._started = True
        for r in self.routers:
            if not r.daemons["zebra"].expected:
                r.start_daemon("zebra")
        for r in self.routers:
            for d in r.daemon_names:
                if d != "zebra" and not r.daemons[d].expected:
                    r.start_daemon(d)
        return self

    def _register_pid(self, pid):
        self._pids.add(pid)

    @property
    def pids(self):
        """Every daemon PID this lab ever started."""
        return set(self._pids)

    def crash_report(self):
        """Text describing daemons that died unexpectedly ('' if none)."""
        return "\n".join(p for p in (r.crash_report() for r in self.routers)
                         if p)

    def _mark_crashes_reported(self):
        for r in self.routers:
            r.mark_crashes_reported()

    def check_daemons(self):
        """Raise LabError if any daemon died unexpectedly."""
        report = self.crash_report()
        if report:
            self._mark_crashes_reported()
            raise LabError(report)

    def wait_until(self, predicate, timeout=10.0, interval=0.2, message=None,
                   fail_on_crash=True, diag=None):
        """wait_until() that aborts early with a crash report if a daemon
        dies, and appends the crash report (and diag(), if given) on
        timeout."""
        def report():
            parts = [self.crash_report()]
            if diag:
                parts.append(str(diag()))
            return "\n".join(p for p in parts if p)

        if not fail_on_crash:
            return wait_until(predicate, timeout, interval, message,
                              diag=report)

        def guarded():
            report = self.crash_report()
            if report:
                raise _CrashDuringWait(report)
            return predicate()

        try:
            return wait_until(guarded, timeout, interval, message,
                              diag=report)
        except _CrashDuringWait as e:
            self._mark_crashes_reported()
            raise LabError("daemon crashed while waiting for: %s\n%s"
                           % (message or getattr(predicate, "__name__",
                                                 "predicate"), e)) from None

    def diagnostics(self, lines=20):
        """Daemon states and log tails, for failure output."""
        parts = ["lab %s dir=%s prefix=%s" % (self.name, self.dir,
                                              self.prefix)]
        for r in self.routers:
            for name, d in r.daemons.items():
                state = ("running pid %s" % d.pid if r.pid(name) else
                         "not running (%s)" % _describe_rc(d.returncode())
                         if d.popen else "never started")
                parts.append("%s/%s: %s" % (r.name, name, state))
                parts.append(r._daemon_diag(name, lines))
        return "\n".join(parts)

    def stop(self):
        """Kill all daemons (SIGTERM, SIGKILL after the stop timeout),
        delete the namespaces, remove the temp dir (unless keep).

        Idempotent.  Returns a list of problems (crashed daemons, daemons
        that needed SIGKILL, cleanup failures); empty if all was clean.
        """
        with _lock:
            if self._stopped:
                return self.stop_report
            self._stopped = True
        problems = []
        try:
            # crashes before we touch anything
            for r in self.routers:
                report = r.crash_report()
                if report:
                    problems.append(report)
                    r.mark_crashes_reported()
            # SIGTERM everything at once (bgpd first), then wait
            running = []
            for r in self.routers:
                for name in reversed(r.daemon_names):
                    d = r.daemons[name]
                    if d.popen is None:
                        continue
                    d.was_running_at_stop = d.expected and not d.dead()
                    r._send_term(name)
                    running.append((r, d))
            for r, d in running:
                if not r._kill(d, None, r.stop_timeout):
                    if r._kill(d, signal.SIGKILL, 2.0):
                        problems.append("%s/%s needed SIGKILL (pid %s)"
                                        % (r.name, d.name, d.pid))
                    else:
                        problems.append("%s/%s (pid %s) survived SIGKILL"
                                        % (r.name, d.name, d.pid))
                    continue
                rc = d.returncode()
                if d.was_running_at_stop and rc not in (None, 0,
                                                        -signal.SIGTERM):
                    # e.g. crashed while shutting down, valgrind errors
                    problems.append("%s/%s (pid %s) ended with %s at lab "
                                    "stop\n%s" % (r.name, d.name, d.pid,
                                                  _describe_rc(rc),
                                                  r._daemon_diag(d.name, 40)))
        except Exception as e:  # noqa: BLE001 - keep cleaning up
            problems.append("error stopping daemons: %r" % e)
        for r in self.routers:
            for d in r.daemons.values():
                r._cleanup_zlog_tmpdirs(d)
        # any other process left in our namespaces? (started by the test
        # through exec() in the background, etc.) -- only kill PIDs that
        # are in a namespace we created.
        for ns in list(self._namespaces):
            proc = _run(["ip", "netns", "pids", ns], check=False)
            for tok in proc.stdout.split():
                try:
                    os.kill(int(tok), signal.SIGKILL)
                    problems.append("killed stray pid %s in %s" % (tok, ns))
                except (ValueError, ProcessLookupError):
                    pass
        for ns in reversed(self._namespaces):
            proc = _run(["ip", "netns", "del", ns], check=False)
            if proc.returncode != 0 and ns in _netns_list():
                problems.append("could not delete netns %s: %s"
                                % (ns, proc.stderr.strip()))
        self._namespaces = []
        if self.keep:
            sys.stderr.write("ERPOLICY_KEEP_LABS: lab %s kept in %s\n"
                             % (self.name, self.dir))
        else:
            shutil.rmtree(self.dir, ignore_errors=True)
        _active_labs.discard(self)
        self.stop_report = problems
        return problems

    close = stop


class _CrashDuringWait(StopWaiting):
    pass


# ---------------------------------------------------------------------------
# process-wide cleanup: atexit and SIGTERM/SIGHUP


# what else a test started outside any lab (a process group): stopped with
# the labs when pytest is killed (SIGTERM/SIGHUP) or exits
_abort_groups = []


def kill_group_on_abort(pid):
    """Kill process group ``pid`` if pytest is stopped before the caller
    removes it with ``forget_on_abort(pid)``."""
    _install_handlers()
    _abort_groups.append(pid)


def forget_on_abort(pid):
    if pid in _abort_groups:
        _abort_groups.remove(pid)


def cleanup_all_labs():
    """Stop every lab that is still active, and the process groups of
    kill_group_on_abort() (atexit / signal handler)."""
    for pgid in list(_abort_groups):
        try:
            os.killpg(pgid, signal.SIGKILL)
        except OSError:
            pass
        forget_on_abort(pgid)
    for lab in list(_active_labs):
        try:
            lab.stop()
        except Exception as e:  # noqa: BLE001
            sys.stderr.write("cleanup of lab %s failed: %r\n" % (lab.name, e))


def _signal_handler(signum, frame):
    cleanup_all_labs()
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


def _install_handlers():
    global _handlers_installed
    with _lock:
        if _handlers_installed:
            return
        _handlers_installed = True
    atexit.register(cleanup_all_labs)
    if threading.current_thread() is not threading.main_thread():
        return
    for sig in (signal.SIGTERM, signal.SIGHUP):
        try:
            if signal.getsignal(sig) in (signal.SIG_DFL, None):
                signal.signal(sig, _signal_handler)
        except (ValueError, OSError):
            pass
