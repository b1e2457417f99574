#!/usr/bin/env python3
"""The bookkeeping of tests/integration/test_report_kill.sh: an agent's
report spool read from the disk after each SIGKILL, with a parser of its
own (not the agent's code), and at the end the collector's stored
sequence numbers checked against everything the agent ever queued.

  spoolkill.py begin STATE SPOOL MODE
      before an agent run: its block of sequence numbers starts right
      after spool.meta's reserved_to (a restart skips the rest of the
      block it had reserved before)
  spoolkill.py end STATE SPOOL STATUS CUT SYNCLOG SEED NODE OUTAGES
      after the kill: with CUT = "cut", a power cut at the moment of the
      kill first (every segment loses a random part of what was written
      after its last fdatasync/fsync, as SYNCLOG says, tests/support/
      synclog.c); then the spool is read and checked: every segment whole
      records but for a torn tail of the last one, a segment named by its
      first seq, seqs ascending, a record's bytes never changing from one
      look to the next (a seq reused), the ack journal whole, reserved_to
      moving by blocks of 1024, torn tails counted as found; STATUS (the
      last `egnetctl status --json` that answered in the run, "" none)
      gives what the agent said it had queued (last_seq), and its spool
      counters (nothing corrupt, dropped or failed to queue); NODE, the
      collector's /api/v1/nodes/CODE just after the kill: of the records
      it has stored, those neither acknowledged in the journal nor so
      before are at most the two requests in flight, and two more for
      each of OUTAGES begun in the run (a request whose answer was lost):
      an ack that the journal lost would make the report go twice
  spoolkill.py killon SPOOL PID K TIMEOUT_MS [NAME]
      SIGKILL to PID at the K-th change of a file in SPOOL (inotify: a
      file created, written or renamed into it; only NAME's when given),
      so the kill lands inside an append, a reservation or an ack; or
      after TIMEOUT_MS.  Prints where it struck.
  spoolkill.py final STATE SPOOL NODE METRICS EVENTS_CUT
      the agent stopped and the collector's /api/v1/nodes/CODE (NODE) and
      /metrics (METRICS) saved: every seq the agent queued is stored at
      the collector or still waits in the spool; within each run's block
      the seqs present are one range from the block's start (a gap is
      only ever the unused end of a block: a hole is a lost report); no
      seq outside a block; every record seen on disk stored or waiting,
      every seq the ack journal held stored; the collector stored each once (its
      count of stored reports equals the numbers in its ranges), and took
      no more duplicates than two a request cut off (EVENTS_CUT: kills
      plus outages begun, two request slots each).

STATE is a JSON file this script keeps between calls.  Exit 1 with the
problems on stdout; 0 with a line of figures.
"""
import ctypes
import ctypes.util
import json
import os
import random
import re
import select
import signal
import struct
import sys
import time

SEQ_BLOCK = 1024
HDR = 32
MAX_RECORD = 1 << 20
JREC = 24

_TAB = []
for _i in range(256):
    _c = _i
    for _ in range(8):
        _c = (_c >> 1) ^ 0x82F63B78 if _c & 1 else _c >> 1
    _TAB.append(_c)


def crc32c(data, crc=0):
    crc ^= 0xFFFFFFFF
    tab = _TAB
    for b in data:
        crc = (crc >> 8) ^ tab[(crc ^ b) & 0xFF]
    return crc ^ 0xFFFFFFFF


def load_state(path):
    if os.path.exists(path):
        with open(path) as f:
            return json.load(f)
    return {"runs": [], "seen": {}, "acked": [], "torn": 0, "tails": 0,
            "cut_bytes": 0, "cuts": 0, "replay_kills": 0}


def save_state(path, st):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(st, f)
    os.replace(tmp, path)


def read_meta(spool):
    try:
        with open(os.path.join(spool, "spool.meta")) as f:
            return json.load(f)
    except FileNotFoundError:
        return {"reserved_to": 0, "torn": 0, "dropped": 0}


def segments(spool):
    out = []
    for name in os.listdir(spool):
        if re.fullmatch(r"[0-9]{20}\.seg", name):
            out.append((int(name[:20]), os.path.join(spool, name)))
    return sorted(out)


