#!/usr/bin/env python3
"""A hostile SNMP "device" for test_snmp.sh: answers each request (v1/v2c)
with something a poller must survive, cycling through: random bytes, a
datagram of 65000 bytes, a response of the right request-id whose values
have the wrong types (a 60 KiB string where TimeTicks are due, Counter64
for INTEGER, exceptions), a response with no varbind, a response whose
OIDs go backwards (for a walk), an error-status, and a response with a
length field that lies.  Usage: fakesnmp.py ADDR PORT"""
import os
import socket
import sys


def length(n):
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b


def tlv(t, v):
    return bytes([t]) + length(len(v)) + v


def integer(n):
    return tlv(0x02, n.to_bytes(max(1, (n.bit_length() + 8) // 8), "big", signed=True))


def oid(parts):
    out = bytes([40 * parts[0] + parts[1]])
    for p in parts[2:]:
        enc = [p & 0x7F]
        p >>= 7
        while p:
            enc.append(0x80 | (p & 0x7F))
            p >>= 7
        out += bytes(reversed(enc))
    return tlv(0x06, out)


def read_tlv(b, i):
    t = b[i]
    n = b[i + 1]
    i += 2
    if n & 0x80:
        k = n & 0x7F
        n = int.from_bytes(b[i:i + k], "big")
        i += k
    return t, b[i:i + n], i + n


def parse(b):
    """version, community, pdu type, request-id, varbind OIDs (raw)."""
    _, msg, _ = read_tlv(b, 0)
    _, ver, i = read_tlv(msg, 0)
    _, comm, i = read_tlv(msg, i)
    ptype, pdu, _ = read_tlv(msg, i)
    _, rid, j = read_tlv(pdu, 0)
    _, _, j = read_tlv(pdu, j)
    _, _, j = read_tlv(pdu, j)
    _, vbl, _ = read_tlv(pdu, j)
    oids, k = [], 0
    while k < len(vbl):
        _, vb, k = read_tlv(vbl, k)
        _, o, _ = read_tlv(vb, 0)
        oids.append(o)
    return ver, comm, ptype, rid, oids


def response(ver, comm, rid, vbs, err=0, idx=0):
    vbl = b"".join(tlv(0x30, o + v) for o, v in vbs)
    pdu = tlv(0xA2, tlv(0x02, rid) + integer(err) + integer(idx) + tlv(0x30, vbl))
    return tlv(0x30, tlv(0x02, ver) + tlv(0x04, comm) + pdu)


def main():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((sys.argv[1], int(sys.argv[2])))
    n = 0
    while True:
        req, peer = s.recvfrom(65535)
        try:
            ver, comm, ptype, rid, oids = parse(req)
        except Exception:
            continue
        mode = n % 7
        n += 1
        out = []
        raw = [tlv(0x06, o) for o in oids]
        if mode == 0:
            out.append(os.urandom(200))
        elif mode == 1:
            out.append(os.urandom(65000))
        elif mode == 2:
            vals = [tlv(0x04, b"A" * 60000), tlv(0x46, b"\x01" * 9),
                    tlv(0x80, b""), tlv(0x81, b""), tlv(0x41, b"\xff" * 20)]
            out.append(response(ver, comm, rid,
                                [(o, vals[i % len(vals)]) for i, o in enumerate(raw)]))
        elif mode == 3:
            out.append(response(ver, comm, rid, []))
        elif mode == 4:
            back = [oid([1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 1, 5 - i]) for i in range(4)]
            out.append(response(ver, comm, rid, [(o, tlv(0x04, b"swa")) for o in back]))
        elif mode == 5:
            out.append(response(ver, comm, rid, [(o, tlv(0x05, b"")) for o in raw], err=5, idx=99))
        else:
            r = response(ver, comm, rid, [(o, tlv(0x04, b"x")) for o in raw])
            out.append(r[:2] + b"\x84\x7f\xff\xff\xff" + r[2:])
        for p in out:
            try:
                s.sendto(p, peer)
            except OSError:
                pass


main()
