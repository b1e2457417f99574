#!/usr/bin/env python3
"""Real traffic for the firewall tests, inside the test's namespaces.

  flow.py serve                 echo on TCP 22 80 443 8080 and UDP 53 9999,
                                every address; runs until killed
  flow.py try tcp|udp|egnet HOST PORT [SRC]
                                (egnet: an egnet echo request, answered by
                                the agent itself)
                                exit 0 when an echo comes back within 1 s
"""
import socket
import sys
import threading

TCP = (22, 80, 443, 8080)
UDP = (53, 9999)  # 7789 is the agent's own egnet echo


def serve():
    def tcp(port):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("0.0.0.0", port))
        s.listen(64)
        while True:
            c, _ = s.accept()
            try:
                c.settimeout(2)
                c.sendall(c.recv(64))
            except OSError:
                pass
            c.close()

    def udp(port):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("0.0.0.0", port))
        while True:
            data, peer = s.recvfrom(64)
            s.sendto(data, peer)

    for p in TCP:
        threading.Thread(target=tcp, args=(p,), daemon=True).start()
    for p in UDP:
        threading.Thread(target=udp, args=(p,), daemon=True).start()
    print("serving", flush=True)
    threading.Event().wait()


def try_flow(proto, host, port, src=None):
    if proto == "egnet":
        import struct
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(1)
        if src:
            s.bind((src, 0))
        req = struct.pack("!IBBHIIQQ", 0x45474E31, 1, 1, 0, 77, 0, 0, 0)
        try:
            s.sendto(req, (host, port))
            data = s.recvfrom(64)[0]
            return 0 if len(data) >= 32 and data[4] == 2 else 1
        except OSError:
            return 1
    kind = socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM
    s = socket.socket(socket.AF_INET, kind)
    s.settimeout(1)
    if src:
        s.bind((src, 0))
    try:
        if proto == "tcp":
            s.connect((host, port))
            s.sendall(b"egnet")
            ok = s.recv(64) == b"egnet"
        else:
            s.sendto(b"egnet", (host, port))
            ok = s.recvfrom(64)[0] == b"egnet"
    except OSError:
        ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    if sys.argv[1:2] == ["serve"]:
        serve()
    elif len(sys.argv) in (5, 6) and sys.argv[1] == "try":
        sys.exit(try_flow(sys.argv[2], sys.argv[3], int(sys.argv[4]),
                          sys.argv[5] if len(sys.argv) == 6 else None))
    sys.exit(__doc__)
