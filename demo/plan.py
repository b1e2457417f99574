#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
#
# demo/plan.py - the example province as the live demo builds it: a node
# config for every gateway of profiles/examples/inventory.csv, made from the
# example node config of its level (profiles/examples/LEVEL.conf) with the
# gateway's own code and name, and the wiring between them.
#
#   demo/plan.py ROOT EGNETCTL DIR [URL]
#
# writes DIR/CODE/node.conf for each gateway (its state and control socket
# in DIR/CODE, its certificate and key from DIR/../pki as the demo makes
# them; its collector URL the example's, or URL when given) and prints the
# topology, one line per item, for
# demo/province.sh to read:
#
#   gw CODE LEVEL PARENT UPLINK PARENTPORT UPLINK4 IFACES LAN
#       a gateway; UPLINK its uplink interface, PARENTPORT the port of the
#       parent's downlink it is wired to ("-" for the province), UPLINK4
#       its own IPv4 address on the uplink ("-" for the province), IFACES
#       all its interfaces (comma-separated), LAN its first LAN port
#   vil CODE TOWNSHIP SIDE ADDRESS/LEN GATEWAY
#       a village: an endpoint that answers ping, on the township's
#       downlink (SIDE down) or LAN (SIDE lan), where the plan (IPv6) or
#       the inventory (IPv4) puts it
#
# Children take their parent's downlink ports in code order: a gateway
# with more children than its example has downlink ports is an error, as
# is a village whose address lies in neither the township's downlink nor
# its LAN.  Every address comes from `egnetctl render --json`: the address
# plan is never computed here.  Exit 0, or 1 with a message.
import csv
import ipaddress
import json
import os
import re
import subprocess
import sys

LEVELS = ["province", "city", "county", "township", "village"]
# the names in the examples: the division's name and what the node is
SUFFIX = {"province": "政务外网核心节点", "city": "政务外网汇聚节点",
          "county": "政务外网汇聚节点", "township": "政务外网接入点"}
# reports every 2 s, so that the demo converges in seconds
INTERVAL = 2


def die(msg):
    print("plan: " + msg, file=sys.stderr)
    sys.exit(1)


def level_of(code):
    if code[2:] == "0" * 10:
        return "province"
    if code[4:] == "0" * 8:
        return "city"
    if code[6:] == "0" * 6:
        return "county"
    if code[9:] == "000":
        return "township"
    return "village"


def parent_of(code):
    lv = level_of(code)
    cut = {"city": 2, "county": 4, "township": 6, "village": 9}[lv]
    return code[:cut] + "0" * (12 - cut)


def read_inventory(path):
    nodes = {}
    with open(path, encoding="utf-8") as f:
        rows = [r for r in f if not r.startswith("#")]
    for r in csv.DictReader(rows):
        code = r["code"].strip()
        if not re.fullmatch(r"[0-9]{12}", code):
            die("%s: bad code %r" % (path, code))
        nodes[code] = {"code": code, "name": r["name"].strip(),
                       "level": level_of(code)}
    return nodes


def group(text, name):
    """The body of the top-level group NAME = { ... }; of a node config."""
    m = re.search(r"^%s = \{(.*?)^\};" % name, text, re.S | re.M)
    return m.group(1) if m else ""


def strings(body, key):
    """The string or array of strings KEY = ... in a group's body."""
    m = re.search(r"\b%s\s*=\s*(\[[^\]]*\]|\"[^\"]*\")" % key, body)
    return re.findall(r"\"([^\"]*)\"", m.group(1)) if m else []


def node_conf(root, example, node, d, pki, url):
    """The example node config of the level, made this node's."""
    t = example
    suffix = SUFFIX[node["level"]]
    t = re.sub(r'(\n\tcode = )"[0-9]+";', r'\1"%s";' % node["code"], t, 1)
    t = re.sub(r'(\n\tname = )"[^"]*";',
               lambda m: '%s"%s%s";' % (m.group(1), node["name"], suffix), t, 1)
    t = re.sub(r'profile = "\.\./', 'profile = "%s/profiles/' % root, t)
    t = t.replace('inventory = "inventory.csv"',
                  'inventory = "%s/profiles/examples/inventory.csv"' % root)
    if not url or node["level"] == "province":
        url = strings(group(example, "collector"), "url")[0]
    t = re.sub(r"^(paths|collector) = \{.*?^\};\n?", "", t, flags=re.S | re.M)
    t = t.replace("(/etc/egnet/agent.conf)",
                  "(made by demo/plan.py from the example of its level)")
    t += 'paths = { state = "%s/state"; socket = "%s/agent.sock"; };\n' % (d, d)
    t += ('collector = { url = "%s"; interval = %d;\n'
          '\tca = "%s/ca.crt"; cert = "%s/nodes/%s.crt"; key = "%s/nodes/%s.key"; };\n'
          % (url, INTERVAL, pki, pki, node["code"], pki, node["code"]))
    return t


