#!/usr/bin/env python3
"""Ctrl-C and a full disk: a command stopped by SIGINT or SIGTERM cleans up
through its failure path and says so, and a command whose output cannot
be written fails instead of exiting 0 with a truncated result.

Cases:
  convert/SIGINT, convert/SIGTERM  exit 128+N, one "interrupted by SIGxxx"
                                   line, the half-written target removed
  migrate/SIGINT                   exit 130, nothing left in the target
                                   directory; the same migration run again
                                   succeeds (no "already exists")
  output/<command>                 stdout on /dev/full: exit 2 and one
                                   "ferry: ..." line naming the full device
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import imagematrix as im  # noqa: E402

MiB = 1 << 20
# Large enough that the copy is still running when the signal arrives: the
# signal is sent as soon as the target file exists, and moving 1 GiB of data
# takes seconds here.
DATA = 1024 * MiB


def write_data(path, size):
    """A raw file whose every MiB holds data (not zeros: nothing to skip)."""
    block = bytes(range(256)) * (MiB // 256)
    with open(path, "wb") as f:
        for i in range(size // MiB):
            f.write(block[:-8] + i.to_bytes(8, "little"))


def interrupt(argv, watch, sig):
    """Start argv, send sig once `watch` exists (the command is then past
    its start and copying), and return (exit status, stderr)."""
    p = subprocess.Popen([str(a) for a in argv], stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not os.path.exists(watch) and p.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    if p.poll() is None:
        p.send_signal(sig)
    try:
        _, err = p.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        p.kill()
        _, err = p.communicate()
        return None, "did not stop within 120 s of the signal"
    return p.returncode, err.decode("utf-8", "replace")


def check_interrupted(rc, err, sig):
    problems = []
    name = signal.Signals(sig).name
    if rc != 128 + sig:
        problems.append("expected exit %d, got %r" % (128 + sig, rc))
    errors = [l for l in err.splitlines() if l.startswith("ferry: ")]
    if errors != ["ferry: interrupted by %s" % name]:
        problems.append("the error is not the one 'interrupted' line: %r" % err[-300:])
    return problems


def body(rep):
    work = tempfile.mkdtemp(prefix="ferry-interrupt-", dir=os.environ.get("TMPDIR"))
    try:
        src = os.path.join(work, "src.raw")
        write_data(src, DATA)

        for sig in (signal.SIGINT, signal.SIGTERM):
            dst = os.path.join(work, "dst.qcow2")
            rc, err = interrupt([im.ferry_path(), "convert", "-O", "qcow2", "-m", "1",
                                 src, dst], dst, sig)
            problems = check_interrupted(rc, err, sig)
            if os.path.exists(dst):
                problems.append("the half-written target %s is still there" % dst)
                os.unlink(dst)
            rep.check("convert/" + signal.Signals(sig).name, problems)

        vmdir = os.path.join(work, "vm")
        os.makedirs(vmdir)
        flat = os.path.join(vmdir, "big-flat.vmdk")
        os.rename(src, flat)
        with open(os.path.join(vmdir, "big.vmdk"), "w") as f:
            f.write('# Disk DescriptorFile\nversion=1\nCID=fffffffe\n'
                    'parentCID=ffffffff\ncreateType="monolithicFlat"\n\n'
                    'RW %d FLAT "big-flat.vmdk" 0\n\n'
                    'ddb.adapterType = "lsilogic"\n' % (DATA // 512))
        vmx = im.write_one_disk_vmx(vmdir, "big", "big.vmdk")
        out = os.path.join(work, "out")
        os.makedirs(out)
        rc, err = interrupt([im.ferry_path(), "migrate", "--from", "vmx:" + vmx,
                             "--to", "dir:" + out], os.path.join(out, "big-disk0.qcow2"),
                            signal.SIGINT)
        problems = check_interrupted(rc, err, signal.SIGINT)
        left = os.listdir(out)
        if left:
            problems.append("left in the target directory: %s" % left)
            shutil.rmtree(out)
            os.makedirs(out)
        again = im.ferry("migrate", "--from", "vmx:" + vmx, "--to", "dir:" + out,
                         timeout=600)
        problems += im.succeeded(again, "the same migration run again")
        rep.check("migrate/SIGINT", problems)

        small = os.path.join(work, "small.qcow2")
        im.qemu_img("create", "-q", "-f", "qcow2", small, "64M")
        for args in (["info", "--json", small], ["map", "--json", small],
                     ["hash", small], ["validate", "--json", "vmx:" + vmx]):
            with open("/dev/full", "w") as full:
                p = subprocess.run([im.ferry_path()] + args, stdout=full,
                                   stderr=subprocess.PIPE, timeout=120)
            err = p.stderr.decode("utf-8", "replace")
            problems = []
            if p.returncode != 2:
                problems.append("expected exit 2, got %d" % p.returncode)
            lines = [l for l in err.splitlines() if l.strip()]
            if len(lines) != 1 or not lines[0].startswith("ferry: ") \
                    or "No space left on device" not in lines[0]:
                problems.append("not one line naming the full device: %r" % err[:300])
            rep.check("output/" + args[0], problems)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    im.main("interrupts and output errors", body)
