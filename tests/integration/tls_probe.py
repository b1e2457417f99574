#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Raw probes of the collector's TLS listener that curl cannot make.

  tls_probe.py headers-only HOST PORT CA CERT KEY PATH LENGTH
      send a POST's headers with Content-Length LENGTH and no body; print
      the status line the server answers with (it must not wait for the
      body).
  tls_probe.py silent HOST PORT COUNT SECONDS
      open COUNT TCP connections that send nothing; print how many the
      server closed within SECONDS and the longest time it took.
  tls_probe.py notify PATH SECONDS
      be the service manager's notification socket at PATH: print each
      message (one line per assignment) until STOPPING=1 or SECONDS.
  tls_probe.py freeport
      print a free TCP port of 127.0.0.1.
"""
import socket
import ssl
import sys
import time


def headers_only(host, port, ca, cert, key, path, length):
    ctx = ssl.create_default_context(cafile=ca)
    ctx.check_hostname = False
    ctx.load_cert_chain(cert, key)
    with socket.create_connection((host, int(port)), timeout=5) as raw:
        with ctx.wrap_socket(raw, server_hostname=host) as s:
            s.sendall(("POST %s HTTP/1.1\r\nHost: %s\r\nContent-Length: %s"
                       "\r\nContent-Type: application/json\r\n\r\n"
                       % (path, host, length)).encode())
            data = b""
            while b"\r\n" not in data:
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
            print(data.split(b"\r\n")[0].decode())


def silent(host, port, count, seconds):
    socks = [socket.create_connection((host, int(port)), timeout=1)
             for _ in range(int(count))]
    start = time.monotonic()
    closed, longest = 0, 0.0
    deadline = start + float(seconds)
    for s in socks:
        s.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            while s.recv(4096) != b"":
                s.settimeout(max(0.01, deadline - time.monotonic()))
            closed += 1
            longest = max(longest, time.monotonic() - start)
        except socket.timeout:
            pass
        except OSError:  # reset: closed too
            closed += 1
            longest = max(longest, time.monotonic() - start)
        s.close()
    print("closed=%d longest=%.1f" % (closed, longest))


def notify(path, seconds):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path)
    deadline = time.monotonic() + float(seconds)
    while time.monotonic() < deadline:
        s.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            msg = s.recv(4096).decode()
        except socket.timeout:
            break
        for line in msg.split("\n"):
            if line:
                print(line, flush=True)
        if "STOPPING=1" in msg:
            break


def freeport():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    print(s.getsockname()[1])
    s.close()


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "headers-only":
        headers_only(*sys.argv[2:9])
    elif cmd == "silent":
        silent(*sys.argv[2:6])
    elif cmd == "notify":
        notify(*sys.argv[2:4])
    elif cmd == "freeport":
        freeport()
    else:
        sys.exit(2)