def render(ctl, conf):
    p = subprocess.run([ctl, "render", "--node", conf, "--json"],
                       capture_output=True, text=True)
    if p.returncode != 0:
        die("egnetctl render --node %s: %s" % (conf, p.stdout + p.stderr))
    return json.loads(p.stdout)


def main():
    if len(sys.argv) not in (4, 5):
        print("usage: demo/plan.py ROOT EGNETCTL DIR [URL]", file=sys.stderr)
        sys.exit(2)
    root, ctl, out = sys.argv[1:4]
    url = sys.argv[4] if len(sys.argv) == 5 else None
    pki = os.path.join(os.path.dirname(os.path.abspath(out)), "pki")
    inv = read_inventory(os.path.join(root, "profiles/examples/inventory.csv"))
    examples = {}
    for lv in SUFFIX:
        with open(os.path.join(root, "profiles/examples/%s.conf" % lv),
                  encoding="utf-8") as f:
            examples[lv] = f.read()
    gws = sorted((n for n in inv.values() if n["level"] != "village"),
                 key=lambda n: n["code"])
    for n in inv.values():
        if n["level"] != "province" and parent_of(n["code"]) not in inv:
            die("%s has no parent in the inventory" % n["code"])
    lines = []
    for n in gws:
        d = os.path.join(os.path.abspath(out), n["code"])
        os.makedirs(d, exist_ok=True)
        conf = os.path.join(d, "node.conf")
        with open(conf, "w", encoding="utf-8") as f:
            f.write(node_conf(root, examples[n["level"]], n, d, pki, url))
        ifs = group(examples[n["level"]], "interfaces")
        n["uplink"] = strings(ifs, "uplink")[0]
        n["ports"] = strings(ifs, "downlink")
        n["lan"] = strings(ifs, "lan")
        n["ifaces"] = [n["uplink"]] + n["ports"] + n["lan"] + \
            strings(ifs, "internet")
        n["render"] = render(ctl, conf)
    for n in gws:
        kids = sorted((k for k in gws if k["level"] != "province"
                       and parent_of(k["code"]) == n["code"]),
                      key=lambda k: k["code"])
        if len(kids) > len(n["ports"]):
            die("%s has %d children but its example has %d downlink ports"
                % (n["code"], len(kids), len(n["ports"])))
        for k, port in zip(kids, n["ports"]):
            k["parent_port"] = port
    for n in gws:
        up4 = "-"
        for link in n["render"]["links"]:
            if link["name"] == n["uplink"] and n["level"] != "province":
                v4 = [a for a in link.get("addresses", []) if ":" not in a]
                up4 = v4[0].split("/")[0] if v4 else "-"
        parent = parent_of(n["code"]) if n["level"] != "province" else "-"
        lines.append("gw %s %s %s %s %s %s %s %s" % (
            n["code"], n["level"], parent, n["uplink"],
            n.get("parent_port", "-"), up4, ",".join(n["ifaces"]),
            n["lan"][0] if n["lan"] else "-"))
    for n in gws:
        if n["level"] != "township":
            continue
        nets = []  # (network, side, gateway address) of the township's links
        for link in n["render"]["links"]:
            side = {"downlink": "down", "lan": "lan"}.get(link.get("role"))
            if not side or link.get("kind") == "vxlan":
                continue
            for a in link.get("addresses", []):
                i = ipaddress.ip_interface(a)
                nets.append((i.network, side, i.ip))
        for t in n["render"]["probes"]["targets"]:
            if t["relation"] != "village":
                continue
            addr = t["ipv4"] or t["ipv6"]
            ip = ipaddress.ip_address(addr)
            home = [x for x in nets if ip in x[0] and ip != x[2]]
            if not home:
                die("village %s at %s is on no link of township %s"
                    % (t["code"], addr, n["code"]))
            net, side, gw = home[0]
            lines.append("vil %s %s %s %s/%d %s" % (t["code"], n["code"], side,
                         addr, net.prefixlen, gw))
    print("\n".join(lines))


main()
