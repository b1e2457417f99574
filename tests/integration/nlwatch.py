#!/usr/bin/env python3
"""Print every rtnetlink notification of this network namespace, one line
each: links, addresses, routes, rules, qdiscs and tc filters, IPv4 and
IPv6, until killed.

  nlwatch.py

The line: the message type, the interface index and name (links), the
flags and which of them changed (links), the address or destination and
its prefix length, the route's protocol.  `ip monitor` cannot print some
link messages of veths whose peer is in another namespace; this reads
the raw messages.
"""
import socket
import struct
import sys

GROUPS = {  # RTNLGRP_*
    "LINK": 1, "TC": 4, "IPV4_IFADDR": 5, "IPV4_ROUTE": 7, "IPV4_RULE": 8,
    "IPV6_IFADDR": 9, "IPV6_ROUTE": 11, "IPV6_RULE": 19,
}
TYPES = {16: "newlink", 17: "dellink", 20: "newaddr", 21: "deladdr",
         24: "newroute", 25: "delroute", 32: "newrule", 33: "delrule",
         36: "newqdisc", 37: "delqdisc", 44: "newtfilter", 45: "deltfilter",
         100: "newchain", 101: "delchain"}
SOL_NETLINK = 270
NETLINK_ADD_MEMBERSHIP = 1


def attrs(buf):
    out = {}
    while len(buf) >= 4:
        ln, ty = struct.unpack_from("HH", buf)
        if ln < 4:
            break
        out[ty & 0x7FFF] = buf[4:ln]
        buf = buf[(ln + 3) & ~3:]
    return out


def describe(ty, body):
    name = TYPES.get(ty, str(ty))
    if ty in (16, 17):
        fam, _, _, idx, flags, change = struct.unpack_from("BBHiII", body)
        a = attrs(body[16:])
        ifn = a.get(3, b"?").rstrip(b"\0").decode(errors="replace")
        return "%s %d %s flags %#x change %#x" % (name, idx, ifn, flags, change)
    if ty in (20, 21):
        fam, plen, flags, scope, idx = struct.unpack_from("BBBBi", body)
        a = attrs(body[8:])
        ad = a.get(1) or a.get(2) or b""
        af = socket.AF_INET if fam == 2 else socket.AF_INET6
        s = socket.inet_ntop(af, ad) if ad else "?"
        return "%s dev %d %s/%d scope %d" % (name, idx, s, plen, scope)
    if ty in (24, 25):
        fam, dl, sl, tos, table, proto, scope, rtype = struct.unpack_from("BBBBBBBB", body)
        a = attrs(body[12:])
        ad = a.get(1, b"")
        af = socket.AF_INET if fam == 2 else socket.AF_INET6
        s = socket.inet_ntop(af, ad) if ad else "default"
        tb = struct.unpack("I", a[15])[0] if 15 in a else table
        return "%s %s/%d table %d proto %d type %d" % (name, s, dl, tb, proto, rtype)
    if ty in (32, 33):
        fam = body[0]
        a = attrs(body[12:])
        prio = struct.unpack("I", a[6])[0] if 6 in a else 0
        return "%s family %d priority %d" % (name, fam, prio)
    if ty in (36, 37, 44, 45):
        fam, _, _, idx, handle, parent, info = struct.unpack_from("BBHiIII", body)
        return "%s dev %d handle %#x parent %#x" % (name, idx, handle, parent)
    return name


def main():
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
    s.bind((0, 0))
    for g in GROUPS.values():
        s.setsockopt(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, g)
    print("watching", flush=True)
    while True:
        data = s.recv(65536)
        while len(data) >= 16:
            ln, ty = struct.unpack_from("IH", data)
            if ln < 16:
                break
            try:
                line = describe(ty, data[16:ln])
            except (struct.error, ValueError, KeyError) as e:
                line = "%s (%s)" % (TYPES.get(ty, ty), e)
            print(line, flush=True)
            data = data[(ln + 3) & ~3:]


main()
