#!/usr/bin/env python3
"""warm.py: a warm migration of a running, writing guest, next to the cold
migration people would do instead (shut down, `qemu-img convert`).

Starts one libvirt host on this machine (tests/libvirt/start-hosts.sh) and,
for each writing rate of BENCH_WARM_RATES (MiB/s, default "1,8,32"), a TCG
guest (tests/libvirt/writer-guest.sh) with a data disk of BENCH_WARM_GIB
GiB (default 4, qcow2 v3, its first BENCH_WARM_FILL_GIB GiB written before
it starts, default 1) that writes distinct random blocks to it all the
time.  Then:

  warm  ferry plan create --mode warm --interval BENCH_WARM_INTERVAL (20 s)
        --shutdown-timeout 5s; plan run; after BENCH_WARM_SYNCS (3) syncs,
        the predicted downtime is read and plan cutover asked for
  cold  the same guest, started again: shut down (the same 5 s timeout,
        then powered off) and qemu-img convert of both disks to qcow2;
        then qemu-img compare of each copy, timed apart (a cold migration
        that checks its copy, as ferry's cold migration does)

It prints, per rate: the rate the guest really wrote (from its counter),
each sync's bytes changed and copied and their ratio (goal: at most 1.1x at
the bitmap's 64 KiB granularity), the cutover's phases, the predicted
against the measured downtime (goal: within 30%; the rates share one
store, so from the second on the prediction uses the shutdown and
verification costs the earlier cutovers measured, as in a wave of
migrations), and the cold downtime divided by the warm one.  Under TCG the guest, QEMU and ferry share this
machine's two CPUs: the figures compare the two ways on one machine.

It never fails on a slow result: it reports.  Needs root, libvirt and QEMU;
when the host cannot run here it says why and exits 0.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

from virsh import virsh

HERE = os.path.dirname(os.path.abspath(__file__))
LIBVIRT = os.path.join(HERE, "..", "tests", "libvirt")
FERRY = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build/ferry")
RATES = [int(r) for r in os.environ.get("BENCH_WARM_RATES", "1,8,32").split(",")]
GIB = int(os.environ.get("BENCH_WARM_GIB", "4"))
FILL_GIB = int(os.environ.get("BENCH_WARM_FILL_GIB", "1"))
INTERVAL = os.environ.get("BENCH_WARM_INTERVAL", "20s")
SYNCS = int(os.environ.get("BENCH_WARM_SYNCS", "3"))
SHUTDOWN = "5s"
TIMEOUT_S = 5.0
HOST = "ferry-bench-warm"
DOMAIN = "ferrybenchwarm"
MIB = 1 << 20


def run(*cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)


def ticks(work):
    try:
        with open(os.path.join(work, "serial.log"), "rb") as f:
            found = re.findall(rb"FERRY-WARM-TICK (\d+)", f.read())
    except FileNotFoundError:
        return 0
    return int(found[-1]) if found else 0


def start_guest(work, uri, rate):
    """The writer guest at rate MiB/s; the MiB/s it really writes."""
    disks = os.path.join(work, "disks")
    os.makedirs(disks, exist_ok=True)
    os.chmod(disks, 0o755)
    unit = 64 if rate <= 2 else 1024          # KiB per block written
    raw = os.path.join(work, "boot.raw")
    run(os.path.join(LIBVIRT, "writer-guest.sh"), raw, "bench", str(rate * 1024),
        str(unit), "1")
    boot, data = os.path.join(disks, "boot.qcow2"), os.path.join(disks, "data.qcow2")
    for p in (boot, data):
        if os.path.exists(p):
            os.unlink(p)
    run("qemu-img", "convert", "-f", "raw", "-O", "qcow2", "-o", "compat=1.1", raw, boot)
    run("qemu-img", "create", "-f", "qcow2", "-o", "compat=1.1", data, f"{GIB}G")
    if FILL_GIB:
        run("qemu-io", "-f", "qcow2", "-c", f"write -P 0x5a 1M {FILL_GIB}G", data)
    for p in (boot, data):
        os.chmod(p, 0o666)
    open(os.path.join(work, "serial.log"), "w").close()
    xml = os.path.join(work, "domain.xml")
    with open(xml, "w") as f:
        subprocess.run([os.path.join(LIBVIRT, "busy-domain.sh"), DOMAIN, boot,
                        "256", os.path.join(work, "serial.log")], check=True,
                       stdout=f, env={**os.environ, "DATA_DISK": data})
    virsh(uri, "define", xml)
    virsh(uri, "start", DOMAIN)
    deadline = time.monotonic() + 180
    while ticks(work) < 2:
        if time.monotonic() > deadline:
            raise RuntimeError("the writer guest never ticked")
        time.sleep(1)
    t0, n0 = time.monotonic(), ticks(work)
    time.sleep(15)
    n1 = ticks(work)
    written = -(-rate * 1024 // unit) * unit / 1024     # MiB per round
    return (n1 - n0) * written / (time.monotonic() - t0)


def stop_guest(uri):
    virsh(uri, "destroy", DOMAIN, check=False)
    virsh(uri, "undefine", DOMAIN, "--checkpoints-metadata", check=False)


def show(name):
    return json.loads(run(FERRY, "plan", "show", name, "--json").stdout)["vms"][0]


def warm(work, name):
    out = os.path.join(work, "out-" + name)
    run(FERRY, "plan", "create", name, "--mode", "warm", "--from",
        f"kvm:A/{DOMAIN}", "--to", f"dir:{out}", "--interval", INTERVAL,
        "--shutdown-timeout", SHUTDOWN)
    proc = subprocess.Popen([FERRY, "plan", "run", name],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)
    deadline = time.monotonic() + 3600
    while True:
        vm = show(name)
        done = [s for s in vm["syncs"] if s["seconds"] > 0 and s["index"] >= 1]
        if len(done) >= SYNCS:
            break
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"warm {name}: {proc.stderr.read().strip()}")
        time.sleep(2)
    predicted = vm["predicted-downtime-seconds"]
    run(FERRY, "plan", "cutover", name)
    proc.wait(timeout=3600)
    vm = show(name)
    if vm["state"] != "done":
        raise RuntimeError(f"warm {name}: {vm['state']}: {vm.get('error')}")
    return vm, predicted


def cold(work, uri):
    """Shutdown (timeout, then off) + qemu-img convert of both disks, and
    the time of qemu-img compare on top (a cold migration that checks its
    copy, as ferry's does)."""
    t0 = time.monotonic()
    virsh(uri, "shutdown", DOMAIN, check=False)
    end = time.monotonic() + TIMEOUT_S
    while time.monotonic() < end:
        if virsh(uri, "domstate", DOMAIN).strip() == "shut off":
            break
        time.sleep(0.2)
    else:
        virsh(uri, "destroy", DOMAIN)
    stopped = time.monotonic() - t0
    compare = 0.0
    for d in ("boot", "data"):
        src = os.path.join(work, "disks", d + ".qcow2")
        dst = os.path.join(work, f"cold-{d}.qcow2")
        run("qemu-img", "convert", "-f", "qcow2", "-O", "qcow2", src, dst)
        t1 = time.monotonic()
        run("qemu-img", "compare", "-f", "qcow2", "-F", "qcow2", src, dst)
        compare += time.monotonic() - t1
        os.unlink(dst)
    return stopped, time.monotonic() - t0 - compare, compare


def report(rate, real, vm, predicted, learned, cold_s, compare_s):
    print(f"\n## the guest writes {rate} MiB/s (measured {real:.1f} MiB/s) "
          f"to a {GIB} GiB disk")
    print(f"{'sync':>4} {'seconds':>8} {'changed MiB':>12} {'copied MiB':>11} "
          f"{'copied/changed':>15}")
    for s in vm["syncs"]:
        ch, co = s["bytes-changed"] / MIB, s["bytes-copied"] / MIB
        label = "seed" if s["index"] == 0 else "final" if s.get("final") else s["index"]
        print(f"{label:>4} {s['seconds']:8.1f} {ch:12.1f} {co:11.1f} "
              f"{(co / ch if ch else 0):15.2f}")
    d = vm["downtime"]
    print("downtime: " + ", ".join(f"{k[:-8]} {v:.1f} s" for k, v in d.items()
                                   if k.endswith("-seconds"))
          + f" ({d['verified-bytes'] / MIB:.0f} MiB verified)")
    total = d["total-seconds"]
    if predicted is not None and predicted > 0:
        basis = ("the step costs learned from the cutovers before it"
                 if learned else "guessed step costs: the store's first cutover")
        print(f"predicted {predicted:.1f} s, measured {total:.1f} s: "
              f"{(predicted - total) / total * 100:+.0f}% ({basis})")
    checked = cold_s + compare_s
    print(f"cold: shutdown + qemu-img convert {cold_s:.1f} s, with qemu-img "
          f"compare {checked:.1f} s; cold/warm downtime {cold_s / total:.1f}x, "
          f"checked {checked / total:.1f}x")


def main():
    for c in ("virsh", "qemu-img", "qemu-io", "qemu-system-x86_64"):
        if shutil.which(c) is None:
            print(f"bench warm: {c} is not installed (make deps); skipped")
            return 0
    if not os.access(FERRY, os.X_OK):
        print(f"bench warm: {FERRY} is not built (make build)")
        return 1
    start = subprocess.run([os.path.join(LIBVIRT, "start-hosts.sh"), HOST],
                           capture_output=True, text=True)
    if start.returncode == 77:
        print(f"bench warm: skipped: {start.stderr.strip()}")
        return 0
    if start.returncode != 0:
        print(f"bench warm: start-hosts.sh failed: {start.stderr.strip()}")
        return 1
    uri = start.stdout.split()[1]
    work = tempfile.mkdtemp(prefix="ferry-bench-warm-", dir="/var/tmp")
    os.chmod(work, 0o755)
    os.environ["FERRY_STATE_DIR"] = os.path.join(work, "state")
    try:
        run(FERRY, "host", "add", "A", uri)
        print(f"# ferry {FERRY}: warm against cold, a {GIB} GiB data disk with "
              f"{FILL_GIB} GiB written, syncs every {INTERVAL}, {SYNCS} syncs "
              f"before the cutover, shutdown timeout {SHUTDOWN}")
        for n, rate in enumerate(RATES):
            real = start_guest(work, uri, rate)
            vm, predicted = warm(work, f"bench{rate}")
            virsh(uri, "start", DOMAIN)            # the same VM, cold
            time.sleep(10)
            _, cold_s, compare_s = cold(work, uri)
            stop_guest(uri)
            report(rate, real, vm, predicted, n > 0, cold_s, compare_s)
    finally:
        stop_guest(uri)
        subprocess.run([os.path.join(LIBVIRT, "stop-hosts.sh"), HOST])
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
