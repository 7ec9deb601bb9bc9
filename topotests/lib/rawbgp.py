"""A minimal BGP speaker that sends NLRI byte for byte as given.

FRR and bird2 canonicalize what they originate; a hostile or broken peer
may send a prefix with host bits set (e.g. 10.100.1.0/20: length 20, bytes
10.100.1).  This speaker sends exactly the NLRI it is told, IPv4 unicast
only, with 2-byte AS numbers (no 4-octet AS capability), route refresh
supported (it re-sends its updates on a ROUTE-REFRESH).

Run inside a lab namespace by ``RawSpeaker`` (a subprocess of the test,
stopped by PID); ``python3 rawbgp.py ME PEER MY_AS UPDATES_FILE`` where
UPDATES_FILE holds one update per line: space-separated NLRI written as
ADDRESS/LENGTH (the address's bytes are sent as they are).  A session that
ends (NOTIFICATION, closed connection) is opened again, as a peer would.
"""

import os
import select
import socket
import struct
import subprocess
import sys
import time

HOLD = 9
KEEPALIVE = 3


def _msg(mtype, body=b""):
    return b"\xff" * 16 + struct.pack("!HB", 19 + len(body), mtype) + body


def nlri(text):
    """'10.100.1.0/20' -> length byte + the first ceil(len/8) address bytes,
    host bits kept."""
    addr, plen = text.split("/")
    plen = int(plen)
    raw = socket.inet_aton(addr)
    return bytes([plen]) + raw[:(plen + 7) // 8]


def update(prefixes, my_as, nexthop):
    attrs = (b"\x40\x01\x01\x00"                               # ORIGIN IGP
             + b"\x40\x02\x04\x02\x01" + struct.pack("!H", my_as)  # AS_PATH
             + b"\x40\x03\x04" + socket.inet_aton(nexthop))    # NEXT_HOP
    body = (struct.pack("!H", 0) + struct.pack("!H", len(attrs)) + attrs
            + b"".join(nlri(p) for p in prefixes))
    return _msg(2, body)


def open_msg(my_as, router_id):
    caps = (b"\x02\x06\x01\x04\x00\x01\x00\x01"  # MP: IPv4 unicast
            + b"\x02\x02\x02\x00")                # route refresh
    return _msg(1, struct.pack("!BHH", 4, my_as, HOLD)
                + socket.inet_aton(router_id) + bytes([len(caps)]) + caps)


def _recv_exact(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ConnectionError("peer closed the connection")
        data += chunk
    return data


def run(me, peer, my_as, updates_file):
    with open(updates_file) as f:
        updates = [line.split() for line in f if line.strip()]
    while True:
        try:
            sock = socket.create_connection((peer, 179), timeout=2,
                                            source_address=(me, 0))
            break
        except OSError:
            time.sleep(0.5)
    try:
        session(sock, me, my_as, updates)
    finally:
        sock.close()


def session(sock, me, my_as, updates):
    sock.settimeout(None)
    sock.sendall(open_msg(my_as, me))
    sent = False
    last_ka = 0.0
    while True:
        now = time.monotonic()
        if now - last_ka >= KEEPALIVE:
            sock.sendall(_msg(4))
            last_ka = now
        wait = max(0.1, KEEPALIVE - (time.monotonic() - last_ka))
        if not select.select([sock], [], [], wait)[0]:
            continue
        header = _recv_exact(sock, 19)  # a whole message, blocking
        length, mtype = struct.unpack("!HB", header[16:19])
        body = _recv_exact(sock, length - 19) if length > 19 else b""
        if mtype == 3:  # NOTIFICATION
            print("notification %d/%d" % (body[0], body[1]), flush=True)
            return
        resend = mtype == 5  # ROUTE-REFRESH
        if mtype == 4 and not sent:  # the peer's KEEPALIVE: established
            resend = sent = True
            print("established", flush=True)
        if resend:
            for prefixes in updates:
                sock.sendall(update(prefixes, my_as, me))
            sock.sendall(_msg(2, b"\x00\x00\x00\x00"))  # End-of-RIB
            print("sent %d updates" % len(updates), flush=True)


class RawSpeaker:
    """The speaker in a lab namespace, a subprocess of the test: stop() it
    (by its PID) before the lab tears the namespace down."""

    def __init__(self, lab, node, me, peer, my_as, updates):
        self.node = node
        self.dir = os.path.join(lab.dir, node.name + "-rawbgp")
        os.makedirs(self.dir, exist_ok=True)
        self.updates = os.path.join(self.dir, "updates")
        self.out = os.path.join(self.dir, "rawbgp.out")
        with open(self.updates, "w") as f:
            for u in updates:
                f.write(" ".join(u) + "\n")
        self.argv = ["ip", "netns", "exec", node.ns, "/usr/bin/python3",
                     os.path.abspath(__file__), me, peer, str(my_as),
                     self.updates]
        self.popen = None

    def start(self):
        with open(self.out, "ab") as out:
            self.popen = subprocess.Popen(
                self.argv, stdin=subprocess.DEVNULL, stdout=out,
                stderr=subprocess.STDOUT, start_new_session=True)

    def output(self):
        try:
            with open(self.out) as f:
                return f.read()
        except OSError:
            return ""

    def stop(self):
        # imported here: this file also runs alone, as the speaker itself
        from lib.lab import stop_popen
        stop_popen(self.popen)


def main(argv):
    while True:
        try:
            run(argv[1], argv[2], int(argv[3]), argv[4])
        except OSError as e:  # ConnectionError included
            print("session ended: %s" % e, flush=True)
        time.sleep(0.5)


if __name__ == "__main__":
    main(sys.argv)
