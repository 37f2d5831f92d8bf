"""imagematrix.py: the shared half of ferry's integration tests.

Generates, with the real qemu-img and qemu-io, a matrix of disk images
(raw, qcow2 in its variants, every VMDK subformat, backing chains across
formats) in a private temporary directory, and gives the test scripts the
helpers they share: running ferry and qemu-img, telling a crash from a clean
error, comparing sparse files, normalising `map` output, reporting results.

Rules every script follows:
  - one output line per case, "ok <name>" or "FAIL <name>: <detail>";
  - exit 0 when every case passed, 1 when any failed, 77 (skip) only when
    a component it needs (qemu-img / qemu-io, libvirt, ...) is missing:
    skip() and skip_part() below, which fail the test instead when the
    environment variable FERRY_REQUIRE (a comma-separated list of
    components, or "all"; tests/README.md) names the component;
  - ferry is the binary named by $FERRY (default: build/ferry next to the
    source tree); it may be an AddressSanitizer build: a sanitizer report on
    stderr is a crash.

Set FERRY_MATRIX_FILTER=<regex> to build only the images whose name matches
(for debugging one case) and FERRY_KEEP_MATRIX=1 to keep the directory.

Python standard library only.  Never writes outside its temporary directory.
"""

import errno
import json
import os
import random
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time

KiB = 1 << 10
MiB = 1 << 20
GiB = 1 << 30

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_ROOT = os.path.dirname(os.path.dirname(HERE))

# What ferry prints when something goes wrong with a sanitizer build.  Any of
# these on stderr counts as a crash even when the exit status looks clean
# (ASan exits 1 by default, UBSan may not exit at all).
SANITIZER_MARKERS = (
    "ERROR: AddressSanitizer",
    "ERROR: LeakSanitizer",
    "SUMMARY: AddressSanitizer",
    "SUMMARY: UndefinedBehaviorSanitizer",
    "runtime error:",
    "WARNING: ThreadSanitizer",
    "WARNING: MemorySanitizer",
)

COMMAND_TIMEOUT = 120


def ferry_path():
    path = os.environ.get("FERRY") or os.path.join(SOURCE_ROOT, "build", "ferry")
    return path


def required(component):
    """Whether FERRY_REQUIRE names component (or is "all")."""
    names = os.environ.get("FERRY_REQUIRE", "").split(",")
    return "all" in names or component in names


def _missing(kind, component, why):
    if required(component):
        print("FAIL: FERRY_REQUIRE=%s requires %s, but: %s"
              % (os.environ["FERRY_REQUIRE"], component, why), flush=True)
        sys.exit(1)
    print("%s (needs %s): %s" % (kind, component, why), flush=True)


def skip(component, why):
    """The test cannot run without component: exit 77, or 1 when required."""
    _missing("SKIP", component, why)
    sys.exit(77)


def skip_part(component, why):
    """Some cases cannot run without component: say so and go on, or exit 1
    when required."""
    _missing("SKIP part", component, why)


def require_tools():
    """Skip when the oracle is missing, fail when ferry is."""
    missing = [t for t in ("qemu-img", "qemu-io") if shutil.which(t) is None]
    if missing:
        skip("qemu-img", "not installed: %s (Debian: qemu-utils)" % ", ".join(missing))
    if not os.access(ferry_path(), os.X_OK):
        print("FAIL setup: ferry binary not found at %s (set FERRY)" % ferry_path())
        sys.exit(1)


# ---------------------------------------------------------------------------
# Running programs


class Result:
    """What a command did.  rc is None when it timed out."""

    def __init__(self, argv, rc, out, err, seconds, timed_out=False):
        self.argv = argv
        self.rc = rc
        self.out = out
        self.err = err
        self.seconds = seconds
        self.timed_out = timed_out

    def crash(self):
        """A reason if this run crashed or hung, else None."""
        if self.timed_out:
            return "timed out after %.0fs" % self.seconds
        if self.rc < 0:
            return "killed by signal %d" % -self.rc
        if self.rc >= 128:
            return "exit status %d (crash)" % self.rc
        for line in self.err.splitlines():
            for marker in SANITIZER_MARKERS:
                if marker in line:
                    return "sanitizer report: " + line.strip()[:200]
        return None

    def err_lines(self):
        return [l for l in self.err.splitlines() if l.strip() != ""]

    def brief(self, limit=300):
        """The run, for a FAIL line: status and stderr, shortened."""
        status = "timeout" if self.timed_out else "exit %d" % self.rc
        err = self.err.strip().replace("\n", " | ")
        if len(err) > limit:
            err = err[:limit] + "..."
        return "%s, stderr: %r" % (status, err)


def run(argv, timeout=COMMAND_TIMEOUT, cwd=None, env=None):
    start = time.monotonic()
    try:
        p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=timeout, cwd=cwd, env=env)
    except subprocess.TimeoutExpired as e:
        return Result(argv, None, (e.stdout or b"").decode("utf-8", "replace"),
                      (e.stderr or b"").decode("utf-8", "replace"),
                      time.monotonic() - start, timed_out=True)
    except OSError as e:
        # Not started at all (e.g. the binary is being relinked): a plain
        # failure of the case, not of the script.
        return Result(argv, 126, "", "cannot run %s: %s" % (argv[0], e),
                      time.monotonic() - start)
    return Result(argv, p.returncode, p.stdout.decode("utf-8", "replace"),
                  p.stderr.decode("utf-8", "replace"), time.monotonic() - start)


def ferry(*args, timeout=COMMAND_TIMEOUT, cwd=None):
    return run([ferry_path()] + [str(a) for a in args], timeout=timeout, cwd=cwd)


class SetupError(Exception):
    """The oracle failed while building the matrix: a bug in the test."""


