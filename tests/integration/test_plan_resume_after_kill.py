#!/usr/bin/env python3
"""`ferry plan run` killed with SIGKILL at random moments, then run again,
ends with the same verified result, and never copies again what a killed
run had recorded as finished.

The VM: a monolithicSparse base of 448 MiB (random data with a 64 MiB
hole) under a snapshot delta (patterns, and a zeroed range over random
data), so resumed ranges hold data, holes and zero extents.  Each run uses
-m 1 and a short checkpoint interval so a copy takes about a second and
checkpoints several times.  The kill moments are random (the seed is
printed; FERRY_TEST_SEED replays a run): one a few milliseconds after the
start (inspect, validate, prepare), the others a random delay after the
run's first checkpoint appeared in the store (watched with `plan show`
while the run writes), so that some kills land mid-copy with finished
ranges however fast the machine is, and some in verifying.

After every kill:
  - qemu-img check of a qcow2 target finds no errors (leaked clusters
    from a killed writer are allowed: see docs/plan-state-machine.md);
  - the next run's copy starts from exactly what the store said was
    finished (last-copy resumed-bytes == finished-bytes before the run)
    and goes over only the rest (copied-bytes == size - resumed-bytes).
At the end: state done, report digests equal (the source's taken while
copying if the last run copied the whole disk, else read again), qemu-img
compare equal to the source chain, qemu-img check clean (or leaks only), and at least one
run resumed after finished ranges (bytes copied by it < disk size).

Cases:
  resume/qcow2-kill-N   one kill of the qcow2 plan at a random delay
  resume/qcow2-final    the last run completes and is verified
  resume/raw-kill-N, resume/raw-final   the same with --format raw
  resume/resumed        some run copied less than the whole disk
"""

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import imagematrix as im  # noqa: E402

MiB = 1 << 20

def make_big_vm(d, name):
    os.makedirs(d)
    raw = os.path.join(d, "base.raw")
    with open(raw, "wb") as f:
        f.truncate(448 * MiB)
        for start, end in ((0, 192), (256, 448)):
            f.seek(start * MiB)
            for _ in range(start, end, 16):
                f.write(os.urandom(16 * MiB))
    base = os.path.join(d, name + ".vmdk")
    im.qemu_img("convert", "-q", "-O", "vmdk", "-o", "subformat=monolithicSparse",
                raw, base)
    os.unlink(raw)
    delta = os.path.join(d, name + "-000001.vmdk")
    im.qemu_img("create", "-q", "-f", "vmdk", "-b", os.path.basename(base), "-F", "vmdk",
                delta)
    im.oracle("qemu-io", "-f", "vmdk", "-c", "write -P 0x33 1M 3M",
              "-c", "write -z 70M 6M", "-c", "write -P 0x44 260M 1M",
              "-c", "write -P 0x55 447M 1M", delta)
    return im.write_one_disk_vmx(d, name, delta), delta


def show(db, plan):
    r = im.ferry("plan", "show", plan, "--json", "--db", db)
    if r.rc != 0:
        raise im.SetupError("plan show: " + r.brief())
    return json.loads(r.out)


def disk_state(db, plan):
    vm = show(db, plan)["vms"][0]
    return vm, vm["disks"][0]


def check_image(path, fmt):
    """Problems reported by qemu-img check (leaks are not problems)."""
    if fmt != "qcow2":
        return []
    r = im.run(["qemu-img", "check", "--output=json", path])
    try:
        info = json.loads(r.out)
    except ValueError:
        return ["qemu-img check %s: %s" % (path, r.brief())]
    bad = info.get("corruptions", 0) + info.get("check-errors", 0)
    return ["qemu-img check: %d corruption(s)/error(s)" % bad] if bad else []


