#!/usr/bin/env python3
"""An egnet echo responder for tests: answers egnet probe requests on UDP
7789 or PORT (IPv4 and IPv6) like an agent does, optionally after a delay (a
"delaying relay" in the test path), or with a wrong sequence number.

  echo.py [--delay MS] [--wrong-seq] [--port PORT]
"""
import socket
import struct
import sys
import threading
import time

MAGIC = 0x45474E31
delay = 0.0
wrong = "--wrong-seq" in sys.argv
port = 7789
if "--port" in sys.argv:
    port = int(sys.argv[sys.argv.index("--port") + 1])
if "--delay" in sys.argv:
    delay = float(sys.argv[sys.argv.index("--delay") + 1]) / 1000.0


def serve(family, addr):
    s = socket.socket(family, socket.SOCK_DGRAM)
    if family == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    s.bind((addr, port))
    while True:
        data, peer = s.recvfrom(512)
        if len(data) < 32 or struct.unpack("!I", data[:4])[0] != MAGIC \
           or data[4] != 1:
            continue
        out = bytearray(data)
        out[4] = 2  # reply
        if wrong:
            seq = struct.unpack("!I", data[8:12])[0]
            out[8:12] = struct.pack("!I", (seq + 7) & 0xffffffff)
        if delay:
            time.sleep(delay)
        s.sendto(bytes(out), peer)


threading.Thread(target=serve, args=(socket.AF_INET, "0.0.0.0"),
                 daemon=True).start()
threading.Thread(target=serve, args=(socket.AF_INET6, "::"),
                 daemon=True).start()
print("echo ready", flush=True)
threading.Event().wait()