def oracle(*argv, cwd=None, timeout=COMMAND_TIMEOUT):
    """Run qemu-img / qemu-io; raise SetupError when it fails."""
    r = run([str(a) for a in argv], timeout=timeout, cwd=cwd)
    if r.timed_out or r.rc != 0 or "failed" in r.out:
        raise SetupError("%s: %s; stdout: %s" % (" ".join(map(str, argv)),
                                                 r.brief(), r.out.strip()[:300]))
    return r


def qemu_img(*args, cwd=None):
    return oracle("qemu-img", *args, cwd=cwd)


def qemu_json(*args):
    return json.loads(qemu_img(*args).out)


def clean_error(r, what):
    """Problems with a run that was expected to fail: exit 2 and exactly one
    line on stderr, starting "ferry: "."""
    problems = []
    crash = r.crash()
    if crash:
        return ["%s crashed: %s (%s)" % (what, crash, r.brief())]
    if r.rc != 2:
        problems.append("%s: expected exit 2, got %d" % (what, r.rc))
    lines = r.err_lines()
    if len(lines) != 1 or not lines[0].startswith("ferry: "):
        problems.append("%s: stderr is not exactly one 'ferry: ...' line: %r"
                        % (what, r.err.strip()[:300]))
    return problems


def succeeded(r, what):
    """Problems with a run that was expected to succeed (exit 0)."""
    crash = r.crash()
    if crash:
        return ["%s crashed: %s (%s)" % (what, crash, r.brief())]
    if r.rc != 0:
        return ["%s failed: %s" % (what, r.brief())]
    return []


# ---------------------------------------------------------------------------
# VM folders

ONE_DISK_VMX = """.encoding = "UTF-8"
config.version = "8"
virtualHW.version = "19"
displayName = "{name}"
guestOS = "debian11-64"
numvcpus = "1"
memSize = "512"
scsi0.present = "TRUE"
scsi0.virtualDev = "pvscsi"
scsi0:0.present = "TRUE"
scsi0:0.fileName = "{disk}"
ethernet0.present = "TRUE"
ethernet0.virtualDev = "vmxnet3"
ethernet0.networkName = "VM Network"
"""


def write_one_disk_vmx(d, name, disk):
    """d/NAME.vmx as ESXi writes it for a VM with one pvscsi disk (disk: a
    file in d) and one vmxnet3 NIC.  Returns its path."""
    vmx = os.path.join(d, name + ".vmx")
    with open(vmx, "w") as f:
        f.write(ONE_DISK_VMX.format(name=name, disk=os.path.basename(disk)))
    return vmx


# ---------------------------------------------------------------------------
# Reporting


class Reporter:
    def __init__(self, title):
        self.title = title
        self.passed = 0
        self.failed = []
        self.start = time.monotonic()
        print("# %s (ferry: %s)" % (title, ferry_path()), flush=True)

    def ok(self, name, detail=""):
        self.passed += 1
        print("ok %s%s" % (name, (": " + detail) if detail else ""), flush=True)

    def fail(self, name, detail):
        self.failed.append(name)
        print("FAIL %s: %s" % (name, detail), flush=True)

    def check(self, name, problems, detail=""):
        """ok when problems is empty, else one FAIL line listing them."""
        if problems:
            self.fail(name, "; ".join(problems))
        else:
            self.ok(name, detail)
        return not problems

    def finish(self):
        total = self.passed + len(self.failed)
        print("# %s: %d/%d passed in %.1fs" % (self.title, self.passed, total,
                                               time.monotonic() - self.start))
        if self.failed:
            print("# failed: " + " ".join(self.failed))
        sys.exit(1 if self.failed else 0)


def per_image(rep, images, fn):
    """Call fn(img) for each image; a SetupError (the oracle refused
    something about this image) fails that image only."""
    for img in images:
        try:
            fn(img)
        except SetupError as e:
            rep.fail("setup/" + img.name, str(e))


def main(title, body):
    """Common entry point: checks the tools, builds a Reporter, runs
    body(reporter) and exits with the right status.  A SetupError (the oracle
    refused something) is reported as a failure of the test itself."""
    require_tools()
    rep = Reporter(title)
    try:
        body(rep)
    except SetupError as e:
        rep.fail("setup", str(e))
    rep.finish()


# ---------------------------------------------------------------------------
# Sparse-aware file comparison


def _data_segments(fd, size):
    segs = []
    off = 0
    while off < size:
        try:
            data = os.lseek(fd, off, os.SEEK_DATA)
        except OSError as e:
            if e.errno == errno.ENXIO:
                break
            if e.errno in (errno.EINVAL, errno.EOPNOTSUPP):
                return [(0, size)]
            raise
        hole = os.lseek(fd, data, os.SEEK_HOLE)
        segs.append((data, min(hole, size)))
        off = hole
    return segs


def _merge(segs):
    out = []
    for a, b in sorted(segs):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def first_difference(path_a, path_b):
    """None when two files hold the same bytes, else a description.  Holes
    are only read where the other file has data, so comparing two sparse
    6 GiB files costs what their data costs."""
    sa, sb = os.path.getsize(path_a), os.path.getsize(path_b)
    if sa != sb:
        return "sizes differ: %d vs %d" % (sa, sb)
    with open(path_a, "rb") as fa, open(path_b, "rb") as fb:
        segs = _merge(_data_segments(fa.fileno(), sa) + _data_segments(fb.fileno(), sb))
        for start, end in segs:
            off = start
            while off < end:
                n = min(4 * MiB, end - off)
                ba = os.pread(fa.fileno(), n, off)
                bb = os.pread(fb.fileno(), n, off)
                if ba != bb:
                    for i in range(min(len(ba), len(bb))):
                        if ba[i] != bb[i]:
                            return "first differing byte at offset %d (0x%02x vs 0x%02x)" % (
                                off + i, ba[i], bb[i])
                    return "short read at offset %d" % off
                off += n
    return None


