#!/usr/bin/env python3
"""convert.py: ferry convert next to qemu-img convert and nbdcopy.

Generates the inputs once (a VMDK monolithicSparse, a VMDK streamOptimized,
a dynamic VHDX and a qcow2, all of BENCH_SIZE virtual bytes holding a mix of random,
repetitive and zero data), then converts each to qcow2 and to raw on tmpfs
with every tool, BENCH_RUNS times, alternating tools so that no tool always
runs on a warm or cold machine.  Two parallel dd writers of the same number
of bytes onto the same file system give the physical limit; two dd writers
into one file, and one dd writer, give the limit of writing one file, which
is what a converter does.

Prints a table of median seconds, MB/s (allocated bytes / time), peak RSS
of the converting process, and ferry's speed-up over each tool.  It never
fails on a slow result: it reports.

Environment: BENCH_SIZE (default 4G), BENCH_RUNS (default 3),
BENCH_INPUTS (comma-separated input names, default all: vmdk-sparse,
vmdk-stream, vhdx, qcow2),
BENCH_DIR (default a directory under /dev/shm), BENCH_DISK_DIR (a directory
on a real disk for the extra disk run; default: skipped unless set).
"""
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

FERRY = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build/ferry")
SIZE = os.environ.get("BENCH_SIZE", "4G")
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
MIB = 1 << 20
INPUTS = (("vmdk-sparse", "vmdk", ["-o", "subformat=monolithicSparse"]),
          ("vmdk-stream", "vmdk", ["-o", "subformat=streamOptimized"]),
          ("vhdx", "vhdx", ["-o", "subformat=dynamic"]),
          ("qcow2", "qcow2", []))
SELECTED = os.environ.get("BENCH_INPUTS", ",".join(i[0] for i in INPUTS)).split(",")


def parse_size(s):
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    return int(s[:-1]) * units[s[-1].upper()] if s[-1].upper() in units else int(s)


def run(cmd):
    """Run cmd; return (seconds, peak RSS in KiB of the command itself).

    The RSS comes from GNU time, not from wait4() here: a child forked from
    this Python process would be charged with the parent's pages."""
    with tempfile.NamedTemporaryFile(mode="r") as rss:
        start = time.monotonic()
        proc = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", rss.name, *cmd],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        elapsed = time.monotonic() - start
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}): "
                               f"{proc.stderr.decode(errors='replace').strip()}")
        return elapsed, int(rss.read().split()[-1])


