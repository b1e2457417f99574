#!/usr/bin/env python3
"""Real traffic for the firewall tests, inside the test's namespaces.

  flow.py serve                 echo on TCP 22 80 443 8080 and UDP 53 7789
                                9999, every address; runs until killed
  flow.py try tcp|udp HOST PORT [SRC]
                                exit 0 when an echo comes back within 1 s
"""
import socket
import sys
import threading

TCP = (22, 80, 443, 8080)
UDP = (53, 7789, 9999)


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