def sparse_copy(src, dst):
    """Copy a file keeping its holes (shutil.copyfile would fill them)."""
    size = os.path.getsize(src)
    with open(src, "rb") as fs, open(dst, "wb") as fd:
        fd.truncate(size)
        for start, end in _data_segments(fs.fileno(), size):
            off = start
            while off < end:
                n = min(4 * MiB, end - off)
                os.pwrite(fd.fileno(), os.pread(fs.fileno(), n, off), off)
                off += n


# ---------------------------------------------------------------------------
# Maps


MAP_KEYS = {"start", "length", "depth", "present", "zero", "data"}


def map_runs(entries, source):
    """Turn `map --output=json` entries into merged runs
    (start, end, kind, depth) with kind one of:
       "data"    some layer holds data (zero: false, data: true)
       "zero"    allocated, reads as zeros (present, zero, not data)
       "hole"    no layer allocates it (present: false)
       "either"  qemu only: present, zero: true and data: true -- an
                 allocated range that qemu knows reads as zeros (qcow2
                 preallocated zero clusters, holes in the file under a flat
                 VMDK extent).  ferry may call such a range data or zero.
    "offset" (qemu's host offset) is dropped, and adjacent runs of the same
    kind and depth are merged: qemu splits where host offsets are not
    contiguous, ferry merges by (type, depth) only."""
    runs = []
    for e in entries:
        if e["length"] == 0:        # qemu prints one empty entry for size 0
            continue
        if not e["present"]:
            kind = "hole"
        elif e["data"] and e["zero"]:
            kind = "either" if source == "qemu" else "bad(zero+data)"
        elif e["data"]:
            kind = "data"
        elif e["zero"]:
            kind = "zero"
        else:
            kind = "bad(present,!zero,!data)"
        start, end = e["start"], e["start"] + e["length"]
        if runs and runs[-1][2] == kind and runs[-1][3] == e["depth"] and runs[-1][1] == start:
            runs[-1] = (runs[-1][0], end, kind, e["depth"])
        else:
            runs.append((start, end, kind, e["depth"]))
    return runs


def check_ferry_map_shape(entries, size):
    """Problems with ferry's own map output: keys, coverage, merging."""
    problems = []
    if not isinstance(entries, list):
        return ["map output is not a JSON array"]
    pos = 0
    prev = None
    for i, e in enumerate(entries):
        if set(e.keys()) != MAP_KEYS:
            problems.append("entry %d has keys %s" % (i, sorted(e.keys())))
            break
        if e["start"] != pos:
            problems.append("entry %d starts at %d, expected %d" % (i, e["start"], pos))
            break
        if e["length"] <= 0:
            problems.append("entry %d has length %d" % (i, e["length"]))
            break
        flags = (e["present"], e["zero"], e["data"], e["depth"])
        if e["zero"] == e["data"]:
            problems.append("entry %d has zero == data (%s)" % (i, e["zero"]))
        if not e["present"] and e["data"]:
            problems.append("entry %d is data but not present" % i)
        if flags == prev:
            problems.append("entries %d and %d are not merged (same flags and depth)" % (i - 1, i))
        prev = flags
        pos += e["length"]
    if not problems and pos != size:
        problems.append("map covers %d bytes, image has %d" % (pos, size))
    return problems


def compare_runs(qemu_runs, ferry_runs, check_depth=True):
    """Differences between the two maps, merged into readable ranges."""
    cuts = sorted({r[0] for r in qemu_runs} | {r[1] for r in qemu_runs}
                  | {r[0] for r in ferry_runs} | {r[1] for r in ferry_runs})
    qi = fi = 0
    diffs = []
    for a, b in zip(cuts, cuts[1:]):
        while qi < len(qemu_runs) and qemu_runs[qi][1] <= a:
            qi += 1
        while fi < len(ferry_runs) and ferry_runs[fi][1] <= a:
            fi += 1
        q = qemu_runs[qi] if qi < len(qemu_runs) and qemu_runs[qi][0] <= a else None
        f = ferry_runs[fi] if fi < len(ferry_runs) and ferry_runs[fi][0] <= a else None
        qd = "%s@%d" % (q[2], q[3]) if q else "missing"
        fd = "%s@%d" % (f[2], f[3]) if f else "missing"
        same = q is not None and f is not None
        if same:
            if q[2] == "either":
                same = f[2] in ("data", "zero")
            else:
                same = q[2] == f[2]
            if check_depth and q[3] != f[3]:
                same = False
        if not same:
            if diffs and diffs[-1][1] == a and diffs[-1][2:] == (qd, fd):
                diffs[-1] = (diffs[-1][0], b, qd, fd)
            else:
                diffs.append((a, b, qd, fd))
    return ["[%d,%d): qemu %s, ferry %s" % d for d in diffs]


# ---------------------------------------------------------------------------
# Images


class Image:
    """One image of the matrix.

    name      unique, used in case names
    path      the top layer
    fmt       its format, as both tools name it
    size      virtual size in bytes
    chain     formats of the layers, top first
    files     every file that belongs to it (extents, backing layers)
    tags      set of words scripts select on ("big", "chain", "vmdk", ...)
    """

    def __init__(self, name, path, fmt, size, chain=None, files=None, tags=()):
        self.name = name
        self.path = path
        self.fmt = fmt
        self.size = size
        self.chain = chain or [fmt]
        self.files = files or [path]
        self.tags = set(tags)

    def __repr__(self):
        return "Image(%s)" % self.name


