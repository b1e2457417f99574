#!/usr/bin/env python3
"""Would a daemon run under its unit's seccomp and socket limits?

  unitcheck.py UNIT STRACE_OUTPUT PROGRAM [WRITABLE...]

Reads the unit's SystemCallFilter= lines (allow lists, then "~" deny lists,
as systemd applies them: the first line decides allow-list mode) and
RestrictAddressFamilies=, expands the @groups with `systemd-analyze
syscall-filter`, and compares them with what the daemon did as `strace -f`
saw it from its execve of PROGRAM on (what ran before is the service
manager's part: setpriv's setresuid, capset...): every system call it made
must be allowed, every socket() family too.  With WRITABLE (the folders
that stand for its StateDirectory= and RuntimeDirectory= in the test), every
file it opened for writing, made, renamed or removed must be under one of
them or under /tmp, /dev, /proc or /sys (ProtectSystem=strict makes the
rest read-only); strace must have run with -y.  Prints what is not and exits 1; 0 when all is within.
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


WRITES = {
    # call: indexes of (dirfd, path) pairs among its arguments, and the
    # argument index of the flags for open calls (-1: always a write)
    "openat": ([(0, 1)], 2), "open": ([(None, 0)], 1), "creat": ([(None, 0)], -1),
    "mkdir": ([(None, 0)], -1), "mkdirat": ([(0, 1)], -1),
    "unlink": ([(None, 0)], -1), "unlinkat": ([(0, 1)], -1),
    "rmdir": ([(None, 0)], -1),
    "rename": ([(None, 0), (None, 1)], -1),
    "renameat": ([(0, 1), (2, 3)], -1), "renameat2": ([(0, 1), (2, 3)], -1),
    "link": ([(None, 1)], -1), "linkat": ([(2, 3)], -1),
    "symlink": ([(None, 1)], -1), "symlinkat": ([(1, 2)], -1),
    "truncate": ([(None, 0)], -1),
}


def args_of(line, name):
    """The top-level arguments of a call's line, as strings."""
    body = line.split(name + "(", 1)[1]
    out, depth, cur, q = [], 0, "", False
    for ch in body:
        if q:
            cur += ch
            if ch == '"':
                q = False
            continue
        if ch == '"':
            q = True
        elif ch in "({[":
            depth += 1
        elif ch in ")}]":
            if depth == 0:
                out.append(cur.strip())
                return out
            depth -= 1
        elif ch == "," and depth == 0:
            out.append(cur.strip())
            cur = ""
            continue
        cur += ch
    return out


def written(line, name):
    """The paths a call of WRITES writes, absolute when strace -y says."""
    pairs, flag_at = WRITES[name]
    a = args_of(line, name)
    if flag_at >= 0 and (len(a) <= flag_at or
                         not re.search(r"O_WRONLY|O_RDWR|O_CREAT|O_TRUNC", a[flag_at])):
        return []
    paths = []
    for dfd, pth in pairs:
        if pth >= len(a) or not a[pth].startswith('"'):
            continue
        p = a[pth].strip('"')
        if not p.startswith("/") and dfd is not None and dfd < len(a):
            m = re.match(r"\d+<(.*)>$", a[dfd])
            if m:
                p = m.group(1).rstrip("/") + "/" + p
        paths.append(p)
    return paths


def main():
    allowed, families = unit_settings(sys.argv[1])
    writable = [w.rstrip("/") for w in sys.argv[4:]] + ["/tmp", "/dev", "/proc", "/sys"]
    used, fams, badw = set(), set(), set()
    call = re.compile(r"^(?:\[pid\s+\d+\]\s+|\d+\s+)?([a-z_0-9]+)\(")
    started = False
    for line in open(sys.argv[2], errors="replace"):
        m = call.match(line)
        if not m:
            continue
        if not started:
            # the program's own execve, not one that names it among its
            # arguments (setpriv's, whose set-up calls are not the service's)
            started = m.group(1) == "execve" and \
                ('execve("%s",' % sys.argv[3]) in line
            continue
        used.add(m.group(1))
        if len(sys.argv) > 4 and m.group(1) in WRITES:
            for p in written(line, m.group(1)):
                if not any(p == w or p.startswith(w + "/") for w in writable):
                    badw.add(p)
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
    if badw:
        print("written outside its directories (ProtectSystem=strict): " +
              " ".join(sorted(badw)))
    ok = not bad and not badf and not badw
    if ok:
        print("%d system calls used, all allowed; families %s%s" %
              (len(used), " ".join(sorted(fams)),
               "; writes only in its directories" if len(sys.argv) > 4 else ""))
    sys.exit(0 if ok else 1)


main()