def parse_segment(path):
    """The whole records from the start, and the bytes left after them."""
    with open(path, "rb") as f:
        data = f.read()
    recs, off, prev = [], 0, 0
    while off + HDR <= len(data):
        h = data[off:off + HDR]
        if h[:4] != b"EGSP":
            break
        length, seq, tms, hcrc, crc = struct.unpack_from("<IQQII", h, 4)
        if not 0 < length <= MAX_RECORD or off + HDR + length > len(data):
            break
        if crc32c(h[:24]) != hcrc:
            break
        if crc32c(data[off + HDR:off + HDR + length], crc32c(h[:28])) != crc:
            break
        if seq <= prev:
            break
        recs.append((seq, crc, length))
        prev = seq
        off += HDR + length
    return recs, len(data) - off


def read_acks(spool, problems):
    path = os.path.join(spool, "acks.log")
    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        return []
    if len(data) % JREC:
        problems.append("acks.log: %d bytes, not whole records" % len(data))
    ranges = []
    for off in range(0, len(data) - len(data) % JREC, JREC):
        r = data[off:off + JREC]
        crc, lo, hi = struct.unpack_from("<IQQ", r, 4)
        if r[:4] != b"EGAK" or crc32c(r[8:24]) != crc or not 0 < lo <= hi:
            problems.append("acks.log: record %d is damaged" % (off // JREC))
            continue
        ranges.append((lo, hi))
    return ranges


def in_ranges(ranges, seq):
    return any(lo <= seq <= hi for lo, hi in ranges)


def merge(ranges):
    out = []
    for lo, hi in sorted(ranges):
        if out and lo <= out[-1][1] + 1:
            out[-1][1] = max(out[-1][1], hi)
        else:
            out.append([lo, hi])
    return out


def power_cut(spool, synclog, seed):
    """Every segment keeps what was synced and a random part of the rest."""
    rnd = random.Random(seed)
    synced = {}
    if os.path.exists(synclog):
        with open(synclog) as f:
            for line in f:
                m = re.fullmatch(r"(\d+) (/.*)\n", line)
                if m:
                    synced[m.group(2)] = int(m.group(1))
    dropped = 0
    for _, path in segments(spool):
        size = os.path.getsize(path)
        keep = synced.get(os.path.realpath(path), 0)
        if size > keep:
            keep = rnd.randint(keep, size)
            os.truncate(path, keep)
            dropped += size - keep
    return dropped


def scan(st, spool, problems):
    """Read the spool as it is on disk.  Returns (seqs, torn tail bytes)."""
    segs = segments(spool)
    seqs, prev, tail = [], 0, 0
    for i, (first, path) in enumerate(segs):
        recs, left = parse_segment(path)
        name = os.path.basename(path)
        if left and i + 1 < len(segs):
            problems.append("%s: %d bytes after its last whole record, "
                            "and it is not the last segment" % (name, left))
        if left:
            tail = left
        if recs and recs[0][0] != first:
            problems.append("%s: first record is %d" % (name, recs[0][0]))
        for seq, crc, _ in recs:
            if seq <= prev:
                problems.append("%s: seq %d after %d" % (name, seq, prev))
            prev = seq
            was = st["seen"].get(str(seq))
            if was is not None and was != crc:
                problems.append("seq %d: its record changed on disk (a "
                                "seq used twice?)" % seq)
            st["seen"][str(seq)] = crc
            seqs.append(seq)
    return seqs, tail


IN_MODIFY, IN_MOVED_TO, IN_CREATE = 0x2, 0x80, 0x100


def cmd_killon(spool, pid, k, timeout_ms, only=None):
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    fd = libc.inotify_init1(os.O_CLOEXEC)
    if fd < 0 or libc.inotify_add_watch(
            fd, spool.encode(), IN_MODIFY | IN_MOVED_TO | IN_CREATE) < 0:
        print("inotify: %s" % os.strerror(ctypes.get_errno()))
        sys.exit(1)
    deadline = time.monotonic() + timeout_ms / 1000
    seen, what = 0, "timeout"
    while seen < k:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            break
        buf = os.read(fd, 65536)
        off = 0
        while off < len(buf) and seen < k:
            _, mask, _, n = struct.unpack_from("iIII", buf, off)
            name = buf[off + 16:off + 16 + n].split(b"\0")[0].decode()
            off += 16 + n
            if only and name != only:
                continue
            seen += 1
            what = "%s %s" % ({IN_MODIFY: "write", IN_MOVED_TO: "rename",
                               IN_CREATE: "create"}.get(mask & 0x182, "?"),
                              name)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        what += " (it was gone)"
    print("killed at %s" % what)


def cmd_begin(state, spool, mode):
    st = load_state(state)
    meta = read_meta(spool)
    st["runs"].append({"start": meta["reserved_to"] + 1, "mode": mode})
    save_state(state, st)


def status_of(path):
    try:
        with open(path) as f:
            return json.load(f)["collector"]
    except (OSError, ValueError, KeyError):
        return None


def stored_set(node):
    with open(node) as f:
        ranges = json.load(f)["seq_ranges"]
    out = set()
    for lo, hi in ranges:
        out.update(range(lo, hi + 1))
    return out


def cmd_end(state, spool, status, cut, synclog, seed, node, outages):
    st = load_state(state)
    run = st["runs"][-1]
    problems = []
    meta = read_meta(spool)
    # the torn tails found so far were truncated (and counted) when the
    # spool was opened at this run's start
    if meta.get("torn", 0) != st["tails"]:
        problems.append("spool.meta counts %d torn tails, %d were left"
                        % (meta.get("torn", 0), st["tails"]))
    if meta.get("dropped", 0):
        problems.append("spool.meta: %d reports dropped" % meta["dropped"])
    prev_res = run["start"] - 1
    res = meta["reserved_to"]
    if res < prev_res or (res - prev_res) % SEQ_BLOCK:
        problems.append("reserved_to went from %d to %d, not by blocks of "
                        "%d" % (prev_res, res, SEQ_BLOCK))
    run["reserved_to"] = res
    if cut == "cut":
        st["cuts"] += 1
        run["cut"] = power_cut(spool, synclog, seed)
        st["cut_bytes"] += run["cut"]
    seqs, tail = scan(st, spool, problems)
    if tail:
        st["tails"] += 1
    run["tail"] = tail
    mine = [s for s in seqs if run["start"] <= s <= res]
    if mine and mine != list(range(mine[0], mine[-1] + 1)):
        problems.append("run's records on disk are not contiguous: %s" % mine)
    run["disk_max"] = mine[-1] if mine else 0
    before = [list(r) for r in st["acked"]]
    journal = read_acks(spool, problems)
    st["acked"] = merge(st["acked"] + [list(r) for r in journal])
    # killed in the middle of a replay: of the backlog on disk (earlier
    # runs' records), some acknowledged in this run, some not yet
    run["backlog"] = sum(not in_ranges(journal, s) for s in seqs)
    stored = stored_set(node)
    unacked = {s for s in seqs if s in stored and not in_ranges(journal, s)}
    new = unacked - set(st.get("unacked", []))
    if len(new) > 2 + 2 * outages:
        problems.append("stored at the collector, not acknowledged in the "
                        "journal (sent again at the next start): %s"
                        % sorted(new))
    st["unacked"] = sorted(unacked)
    older = [s for s in seqs if s < run["start"]]
    if (any(in_ranges(journal, s) and not in_ranges(before, s)
            for s in older) and
            any(not in_ranges(journal, s) for s in older)):
        st["replay_kills"] += 1
        run["replay"] = True
    c = status_of(status)
    run["queued"] = 0
    if c:
        sp = c["spool"]
        if run["start"] <= sp["last_seq"]:
            run["queued"] = sp["last_seq"]
        if sp["last_seq"] > res:
            problems.append("status last_seq %d above reserved_to %d"
                            % (sp["last_seq"], res))
        for k in ("corrupt", "dropped"):
            if sp[k]:
                problems.append("status: spool %s %d" % (k, sp[k]))
        if sp["torn"] != meta.get("torn", 0):
            problems.append("status: torn %d, spool.meta %d"
                            % (sp["torn"], meta.get("torn", 0)))
        if c["not_queued"] or c["refused"]:
            problems.append("status: not_queued %d, refused %d"
                            % (c["not_queued"], c["refused"]))
        run["pending"] = sp["pending"]
    save_state(state, st)
    print("run %d (%s): block %d.., queued to %s, on disk %d records, "
          "tail %d bytes%s%s" % (len(st["runs"]), run["mode"], run["start"],
                                 run["queued"] or "-", len(seqs), tail,
                                 ", power cut dropped %d bytes" % run["cut"]
                                 if cut == "cut" else "",
                                 ", in a replay" if run.get("replay") else ""))
    if problems:
        print("\n".join(problems))
        sys.exit(1)


def metric(text, name, result):
    m = re.search(r"^%s\{result=\"%s\"\} (\d+)$" % (name, result), text, re.M)
    return int(m.group(1)) if m else None


def cmd_final(state, spool, node, metrics, events_cut):
    st = load_state(state)
    problems = []
    with open(node) as f:
        ranges = json.load(f)["seq_ranges"]
    stored = stored_set(node)
    acks = read_acks(spool, problems)
    waiting = set()
    for _, path in segments(spool):
        for seq, _, _ in parse_segment(path)[0]:
            if not in_ranges(acks, seq):
                waiting.add(seq)
    present = stored | waiting
    blocks = [(r["start"], r["reserved_to"]) for r in st["runs"]]
    gaps = 0
    for i, r in enumerate(st["runs"]):
        lo, hi = r["start"], r["reserved_to"]
        have = sorted(s for s in present if lo <= s <= hi)
        want_to = max(r.get("queued", 0), r.get("disk_max", 0))
        end = have[-1] if have else lo - 1
        if have != list(range(lo, end + 1)):
            holes = sorted(set(range(lo, end + 1)) - set(have))
            problems.append("run %d, block %d..%d: seqs missing inside it "
                            "(lost): %s" % (i + 1, lo, hi, holes[:20]))
        if end < want_to:
            problems.append("run %d: queued up to %d, the collector and "
                            "the spool have up to %d (lost)"
                            % (i + 1, want_to, end))
        if hi > end:
            gaps += 1
    outside = sorted(s for s in present
                     if not any(lo <= s <= hi for lo, hi in blocks))
    if outside:
        problems.append("seqs in no run's block: %s" % outside[:20])
    seen_lost = sorted(int(s) for s in st["seen"] if int(s) not in present)
    if seen_lost:
        problems.append("records seen in the spool, neither stored nor "
                        "waiting: %s" % seen_lost[:20])
    acked_lost = sorted(s for lo, hi in st["acked"]
                        for s in range(lo, hi + 1) if s not in stored)
    if acked_lost:
        problems.append("acknowledged in the journal, not stored at the "
                        "collector: %s" % acked_lost[:20])
    if len(waiting) > 2:
        problems.append("%d reports still in the spool after it drained: "
                        "%s" % (len(waiting), sorted(waiting)[:20]))
    with open(metrics) as f:
        text = f.read()
    n_stored = metric(text, "egnet_reports_total", "stored")
    n_dup = metric(text, "egnet_reports_total", "duplicate")
    if n_stored is None or n_dup is None:
        problems.append("no egnet_reports_total in /metrics")
    else:
        if n_stored != len(stored):
            problems.append("the collector stored %d reports, its ranges "
                            "hold %d numbers" % (n_stored, len(stored)))
        if n_dup > 2 * events_cut:
            problems.append("%d duplicates for %d requests cut off by a "
                            "kill or an outage (at most %d)"
                            % (n_dup, events_cut, 2 * events_cut))
    if not stored:
        problems.append("nothing stored")
    print("%d runs: %d reports stored once in %d ranges (%d blocks end "
          "unused), %d waiting, %d duplicates answered, %d torn tails, "
          "%d power cuts dropped %d bytes, %d kills during a replay"
          % (len(st["runs"]), len(stored), len(ranges), gaps, len(waiting),
             n_dup or 0, st["tails"], st["cuts"], st["cut_bytes"],
             st["replay_kills"]))
    if problems:
        print("\n".join(problems))
        sys.exit(1)


def main(argv):
    if len(argv) >= 4 and argv[1] == "begin":
        cmd_begin(argv[2], argv[3], argv[4] if len(argv) > 4 else "-")
    elif len(argv) == 10 and argv[1] == "end":
        cmd_end(argv[2], argv[3], argv[4], argv[5], argv[6], int(argv[7]),
                argv[8], int(argv[9]))
    elif len(argv) in (6, 7) and argv[1] == "killon":
        cmd_killon(argv[2], int(argv[3]), int(argv[4]), int(argv[5]),
                   argv[6] if len(argv) == 7 else None)
    elif len(argv) == 7 and argv[1] == "final":
        cmd_final(argv[2], argv[3], argv[4], argv[5], int(argv[6]))
    else:
        print(__doc__)
        sys.exit(2)


if __name__ == "__main__":
    main(sys.argv)
