#!/usr/bin/env python3
"""tick.py URI DOMAIN [--wait-start] [--log FILE]: attach to the serial
console of a guest built by busy-guest.sh and print the number of the
first complete "FERRY-LM-TICK N" line it shows; append what was seen to
FILE.  With --wait-start, wait (up to 180 s) for the domain to run first.
Exit 1, with the reason on stderr, when no tick is seen in 180 s.

`virsh console` of libvirt 9.0 ignores SIGTERM while the domain runs, so
it is killed outright (tests/libvirt/console.py waits for it, which only
suits guests that power off)."""

import os
import pty
import re
import select
import signal
import subprocess
import sys
import time


def main():
    args = sys.argv[1:]
    wait = "--wait-start" in args
    log = None
    if "--log" in args:
        log = args[args.index("--log") + 1]
        del args[args.index("--log"):args.index("--log") + 2]
    uri, dom = [a for a in args if a != "--wait-start"][:2]
    deadline = time.monotonic() + 180
    while wait and subprocess.run(["virsh", "-c", uri, "domstate", dom],
                                  capture_output=True, text=True).stdout.strip() != "running":
        if time.monotonic() > deadline:
            sys.exit("tick: %s never ran on %s" % (dom, uri))
        time.sleep(0.05)
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp("virsh", ["virsh", "-c", uri, "console", "--force", dom])
    seen, tick = b"", None
    try:
        while time.monotonic() < deadline and tick is None:
            if not select.select([fd], [], [], 0.5)[0]:
                continue
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
            m = re.search(rb"FERRY-LM-TICK (\d+)\r?\n", seen)
            if m:
                tick = int(m.group(1))
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)
        if log:
            with open(log, "ab") as f:
                f.write(b"--- %s\n" % uri.encode() + seen + b"\n")
    if tick is None:
        sys.exit("tick: no FERRY-LM-TICK line on %s's console (%s)" % (dom, uri))
    print(tick)


if __name__ == "__main__":
    main()