def run_plan(rep, work, ferry, fmt, delays, resumed_runs):
    name = "big" + fmt
    vmx, source = make_big_vm(os.path.join(work, name), name)
    db = os.path.join(work, "db", "ferry.db")
    out = os.path.join(work, "out-" + fmt)
    r = im.ferry("plan", "create", name, "--from", "vmx:" + vmx, "--to", "dir:" + out,
                 "--format", fmt, "--db", db)
    if r.rc != 0:
        rep.fail("resume/%s-create" % fmt, r.brief())
        return
    target = os.path.join(out, "%s-disk0.%s" % (name, fmt))
    # The copy is held to 150 MiB/s (about 3 s for the disk) so that kills
    # land inside it whatever the machine's speed.
    argv = [ferry, "plan", "run", name, "-m", "1", "--checkpoint-interval", "0.15",
            "--bandwidth", "150", "--db", db]

    for n, kill in enumerate(delays + [None]):
        mode, delay = kill if kill else (None, None)
        vm, disk = disk_state(db, name)
        finished_before = disk["finished-bytes"]
        runs_before = disk["copy-runs"]
        state_before = vm["state"]
        p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if mode == "after-checkpoint":
            deadline = time.monotonic() + 60
            while p.poll() is None and time.monotonic() < deadline:
                if disk_state(db, name)[1]["finished-bytes"] > finished_before:
                    break
                time.sleep(0.01)
        if delay is not None:
            time.sleep(delay)
            p.send_signal(signal.SIGKILL)
        _, err = p.communicate(timeout=120)
        vm, disk = disk_state(db, name)
        case = "resume/%s-%s" % (fmt, "final" if delay is None else "kill-%d" % n)
        problems = []
        if delay is None and p.returncode != 0:
            problems.append("last run: exit %d: %s" % (p.returncode, err.decode()[-300:]))
        if disk["copy-runs"] > runs_before:
            last = disk["last-copy"]
            if last["resumed-bytes"] != finished_before:
                problems.append("run resumed after %d bytes, the store had %d finished"
                                % (last["resumed-bytes"], finished_before))
            if last["resumed-bytes"] + last["copied-bytes"] != disk["size"]:
                problems.append("resumed %d + copied %d != size %d" % (
                    last["resumed-bytes"], last["copied-bytes"], disk["size"]))
            if last["resumed-bytes"] > 0:
                resumed_runs.append((fmt, n, last["resumed-bytes"], last["copied-bytes"]))
        if disk["finished-bytes"] < finished_before:
            problems.append("finished bytes went down: %d -> %d"
                            % (finished_before, disk["finished-bytes"]))
        if os.path.exists(target):
            problems += check_image(target, fmt)
        detail = "%s, was %s, now %s, finished %d/%d MiB" % (
            "no kill" if delay is None else "kill %.2fs after %s" % (delay, "the start" if mode == "start" else "its first checkpoint"),
            state_before,
            vm["state"], disk["finished-bytes"] // MiB, disk["size"] // MiB)
        if delay is None:
            report = vm.get("report") or {}
            rd = (report.get("disks") or [{}])[0]
            if vm["state"] != "done" or report.get("result") != "verified":
                problems.append("state %s, result %r" % (vm["state"], report.get("result")))
            if not rd.get("source-digest") or rd.get("source-digest") != rd.get("target-digest"):
                problems.append("report digests differ: %r" % rd)
            if disk.get("source-digest") != disk.get("target-digest"):
                problems.append("stored digests differ")
            # The source's digest comes from the copy only when this run
            # copied the whole disk; a resumed copy reads the source again.
            whole = disk["copy-runs"] > runs_before and disk["last-copy"]["resumed-bytes"] == 0
            want_from = "copy" if whole else "second read"
            if rd.get("source-digest-from") != want_from:
                problems.append("source digest from %r, expected %r"
                                % (rd.get("source-digest-from"), want_from))
            c = im.run(["qemu-img", "compare", "-f", "vmdk", "-F", fmt, source, target])
            if c.rc != 0:
                problems.append("qemu-img compare: " + c.out.strip()[:200])
        rep.check(case, problems, detail)
        if delay is None:
            break


def main_body(rep):
    seed = int(os.environ.get("FERRY_TEST_SEED") or random.randrange(1 << 30))
    rng = random.Random(seed)
    print("# seed %d (FERRY_TEST_SEED to replay)" % seed, flush=True)
    work = tempfile.mkdtemp(prefix="ferry-plan-resume-", dir=os.environ.get("TMPDIR"))
    resumed = []
    try:
        # very early (inspect/prepare), then spread over copy and verify
        qcow2_delays = [("start", rng.uniform(0.005, 0.05)),
                        ("after-checkpoint", rng.uniform(0, 0.3)),
                        ("after-checkpoint", rng.uniform(0, 0.3)),
                        ("start", rng.uniform(0.1, 0.6)),
                        ("after-checkpoint", rng.uniform(0.1, 0.6))]
        raw_delays = [("after-checkpoint", rng.uniform(0, 0.3)),
                      ("start", rng.uniform(0.1, 0.8))]
        run_plan(rep, work, im.ferry_path(), "qcow2", qcow2_delays, resumed)
        run_plan(rep, work, im.ferry_path(), "raw", raw_delays, resumed)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    rep.check("resume/resumed", [] if resumed else
              ["no run resumed after finished ranges: the kills came too early or too late"],
              "; ".join("%s run %d: skipped %d MiB, copied %d MiB" % (f, n, a // MiB, b // MiB)
                        for f, n, a, b in resumed))


if __name__ == "__main__":
    im.main("ferry plan run: resume after SIGKILL", main_body)
