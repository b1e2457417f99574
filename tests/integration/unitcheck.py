#!/usr/bin/env python3
"""Would a daemon run under its unit's seccomp and socket limits?

  unitcheck.py UNIT STRACE_OUTPUT PROGRAM

Reads the unit's SystemCallFilter= lines (allow lists, then "~" deny lists,
as systemd applies them: the first line decides allow-list mode) and
RestrictAddressFamilies=, expands the @groups with `systemd-analyze
syscall-filter`, and compares them with what the daemon did as `strace -f`
saw it from its execve of PROGRAM on (what ran before is the service
manager's part: setpriv's setresuid, capset...): every system call it made
must be allowed, every socket() family too.  Prints what is not and exits 1; 0 when all is within.
"""
import re
import subprocess
import sys

cache = {}


def expand(name):
    """The system calls of @group NAME (recursively), or {NAME}."""
    if not name.startswith("@"):
        return {name}
    if name in cache:
        return cache[name]
    out = subprocess.run(["systemd-analyze", "syscall-filter", name],
                         capture_output=True, text=True, check=True).stdout
    calls = set()
    for line in out.splitlines()[1:]:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        calls |= expand(line)
    cache[name] = calls
    return calls


def unit_settings(path):
    allow, deny, families = set(), set(), None
    for line in open(path):
        line = line.strip()
        m = re.match(r"SystemCallFilter=(.*)", line)
        if m:
            v = m.group(1).strip()
            neg = v.startswith("~")
            for w in v.lstrip("~").split():
                (deny if neg else allow).update(expand(w))
        m = re.match(r"RestrictAddressFamilies=(.*)", line)
        if m:
            families = set(m.group(1).split())
    return allow - deny, families


def main():
    allowed, families = unit_settings(sys.argv[1])
    used, fams = set(), set()
    call = re.compile(r"^(?:\[pid\s+\d+\]\s+|\d+\s+)?([a-z_0-9]+)\(")
    started = False
    for line in open(sys.argv[2], errors="replace"):
        m = call.match(line)
        if not m:
            continue
        if not started:
            started = m.group(1) == "execve" and sys.argv[3] in line
            continue
        used.add(m.group(1))
        if m.group(1) == "socket":
            f = re.search(r"socket\((AF_[A-Z0-9]+|PF_[A-Z0-9]+)", line)
            if f:
                fams.add(f.group(1).replace("PF_", "AF_"))
    if not started:
        print("no execve of %s in %s" % (sys.argv[3], sys.argv[2]))
        sys.exit(1)
    bad = sorted(used - allowed)
    badf = sorted(fams - families) if families is not None else []
    if bad:
        print("system calls outside SystemCallFilter=: " + " ".join(bad))
    if badf:
        print("socket families outside RestrictAddressFamilies=: " +
              " ".join(badf))
    print("%d system calls used, all allowed; families %s" %
          (len(used), " ".join(sorted(fams))) if not bad and not badf else "")
    sys.exit(1 if bad or badf else 0)


main()
