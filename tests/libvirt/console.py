#!/usr/bin/env python3
"""console.py: read a libvirt domain's serial console until a text appears.

Usage: console.py [--uri URI] [--timeout S] [--log FILE] [--wait-start]
                  DOMAIN EXPECT

Runs `virsh console --force DOMAIN` on a pseudo-terminal (virsh insists on
one) and copies what the guest prints to --log (and to stdout with -v)
until EXPECT appears: exit 0.  Exit 1 on timeout, or when the console
closes (the guest powered off) before EXPECT was seen.

QEMU drops serial output while nobody holds the pty, so the reader must be
attached before the guest prints: with --wait-start it polls until the
domain runs and attaches at once (start it in the background, e.g. with
`ferry migrate --start`, after this reader), which closes the gap to a
fraction of a second; the test guest prints its marker seconds after
start.

Must never: change the domain (it only reads), or leave virsh running.
"""
import argparse
import os
import pty
import select
import signal
import subprocess
import sys
import time


def domain_running(uri, name):
    r = subprocess.run(["virsh", "-c", uri, "domstate", name],
                       capture_output=True, text=True)
    return r.returncode == 0 and r.stdout.strip() == "running"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--uri", default="qemu:///system")
    ap.add_argument("--timeout", type=float, default=180)
    ap.add_argument("--log")
    ap.add_argument("--wait-start", action="store_true")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("domain")
    ap.add_argument("expect")
    a = ap.parse_args()

    deadline = time.monotonic() + a.timeout
    if a.wait_start:
        while not domain_running(a.uri, a.domain):
            if time.monotonic() > deadline:
                print("console: %s never ran" % a.domain, file=sys.stderr)
                return 1
            time.sleep(0.05)

    pid, fd = pty.fork()
    if pid == 0:
        os.execvp("virsh", ["virsh", "-c", a.uri, "console", "--force",
                            a.domain])
    seen = b""
    log = open(a.log, "wb") if a.log else None
    found = False
    try:
        while time.monotonic() < deadline:
            r, _, _ = select.select([fd], [], [], 0.5)
            if not r:
                continue
            try:
                chunk = os.read(fd, 4096)
            except OSError:      # EIO: virsh exited, the pty closed
                break
            if not chunk:
                break
            seen += chunk
            if log:
                log.write(chunk)
                log.flush()
            if a.verbose:
                sys.stdout.buffer.write(chunk)
                sys.stdout.flush()
            if a.expect.encode() in seen:
                found = True
                break
    finally:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        os.waitpid(pid, 0)
        os.close(fd)
        if log:
            log.close()
    if not found:
        tail = seen[-2000:].decode("utf-8", "replace")
        print("console: %r did not appear on %s's console; it printed:\n%s"
              % (a.expect, a.domain, tail), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
