#!/usr/bin/env python3
"""live.py: ferry live migrate next to plain `virsh migrate --live`.

Starts two libvirt hosts on this machine (tests/libvirt/start-hosts.sh) and
a TCG guest of BENCH_LIVE_MEMORY MiB (default 512) that keeps rewriting
part of its memory (tests/libvirt/busy-guest.sh).  Its disk sits in a
directory both hosts hold as the pool "shared", as an NFS export would be.
Then, for each workload, the guest moves back and forth BENCH_RUNS times
(default 3) with each tool, the tools alternating:

  ferry   ferry live migrate DOMAIN --to OTHER          (ferry's defaults)
  virsh   virsh migrate --live --persistent --undefinesource DOMAIN URI
          (libvirt's defaults; plus --unsafe and --migrateuri tcp://127.0.0.1,
          which two hosts on one machine need: see tests/libvirt/README.md)

and it prints the median wall time of the command, the migration time and
the downtime that QEMU measured (the destination's completed job), the
memory sent, and virsh's time divided by ferry's.  A migration still
running after BENCH_LIVE_TIMEOUT seconds (default 120) is aborted and
counted as "did not converge"; the guest then stays where it was.

BENCH_LIVE_WORKLOADS lists workloads as MIB:PAUSE (default "64:1,320:0"):
rewrite MIB MiB of memory, rest PAUSE seconds, again.  The guest's real
dirtying rate is measured from its tick counter before the migrations and
printed with the table.  Under TCG the guest, QEMU's migration thread and
the tools share this machine's CPUs, so the figures compare the tools with
each other on one machine; they are not what KVM hosts on a network reach.

It never fails on a slow result: it reports.  Needs root, libvirt and QEMU;
when the hosts cannot run here it says why and exits 0.
"""
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from virsh import virsh

HERE = os.path.dirname(os.path.abspath(__file__))
LIBVIRT = os.path.join(HERE, "..", "tests", "libvirt")
FERRY = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build/ferry")
MEMORY = int(os.environ.get("BENCH_LIVE_MEMORY", "512"))
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
TIMEOUT = float(os.environ.get("BENCH_LIVE_TIMEOUT", "120"))
WORKLOADS = os.environ.get("BENCH_LIVE_WORKLOADS", "64:1,320:0")
HOSTS = ("ferry-bench-a", "ferry-bench-b")
DOMAIN = "ferrybench"
MIB = 1 << 20


def tick(uri):
    out = subprocess.run([os.path.join(LIBVIRT, "tick.py"), uri, DOMAIN],
                         capture_output=True, text=True, check=True)
    return int(out.stdout.strip())