class Matrix:
    def __init__(self):
        base = os.environ.get("TMPDIR") or "/tmp"
        self.dir = tempfile.mkdtemp(prefix="ferry-matrix-", dir=base)
        self.images = []
        self.rng = random.Random(20240607)
        self.filter = re.compile(os.environ.get("FERRY_MATRIX_FILTER", ""))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.cleanup()

    def cleanup(self):
        if os.environ.get("FERRY_KEEP_MATRIX"):
            print("# kept %s" % self.dir)
            return
        shutil.rmtree(self.dir, ignore_errors=True)

    def path(self, name):
        return os.path.join(self.dir, name)

    def random_bytes(self, n):
        return self.rng.randbytes(n)

    def wanted(self, name):
        return self.filter.search(name) is not None

    def add(self, image):
        self.images.append(image)
        return image

    def select(self, *tags, without=()):
        return [i for i in self.images
                if all(t in i.tags for t in tags) and not (i.tags & set(without))]

    def by_name(self, name):
        for i in self.images:
            if i.name == name:
                return i
        raise KeyError(name)

    # Building blocks -------------------------------------------------------

    def raw_file(self, name, size, writes):
        """A sparse raw file: writes is a list of (offset, bytes)."""
        path = self.path(name)
        with open(path, "wb") as f:
            f.truncate(size)
            for off, data in writes:
                f.seek(off)
                f.write(data)
        return path

    def qemu_io(self, fmt, path, ops):
        """ops: ("P", pattern, off, len) writes a pattern, ("z", off, len)
        writes zeros (a zero cluster / grain where the format has them)."""
        args = ["qemu-io", "-f", fmt]
        for op in ops:
            if op[0] == "P":
                args += ["-c", "write -P 0x%02x %d %d" % (op[1], op[2], op[3])]
            elif op[0] == "z":
                args += ["-c", "write -z %d %d" % (op[1], op[2])]
            else:
                raise ValueError(op)
        args.append(path)
        if len(args) > 4:
            oracle(*args)

    def create(self, fmt, name, size, options=(), backing=None, backing_fmt=None,
               ops=()):
        path = self.path(name)
        args = ["create", "-q", "-f", fmt]
        for o in options:
            args += ["-o", o]
        if backing:
            args += ["-b", backing]
            if backing_fmt:
                args += ["-F", backing_fmt]
        args += [path, str(size)]
        qemu_img(*args, cwd=self.dir)
        self.qemu_io(fmt, path, ops)
        return path

    def convert_from(self, src, src_fmt, fmt, name, options=(), compress=False):
        path = self.path(name)
        args = ["convert", "-q", "-f", src_fmt, "-O", fmt]
        for o in options:
            args += ["-o", o]
        if compress:
            args.append("-c")
        args += [src, path]
        qemu_img(*args)
        return path


# ---------------------------------------------------------------------------
# The matrix


def qcow2_drop_backing_format(path):
    """Remove the backing-format header extension from a qcow2 file, making
    it an image "created without -F" (qemu-img >= 6.1 refuses to make those;
    older ones did, and such images are common).  The backing file name is
    not moved: it lives at backing_file_offset."""
    with open(path, "r+b") as f:
        h = f.read(65536)
        version = struct.unpack_from(">I", h, 4)[0]
        header_len = struct.unpack_from(">I", h, 100)[0] if version >= 3 else 72
        off = header_len
        kept = []
        while True:
            etype, elen = struct.unpack_from(">II", h, off)
            if etype == 0:
                break
            total = 8 + ((elen + 7) & ~7)
            if etype != 0xE2792ACA:
                kept.append(h[off:off + total])
            off += total
        new = b"".join(kept) + b"\0" * 8
        new = new.ljust(off + 8 - header_len, b"\0")
        f.seek(header_len)
        f.write(new)


