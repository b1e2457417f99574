#!/usr/bin/env python3
"""Check a network namespace's kernel state independently of egnet.

  kcheck.py equal NS RENDER.json   the kernel equals `egnetctl render --json`
                                   (links, addresses, bridge ports, VXLAN,
                                   rules, routes, flood entries); prints every
                                   difference, exit 1 when there is one
  kcheck.py snapshot NS            a canonical dump of everything in NS
                                   (egnet's or not), to compare before/after

Reads the kernel only through iproute2's JSON output (ip -j, bridge -j).
"""
import ipaddress
import json
import subprocess
import sys

PROTO = "147"


def ipj(ns, *args, tool="ip"):
    out = subprocess.run([tool, "-n", ns, "-j"] + list(args), check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out) if out.strip() else []


def links(ns):
    return {l["ifname"]: l for l in ipj(ns, "-d", "link", "show")}


def addresses(ns):
    res = {}
    for l in ipj(ns, "addr", "show"):
        for a in l.get("addr_info", []):
            if a.get("scope") in ("link", "host"):
                continue
            res.setdefault(l["ifname"], set()).add(
                "%s/%d" % (a["local"], a["prefixlen"]))
    return res


def norm_prefix(p, fam):
    if p == "default":
        return "0.0.0.0/0" if fam == 4 else "::/0"
    if "/" not in p:
        p += "/32" if fam == 4 else "/128"
    return str(ipaddress.ip_network(p, strict=False))


def rules(ns, lo, hi):
    res = set()
    for fam in (4, 6):
        for r in ipj(ns, "-%d" % fam, "rule", "show"):
            if not lo <= r["priority"] <= hi:
                continue
            frm = ""
            if r.get("src", "all") != "all":
                frm = norm_prefix(r["src"] + ("/%d" % r["srclen"]
                                  if "srclen" in r else ""), fam)
            res.add((fam, r["priority"], str(r["table"]), r.get("iif", ""),
                     frm))
    return res


def kernel_routes(ns, proto=PROTO):
    res = set()
    for fam in (4, 6):
        args = ["-%d" % fam, "route", "show", "table", "all"]
        if proto:
            args += ["proto", proto]
        for r in ipj(ns, *args):
            table = str(r.get("table", "main"))
            if not proto and (table == "local" or
                              r["dst"].startswith("fe80::")):
                continue  # the kernel's own, link-local
            typ = r.get("type", "unicast")
            nh = []
            if typ == "unicast":
                hops = r.get("nexthops") or [r]
                nh = sorted((h.get("gateway", ""), h.get("dev", ""))
                            for h in hops)
            metric = r.get("metric", 1024 if fam == 6 else 0)
            scope = r.get("scope", "universe") if fam == 4 else "universe"
            res.add((fam, table, norm_prefix(r["dst"], fam), typ, metric,
                     tuple(nh), r.get("prefsrc", ""), scope,
                     r.get("protocol", proto or "")))
    return res


def render_routes(rj):
    res = set()
    for r in rj["routes"]:
        fam = 6 if r["family"] == "ipv6" else 4
        nh = []
        if r["type"] == "unicast":
            nh = sorted((h.get("via", ""), h.get("dev", ""))
                        for h in r["nexthops"])
        metric = r["metric"] or (1024 if fam == 6 else 0)
        scope = r["scope"] if fam == 4 else "universe"
        res.add((fam, str(r["table"]), norm_prefix(r["dst"], fam),
                 r["type"], metric, tuple(nh), r.get("prefsrc", ""), scope,
                 PROTO))
    return res


def fill_devs(want, got):
    """A next hop without a device in the render matches the kernel's."""
    out = set()
    for w in want:
        for g in got:
            if g[:5] == w[:5] and g[6:] == w[6:] and len(g[5]) == len(w[5]) \
               and all(wh[0] == gh[0] and (not wh[1] or wh[1] == gh[1])
                       for wh, gh in zip(w[5], g[5])):
                out.add(g)
                break
        else:
            out.add(w)
    return out


