#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Write a short history of schema v1 reports, for test_ctl_collector.sh.

    ctlreports.py NOW_MS FOLDER

From the golden county report (tests/golden/report_county.json) it writes
FOLDER/county-SEQ.json, one report a minute, 13 to 2 minutes ago
(seq 1..12): rates and RTTs that change every minute, the link eth2 down
in reports 6..8, an apply event in the last.  FOLDER/township-SEQ.json:
three reports of 太原街街道 (210102001000) in drift, and stray-1.json of
a township the inventory does not have (210102009000).  Every body must
be taken by the collector.  Python 3 standard library only.
"""
import copy
import json
import os
import sys

ROOT = os.path.dirname(os.path.abspath(__file__)) + "/../.."
MIN = 60000


def write(folder, name, rep):
    with open(os.path.join(folder, name), "w", encoding="utf-8") as f:
        json.dump(rep, f, ensure_ascii=False, separators=(",", ":"))


def county(golden, now, k, n):
    r = copy.deepcopy(golden)
    r["seq"] = k
    r["time_ms"] = now - (n - k + 2) * MIN  # the last minute closed too
    r["agent"]["uptime_s"] = 3600 + k * 60
    r["events"] = []
    for link in r["links"]:
        c = link["counters"]
        if c:
            for key in ("rx_packets", "rx_bytes", "tx_packets", "tx_bytes"):
                c[key] += k * 1000
            c["rx_bps"] = float(1000000 * k)
            c["tx_bps"] = float(500000 * k + 250000)
        if link["name"] == "eth2":
            link["state"] = "down" if 6 <= k <= 8 else "up"
    for t in r["targets"]:
        t["since_ms"] = 0
        if t["rtt_ms"] is not None:
            t["rtt_ms"] = 1.0 + k / 10
            t["rtt_avg_ms"] = 1.0 + k / 10
            t["jitter_ms"] = 0.1 * (k % 3)
            t["loss_pct"] = float(k % 4)
    if k == n:
        r["events"] = [{"time_ms": r["time_ms"] - 1000, "type": "apply",
                        "ok": True, "text": "applied county 2024.2",
                        "hash": r["profile"]["hash"]}]
    return r


def township(golden, now, k, code="210102001000"):
    r = copy.deepcopy(golden)
    r["node"] = {"code": code, "level": "township", "parent": "210102000000"}
    r["seq"] = k
    r["time_ms"] = now - (3 - k) * 1000
    r["agent"]["uptime_s"] = 100 + k
    r["profile"] = {"name": "township", "version": "2024.2",
                    "hash": "sha256:" + "ab" * 32}
    r["apply"] = "drift"
    r["drift"] = {"found": True, "text": "route 10.16.0.0/12 table 100: missing"}
    r["links"] = [link for link in r["links"] if link["name"] == "eth0"]
    r["targets"] = [
        {"code": "210102000000", "name": "和平区", "relation": "parent",
         "state": "up", "since_ms": 0, "rtt_ms": 2.5, "rtt_avg_ms": 2.6,
         "jitter_ms": 0.2, "loss_pct": 0.0, "stamps": "ebpf", "sent": 10,
         "received": 10, "refused": False},
        {"code": code[:9] + "001", "name": "中华路社区", "relation": "village",
         "state": "down", "since_ms": 0, "rtt_ms": None, "rtt_avg_ms": None,
         "jitter_ms": None, "loss_pct": 100.0, "stamps": None, "sent": 10,
         "received": 0, "refused": False},
    ]
    r["firewall"] = {"pairs": {}}
    r["events"] = []
    return r


def main():
    now, folder = int(sys.argv[1]), sys.argv[2]
    os.makedirs(folder, exist_ok=True)
    golden = json.load(open(ROOT + "/tests/golden/report_county.json",
                            encoding="utf-8"))
    n = 12
    for k in range(1, n + 1):
        write(folder, "county-%02d.json" % k, county(golden, now, k, n))
    for k in range(1, 4):
        write(folder, "township-%02d.json" % k, township(golden, now, k))
    write(folder, "stray-1.json", township(golden, now, 3, "210102009000"))


if __name__ == "__main__":
    main()