def dirty_rate(uri, mib, seconds=10):
    """MiB/s the guest rewrites, from its tick counter over some seconds."""
    start, t0 = tick(uri), time.monotonic()
    time.sleep(seconds)
    end, t1 = tick(uri), time.monotonic()
    return (end - start) * (-(-mib // 8) * 8) / (t1 - t0)


def completed_job(uri):
    """(migration seconds, downtime ms, memory MiB) from the destination."""
    info = {}
    for line in virsh(uri, "domjobinfo", "--completed", DOMAIN).splitlines():
        key, _, value = line.partition(":")
        info[key.strip()] = value.split()
    seconds = int(info["Time elapsed"][0]) / 1000
    downtime = int(info["Total downtime"][0])
    value, unit = info["Memory processed"]
    scale = {"B": 1 / MIB, "KiB": 1 / 1024, "MiB": 1, "GiB": 1024}[unit]
    return seconds, downtime, float(value) * scale


def migrate(tool, src, dst, uris):
    """One migration src -> dst; a result dict, or None if not converged."""
    if tool == "ferry":
        cmd = [FERRY, "live", "migrate", DOMAIN, "--to", dst, "--json"]
    else:
        cmd = ["virsh", "-c", uris[src], "migrate", "--live", "--persistent",
               "--undefinesource", "--unsafe", "--migrateuri",
               "tcp://127.0.0.1", DOMAIN, uris[dst]]
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        out, err = proc.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        virsh(uris[src], "domjobabort", DOMAIN, check=False)
        proc.communicate()
        return None
    wall = time.monotonic() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{tool} {src}->{dst} failed: {err.strip()}")
    if virsh(uris[dst], "domstate", DOMAIN).strip() != "running":
        raise RuntimeError(f"{tool}: {DOMAIN} does not run on {dst}")
    seconds, downtime, memory = completed_job(uris[dst])
    result = {"wall": wall, "seconds": seconds, "downtime": downtime,
              "memory": memory, "throttle": 0}
    if tool == "ferry":
        result["throttle"] = json.loads(out)["max-throttle-percent"]
    return result


def start_guest(work, uris, mib, pause):
    raw = os.path.join(work, "guest.raw")
    disk = os.path.join(work, "shared", f"{DOMAIN}.qcow2")
    subprocess.run([os.path.join(LIBVIRT, "busy-guest.sh"), raw, "bench",
                    str(mib), str(pause)], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    subprocess.run(["qemu-img", "convert", "-f", "raw", "-O", "qcow2", raw,
                    disk], check=True)
    os.unlink(raw)
    xml = os.path.join(work, "domain.xml")
    with open(xml, "w") as f:
        subprocess.run([os.path.join(LIBVIRT, "busy-domain.sh"), DOMAIN, disk,
                        str(MEMORY), os.path.join(work, "serial.log")],
                       check=True, stdout=f)
    virsh(uris["A"], "define", xml)
    virsh(uris["A"], "start", DOMAIN)
    subprocess.run([os.path.join(LIBVIRT, "tick.py"), uris["A"], DOMAIN],
                   check=True, stdout=subprocess.DEVNULL)


def stop_guest(uris):
    for uri in uris.values():
        virsh(uri, "destroy", DOMAIN, check=False)
        virsh(uri, "undefine", DOMAIN, check=False)


def median(results, key):
    return statistics.median(r[key] for r in results)


def report(label, rate, results):
    print(f"\n## {label}: the guest rewrites {rate:.0f} MiB/s of its "
          f"{MEMORY} MiB")
    print(f"{'tool':6} {'runs':>5} {'wall s':>7} {'migr s':>7} "
          f"{'downtime ms':>11} {'sent MiB':>9} {'throttle %':>10}")
    for tool in ("ferry", "virsh"):
        done = [r for r in results[tool] if r]
        runs = f"{len(done)}/{len(results[tool])}"
        if not done:
            print(f"{tool:6} {runs:>5}  did not converge in {TIMEOUT:.0f} s")
            continue
        print(f"{tool:6} {runs:>5} {median(done, 'wall'):7.2f} "
              f"{median(done, 'seconds'):7.2f} {median(done, 'downtime'):11.0f} "
              f"{median(done, 'memory'):9.0f} "
              f"{max(r['throttle'] for r in done):10d}")
    f = [r for r in results["ferry"] if r]
    v = [r for r in results["virsh"] if r]
    if f and v:
        print(f"virsh/ferry: wall {median(v, 'wall') / median(f, 'wall'):.2f}x, "
              f"migration {median(v, 'seconds') / median(f, 'seconds'):.2f}x, "
              f"downtime {median(v, 'downtime') / max(median(f, 'downtime'), 1):.2f}x")


def main():
    for c in ("virsh", "qemu-img", "qemu-system-x86_64"):
        if shutil.which(c) is None:
            print(f"bench live: {c} is not installed (make deps); skipped")
            return 0
    if not os.access(FERRY, os.X_OK):
        print(f"bench live: {FERRY} is not built (make build)")
        return 1
    start = subprocess.run([os.path.join(LIBVIRT, "start-hosts.sh"), *HOSTS],
                           capture_output=True, text=True)
    if start.returncode == 77:
        print(f"bench live: skipped: {start.stderr.strip()}")
        return 0
    if start.returncode != 0:
        print(f"bench live: start-hosts.sh failed: {start.stderr.strip()}")
        return 1
    names = dict(zip(HOSTS, "AB"))
    uris = {names[n]: u for n, u in (l.split() for l in start.stdout.split("\n") if l)}
    work = tempfile.mkdtemp(prefix="ferry-bench-live-", dir="/var/tmp")
    os.chmod(work, 0o755)
    os.environ["FERRY_STATE_DIR"] = os.path.join(work, "state")
    try:
        shared = os.path.join(work, "shared")
        os.mkdir(shared)
        os.chmod(shared, 0o755)
        for name, uri in uris.items():
            virsh(uri, "pool-create-as", "shared", "dir", "--target", shared)
            subprocess.run([FERRY, "host", "add", name, uri], check=True,
                           stdout=subprocess.DEVNULL)
        print(f"# ferry {FERRY}, {RUNS} runs per tool, guest of {MEMORY} MiB "
              f"under TCG, hosts {HOSTS[0]} and {HOSTS[1]} on this machine")
        for workload in WORKLOADS.split(","):
            mib, pause = (int(x) for x in workload.split(":"))
            label = (f"{mib} MiB rewritten, then {pause} s rest" if pause
                     else f"{mib} MiB rewritten without rest")
            print(f"\nbench live: {label}: starting the guest ...", flush=True)
            start_guest(work, uris, mib, pause)
            rate = dirty_rate(uris["A"], mib)
            results, where = {"ferry": [], "virsh": []}, "A"
            try:
                for run in range(RUNS):
                    for tool in (("ferry", "virsh") if run % 2 == 0
                                 else ("virsh", "ferry")):
                        to = "B" if where == "A" else "A"
                        r = migrate(tool, where, to, uris)
                        results[tool].append(r)
                        if r:
                            where = to
            except RuntimeError as e:
                print(f"bench live: {e}")
            report(label, rate, results)
            stop_guest(uris)
            serial = os.path.join(work, "serial.log")
            if subprocess.run([os.path.join(LIBVIRT, "guest-healthy.sh"),
                               serial]).returncode != 0:
                print("WARNING: the guest crashed during these runs: see "
                      "tests/libvirt/README.md about QEMU 7.2 under TCG")
            os.unlink(serial)
        print("\n'wall' is the whole command (ferry's includes its pre-check); "
              "'migr' and 'downtime' are QEMU's figures.")
    finally:
        stop_guest(uris)
        subprocess.run([os.path.join(LIBVIRT, "stop-hosts.sh"), *HOSTS],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
