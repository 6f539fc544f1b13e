#!/usr/bin/env python3
"""Prefix each line of stdin with seconds since start; echo chosen lines live.

usage: tslog.py <live regex> [<stall seconds> <QEMU pid file>]

With a stall limit, a lab that prints nothing for that long (Xen, dom0 and
the domU all idle, waiting on something that will not come) is ended: the
QEMU process named in the pid file gets SIGTERM and the log says STALL.
"""
import os
import re
import select
import signal
import sys
import time

t0 = time.monotonic()
live = re.compile(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1] else None
stall = float(sys.argv[2]) if len(sys.argv) > 2 else 0.0
pidfile = sys.argv[3] if len(sys.argv) > 3 else None
out = sys.stdout
fd = sys.stdin.fileno()
buf = b""
last = time.monotonic()


def emit(raw):
    # Console bytes may include NULs and escapes: keep the log plain text.
    text = raw.decode("utf-8", "replace").rstrip("\r\n")
    text = "".join(c for c in text if c >= " " or c == "\t")
    stamp = "[%7.2f] %s\n" % (time.monotonic() - t0, text)
    out.write(stamp)
    out.flush()
    if live and live.search(text):
        sys.stderr.write(stamp)


while True:
    ready, _, _ = select.select([fd], [], [], 1.0)
    if ready:
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        last = time.monotonic()
        buf += chunk
        *lines, buf = buf.split(b"\n")
        for raw in lines:
            emit(raw)
    elif stall and time.monotonic() - last > stall:
        emit(b"LAB: STALL: no console output for %d s; stopping QEMU" % stall)
        try:
            with open(pidfile) as f:
                os.kill(int(f.read().strip()), signal.SIGTERM)
        except (OSError, ValueError) as e:
            emit(("LAB: STALL: cannot stop QEMU: %s" % e).encode())
        stall = 0.0
if buf:
    emit(buf)
