#!/usr/bin/env python3
"""`ferry plan create|list|show|run|cancel|delete` end to end on VMware VM
folders (a monolithicSparse base with a snapshot delta, and a flat disk).

Cases:
  plan/create              two VMs stored pending; list and show agree
  plan/create-duplicate    the same name again: exit 2, "already exists"
  plan/critical-refused    a VM with a physical RDM: refused, nothing stored
  plan/critical-forced     --force stores it; its run fails at validating
  plan/run-parallel        --parallel 2: every VM done, qemu-img compare equal,
                           report digests equal, exit 2 (the forced VM failed)
  plan/run-again-no-op     a run of a finished plan copies nothing
  plan/foreign-file        a file the plan did not create is never overwritten
  plan/show-during-run     `plan show` reads while `plan run` writes (WAL)
  plan/cancel-running      `plan cancel` stops a running copy within seconds:
                           exit 1, VM cancelled, files kept
  plan/cancel-resumes      the cancelled plan runs again and resumes
  plan/cancel-idle         cancel without a run marks pending VMs cancelled
  plan/delete              delete forgets the plan, keeps the files
  plan/json-write-error    list/show --json into a full device: exit 2,
                           one line naming the command and ENOSPC
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import imagematrix as im  # noqa: E402
from test_migrate_vmx_to_dir import make_vm  # noqa: E402
from test_plan_resume_after_kill import make_big_vm  # noqa: E402


def show(db, plan):
    r = im.ferry("plan", "show", plan, "--json", "--db", db)
    return json.loads(r.out) if r.rc == 0 else None


def vms_by_name(plan):
    return {v["name"]: v for v in (plan or {}).get("vms", [])}


def main_body(rep):
    work = tempfile.mkdtemp(prefix="ferry-plan-", dir=os.environ.get("TMPDIR"))
    try:
        run_cases(rep, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run_cases(rep, work):
    db = os.path.join(work, "state", "ferry.db")
    vmx1, disks1 = make_vm(os.path.join(work, "web01"), "web01")
    vmx2, disks2 = make_vm(os.path.join(work, "web02"), "web02")
    out = os.path.join(work, "out")

    r = im.ferry("plan", "create", "wave1", "--from", "vmx:" + vmx1, "--from", "vmx:" + vmx2,
                 "--to", "dir:" + out, "--map-network", "VM Network=default", "--db", db)
    problems = im.succeeded(r, "plan create")
    lst = im.ferry("plan", "list", "--json", "--db", db)
    plans = json.loads(lst.out) if lst.rc == 0 else []
    if len(plans) != 1 or plans[0].get("vms") != 2 or plans[0].get("states") != {"pending": 2}:
        problems.append("plan list: %r" % plans)
    p = show(db, "wave1")
    vms = vms_by_name(p)
    if set(vms) != {"web01", "web02"} or any(v["state"] != "pending" for v in vms.values()):
        problems.append("plan show: %r" % list(vms.items())[:1])
    elif vms["web01"]["bytes-total"] != (256 + 64) << 20 or len(vms["web01"]["disks"]) != 2:
        problems.append("web01 bytes-total %r" % vms["web01"]["bytes-total"])
    if os.path.exists(out):
        problems.append("create wrote to the target")
    rep.check("plan/create", problems)

    r = im.ferry("plan", "create", "wave1", "--from", "vmx:" + vmx1, "--to", "dir:" + out,
                 "--db", db)
    problems = im.clean_error(r, "duplicate create")
    if "already exists" not in r.err:
        problems.append("no 'already exists': " + r.brief())
    rep.check("plan/create-duplicate", problems)

    rdm_dir = os.path.join(work, "db01")
    vmx3, _ = make_vm(rdm_dir, "db01", 'scsi0:1.present = "TRUE"\n'
                                       'scsi0:1.fileName = "db01-rdm.vmdk"\n')
    with open(os.path.join(rdm_dir, "db01-rdm.vmdk"), "w") as f:
        f.write('# Disk DescriptorFile\nversion=1\nCID=fffffffe\nparentCID=ffffffff\n'
                'createType="vmfsPassthroughRawDeviceMap"\n'
                'RW 2097152 VMFSRAW "db01-rdmp.vmdk"\n')
    r = im.ferry("plan", "create", "wave2", "--from", "vmx:" + vmx3, "--from", "vmx:" + vmx1,
                 "--to", "dir:" + out, "--db", db)
    problems = [] if r.rc == 2 else ["exit %d, expected 2" % r.rc]
    if "critical" not in r.err or "--force" not in r.err:
        problems.append("message: " + r.brief())
    if show(db, "wave2") is not None:
        problems.append("the refused plan was stored")
    rep.check("plan/critical-refused", problems)

    r = im.ferry("plan", "create", "forced", "--from", "vmx:" + vmx3, "--to",
                 "dir:" + os.path.join(work, "out-forced"), "--force", "--db", db)
    problems = im.succeeded(r, "plan create --force")
    r = im.ferry("plan", "run", "forced", "--db", db)
    if r.rc != 2:
        problems.append("run of the forced plan: exit %d, expected 2" % r.rc)
    v = vms_by_name(show(db, "forced")).get("db01", {})
    if v.get("state") != "failed" or "critical" not in (v.get("error") or ""):
        problems.append("db01: state %r error %r" % (v.get("state"), v.get("error")))
    if os.path.exists(os.path.join(work, "out-forced", "db01-disk0.qcow2")):
        problems.append("a disk was written for a blocked VM")
    rep.check("plan/critical-forced", problems)

    r = im.ferry("plan", "run", "wave1", "--parallel", "2", "--db", db, timeout=300)
    problems = im.succeeded(r, "plan run --parallel 2")
    vms = vms_by_name(show(db, "wave1"))
    for name, disks in (("web01", disks1), ("web02", disks2)):
        v = vms.get(name, {})
        if v.get("state") != "done":
            problems.append("%s: state %r (%r)" % (name, v.get("state"), v.get("error")))
            continue
        rd = (v.get("report") or {}).get("disks", [])
        if len(rd) != 2 or any(d["source-digest"] != d["target-digest"] for d in rd):
            problems.append("%s: report digests %r" % (name, rd))
        for i, src in enumerate(disks):
            dst = os.path.join(out, "%s-disk%d.qcow2" % (name, i))
            c = im.run(["qemu-img", "compare", "-f", "vmdk", "-F", "qcow2", src, dst])
            if c.rc != 0:
                problems.append("%s disk %d: %s" % (name, i, c.out.strip()))
        with open(os.path.join(out, name + ".report.json")) as f:
            if json.load(f) != v.get("report"):
                problems.append("%s: stored report differs from the file" % name)
    if "web01: [done]" not in r.err or "web02: [done]" not in r.err:
        problems.append("no progress lines on stderr: " + r.err[-300:])
    rep.check("plan/run-parallel", problems)

    before = {f: os.path.getmtime(os.path.join(out, f)) for f in os.listdir(out)}
    r = im.ferry("plan", "run", "wave1", "--db", db)
    problems = im.succeeded(r, "second plan run")
    if "2 done" not in r.out:
        problems.append("output: " + r.out.strip())
    after = {f: os.path.getmtime(os.path.join(out, f)) for f in os.listdir(out)}
    if before != after:
        problems.append("a finished plan's files changed")
    rep.check("plan/run-again-no-op", problems)

    # Another plan for web01 into the same directory: the files are not its.
    im.ferry("plan", "create", "other", "--from", "vmx:" + vmx1, "--to", "dir:" + out,
             "--db", db)
    r = im.ferry("plan", "run", "other", "--db", db)
    problems = [] if r.rc == 2 else ["exit %d, expected 2" % r.rc]
    v = vms_by_name(show(db, "other")).get("web01", {})
    if v.get("state") != "failed" or "already exists" not in (v.get("error") or ""):
        problems.append("web01: %r %r" % (v.get("state"), v.get("error")))
    after = {f: os.path.getmtime(os.path.join(out, f)) for f in os.listdir(out)}
    if before != after:
        problems.append("files of another plan changed")
    rep.check("plan/foreign-file", problems)

    # A long copy: show while it runs, then cancel it.
    vmx4, src4 = make_big_vm(os.path.join(work, "big"), "big")
    out4 = os.path.join(work, "out-big")
    im.ferry("plan", "create", "long", "--from", "vmx:" + vmx4, "--to", "dir:" + out4,
             "--db", db)
    run = subprocess.Popen([im.ferry_path(), "plan", "run", "long", "-m", "1",
                            "--checkpoint-interval", "0.1", "--db", db],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    seen, problems, deadline = [], [], time.monotonic() + 30
    while time.monotonic() < deadline and run.poll() is None:
        p = show(db, "long")
        if p is None:
            problems.append("plan show failed while the run writes")
            break
        v = p["vms"][0]
        seen.append((v["state"], v["bytes-done"]))
        if v["state"] == "copying" and v["bytes-done"] > 0 and p["runner"]:
            break
        time.sleep(0.02)
    rep.check("plan/show-during-run", problems + ([] if seen and seen[-1][1] > 0 else
                                                  ["never saw progress: %r" % seen[-5:]]),
              "%d reads, last %r" % (len(seen), seen[-1] if seen else None))

    t0 = time.monotonic()
    c = im.ferry("plan", "cancel", "long", "--db", db)
    problems = im.succeeded(c, "plan cancel")
    try:
        _, err = run.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        run.kill()
        _, err = run.communicate()
        problems.append("the run did not stop within 20 s")
    stopped = time.monotonic() - t0
    if run.returncode != 1:
        problems.append("run exit %r, expected 1: %s" % (run.returncode, err.decode()[-300:]))
    p = show(db, "long")
    v = p["vms"][0] if p else {}
    if v.get("state") != "cancelled":
        problems.append("state %r after cancel" % v.get("state"))
    if p and p.get("runner") is not None:
        problems.append("the runner lease was not released")
    if not os.path.exists(os.path.join(out4, "big-disk0.qcow2")):
        problems.append("the cancelled run removed its disk")
    done_at_cancel = v.get("bytes-done", 0)
    runs_at_cancel = ((v.get("disks") or [{}])[0]).get("copy-runs", 0)
    rep.check("plan/cancel-running", problems, "stopped %.2fs after the request, %d MiB "
              "finished" % (stopped, done_at_cancel >> 20))

    r = im.ferry("plan", "run", "long", "--db", db, timeout=300)
    problems = im.succeeded(r, "plan run after cancel")
    p = show(db, "long")
    v = p["vms"][0] if p else {}
    d = (v.get("disks") or [{}])[0]
    if v.get("state") != "done":
        problems.append("state %r" % v.get("state"))
    if done_at_cancel == 0:
        problems.append("nothing was finished when the run was cancelled")
    elif done_at_cancel >= d.get("size", 0):
        # cancelled after the copy (in verifying): the resumed run must
        # not copy anything at all
        if d.get("copy-runs") != runs_at_cancel:
            problems.append("copied again after a complete copy: %r" % d)
    elif d.get("last-copy", {}).get("resumed-bytes", 0) < done_at_cancel:
        problems.append("did not resume: %r (finished at cancel %d)"
                        % (d.get("last-copy"), done_at_cancel))
    c = im.run(["qemu-img", "compare", "-f", "vmdk", "-F", "qcow2", src4,
                os.path.join(out4, "big-disk0.qcow2")])
    if c.rc != 0:
        problems.append("compare: " + c.out.strip())
    rep.check("plan/cancel-resumes", problems, "last copy %r" % d.get("last-copy"))

    im.ferry("plan", "create", "idle", "--from", "vmx:" + vmx2, "--to",
             "dir:" + os.path.join(work, "out-idle"), "--db", db)
    r = im.ferry("plan", "cancel", "idle", "--db", db)
    problems = im.succeeded(r, "plan cancel (idle)")
    v = vms_by_name(show(db, "idle")).get("web02", {})
    if v.get("state") != "cancelled":
        problems.append("state %r" % v.get("state"))
    rep.check("plan/cancel-idle", problems)

    r = im.ferry("plan", "delete", "wave1", "--db", db)
    problems = im.succeeded(r, "plan delete")
    if show(db, "wave1") is not None:
        problems.append("still shown after delete")
    if not os.path.exists(os.path.join(out, "web01-disk0.qcow2")):
        problems.append("delete removed target files")
    r = im.ferry("plan", "show", "wave1", "--db", db)
    problems += im.clean_error(r, "show of a deleted plan")
    rep.check("plan/delete", problems)

    problems = []
    for argv in (["plan", "list", "--json"], ["plan", "show", "idle", "--json"]):
        with open("/dev/full", "w") as full:
            w = subprocess.run([im.ferry_path()] + argv + ["--db", db], stdout=full,
                               stderr=subprocess.PIPE, text=True, timeout=60)
        lines = w.stderr.strip().splitlines()
        if w.returncode != 2 or len(lines) != 1 or "No space left" not in lines[0] \
                or not lines[0].startswith("ferry: " + " ".join(argv[:2])):
            problems.append("%s > /dev/full: exit %d, stderr %r"
                            % (" ".join(argv), w.returncode, w.stderr.strip()))
    rep.check("plan/json-write-error", problems)


if __name__ == "__main__":
    im.main("ferry plan: create, list, show, run, cancel, delete", main_body)
