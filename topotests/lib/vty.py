"""Direct client for an FRR daemon's vtysh unix socket (FRR 8.4 protocol).

The stock ``vtysh`` only forwards commands it knows from its own compiled-in
command table, so commands added by a loadable module (``-M erpolicy``) are
rejected with ``% Unknown command``.  This client talks to the daemon socket
(``<dir>/<daemon>.vty``) directly, exactly like vtysh does internally.

Wire protocol, verified against FRR 8.4.4 ``lib/vty.c`` (``vtysh_accept``,
``vtysh_read``, ``vtysh_flush``) and ``vtysh/vtysh.c`` (``vtysh_client_run``):

* client -> daemon: the command line followed by one NUL byte.  The daemon
  buffers bytes until it sees the NUL and then executes the whole line
  (``vty_execute``).  A line must stay below VTY_BUFSIZ (4096) bytes.
* daemon -> client: the command's output text, then a 4-byte trailer
  ``00 00 00 <status>`` where status is the ``CMD_*`` return value from
  ``lib/command.h`` (CMD_SUCCESS=0, CMD_WARNING=1, CMD_ERR_NO_MATCH=2, ...).
  Error texts such as ``% [BGP] Unknown command: ...`` are part of the output.
* a fresh connection starts in VIEW_NODE (``vtysh_accept`` sets
  ``vty->node = VIEW_NODE``); ``enable`` never asks for a password on a
  VTY_SHELL_SERV connection, so we send ``enable`` right after connecting.
* there is no prompt and no echo on this socket type.
* ``terminal monitor`` passes a file descriptor with SCM_RIGHTS together with
  the status bytes; that command is not supported by this client.
"""

import errno
import os
import socket
import time

# lib/command.h, FRR 8.4
CMD_SUCCESS = 0
CMD_WARNING = 1
CMD_ERR_NO_MATCH = 2
CMD_ERR_AMBIGUOUS = 3
CMD_ERR_INCOMPLETE = 4
CMD_ERR_EXEED_ARGC_MAX = 5
CMD_ERR_NOTHING_TODO = 6
CMD_COMPLETE_FULL_MATCH = 7
CMD_COMPLETE_MATCH = 8
CMD_COMPLETE_LIST_MATCH = 9
CMD_SUCCESS_DAEMON = 10
CMD_ERR_NO_FILE = 11
CMD_SUSPEND = 12
CMD_WARNING_CONFIG_FAILED = 13
CMD_NOT_MY_INSTANCE = 14
CMD_NO_LEVEL_UP = 15
CMD_ERR_NO_DAEMON = 16

STATUS_NAMES = {
    value: name
    for name, value in globals().items()
    if name.startswith("CMD_") and isinstance(value, int)
}

VTY_BUFSIZ = 4096  # lib/vty.h; the daemon rejects longer lines


def status_name(status):
    return STATUS_NAMES.get(status, "status %d" % status)


class VtyError(Exception):
    """A command returned a non-zero status (or the connection failed)."""

    def __init__(self, message, command=None, status=None, output="",
                 socket_path=None):
        self.command = command
        self.status = status
        self.output = output
        self.socket_path = socket_path
        super().__init__(message)


class VtyCommandError(VtyError):
    """The daemon answered with a non-zero CMD_* status."""

    def __init__(self, command, status, output, socket_path=None):
        text = output.strip() or "(no output)"
        super().__init__(
            "%s: command %r failed with %s: %s"
            % (socket_path, command, status_name(status), text),
            command=command, status=status, output=output,
            socket_path=socket_path)


class VtyConnectionError(VtyError):
    """Could not connect, the daemon closed the socket, or timed out."""


