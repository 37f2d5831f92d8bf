#!/usr/bin/env python3
"""Warm plans on the command line, without a running guest: the options of
`plan create --mode warm`, `plan cutover`, and the warm keys of `plan show`
and `plan list`.  (A warm plan with real kvm: sources needs a running KVM
guest and is tested with libvirt; here a cold plan is turned warm in the
database where a case needs one.)

Cases:
  warm/cold-unchanged       no --mode and --mode cold: cold plans as before;
                            mode "cold" in list and show, VMs without syncs
  warm/bad-duration         --interval/--max-downtime/--shutdown-timeout with
                            a bad DURATION, --cutover with a bad TIME: exit 2,
                            one line naming the option, nothing stored
  warm/options-need-warm    a warm option without --mode warm: refused
  warm/bad-mode             --mode live: refused
  warm/vmx-refused          --mode warm --from vmx:...: refused, "comes later"
  warm/unknown-host         --mode warm --from kvm:HOST/DOMAIN with HOST not
                            registered: refused, naming ferry host add
  warm/kvm-needs-warm       a kvm: source in a cold plan: refused, naming
                            --mode warm
  cutover/cold-refused      plan cutover of a cold plan: refused, unchanged
  cutover/unknown-vm        plan cutover of a VM the plan lacks: refused
  cutover/bad-time          --at with a bad TIME: refused
  cutover/live-runner       a live runner holds the plan: the request is
                            recorded (cutover-at in show) and left to it
  show/warm-keys            plan show --json of a warm VM with a sync and a
                            measured downtime: every documented key and value;
                            the human show prints the syncs and phases
"""

import calendar
import fcntl
import json
import os
import shutil
import sqlite3
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import imagematrix as im  # noqa: E402


def show(db, plan):
    r = im.ferry("plan", "show", plan, "--json", "--db", db)
    return json.loads(r.out) if r.rc == 0 else None


def make_small_vm(d, name):
    os.makedirs(d)
    disk = os.path.join(d, name + "-flat.vmdk")
    im.qemu_img("create", "-q", "-f", "vmdk", "-o", "subformat=monolithicFlat", disk,
                "16M")
    return im.write_one_disk_vmx(d, name, disk)


def epoch(iso):
    return calendar.timegm(time.strptime(iso, "%Y-%m-%dT%H:%M:%SZ"))


def refused(rep, case, r, words, db=None, plan=None):
    problems = im.clean_error(r, case)
    for w in words:
        if w not in r.err:
            problems.append("no %r in: %s" % (w, r.brief()))
    if db and plan and show(db, plan) is not None:
        problems.append("plan %s was stored" % plan)
    rep.check(case, problems)


