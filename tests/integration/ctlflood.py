#!/usr/bin/env python3
"""Hostile clients of the agent's control socket, for tests.  Every mode is
bounded in count and time and stops by itself.

  ctlflood.py leave N SOCK        N clients ask for status and leave at once
  ctlflood.py idle N SECS SOCK    N clients connect and say nothing for SECS;
                                  prints how many the agent closed, and how
                                  many got a "busy" answer
  ctlflood.py slow SOCK           one byte every 0.5 s; prints the seconds
                                  until the agent hangs up
  ctlflood.py big SOCK            a 70,000-byte request without a newline;
                                  prints the answer
  ctlflood.py hammer SECS SOCK    status requests back to back for SECS;
                                  prints how many were answered
  ctlflood.py send SOCK TEXT      TEXT (Python escapes allowed) as one
                                  request; prints the answer line
"""
import socket
import sys
import time


def conn(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    return s


def read_answer(s, limit=10.0):
    s.settimeout(limit)
    data = b""
    while not data.endswith(b"\n"):
        try:
            chunk = s.recv(65536)
        except (socket.timeout, ConnectionResetError):
            break
        if not chunk:
            break
        data += chunk
    return data.decode("utf-8", "replace").strip()


def hung_up(s, limit):
    """Seconds until the peer closes s (reading), or -1 past limit."""
    t0 = time.monotonic()
    s.settimeout(0.2)
    while time.monotonic() - t0 < limit:
        try:
            if s.recv(65536) == b"":
                return time.monotonic() - t0
        except socket.timeout:
            continue
        except (ConnectionResetError, BrokenPipeError):
            return time.monotonic() - t0
    return -1


def main():
    mode = sys.argv[1]
    if mode == "leave":
        n, path = int(sys.argv[2]), sys.argv[3]
        for _ in range(n):
            s = conn(path)
            s.sendall(b'{"cmd": "links"}\n')
            s.close()
    elif mode == "idle":
        n, secs, path = int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
        socks = []
        for _ in range(n):
            try:
                socks.append(conn(path))
            except OSError:
                break
        time.sleep(secs)
        closed = busy = 0
        for s in socks:
            s.setblocking(False)
            try:
                d = s.recv(4096)
                if d == b"" or b"busy" in d:
                    closed += 1
                if b"busy" in d:
                    busy += 1
            except BlockingIOError:
                pass
            except ConnectionResetError:
                closed += 1
            s.close()
        print(len(socks), closed, busy)
    elif mode == "slow":
        s = conn(sys.argv[2])
        t0 = time.monotonic()
        s.settimeout(0.5)
        try:
            for c in b'{"cmd": "status"' * 100:
                s.send(bytes([c]))
                try:
                    if s.recv(4096) == b"":
                        break
                except socket.timeout:
                    pass
                if time.monotonic() - t0 > 30:
                    break
        except (BrokenPipeError, ConnectionResetError):
            pass
        print("%.2f" % (time.monotonic() - t0))
    elif mode == "big":
        s = conn(sys.argv[2])
        try:
            s.sendall(b"{" + b" " * 70000)
        except (BrokenPipeError, ConnectionResetError):
            pass
        print(read_answer(s))
    elif mode == "hammer":
        secs, path = float(sys.argv[2]), sys.argv[3]
        t0 = time.monotonic()
        ok = 0
        while time.monotonic() - t0 < secs:
            try:
                s = conn(path)
                s.sendall(b'{"cmd": "status"}\n')
                if read_answer(s, 2.0).startswith("{"):
                    ok += 1
                s.close()
            except OSError:
                time.sleep(0.01)
        print(ok)
    elif mode == "send":
        s = conn(sys.argv[2])
        text = sys.argv[3].encode("utf-8").decode("unicode_escape")
        s.sendall(text.encode("latin-1") + b"\n")
        print(read_answer(s))
    else:
        sys.exit("unknown mode " + mode)


main()