def build(m):
    """Generate every image of the matrix into m.dir."""
    def want(name):
        return m.wanted(name)

    # --- raw -------------------------------------------------------------
    if want("raw-holes"):
        path = m.raw_file("raw-holes.raw", 16 * MiB, [
            (1 * MiB, m.random_bytes(5000)),
            (8 * MiB, b"\x5a" * MiB),
            (16 * MiB - 512, m.random_bytes(512)),
        ])
        m.add(Image("raw-holes", path, "raw", 16 * MiB, tags={"raw"}))
    if want("raw-empty"):
        path = m.raw_file("raw-empty.raw", 0, [])
        m.add(Image("raw-empty", path, "raw", 0, tags={"raw", "empty"}))
    if want("raw-6G-data-past-4G"):
        path = m.raw_file("raw-big.raw", 6 * GiB, [
            (4608 * MiB, m.random_bytes(64 * KiB)),
            (6 * GiB - 512, b"\xee" * 512),
        ])
        m.add(Image("raw-6G-data-past-4G", path, "raw", 6 * GiB, tags={"raw", "big"}))
    if want("raw-odd-size"):
        size = 10 * MiB + 512
        path = m.raw_file("raw-odd.raw", size, [(size - 700, m.random_bytes(700))])
        m.add(Image("raw-odd-size", path, "raw", size, tags={"raw", "odd"}))
    if want("raw-size-not-sector-multiple"):
        # qemu's guest sees whole 512-byte sectors: it rounds the size up
        # and reads the tail as zeros.
        path = m.raw_file("raw-unaligned.raw", 1 * MiB + 100,
                          [(1 * MiB - 50, m.random_bytes(150))])
        m.add(Image("raw-size-not-sector-multiple", path, "raw", 1 * MiB + 512,
                    tags={"raw", "odd"}))
    if want("raw-full"):
        path = m.raw_file("raw-full.raw", 1 * MiB, [(0, m.random_bytes(MiB))])
        m.add(Image("raw-full", path, "raw", 1 * MiB, tags={"raw", "full"}))

    # --- qcow2 -----------------------------------------------------------
    # The same layout at several cluster sizes: unaligned writes, a write
    # across a cluster boundary, a zero write over data, the last sector.
    def layout(size):
        return [("P", 0xa1, 0, 1000), ("P", 0xa2, 3000, 5000),
                ("P", 0xa3, 1 * MiB - 100, 200), ("P", 0xa4, 2 * MiB, 64 * KiB),
                ("z", 2 * MiB, 4 * KiB), ("P", 0xa5, size - 512, 512)]

    for cs, label in ((512, "512"), (4 * KiB, "4k"), (64 * KiB, "64k"), (2 * MiB, "2M")):
        name = "qcow2-cluster-" + label
        if want(name):
            size = 8 * MiB + 512 * 3
            path = m.create("qcow2", name + ".qcow2", size,
                            options=["cluster_size=%d" % cs], ops=layout(size))
            m.add(Image(name, path, "qcow2", size, tags={"qcow2", "cluster", "odd"}))

    if want("qcow2-v2"):
        size = 4 * MiB
        path = m.create("qcow2", "qcow2-v2.qcow2", size, options=["compat=0.10"],
                        ops=[("P", 0xb1, 0, 64 * KiB), ("P", 0xb2, 200 * KiB, 10),
                             ("z", 0, 4 * KiB), ("P", 0xb3, 3 * MiB, 128 * KiB)])
        m.add(Image("qcow2-v2", path, "qcow2", size, tags={"qcow2", "v2"}))
    if want("qcow2-v3-zero-clusters"):
        size = 4 * MiB
        path = m.create("qcow2", "qcow2-zero.qcow2", size, options=["compat=1.1"],
                        ops=[("P", 0xc1, 0, 256 * KiB),
                             ("z", 64 * KiB, 64 * KiB),      # zero over data
                             ("z", 1 * MiB, 128 * KiB),      # zero over nothing
                             ("z", 192 * KiB, 1000),         # partial: data stays
                             ("P", 0xc2, 2 * MiB, 64 * KiB)])
        m.add(Image("qcow2-v3-zero-clusters", path, "qcow2", size, tags={"qcow2", "zero"}))

    # Random and repetitive data with runs of zeros, the source of the
    # compressed and streamOptimized images (qemu-io cannot write those).
    src_size = 6 * MiB + 512
    mixed = m.raw_file("mixed-source.raw", src_size, [
        (0, m.random_bytes(300 * KiB)),
        (512 * KiB, b"\x33" * (700 * KiB)),
        (2 * MiB + 4096, m.random_bytes(64 * KiB + 17)),
        (4 * MiB, b"\0" * (256 * KiB)),           # allocated zeros
        (5 * MiB, m.random_bytes(1 * MiB)),
        (src_size - 512, b"\x77" * 512),
    ])
    if want("qcow2-zlib"):
        path = m.convert_from(mixed, "raw", "qcow2", "qcow2-zlib.qcow2", compress=True)
        m.add(Image("qcow2-zlib", path, "qcow2", src_size, tags={"qcow2", "compressed"}))
    if want("qcow2-zstd"):
        path = m.convert_from(mixed, "raw", "qcow2", "qcow2-zstd.qcow2",
                              options=["compression_type=zstd"], compress=True)
        m.add(Image("qcow2-zstd", path, "qcow2", src_size, tags={"qcow2", "compressed"}))
    if want("qcow2-random"):
        path = m.convert_from(mixed, "raw", "qcow2", "qcow2-random.qcow2",
                              options=["cluster_size=4096"])
        m.add(Image("qcow2-random", path, "qcow2", src_size, tags={"qcow2", "random"}))
    if want("qcow2-extended-l2"):
        # 64k clusters, 32 subclusters of 2k: writes that cover parts of a
        # cluster, zero subclusters, a subcluster-unaligned write.
        size = 4 * MiB
        path = m.create("qcow2", "qcow2-extl2.qcow2", size,
                        options=["extended_l2=on", "cluster_size=65536"],
                        ops=[("P", 0xd1, 0, 2 * KiB), ("P", 0xd2, 10 * KiB, 4 * KiB),
                             ("P", 0xd3, 64 * KiB + 1000, 3000),
                             ("P", 0xd4, 256 * KiB, 64 * KiB), ("z", 260 * KiB, 8 * KiB),
                             ("z", 1 * MiB + 2 * KiB, 2 * KiB),
                             ("P", 0xd5, size - 2 * KiB, 2 * KiB)])
        m.add(Image("qcow2-extended-l2", path, "qcow2", size, tags={"qcow2", "extl2"}))
    if want("qcow2-extended-l2-backing"):
        # Subclusters matter most over a backing file: unallocated
        # subclusters of an allocated cluster show the backing data.
        size = 1 * MiB
        base = m.create("qcow2", "extl2-base.qcow2", size,
                        ops=[("P", 0xe1, 0, size)])
        path = m.create("qcow2", "qcow2-extl2-top.qcow2", size,
                        options=["extended_l2=on"], backing="extl2-base.qcow2",
                        backing_fmt="qcow2",
                        ops=[("P", 0xe2, 4 * KiB, 2 * KiB), ("z", 32 * KiB, 6 * KiB),
                             ("P", 0xe3, 100 * KiB, 1)])
        m.add(Image("qcow2-extended-l2-backing", path, "qcow2", size,
                    chain=["qcow2", "qcow2"], files=[path, base],
                    tags={"qcow2", "extl2", "chain"}))
    if want("qcow2-6G-data-past-4G"):
        size = 6 * GiB
        path = m.create("qcow2", "qcow2-big.qcow2", size,
                        ops=[("P", 0xf1, 0, 4096), ("P", 0xf2, 4608 * MiB, 128 * KiB),
                             ("P", 0xf3, 4 * GiB - 512, 1024), ("P", 0xf4, size - 512, 512)])
        m.add(Image("qcow2-6G-data-past-4G", path, "qcow2", size, tags={"qcow2", "big"}))
    if want("qcow2-odd-size"):
        size = 1 * GiB + 3 * 512
        path = m.create("qcow2", "qcow2-odd.qcow2", size,
                        ops=[("P", 0x0d, size - 3 * 512, 3 * 512), ("P", 0x0e, 512 * MiB, 512)])
        m.add(Image("qcow2-odd-size", path, "qcow2", size, tags={"qcow2", "odd"}))
    if want("qcow2-empty"):
        path = m.create("qcow2", "qcow2-empty.qcow2", 0)
        m.add(Image("qcow2-empty", path, "qcow2", 0, tags={"qcow2", "empty"}))
    if want("qcow2-unallocated"):
        path = m.create("qcow2", "qcow2-unalloc.qcow2", 64 * MiB)
        m.add(Image("qcow2-unallocated", path, "qcow2", 64 * MiB, tags={"qcow2"}))
    if want("qcow2-full"):
        path = m.create("qcow2", "qcow2-full.qcow2", 1 * MiB, ops=[("P", 0x42, 0, MiB)])
        m.add(Image("qcow2-full", path, "qcow2", 1 * MiB, tags={"qcow2", "full"}))
    if want("qcow2-prealloc-metadata"):
        path = m.create("qcow2", "qcow2-prealloc.qcow2", 2 * MiB,
                        options=["preallocation=metadata"], ops=[("P", 0x43, 64 * KiB, 4 * KiB)])
        m.add(Image("qcow2-prealloc-metadata", path, "qcow2", 2 * MiB, tags={"qcow2", "prealloc"}))

    # Compressed clusters at the smallest and largest cluster sizes (the
    # compressed-cluster descriptor's bit layout depends on cluster_bits),
    # and in an extended-L2 image.
    for name, opts in (("qcow2-zlib-cluster-512", ["cluster_size=512"]),
                       ("qcow2-zstd-cluster-2M", ["cluster_size=2M", "compression_type=zstd"]),
                       ("qcow2-zlib-extended-l2", ["extended_l2=on"])):
        if want(name):
            path = m.convert_from(mixed, "raw", "qcow2", name + ".qcow2", options=opts,
                                  compress=True)
            m.add(Image(name, path, "qcow2", src_size, tags={"qcow2", "compressed"}))
    if want("qcow2-internal-snapshot-and-bitmap"):
        # The active L1 is not the snapshot's; a persistent bitmap adds an
        # autoclear feature and a header extension a reader must ignore.
        size = 4 * MiB
        path = m.create("qcow2", "qcow2-snap.qcow2", size,
                        ops=[("P", 0x31, 0, 128 * KiB), ("P", 0x32, 1 * MiB, 64 * KiB)])
        qemu_img("snapshot", "-c", "snap1", path)
        m.qemu_io("qcow2", path, [("P", 0x33, 64 * KiB, 64 * KiB), ("z", 1 * MiB, 64 * KiB),
                                  ("P", 0x34, 3 * MiB, 4 * KiB)])
        qemu_img("bitmap", "--add", path, "bitmap0")
        m.add(Image("qcow2-internal-snapshot-and-bitmap", path, "qcow2", size,
                    tags={"qcow2", "snapshot"}))
    if want("qcow2-4T-data-near-end"):
        # Offsets past 2^32 sectors.
        size = 4 * 1024 * GiB
        path = m.create("qcow2", "qcow2-4T.qcow2", size,
                        ops=[("P", 0x35, size - 3 * GiB, 64 * KiB), ("P", 0x36, size - 512, 512)])
        m.add(Image("qcow2-4T-data-near-end", path, "qcow2", size, tags={"qcow2", "big", "huge"}))

    # --- vmdk ------------------------------------------------------------
    def vlayout(size):
        return [("P", 0x61, 0, 1000), ("P", 0x62, 64 * KiB - 512, 1024),
                ("P", 0x63, 3 * MiB, 128 * KiB), ("P", 0x64, size - 512, 512)]

    for sub in ("monolithicSparse", "monolithicFlat"):
        name = "vmdk-" + sub
        if want(name):
            size = 10 * MiB + 512
            path = m.create("vmdk", name + ".vmdk", size, options=["subformat=" + sub],
                            ops=vlayout(size))
            files = [path] + ([m.path(name + "-flat.vmdk")] if "Flat" in sub else [])
            m.add(Image(name, path, "vmdk", size, files=files, tags={"vmdk", "odd"}))
    if want("vmdk-full"):
        path = m.create("vmdk", "vmdk-full.vmdk", 1 * MiB, ops=[("P", 0x60, 0, MiB)])
        m.add(Image("vmdk-full", path, "vmdk", 1 * MiB, tags={"vmdk", "full"}))
    if want("vmdk-compat6"):
        size = 4 * MiB
        path = m.create("vmdk", "vmdk-compat6.vmdk", size, options=["compat6=on"],
                        ops=[("P", 0x5f, 100 * KiB, 3000)])
        m.add(Image("vmdk-compat6", path, "vmdk", size, tags={"vmdk"}))
    if want("vmdk-lsilogic-hw6"):
        size = 3 * MiB
        path = m.create("vmdk", "vmdk-lsi.vmdk", size,
                        options=["adapter_type=lsilogic", "hwversion=6"],
                        ops=[("P", 0x65, 1 * MiB, 64 * KiB)])
        m.add(Image("vmdk-lsilogic-hw6", path, "vmdk", size, tags={"vmdk"}))
    if want("vmdk-zeroed-grain"):
        size = 4 * MiB
        path = m.create("vmdk", "vmdk-zg.vmdk", size, options=["zeroed_grain=on"],
                        ops=[("P", 0x66, 0, 512 * KiB), ("z", 128 * KiB, 128 * KiB),
                             ("z", 2 * MiB, 64 * KiB)])
        m.add(Image("vmdk-zeroed-grain", path, "vmdk", size, tags={"vmdk", "zero"}))
    if want("vmdk-twoGbMaxExtentSparse"):
        size = 5 * GiB + 3 * 512       # the last extent is not whole grains
        path = m.create("vmdk", "vmdk-2gs.vmdk", size, options=["subformat=twoGbMaxExtentSparse"],
                        ops=[("P", 0x67, 0, 4096), ("P", 0x68, 2 * GiB - 512, 1024),
                             ("P", 0x69, 4608 * MiB, 64 * KiB), ("P", 0x6a, size - 512, 512)])
        files = [path] + [m.path("vmdk-2gs-s%03d.vmdk" % i) for i in (1, 2, 3)]
        m.add(Image("vmdk-twoGbMaxExtentSparse", path, "vmdk", size, files=files,
                    tags={"vmdk", "big"}))
    if want("vmdk-twoGbMaxExtentFlat"):
        size = 2 * GiB + 3 * MiB
        path = m.create("vmdk", "vmdk-2gf.vmdk", size, options=["subformat=twoGbMaxExtentFlat"],
                        ops=[("P", 0x6b, 0, 4096), ("P", 0x6c, 2 * GiB - 512, 1024),
                             ("P", 0x6d, size - 512, 512)])
        files = [path] + [m.path("vmdk-2gf-f%03d.vmdk" % i) for i in (1, 2)]
        m.add(Image("vmdk-twoGbMaxExtentFlat", path, "vmdk", size, files=files,
                    tags={"vmdk", "flat2g"}))
    if want("vmdk-streamOptimized"):
        path = m.convert_from(mixed, "raw", "vmdk", "vmdk-stream.vmdk",
                              options=["subformat=streamOptimized"])
        m.add(Image("vmdk-streamOptimized", path, "vmdk", src_size, tags={"vmdk", "stream"}))
    if want("vmdk-streamOptimized-past-4G"):
        big = m.raw_file("stream-big-source.raw", 5 * GiB, [
            (4608 * MiB - 1000, m.random_bytes(70000)), (5 * GiB - 512, b"\x01" * 512)])
        path = m.convert_from(big, "raw", "vmdk", "vmdk-stream-big.vmdk",
                              options=["subformat=streamOptimized"])
        os.unlink(big)
        m.add(Image("vmdk-streamOptimized-past-4G", path, "vmdk", 5 * GiB,
                    tags={"vmdk", "stream", "big"}))
    if want("vmdk-sparse-random"):
        path = m.convert_from(mixed, "raw", "vmdk", "vmdk-random.vmdk")
        m.add(Image("vmdk-sparse-random", path, "vmdk", src_size, tags={"vmdk", "random"}))
    if want("vmdk-vmfs"):
        # An ESX-style descriptor, written by hand as ESX writes it.
        size = 8 * MiB
        flat = m.raw_file("vmfs-disk-flat.vmdk", size, [
            (0, m.random_bytes(4096)), (5 * MiB + 3, b"\x9a" * 70000)])
        desc = ('# Disk DescriptorFile\nversion=1\nencoding="UTF-8"\nCID=fffffffe\n'
                'parentCID=ffffffff\ncreateType="vmfs"\n\n# Extent description\n'
                'RW %d VMFS "vmfs-disk-flat.vmdk"\n\n# The Disk Data Base\n#DDB\n\n'
                'ddb.adapterType = "lsilogic"\nddb.geometry.cylinders = "1"\n'
                'ddb.geometry.heads = "255"\nddb.geometry.sectors = "63"\n'
                'ddb.uuid = "60 00 C2 9b 69 2f c9 76-74 c4 07 9e 10 87 3b f9"\n'
                'ddb.virtualHWVersion = "13"\n' % (size // 512))
        path = m.path("vmfs-disk.vmdk")
        with open(path, "w") as f:
            f.write(desc)
        m.add(Image("vmdk-vmfs", path, "vmdk", size, files=[path, flat], tags={"vmdk", "vmfs"}))
    # No empty VMDK: qemu-img creates a 0-byte monolithicSparse but cannot
    # open it ("Unsupported image type"), so there is no oracle for one.

    # --- backing chains --------------------------------------------------
    if want("chain-vmdk-qcow2-qcow2"):
        # base 4M vmdk <- mid 6M qcow2 <- top 8M qcow2: overlays larger than
        # their backing, a zero cluster hiding base data, unaligned writes.
        base = m.create("vmdk", "c1-base.vmdk", 4 * MiB,
                        ops=[("P", 0x71, 0, 1 * MiB), ("P", 0x72, 4 * MiB - 512, 512)])
        mid = m.create("qcow2", "c1-mid.qcow2", 6 * MiB, backing="c1-base.vmdk",
                       backing_fmt="vmdk",
                       ops=[("P", 0x73, 512 * KiB + 100, 300), ("P", 0x74, 5 * MiB, 64 * KiB)])
        top = m.create("qcow2", "c1-top.qcow2", 8 * MiB, backing="c1-mid.qcow2",
                       backing_fmt="qcow2",
                       ops=[("z", 0, 64 * KiB), ("P", 0x75, 7 * MiB, 4 * KiB),
                            ("P", 0x76, 4 * MiB - 1024, 2048)])
        m.add(Image("chain-vmdk-qcow2-qcow2", top, "qcow2", 8 * MiB,
                    chain=["qcow2", "qcow2", "vmdk"], files=[top, mid, base],
                    tags={"chain", "qcow2"}))
    if want("chain-raw-qcow2-qcow2-no-F"):
        # Backing formats not recorded (made without -F): probed.
        base = m.raw_file("c2-base.raw", 3 * MiB, [(0, m.random_bytes(100 * KiB)),
                                                   (2 * MiB, b"\x81" * 4096)])
        mid = m.create("qcow2", "c2-mid.qcow2", 3 * MiB, backing="c2-base.raw",
                       backing_fmt="raw", ops=[("P", 0x82, 64 * KiB, 64 * KiB)])
        top = m.create("qcow2", "c2-top.qcow2", 3 * MiB, backing="c2-mid.qcow2",
                       backing_fmt="qcow2", ops=[("P", 0x83, 2 * MiB + 1000, 10)])
        qcow2_drop_backing_format(mid)
        qcow2_drop_backing_format(top)
        m.add(Image("chain-raw-qcow2-qcow2-no-F", top, "qcow2", 3 * MiB,
                    chain=["qcow2", "qcow2", "raw"], files=[top, mid, base],
                    tags={"chain", "qcow2", "no-F"}))
    if want("chain-raw-qcow2-qcow2"):
        base = m.raw_file("c3-base.raw", 2 * MiB, [(4096, m.random_bytes(8192))])
        mid = m.create("qcow2", "c3-mid.qcow2", 2 * MiB, options=["cluster_size=4096"],
                       backing="c3-base.raw", backing_fmt="raw",
                       ops=[("P", 0x91, 0, 6000)])
        top = m.create("qcow2", "c3-top.qcow2", 2 * MiB, options=["compat=0.10"],
                       backing="c3-mid.qcow2", backing_fmt="qcow2",
                       ops=[("P", 0x92, 1 * MiB, 512)])
        m.add(Image("chain-raw-qcow2-qcow2", top, "qcow2", 2 * MiB,
                    chain=["qcow2", "qcow2", "raw"], files=[top, mid, base],
                    tags={"chain", "qcow2"}))
    if want("chain-vmdk-vmdk"):
        base = m.create("vmdk", "c4-base.vmdk", 4 * MiB,
                        ops=[("P", 0xa1, 0, 2 * MiB)])
        child = m.create("vmdk", "c4-child.vmdk", 4 * MiB, backing="c4-base.vmdk",
                         backing_fmt="vmdk",
                         ops=[("P", 0xa2, 1 * MiB, 4096), ("P", 0xa3, 3 * MiB, 1000)])
        m.add(Image("chain-vmdk-vmdk", child, "vmdk", 4 * MiB, chain=["vmdk", "vmdk"],
                    files=[child, base], tags={"chain", "vmdk"}))
    if want("chain-qcow2-qcow2-6G"):
        # Data past 4 GiB in both layers, a zero cluster hiding base data.
        base = m.create("qcow2", "c5-base.qcow2", 6 * GiB,
                        ops=[("P", 0xb1, 4608 * MiB, 256 * KiB)])
        top = m.create("qcow2", "c5-top.qcow2", 6 * GiB, backing="c5-base.qcow2",
                       backing_fmt="qcow2",
                       ops=[("P", 0xb2, 4608 * MiB + 64 * KiB, 64 * KiB),
                            ("z", 4608 * MiB, 4096)])
        m.add(Image("chain-qcow2-qcow2-6G", top, "qcow2", 6 * GiB, chain=["qcow2", "qcow2"],
                    files=[top, base], tags={"chain", "qcow2", "big"}))
    if want("chain-vmdk-vmdk-zeroed-grain"):
        # A zeroed grain in the child hides the parent's data.
        base = m.create("vmdk", "c6-base.vmdk", 2 * MiB, ops=[("P", 0xc1, 0, 2 * MiB)])
        child = m.create("vmdk", "c6-child.vmdk", 2 * MiB, options=["zeroed_grain=on"],
                         backing="c6-base.vmdk", backing_fmt="vmdk",
                         ops=[("z", 64 * KiB, 128 * KiB), ("P", 0xc2, 1 * MiB, 512)])
        m.add(Image("chain-vmdk-vmdk-zeroed-grain", child, "vmdk", 2 * MiB,
                    chain=["vmdk", "vmdk"], files=[child, base], tags={"chain", "vmdk"}))
    if want("chain-overlay-smaller"):
        # The overlay is smaller than its backing file: the backing file's
        # data past the overlay's end is not part of the disk.
        base = m.create("qcow2", "c7-base.qcow2", 4 * MiB,
                        ops=[("P", 0xc3, 0, 4 * MiB)])
        top = m.create("qcow2", "c7-top.qcow2", 3 * MiB + 512, backing="c7-base.qcow2",
                       backing_fmt="qcow2", ops=[("P", 0xc4, 1 * MiB, 4096)])
        m.add(Image("chain-overlay-smaller", top, "qcow2", 3 * MiB + 512,
                    chain=["qcow2", "qcow2"], files=[top, base], tags={"chain", "qcow2"}))
    if want("chain-backing-in-subdirectory"):
        # Backing names relative to the overlay's directory, one with a
        # directory part, one absolute.
        os.makedirs(m.path("sub"), exist_ok=True)
        base = m.create("qcow2", "sub/c8-base.qcow2", 2 * MiB, ops=[("P", 0xc5, 0, 64 * KiB)])
        mid = m.create("qcow2", "c8-mid.qcow2", 2 * MiB, backing="sub/c8-base.qcow2",
                       backing_fmt="qcow2", ops=[("P", 0xc6, 64 * KiB, 64 * KiB)])
        top = m.create("qcow2", "sub/c8-top.qcow2", 2 * MiB, backing=mid,
                       backing_fmt="qcow2", ops=[("P", 0xc7, 128 * KiB, 64 * KiB)])
        m.add(Image("chain-backing-in-subdirectory", top, "qcow2", 2 * MiB,
                    chain=["qcow2", "qcow2", "qcow2"], files=[top, mid, base],
                    tags={"chain", "qcow2", "relative"}))


def generate():
    """Build the matrix; the caller must call cleanup() (or use `with`)."""
    m = Matrix()
    start = time.monotonic()
    try:
        build(m)
    except BaseException:
        m.cleanup()
        raise
    print("# matrix: %d images in %s (%.1fs)" % (len(m.images), m.dir,
                                                 time.monotonic() - start), flush=True)
    return m