def run_cases(rep, work):
    db = os.path.join(work, "state", "ferry.db")
    vmx = make_small_vm(os.path.join(work, "web01"), "web01")
    out = os.path.join(work, "out")
    src = "vmx:" + vmx

    # warm/cold-unchanged
    problems = []
    r = im.ferry("plan", "create", "c1", "--from", src, "--to", "dir:" + out, "--db", db)
    problems += im.succeeded(r, "plan create (no --mode)")
    r = im.ferry("plan", "create", "c2", "--mode", "cold", "--from", src, "--to",
                 "dir:" + out, "--db", db)
    problems += im.succeeded(r, "plan create --mode cold")
    for name in ("c1", "c2"):
        p = show(db, name) or {}
        if p.get("mode") != "cold":
            problems.append("%s: mode %r" % (name, p.get("mode")))
        if set(p.get("options", {})) != {"map-network", "map-storage", "compat", "tcg",
                                          "force"}:
            problems.append("%s: options %r" % (name, p.get("options")))
        for v in p.get("vms", [{}]):
            want = {"mode": "cold", "syncs": [], "predicted-downtime-seconds": None,
                    "cutover-at": None, "downtime": None, "state": "pending"}
            got = {k: v.get(k, "missing") for k in want}
            if got != want:
                problems.append("%s: VM %r" % (name, got))
    lst = im.ferry("plan", "list", "--json", "--db", db)
    modes = [p.get("mode") for p in json.loads(lst.out)] if lst.rc == 0 else None
    if modes != ["cold", "cold"]:
        problems.append("plan list modes %r" % modes)
    rep.check("warm/cold-unchanged", problems)

    # warm/bad-duration
    problems = []
    for opt, val, word in (("--interval", "10x", 'unknown unit "x"'),
                           ("--interval", "0", "more than 0"),
                           ("--interval", "1h30", "no unit"),
                           ("--max-downtime", "-5", "negative"),
                           ("--max-downtime", "99999999999999999999", "too long"),
                           ("--shutdown-timeout", "", "empty"),
                           ("--shutdown-timeout", "5m1h", "hours to seconds"),
                           ("--cutover", "tomorrow", "expected now"),
                           ("--cutover", "2027-02-30T10:00", "no such date"),
                           ("--cutover", "2001-01-01T00:00Z", "in the past")):
        r = im.ferry("plan", "create", "bad", "--mode", "warm", "--from", "kvm:h/web01",
                     "--to", "dir:" + out, opt, val, "--db", db)
        problems += im.clean_error(r, "%s %r" % (opt, val))
        if opt not in r.err or word not in r.err or "plan create" not in r.err:
            problems.append("%s %r: message %r lacks %r" % (opt, val, r.err.strip(), word))
    if show(db, "bad") is not None:
        problems.append("a plan was stored")
    rep.check("warm/bad-duration", problems)

    r = im.ferry("plan", "create", "bad", "--from", src, "--to", "dir:" + out,
                 "--interval", "10m", "--db", db)
    refused(rep, "warm/options-need-warm", r, ["--interval", "--mode warm"], db, "bad")

    r = im.ferry("plan", "create", "bad", "--mode", "live", "--from", src, "--to",
                 "dir:" + out, "--db", db)
    refused(rep, "warm/bad-mode", r, ["--mode", "cold or warm", "live"], db, "bad")

    r = im.ferry("plan", "create", "bad", "--mode", "warm", "--from", src, "--to",
                 "dir:" + out, "--interval", "10m", "--db", db)
    refused(rep, "warm/vmx-refused", r, [src, "warm migration from VMware",
                                         "comes later", "kvm:HOST/DOMAIN"], db, "bad")

    r = im.ferry("plan", "create", "bad", "--mode", "warm", "--from", "kvm:kvm09/web01",
                 "--to", "dir:" + out, "--db", db)
    refused(rep, "warm/unknown-host", r, ['host "kvm09" is not registered',
                                          "ferry host add kvm09"], db, "bad")

    r = im.ferry("plan", "create", "bad", "--from", "kvm:kvm09/web01", "--to",
                 "dir:" + out, "--db", db)
    refused(rep, "warm/kvm-needs-warm", r, ["kvm:kvm09/web01", "warm plans",
                                            "--mode warm"], db, "bad")

    # cutover on a cold plan
    r = im.ferry("plan", "cutover", "c1", "--db", db)
    refused(rep, "cutover/cold-refused", r, ["plan c1 is a cold plan", "--mode warm"])

    # A warm plan: c2 turned warm in the database (no running guest here).
    with sqlite3.connect(db) as c:
        c.execute("UPDATE plans SET mode = 'warm' WHERE name = 'c2'")
        plan_id = c.execute("SELECT id FROM plans WHERE name = 'c2'").fetchone()[0]
        vm_id = c.execute("SELECT id FROM plan_vms WHERE plan_id = ?",
                          (plan_id,)).fetchone()[0]
    c.close()

    r = im.ferry("plan", "cutover", "c2", "web01", "nosuch", "--db", db)
    problems = im.clean_error(r, "cutover of an unknown VM")
    if 'plan c2 has no VM called "nosuch"' not in r.err:
        problems.append("message: " + r.brief())
    if (show(db, "c2") or {}).get("vms", [{}])[0].get("cutover-at") is not None:
        problems.append("a cutover time was recorded")
    rep.check("cutover/unknown-vm", problems)

    r = im.ferry("plan", "cutover", "c2", "--at", "25:00", "--db", db)
    refused(rep, "cutover/bad-time", r, ["plan cutover", "--at", "25:00"])

    # cutover/live-runner: a lock on byte plan_id of ferry.db.lock (a POSIX
    # record lock conflicts with ferry's OFD lock) stands for a live run.
    fd = os.open(db + ".lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, plan_id)
        before = time.time()
        r = im.ferry("plan", "cutover", "c2", "--at", "+1h", "--db", db)
        problems = im.succeeded(r, "plan cutover with a live runner")
        if "the running 'plan run' performs it" not in r.out:
            problems.append("stdout: %r" % r.out)
        v = (show(db, "c2") or {}).get("vms", [{}])[0]
        at = v.get("cutover-at")
        if not at or not before + 3600 - 5 <= epoch(at) <= time.time() + 3600 + 5:
            problems.append("cutover-at %r, expected in an hour" % at)
        if v.get("state") != "pending":
            problems.append("state %r" % v.get("state"))
        rep.check("cutover/live-runner", problems)
    finally:
        os.close(fd)

    # show/warm-keys: a finished seed and a measured cutover, as the warm
    # engine records them.
    downtime = {"shutdown-seconds": 12.5, "final-sync-seconds": 3.25,
                "verify-seconds": 1, "adapt-seconds": 20, "define-seconds": 0.5,
                "boot-seconds": 30, "total-seconds": 67.25}
    with sqlite3.connect(db) as c:
        c.execute("INSERT INTO syncs (vm_id, idx, mark, is_full, is_final, started_at,"
                  " seconds, bytes_changed, bytes_copied, dirty_rate, copy_rate,"
                  " finished) VALUES (?, 0, 'ferry-c2-1', 1, 0, 1798149600, 64.5,"
                  " 16777216, 8388608, 1024.5, 130055.9, 1)", (vm_id,))
        c.execute("UPDATE plan_vms SET predicted_downtime = 41.5, downtime = ?"
                  " WHERE id = ?", (json.dumps(downtime), vm_id))
    c.close()
    p = show(db, "c2") or {}
    v = p.get("vms", [{}])[0]
    problems = []
    if p.get("mode") != "warm" or v.get("mode") != "warm":
        problems.append("mode %r / %r" % (p.get("mode"), v.get("mode")))
    want_sync = {"index": 0, "started": "2026-12-24T22:00:00Z", "seconds": 64.5,
                 "bytes-changed": 16777216, "bytes-copied": 8388608,
                 "dirty-rate": 1024.5, "copy-rate": 130055.9, "full": True,
                 "final": False}
    syncs = v.get("syncs") or [{}]
    got = {k: syncs[0].get(k, "missing") for k in want_sync}
    if len(syncs) != 1 or got != want_sync:
        problems.append("syncs %r" % syncs)
    if v.get("predicted-downtime-seconds") != 41.5:
        problems.append("predicted %r" % v.get("predicted-downtime-seconds"))
    if v.get("downtime") != downtime:
        problems.append("downtime %r" % v.get("downtime"))
    for key in ("name", "state", "bytes-total", "disks", "events", "findings"):
        if key not in v:
            problems.append("key %r gone" % key)
    r = im.ferry("plan", "show", "c2", "--db", db)
    problems += im.succeeded(r, "plan show")
    for text in ("plan c2: warm,", "predicted downtime: 41s", "syncs:",
                 "2026-12-24T22:00:00Z", "16.0 MiB", "8.0 MiB", " full",
                 "downtime: shutdown 12.5s, final sync 3.2s", "total 67.2s"):
        if text not in r.out:
            problems.append("plan show lacks %r" % text)
    rep.check("show/warm-keys", problems)


def main_body(rep):
    work = tempfile.mkdtemp(prefix="ferry-plan-warm-", dir=os.environ.get("TMPDIR"))
    try:
        run_cases(rep, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    im.main("warm plan options", main_body)
