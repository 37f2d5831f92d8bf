#!/usr/bin/env python3
"""SIGINT and SIGTERM during `ferry plan run` stop it like `plan cancel`:
the VM ends cancelled with its files kept and its finished ranges
recorded, the runner lock is released, the command exits 128+signal with
one line saying so, and the next `plan run` resumes and verifies.

Cases:
  plan-interrupt/sigint    SIGINT mid-copy: exit 130, one 'interrupted by
                           SIGINT' line, VM cancelled, target kept,
                           no runner, finished ranges recorded
  plan-interrupt/resume    `plan run` again: resumes after the recorded
                           ranges, done and verified (qemu-img compare)
  plan-interrupt/sigterm   the same with SIGTERM: exit 143
  plan-interrupt/sigterm-resume   and the resume after it
"""

import os
import shutil
import signal
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import imagematrix as im  # noqa: E402
import plan_helpers as ph  # noqa: E402


def interrupt(rep, work, db, vmx, disk, plan, sig, status):
    out = os.path.join(work, "out-" + plan)
    im.succeeded(im.ferry("plan", "create", plan, "--from", "vmx:" + vmx, "--to",
                          "dir:" + out, "--db", db), "plan create")
    run = ph.start_run(db, plan)
    copying = ph.wait_copying(db, plan, run)
    run.send_signal(sig)
    try:
        _, err = run.communicate(timeout=60)
    except Exception:
        run.kill()
        _, err = run.communicate()
    name = signal.Signals(sig).name
    problems = [] if copying else ["the run never reached copying"]
    if run.returncode != status:
        problems.append("exit %r, expected %d: %s" % (run.returncode, status, err[-300:]))
    lines = [l for l in err.splitlines() if "interrupted by " + name in l
             and l.startswith("ferry: plan %s:" % plan)]
    if len(lines) != 1:
        problems.append("no single 'ferry: plan %s: interrupted by %s' line: %r"
                        % (plan, name, err[-400:]))
    p = ph.show(db, plan) or {"vms": [{}]}
    vm = p["vms"][0]
    finished = sum(d["finished-bytes"] for d in vm.get("disks", []))
    if vm.get("state") != "cancelled":
        problems.append("state %r (%r)" % (vm.get("state"), vm.get("error")))
    if p.get("runner") is not None:
        problems.append("the runner is still recorded: %r" % p.get("runner"))
    if finished == 0:
        problems.append("no finished range recorded")
    target = os.path.join(out, "big01-disk0.qcow2")
    if not os.path.exists(target):
        problems.append("the target disk was removed")
    rep.check("plan-interrupt/" + name.lower(), problems)

    r = im.ferry("plan", "run", plan, "--db", db, timeout=300)
    problems = im.succeeded(r, "plan run after " + name)
    problems += ph.check_done(db, plan, disk, out, "big01")
    d = ((ph.show(db, plan) or {"vms": [{}]})["vms"][0].get("disks") or [{}])[0]
    if d.get("last-copy", {}).get("resumed-bytes") != finished:
        problems.append("the resumed copy started after %r bytes, %d were finished"
                        % (d.get("last-copy"), finished))
    return problems


def main_body(rep):
    work = tempfile.mkdtemp(prefix="ferry-plan-int-", dir=os.environ.get("TMPDIR"))
    try:
        db = os.path.join(work, "state", "ferry.db")
        vmx, disk = ph.make_slow_vm(os.path.join(work, "src"), "big01")
        rep.check("plan-interrupt/resume",
                  interrupt(rep, work, db, vmx, disk, "int", signal.SIGINT, 130))
        rep.check("plan-interrupt/sigterm-resume",
                  interrupt(rep, work, db, vmx, disk, "term", signal.SIGTERM, 143))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    im.main("plan run interrupted by a signal", main_body)
