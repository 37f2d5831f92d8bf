#!/usr/bin/env python3
"""A `plan run` killed while it created a target image never wedges the
plan: an empty or torn image at a path the plan claimed, with no finished
range recorded, is made again, and a temporary left by a killed creation
is ignored (never taken for the image).

The killed run is reproduced exactly in the store (as a run killed in
preparing leaves it: the names decided, the disks claimed, state
preparing) with sqlite3, and in the target directory: disk 0 an empty
file, disk 1 the first 100 bytes of an image of the plan's format (qcow2)
or half of its size (raw), and a leftover ".NAME.ferry-new-..." temporary
holding garbage.

Cases:
  plan-torn/qcow2   the next `plan run` succeeds: done, digests equal,
                    qemu-img compare equal for both disks, the leftover
                    temporary untouched
  plan-torn/raw     the same with --format raw
"""

import os
import shutil
import sqlite3
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import imagematrix as im  # noqa: E402
import plan_helpers as ph  # noqa: E402
from test_migrate_vmx_to_dir import make_vm  # noqa: E402


def killed_in_preparing(db, plan, out, name, fmt):
    """The store as a run killed while creating the images leaves it."""
    paths = [os.path.join(out, "%s-disk%d.%s" % (name, i, fmt)) for i in range(2)]
    with sqlite3.connect(db) as c:
        vm_id, = c.execute("SELECT v.id FROM plan_vms v JOIN plans p ON p.id = v.plan_id"
                           " WHERE p.name = ?", (plan,)).fetchone()
        c.execute("UPDATE plan_vms SET state = 'preparing', xml_path = ?, report_path = ?"
                  " WHERE id = ?", (os.path.join(out, name + ".xml"),
                                    os.path.join(out, name + ".report.json"), vm_id))
        for i, p in enumerate(paths):
            c.execute("UPDATE disks SET target_path = ?, target_created = 1"
                      " WHERE vm_id = ? AND idx = ?", (p, vm_id, i))
    return paths


def check_format(rep, work, fmt):
    db = os.path.join(work, "state", "ferry.db")
    vmx, disks = make_vm(os.path.join(work, "src-" + fmt), "web01")
    out = os.path.join(work, "out-" + fmt)
    problems = im.succeeded(im.ferry("plan", "create", fmt, "--from", "vmx:" + vmx, "--to",
                                     "dir:" + out, "--format", fmt, "--db", db),
                            "plan create")
    paths = killed_in_preparing(db, fmt, out, "web01", fmt)
    os.makedirs(out)
    open(paths[0], "w").close()
    scratch = os.path.join(work, "scratch." + fmt)
    im.qemu_img("create", "-q", "-f", fmt, scratch, "64M")
    with open(scratch, "rb") as f:
        whole = f.read() if fmt == "qcow2" else None
    with open(paths[1], "wb") as f:
        if fmt == "qcow2":
            f.write(whole[:100])
        else:
            f.truncate(32 << 20)
    leftover = os.path.join(out, ".web01-disk0.%s.ferry-new-4242-1" % fmt)
    with open(leftover, "wb") as f:
        f.write(b"not an image" * 100)

    r = im.ferry("plan", "run", fmt, "--db", db, timeout=300)
    problems += im.succeeded(r, "plan run after a killed creation")
    vm = (ph.show(db, fmt) or {"vms": [{}]})["vms"][0]
    if vm.get("state") != "done":
        problems.append("state %r (%r)" % (vm.get("state"), vm.get("error")))
    else:
        for d in vm["disks"]:
            if not d["verified"]:
                problems.append("disk %d not verified" % d["index"])
        for src, dst in zip(disks, paths):
            c = im.run(["qemu-img", "compare", "-f", "vmdk", "-F", fmt, src, dst])
            if c.rc != 0:
                problems.append("%s: qemu-img compare: %s" % (dst, c.out.strip()))
    with open(leftover, "rb") as f:
        if f.read() != b"not an image" * 100:
            problems.append("the leftover temporary was touched")
    rep.check("plan-torn/" + fmt, problems)


def main_body(rep):
    work = tempfile.mkdtemp(prefix="ferry-plan-torn-", dir=os.environ.get("TMPDIR"))
    try:
        check_format(rep, work, "qcow2")
        check_format(rep, work, "raw")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    im.main("plan run after a killed image creation", main_body)