def make_inputs(work):
    """A raw master with a realistic mix, then the benchmark inputs."""
    size = parse_size(SIZE)
    master = os.path.join(work, "master.raw")
    with open(master, "wb") as f:
        f.truncate(size)
        chunk = 64 * MIB
        pattern = (b"ferry benchmark: a repetitive but non-zero text block\n" * 1300)[:MIB]
        # about 60% of the disk allocated: random, repetitive and zero
        # chunks in turn, leaving every fifth chunk a hole
        for i, off in enumerate(range(0, size, chunk)):
            kind = i % 5
            if kind == 4:
                continue
            f.seek(off)
            n = min(chunk, size - off)
            if kind in (0, 1):
                f.write(os.urandom(n))
            elif kind == 2:
                f.write(pattern * (n // MIB))
            else:
                f.write(bytes(n // 2) + os.urandom(n // 2))
    inputs = {}
    for name, fmt, opts in INPUTS:
        if name not in SELECTED:
            continue
        path = os.path.join(work, f"in-{name}.{fmt}")
        subprocess.run(["qemu-img", "convert", "-f", "raw", "-O", fmt, *opts, master, path],
                       check=True)
        inputs[name] = (path, fmt)
    allocated = allocated_bytes(master)
    os.unlink(master)
    return inputs, allocated


def allocated_bytes(path):
    out = subprocess.run([FERRY, "map", "--json", path], check=True,
                         capture_output=True, text=True).stdout
    return sum(e["length"] for e in json.loads(out) if e["data"])


def tools(src, fmt, out_fmt, dst):
    """Commands to convert src to dst, per tool; each creates dst itself or
    has it prepared by `prepare`."""
    nbd_dst = (["[", "qemu-nbd", "-f", "qcow2", dst, "]"] if out_fmt == "qcow2" else [dst])
    return {
        "ferry": ([FERRY, "convert", "-f", fmt, "-O", out_fmt, src, dst], None),
        "qemu-img": (["qemu-img", "convert", "-f", fmt, "-O", out_fmt, src, dst], None),
        "qemu-img -W -m16": (["qemu-img", "convert", "-W", "-m", "16", "-f", fmt,
                              "-O", out_fmt, src, dst], None),
        "nbdcopy": (["nbdcopy", "--", "[", "qemu-nbd", "-r", "-f", fmt, src, "]", *nbd_dst],
                    out_fmt),
    }


def prepare(out_fmt, dst, size):
    if out_fmt == "qcow2":
        subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", dst, str(size)], check=True)
    else:
        with open(dst, "wb") as f:
            f.truncate(size)


def dd_writers(dst_dir, nbytes, writers, one_file):
    """dd writers in parallel, nbytes in all, each to its own file or all
    into one.  Two writers of two files give the file system's limit; a
    converter has one target, and writers of one file contend for it (on
    tmpfs, for its inode lock), so the one-file rows give the limit of
    writing one file."""
    each = max(1, nbytes // writers // MIB)
    names = [f"{dst_dir}/dd{0 if one_file else i}" for i in range(writers)]
    start = time.monotonic()
    procs = [subprocess.Popen(["dd", "if=/dev/zero", f"of={name}", "bs=1M",
                               f"seek={i * each if one_file else 0}",
                               f"count={each}", "conv=notrunc,fdatasync"],
                              stderr=subprocess.DEVNULL)
             for i, name in enumerate(names)]
    for p in procs:
        p.wait()
    elapsed = time.monotonic() - start
    for name in set(names):
        os.unlink(name)
    return elapsed


# The physical limits measured next to the tools: (label, writers, one file).
DD_ROWS = (("2 x dd", 2, False), ("2 x dd, 1 file", 2, True), ("1 x dd", 1, True))


def bench(inputs, allocated, out_dir, label):
    print(f"\n## {label}: {SIZE} virtual, {allocated / 1e9:.2f} GB allocated, "
          f"median of {RUNS} runs\n")
    print(f"{'input':12} {'out':6} {'tool':18} {'seconds':>8} {'MB/s':>8} "
          f"{'RSS MiB':>8} {'ferry x':>8}")
    size = parse_size(SIZE)
    for name, (src, fmt) in inputs.items():
        for out_fmt in ("qcow2", "raw"):
            dst = os.path.join(out_dir, f"out.{out_fmt}")
            times, rss = {}, {}
            for _ in range(RUNS):
                for tool, (cmd, prep) in tools(src, fmt, out_fmt, dst).items():
                    if os.path.exists(dst):
                        os.unlink(dst)
                    if prep:
                        prepare(prep, dst, size)
                    t, r = run(cmd)
                    times.setdefault(tool, []).append(t)
                    rss[tool] = max(rss.get(tool, 0), r)
                # Without the last output still filling the file system.
                if os.path.exists(dst):
                    os.unlink(dst)
                for label, writers, one_file in DD_ROWS:
                    times.setdefault(label, []).append(
                        dd_writers(out_dir, allocated, writers, one_file))
                    rss[label] = 0
            ferry_t = statistics.median(times["ferry"])
            for tool, ts in times.items():
                t = statistics.median(ts)
                ratio = t / ferry_t
                print(f"{name:12} {out_fmt:6} {tool:18} {t:8.2f} {allocated / t / 1e6:8.0f} "
                      f"{rss[tool] / 1024:8.0f} {ratio:8.2f}")
            sys.stdout.flush()


def main():
    if shutil.which("nbdcopy") is None or shutil.which("qemu-nbd") is None:
        print("bench: nbdcopy and qemu-nbd are needed (make deps)")
        return 1
    unknown = set(SELECTED) - {i[0] for i in INPUTS}
    if unknown:
        print(f"bench: unknown BENCH_INPUTS {', '.join(sorted(unknown))}; "
              f"known: {', '.join(i[0] for i in INPUTS)}")
        return 1
    base = os.environ.get("BENCH_DIR") or ("/dev/shm" if os.path.isdir("/dev/shm") else None)
    with tempfile.TemporaryDirectory(prefix="ferry-bench-", dir=base) as work:
        print(f"bench: generating inputs in {work} ...")
        inputs, allocated = make_inputs(work)
        bench(inputs, allocated, work,
              "tmpfs" if work.startswith("/dev/shm/") else f"in {base}")
        disk_dir = os.environ.get("BENCH_DISK_DIR")
        if disk_dir:
            first = next(iter(inputs))
            with tempfile.TemporaryDirectory(prefix="ferry-bench-", dir=disk_dir) as out:
                bench({first: inputs[first]}, allocated, out, f"to disk ({disk_dir})")
    print("\n'ferry x' is each tool's time divided by ferry's: above 1, ferry is faster.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