def equal(ns, render_path):
    rj = json.load(open(render_path))
    problems = []
    kl, ka = links(ns), addresses(ns)
    for l in rj["links"]:
        name = l["name"]
        k = kl.get(name)
        if not k:
            problems.append("link %s missing" % name)
            continue
        if k["mtu"] != l["mtu"]:
            problems.append("link %s mtu %d, want %d" % (name, k["mtu"],
                                                         l["mtu"]))
        if ("UP" in k["flags"]) != l["up"]:
            problems.append("link %s up=%s" % (name, "UP" in k["flags"]))
        kind = k.get("linkinfo", {}).get("info_kind", "")
        if l["kind"] in ("bridge", "vxlan") and kind != l["kind"]:
            problems.append("link %s is %r, want %s" % (name, kind,
                                                         l["kind"]))
        want = set(l["addresses"])
        if ka.get(name, set()) != want:
            problems.append("link %s addresses %s, want %s" % (
                name, sorted(ka.get(name, set())), sorted(want)))
        if l["kind"] == "bridge":
            ports = {n for n, x in kl.items() if x.get("master") == name}
            if ports != set(l["ports"]):
                problems.append("bridge %s ports %s, want %s" % (
                    name, sorted(ports), sorted(l["ports"])))
        if l["kind"] == "vxlan":
            d = k["linkinfo"]["info_data"]
            if d.get("id") != l["vni"] or d.get("port") != l["port"] or \
               d.get("local") != l["local"] or \
               d.get("link") != l["underlay"]:
                problems.append("vxlan %s is %s" % (name, d))
            fdb = {e["dst"] for e in ipj(ns, "fdb", "show", "dev", name,
                                         tool="bridge")
                   if e.get("mac") == "00:00:00:00:00:00" and "dst" in e}
            if fdb != set(l["remotes"]):
                problems.append("vxlan %s remotes %s, want %s" % (
                    name, sorted(fdb), sorted(l["remotes"])))
    prios = [r["priority"] for r in rj["rules"]] or [0]
    lo = min(prios) // 1000 * 1000
    kr = rules(ns, lo, lo + 999)
    wr = set()
    for r in rj["rules"]:
        fam = 6 if r["family"] == "ipv6" else 4
        wr.add((fam, r["priority"], str(r["table"]), r.get("iif", ""),
                norm_prefix(r["from"], fam) if "from" in r else ""))
    for x in sorted(kr - wr):
        problems.append("extra rule %s" % (x,))
    for x in sorted(wr - kr):
        problems.append("missing rule %s" % (x,))
    got = kernel_routes(ns)
    want = fill_devs(render_routes(rj), got)
    for x in sorted(got - want):
        problems.append("extra route %s" % (x,))
    for x in sorted(want - got):
        problems.append("missing route %s" % (x,))
    for p in problems:
        print(p)
    return 1 if problems else 0


def snapshot(ns):
    kl, ka = links(ns), addresses(ns)
    snap = {
        "links": {n: {"mtu": l["mtu"], "up": "UP" in l["flags"],
                      "master": l.get("master", ""),
                      "kind": l.get("linkinfo", {}).get("info_kind", ""),
                      "vxlan": l.get("linkinfo", {}).get("info_data")
                      if l.get("linkinfo", {}).get("info_kind") == "vxlan"
                      else None}
                  for n, l in kl.items()},
        "addresses": {n: sorted(a) for n, a in ka.items()},
        "rules": sorted(rules(ns, 0, 1 << 31)),
        "routes": sorted(kernel_routes(ns, proto=None)),
    }
    print(json.dumps(snap, indent=1, sort_keys=True, default=list))
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "equal":
        sys.exit(equal(sys.argv[2], sys.argv[3]))
    if len(sys.argv) == 3 and sys.argv[1] == "snapshot":
        sys.exit(snapshot(sys.argv[2]))
    sys.exit(__doc__)
