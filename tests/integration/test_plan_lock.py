#!/usr/bin/env python3
"""The runner lock of a plan: one `plan run` at a time, released by the
kernel however the run ends, and a runner record alone (a pid, now reused
by an unrelated process) never blocks anything.

Cases:
  plan-lock/second-run-refused  while a `plan run` copies, a second one
                                exits 2 naming the holder (pid, host, since)
  plan-lock/delete-refused      `plan delete` is refused, naming the holder
  plan-lock/show-names-runner   `plan show --json` gives the runner's pid
  plan-lock/sigkill-released    after SIGKILL of the run, `plan run` takes
                                the plan, resumes, and verifies
  plan-lock/stale-record        a runner record naming a live unrelated
                                process (as after a reboot or pid reuse)
                                blocks neither `plan run` nor `plan delete`,
                                and `plan show` reports no runner
"""

import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import imagematrix as im  # noqa: E402
import plan_helpers as ph  # noqa: E402


def set_stale_runner(db, plan, pid):
    with sqlite3.connect(db) as c:
        c.execute("UPDATE plans SET runner_pid = ?, runner_host = ?, runner_since = ?"
                  " WHERE name = ?", (pid, socket.gethostname(), time.time() - 3600, plan))


def run_cases(rep, work):
    db = os.path.join(work, "state", "ferry.db")
    vmx, disk = ph.make_slow_vm(os.path.join(work, "src"), "big01")
    out = os.path.join(work, "out")
    im.succeeded(im.ferry("plan", "create", "p", "--from", "vmx:" + vmx, "--to", "dir:" + out,
                          "--db", db), "plan create")
    host = socket.gethostname()

    run = ph.start_run(db, "p")
    try:
        copying = ph.wait_copying(db, "p", run)
        r = im.ferry("plan", "run", "p", "--db", db)
        problems = [] if copying else ["the first run never reached copying"]
        problems += im.clean_error(r, "second plan run")
        if "process %d on %s since " % (run.pid, host) not in r.err:
            problems.append("message does not name the holder: " + r.brief())
        rep.check("plan-lock/second-run-refused", problems)

        r = im.ferry("plan", "delete", "p", "--db", db)
        problems = im.clean_error(r, "plan delete")
        if "process %d on %s" % (run.pid, host) not in r.err:
            problems.append("message does not name the holder: " + r.brief())
        if ph.show(db, "p") is None:
            problems.append("the plan was deleted")
        rep.check("plan-lock/delete-refused", problems)

        runner = (ph.show(db, "p") or {}).get("runner") or {}
        rep.check("plan-lock/show-names-runner",
                  [] if runner.get("pid") == run.pid and runner.get("host") == host
                  else ["runner %r, expected pid %d" % (runner, run.pid)])
    finally:
        run.kill()
        run.communicate()

    r = im.ferry("plan", "run", "p", "--db", db, timeout=300)
    problems = im.succeeded(r, "plan run after SIGKILL")
    problems += ph.check_done(db, "p", disk, out, "big01")
    rep.check("plan-lock/sigkill-released", problems)

    # A record naming a live process that is not a ferry run.
    out2 = os.path.join(work, "out2")
    im.succeeded(im.ferry("plan", "create", "q", "--from", "vmx:" + vmx, "--to", "dir:" + out2,
                          "--db", db), "plan create q")
    other = subprocess.Popen(["sleep", "600"])
    try:
        problems = []
        set_stale_runner(db, "q", other.pid)
        if (ph.show(db, "q") or {}).get("runner") is not None:
            problems.append("plan show reports the stale record as a runner")
        r = im.ferry("plan", "run", "q", "--db", db, timeout=300)
        problems += im.succeeded(r, "plan run with a stale record")
        problems += ph.check_done(db, "q", disk, out2, "big01")
        set_stale_runner(db, "q", other.pid)
        r = im.ferry("plan", "delete", "q", "--db", db)
        problems += im.succeeded(r, "plan delete with a stale record")
        if other.poll() is not None:
            problems.append("the unrelated process died")
        rep.check("plan-lock/stale-record", problems)
    finally:
        other.kill()
        other.wait()


def main_body(rep):
    work = tempfile.mkdtemp(prefix="ferry-plan-lock-", dir=os.environ.get("TMPDIR"))
    try:
        run_cases(rep, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    im.main("plan runner lock", main_body)