class VtyClient:
    """Connection to one daemon vty socket, e.g. ``DIR/bgpd.vty``.

    The connection is opened lazily and kept open between calls (node state
    such as ``configure terminal`` therefore persists, like in vtysh).  After
    any I/O error the socket is closed and the next call reconnects from
    scratch (again in ENABLE_NODE).  Usable as a context manager.
    """

    def __init__(self, socket_path, timeout=30.0, enable=True):
        self.socket_path = str(socket_path)
        self.timeout = timeout
        self.enable = enable
        self._sock = None
        self._rbuf = b""

    # -- connection handling -------------------------------------------
    def connect(self):
        if self._sock is not None:
            return
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(self.socket_path)
        except OSError as e:
            sock.close()
            raise VtyConnectionError(
                "cannot connect to %s: %s" % (self.socket_path, e),
                socket_path=self.socket_path) from e
        self._sock = sock
        self._rbuf = b""
        if self.enable:
            status, out = self.cmd("enable")
            if status != CMD_SUCCESS:
                self.close()
                raise VtyCommandError("enable", status, out, self.socket_path)

    def close(self):
        if self._sock is not None:
            try:
                self._sock.close()
            finally:
                self._sock = None
                self._rbuf = b""

    @property
    def connected(self):
        return self._sock is not None

    def __enter__(self):
        self.connect()
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    # -- protocol --------------------------------------------------------
    def _fail(self, command, why, exc=None):
        self.close()
        err = VtyConnectionError(
            "%s: command %r: %s" % (self.socket_path, command, why),
            command=command, socket_path=self.socket_path)
        if exc is not None:
            raise err from exc
        raise err

    def cmd(self, text, timeout=None):
        """Run one command line; return ``(status, output)``.

        ``status`` is the daemon's CMD_* code (0 == success); ``output`` is
        everything the daemon printed, including ``% ...`` error texts.
        """
        if "\0" in text or "\n" in text or "\r" in text:
            raise ValueError("vty command must be a single line: %r" % text)
        data = text.encode() + b"\0"
        if len(data) >= VTY_BUFSIZ:
            raise ValueError("vty command too long (%d bytes)" % len(data))
        self.connect()
        sock = self._sock
        sock.settimeout(self.timeout if timeout is None else timeout)
        try:
            sock.sendall(data)
        except OSError as e:
            self._fail(text, "send failed: %s" % e, e)

        buf = self._rbuf
        self._rbuf = b""
        scan_from = 0
        deadline = time.monotonic() + (self.timeout if timeout is None
                                       else timeout)
        while True:
            idx = buf.find(b"\0", scan_from)
            if idx >= 0 and len(buf) >= idx + 4:
                if buf[idx:idx + 3] != b"\0\0\0":
                    self._fail(text, "protocol error: NUL inside output "
                               "(got %r)" % buf[idx:idx + 4])
                status = buf[idx + 3]
                output = buf[:idx].decode("utf-8", errors="replace")
                self._rbuf = buf[idx + 4:]  # should be empty
                return status, output
            if idx < 0:
                scan_from = len(buf)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self._fail(text, "timed out waiting for the reply "
                           "(partial output: %r)" % buf[-200:])
            sock.settimeout(remaining)
            try:
                chunk = sock.recv(65536)
            except socket.timeout as e:
                self._fail(text, "timed out waiting for the reply "
                           "(partial output: %r)" % buf[-200:], e)
            except OSError as e:
                if e.errno == errno.EINTR:
                    continue
                self._fail(text, "recv failed: %s" % e, e)
            if not chunk:
                self._fail(text, "daemon closed the connection "
                           "(partial output: %r)" % buf[-200:])
            buf += chunk

    def check(self, text, timeout=None):
        """Run a command; return its output or raise VtyCommandError."""
        status, output = self.cmd(text, timeout=timeout)
        if status != CMD_SUCCESS:
            raise VtyCommandError(text, status, output, self.socket_path)
        return output

    def config(self, lines, check=True):
        """Apply configuration lines inside ``configure terminal``.

        ``lines`` is a multi-line string or an iterable of lines; blank lines
        and ``!``/``#`` comments are skipped.  Stops at the first failing
        line and always leaves config mode with ``end``.

        With ``check=True`` (default) returns the collected output and
        raises VtyCommandError (with the daemon's error text) on failure.
        With ``check=False`` returns ``(status, output)``: the first non-zero
        status (or 0) and the collected output up to that point.
        """
        if isinstance(lines, str):
            lines = lines.splitlines()
        outputs = []
        status, out = self.cmd("configure terminal")
        outputs.append(out)
        if status != CMD_SUCCESS:
            if check:
                raise VtyCommandError("configure terminal", status, out,
                                      self.socket_path)
            return status, "".join(outputs)
        failed = None
        try:
            for raw in lines:
                line = raw.strip()
                if not line or line.startswith(("!", "#")):
                    continue
                status, out = self.cmd(line)
                outputs.append(out)
                if status != CMD_SUCCESS:
                    failed = (line, status, out)
                    break
        finally:
            if self.connected:
                try:
                    self.cmd("end")
                except VtyError:
                    pass
        if failed is not None:
            if check:
                raise VtyCommandError(failed[0], failed[1], failed[2],
                                      self.socket_path)
            return failed[1], "".join(outputs)
        if check:
            return "".join(outputs)
        return CMD_SUCCESS, "".join(outputs)


def vty_cmd(socket_path, text, timeout=30.0):
    """One-shot helper: connect, enable, run ``text``; ``(status, output)``."""
    with VtyClient(socket_path, timeout=timeout) as client:
        return client.cmd(text)


def wait_for_socket(socket_path, timeout=10.0, interval=0.05):
    """Wait until a vty socket accepts connections; True/False."""
    deadline = time.monotonic() + timeout
    while True:
        if os.path.exists(socket_path):
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                s.settimeout(1.0)
                s.connect(socket_path)
                return True
            except OSError:
                pass
            finally:
                s.close()
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)
