"""Helpers of the plan tests that need a `plan run` that takes a while: a
VM whose one disk is a sparse monolithicFlat VMDK with some MiB of data
(qemu-io patterns), run with --bandwidth so that the copy lasts seconds,
and polling of `plan show --json`."""

import json
import os
import subprocess
import time

import imagematrix as im

MiB = 1 << 20

def make_slow_vm(d, name, size_mib=1024, data_mib=48):
    """d/NAME.vmx with one flat disk of size_mib MiB (sparse), data_mib MiB
    of data in 8 MiB pieces spread over it.  Returns (vmx, disk)."""
    os.makedirs(d)
    disk = os.path.join(d, name + ".vmdk")
    im.qemu_img("create", "-q", "-f", "vmdk", "-o", "subformat=monolithicFlat", disk,
                "%dM" % size_mib)
    cmds = []
    step = size_mib // (data_mib // 8)
    for i in range(data_mib // 8):
        cmds += ["-c", "write -P 0x%02x %dM 8M" % (0x10 + i, i * step)]
    im.oracle("qemu-io", "-f", "vmdk", *cmds, disk)
    return im.write_one_disk_vmx(d, name, disk), disk


def show(db, plan):
    r = im.ferry("plan", "show", plan, "--json", "--db", db)
    return json.loads(r.out) if r.rc == 0 else None


def start_run(db, plan, *extra):
    """`plan run` in the background, slowed down (-m 1, 4 MiB/s, checkpoints
    every 0.3 s)."""
    argv = [im.ferry_path(), "plan", "run", plan, "--db", db, "-m", "1",
            "--bandwidth", "4", "--checkpoint-interval", "0.3"] + list(extra)
    return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def wait_copying(db, plan, proc, timeout=60):
    """Wait until the plan's VM is copying and a checkpoint recorded bytes.
    True, or False when the run ended or the time ran out."""
    end = time.time() + timeout
    while time.time() < end and proc.poll() is None:
        p = show(db, plan)
        vm = p["vms"][0] if p else {}
        if vm.get("state") == "copying" and vm.get("bytes-done", 0) > 0:
            return True
        time.sleep(0.1)
    return False


def check_done(db, plan, disk, out, name):
    """Problems with the finished plan: state done, digests equal, the
    target equal to the source by qemu-img compare."""
    problems = []
    vm = (show(db, plan) or {"vms": [{}]})["vms"][0]
    if vm.get("state") != "done":
        return ["state %r (%r)" % (vm.get("state"), vm.get("error"))]
    for d in vm["disks"]:
        if not d["verified"] or d["source-digest"] != d["target-digest"]:
            problems.append("disk %d not verified: %r" % (d["index"], d))
    c = im.run(["qemu-img", "compare", "-f", "vmdk", disk,
                os.path.join(out, name + "-disk0.qcow2")])
    if c.rc != 0:
        problems.append("qemu-img compare: " + c.out.strip())
    return problems
