#!/usr/bin/env python3
"""A hostile AgentX master on a Unix socket: each connection gets the next
of a list of bad answers to what the subagent sends, then is closed (or,
for "silent", left open without a word).

  agentx_master.py SOCKET LOG

Answers, in turn: random bytes; a header claiming a 4 GiB payload; a
Response with another packet ID; a Response header with a payload shorter
than a Response needs; a non-version-1 header; a huge stream of zeros;
nothing at all (held open for 3 s).  LOG gets one line per connection.
"""
import os
import socket
import struct
import sys
import time

path, log = sys.argv[1], sys.argv[2]


def header(ptype, sess, trans, packet, length, version=1, flags=0x10):
    # flags 0x10: network byte order
    return struct.pack("!BBBBIIII", version, ptype, flags, 0, sess, trans,
                       packet, length)


def answers(req):
    sess = trans = packet = 0
    if len(req) >= 20:
        _, _, _, _, sess, trans, packet, _ = struct.unpack("!BBBBIIII", req[:20])
    yield "random", os.urandom(4096)
    yield "huge-length", header(18, sess, trans, packet, 0xFFFFFFF0) + b"\0" * 64
    yield "wrong-packet", header(18, 1, trans, packet + 7, 8) + struct.pack("!IHH", 0, 0, 0)
    yield "short-response", header(18, 1, trans, packet, 2) + b"\0\0"
    yield "bad-version", header(18, 1, trans, packet, 8, version=9) + b"\0" * 8
    yield "zeros", b"\0" * (1 << 20)
    yield "silent", None


try:
    os.unlink(path)
except FileNotFoundError:
    pass
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(path)
srv.listen(8)
n = 0
with open(log, "a", buffering=1) as out:
    while True:
        c, _ = srv.accept()
        c.settimeout(2)
        try:
            req = c.recv(65536)
        except socket.timeout:
            req = b""
        kinds = list(answers(req))
        name, data = kinds[n % len(kinds)]
        n += 1
        out.write("%d %s\n" % (n, name))
        try:
            if data is None:
                time.sleep(3)
            else:
                c.sendall(data)
                time.sleep(0.2)
        except OSError:
            pass
        c.close()
