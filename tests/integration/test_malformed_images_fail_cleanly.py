#!/usr/bin/env python3
"""Malformed images give one clean error, never a crash.

Each case starts from a real image made by qemu-img and damages it with
struct.pack_into-style patches (or truncation, or a hand-written
descriptor).  Then `ferry info --json`, `ferry map --json`,
`ferry convert -O raw` and `ferry compare IMG IMG` run on it.

Every command must either succeed or fail with exit 2 and exactly one line
on stderr starting "ferry: ".  A signal, an exit status >= 128, a timeout
or a sanitizer report is a crash.  Which commands *must* fail depends on
where the damage is:
  OPEN  the header, descriptor, L1 table or grain directory is wrong, or
        the chain cannot be opened: all four commands must fail;
  META  an L2 table / grain table is wrong: map, convert and compare must
        fail (info may succeed, as it reads no tables);
  DATA  only guest data is wrong (a data cluster past the end of the file,
        a corrupt compressed cluster): convert and compare must fail.
  none  damage qemu itself tolerates (the last cluster cut short: qemu
        reads the missing tail as zeros and `qemu-img check` is happy):
        ferry may fail cleanly, or succeed and read exactly what qemu reads.
A convert that fails must not leave its target behind; a convert that
succeeds where failing was allowed must match `qemu-img convert`.

Cases:
  malformed/<case>        the rules above
  names-file/<case>       each error message names the file at fault (or the
                          image given), as CONVENTIONS.md asks
"""

import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import imagematrix as im  # noqa: E402

MiB, GiB, KiB = im.MiB, im.GiB, im.KiB
COMMANDS = ("info", "map", "convert", "compare")
OPEN = set(COMMANDS)
META = {"map", "convert", "compare"}
DATA = {"convert", "compare"}
TIMEOUT = 60


# ---------------------------------------------------------------------------
# Reading and patching the formats


def read_at(path, offset, n):
    with open(path, "rb") as f:
        f.seek(offset)
        return f.read(n)


def patch(path, offset, fmt, *values):
    with open(path, "r+b") as f:
        f.seek(offset)
        f.write(struct.pack(fmt, *values))


def patch_bytes(path, offset, data):
    with open(path, "r+b") as f:
        f.seek(offset)
        f.write(data)


def truncate(path, size):
    with open(path, "r+b") as f:
        f.truncate(size)


class Qcow2:
    """The header fields and tables of a qcow2 file that the cases patch."""

    # field: (offset, struct format), big-endian
    FIELDS = {
        "magic": (0, ">I"), "version": (4, ">I"), "backing_file_offset": (8, ">Q"),
        "backing_file_size": (16, ">I"), "cluster_bits": (20, ">I"), "size": (24, ">Q"),
        "crypt_method": (32, ">I"), "l1_size": (36, ">I"), "l1_table_offset": (40, ">Q"),
        "refcount_table_offset": (48, ">Q"), "incompatible_features": (72, ">Q"),
        "header_length": (100, ">I"), "compression_type": (104, ">B"),
    }
    OFFSET_MASK = 0x00FFFFFFFFFFFE00
    COMPRESSED = 1 << 62

    def __init__(self, path):
        self.path = path
        head = read_at(path, 0, 112)
        self.h = {k: struct.unpack_from(f, head, o)[0] for k, (o, f) in self.FIELDS.items()}
        self.cluster = 1 << self.h["cluster_bits"]

    def set(self, field, value):
        off, fmt = self.FIELDS[field]
        patch(self.path, off, fmt, value)

    def l1(self):
        raw = read_at(self.path, self.h["l1_table_offset"], 8 * self.h["l1_size"])
        return list(struct.unpack(">%dQ" % self.h["l1_size"], raw))

    def l2_entries(self):
        """(file position of the entry, entry) for every non-zero L2 entry."""
        out = []
        for e in self.l1():
            l2 = e & self.OFFSET_MASK
            if not l2:
                continue
            n = self.cluster // 8
            raw = read_at(self.path, l2, self.cluster)
            for i, v in enumerate(struct.unpack(">%dQ" % n, raw)):
                if v:
                    out.append((l2 + 8 * i, v))
        return out

    def first_l2(self):
        return next(e & self.OFFSET_MASK for e in self.l1() if e & self.OFFSET_MASK)

    def data_entries(self):
        return [(p, v) for p, v in self.l2_entries()
                if not v & self.COMPRESSED and v & self.OFFSET_MASK]

    def compressed_entries(self):
        return [(p, v) for p, v in self.l2_entries() if v & self.COMPRESSED]

    def compressed_host_offset(self, entry):
        x = 62 - (self.h["cluster_bits"] - 8)
        return entry & ((1 << x) - 1)


class VmdkSparse:
    """A hosted sparse extent ("KDMV"), little-endian."""

    FIELDS = {
        "magic": (0, "<I"), "version": (4, "<I"), "flags": (8, "<I"),
        "capacity": (12, "<Q"), "grain_size": (20, "<Q"), "descriptor_offset": (28, "<Q"),
        "descriptor_size": (36, "<Q"), "num_gtes_per_gt": (44, "<I"),
        "rgd_offset": (48, "<Q"), "gd_offset": (56, "<Q"), "overhead": (64, "<Q"),
        "compress_algorithm": (77, "<H"),
    }

    def __init__(self, path):
        self.path = path
        head = read_at(path, 0, 512)
        self.h = {k: struct.unpack_from(f, head, o)[0] for k, (o, f) in self.FIELDS.items()}

    def set(self, field, value):
        off, fmt = self.FIELDS[field]
        patch(self.path, off, fmt, value)

    def directories(self):
        """File positions of the grain directory and its redundant copy."""
        return [self.h["gd_offset"] * 512, self.h["rgd_offset"] * 512]

    def gt_positions(self, gd_pos):
        """(position of GD entry, GT position) for every GT of one directory."""
        grains = -(-self.h["capacity"] // self.h["grain_size"])
        n = -(-grains // self.h["num_gtes_per_gt"])
        raw = read_at(self.path, gd_pos, 4 * n)
        return [(gd_pos + 4 * i, v * 512) for i, v in enumerate(struct.unpack("<%dI" % n, raw))]

    def grain_entries(self):
        """(position of GT entry, grain sector) for the allocated grains
        reachable through the primary directory and through the redundant
        one (a reader may use either)."""
        out = []
        for gd in self.directories():
            if gd == 0:
                continue
            for _, gt in self.gt_positions(gd):
                if gt == 0:
                    continue
                k = self.h["num_gtes_per_gt"]
                raw = read_at(self.path, gt, 4 * k)
                for i, v in enumerate(struct.unpack("<%dI" % k, raw)):
                    if v > 1:
                        out.append((gt + 4 * i, v))
        return out

    def descriptor(self):
        raw = read_at(self.path, self.h["descriptor_offset"] * 512,
                      self.h["descriptor_size"] * 512)
        return raw.split(b"\0", 1)[0]

    def replace_in_descriptor(self, old, new):
        assert len(old) == len(new)
        pos = self.h["descriptor_offset"] * 512
        raw = read_at(self.path, pos, self.h["descriptor_size"] * 512)
        i = raw.index(old)
        patch_bytes(self.path, pos + i, new)


# ---------------------------------------------------------------------------
# The cases


class Case:
    def __init__(self, name, path, must_fail, fmt=None, names=None):
        self.name = name
        self.path = path
        self.must_fail = must_fail
        self.fmt = fmt                # passed as -f when set
        # Files an error message may name (the image given is always fine).
        self.names = [os.path.basename(path)] + list(names or [])


def build_cases(m):
    d = m.dir
    cases = []

    def p(name):
        return os.path.join(d, name)

    def copy(src, name):
        dst = p(name)
        im.sparse_copy(src, dst)
        return dst

    def case(*args, **kw):
        cases.append(Case(*args, **kw))

    # --- qcow2 bases -----------------------------------------------------
    q = m.create("qcow2", "base.qcow2", 64 * MiB,
                 ops=[("P", 0x11, 0, 64 * KiB), ("P", 0x12, 1 * MiB, 64 * KiB),
                      ("P", 0x13, 32 * MiB, 128 * KiB)])
    src = m.raw_file("random.raw", 2 * MiB, [(0, m.random_bytes(256 * KiB))])
    # Compressible, or qemu stores the clusters uncompressed.
    text = m.raw_file("text.raw", 2 * MiB, [(0, m.random_bytes(1024) * 256)])
    qz = m.convert_from(text, "raw", "qcow2", "base-zlib.qcow2", compress=True)
    qzs = m.convert_from(text, "raw", "qcow2", "base-zstd.qcow2",
                         options=["compression_type=zstd"], compress=True)

    def qcase(name, must_fail, fn, base=q, **kw):
        path = copy(base, name + ".qcow2")
        fn(Qcow2(path), path)
        case(name, path, must_fail, **kw)

    qcase("qcow2-truncated-in-header", OPEN, lambda c, x: truncate(x, 40))
    qcase("qcow2-truncated-in-l1-table", OPEN,
          lambda c, x: truncate(x, c.h["l1_table_offset"] + 4))
    qcase("qcow2-truncated-in-l2-table", META,
          lambda c, x: truncate(x, c.first_l2() + 100))
    # Cut in the middle of the first data cluster: the clusters after it are
    # wholly past the end of the file.
    qcase("qcow2-truncated-in-data", DATA,
          lambda c, x: truncate(x, min(v & c.OFFSET_MASK for _, v in c.data_entries())
                                + c.cluster // 2))
    # Cut in the middle of the *last* cluster only.  qemu reads the missing
    # tail as zeros and `qemu-img check` finds no error (the last cluster
    # need not be complete on disk), so ferry may fail or read what qemu
    # reads.
    qcase("qcow2-truncated-in-last-cluster", set(),
          lambda c, x: truncate(x, max(v & c.OFFSET_MASK for _, v in c.data_entries())
                                + c.cluster // 2))
    qcase("qcow2-l1-offset-past-eof", OPEN, lambda c, x: c.set("l1_table_offset", 1 << 40))
    qcase("qcow2-l1-offset-unaligned", OPEN,
          lambda c, x: c.set("l1_table_offset", c.h["l1_table_offset"] + 8))

    def l2_past_eof(c, x):
        patch(x, c.h["l1_table_offset"], ">Q", (1 << 40) | (1 << 63))
    qcase("qcow2-l2-offset-past-eof", META, l2_past_eof)

    def l2_unaligned(c, x):
        patch(x, c.h["l1_table_offset"], ">Q", (c.first_l2() + 512) | (1 << 63))
    qcase("qcow2-l2-offset-unaligned", META, l2_unaligned)

    def data_past_eof(c, x):
        pos, v = c.data_entries()[0]
        patch(x, pos, ">Q", (v & ~c.OFFSET_MASK) | (1 << 40))
    qcase("qcow2-data-offset-past-eof", DATA, data_past_eof)
    qcase("qcow2-virtual-size-2^62", OPEN, lambda c, x: c.set("size", 1 << 62))
    qcase("qcow2-virtual-size-2^64-512", OPEN, lambda c, x: c.set("size", (1 << 64) - 512))
    qcase("qcow2-l1-size-huge", OPEN, lambda c, x: c.set("l1_size", 0x7FFFFFFF))
    qcase("qcow2-l1-size-0", OPEN, lambda c, x: c.set("l1_size", 0))
    qcase("qcow2-cluster-bits-8", OPEN, lambda c, x: c.set("cluster_bits", 8))
    qcase("qcow2-cluster-bits-31", OPEN, lambda c, x: c.set("cluster_bits", 31))
    qcase("qcow2-cluster-bits-63", OPEN, lambda c, x: c.set("cluster_bits", 63))
    qcase("qcow2-unknown-incompatible-feature", OPEN,
          lambda c, x: c.set("incompatible_features", 1 << 17))
    qcase("qcow2-external-data-file-feature", OPEN,
          lambda c, x: c.set("incompatible_features", 1 << 2))
    qcase("qcow2-encrypted-aes", OPEN, lambda c, x: c.set("crypt_method", 1))
    qcase("qcow2-encrypted-luks", OPEN, lambda c, x: c.set("crypt_method", 2))
    qcase("qcow2-version-1", OPEN, lambda c, x: c.set("version", 1))
    qcase("qcow2-version-4", OPEN, lambda c, x: c.set("version", 4))
    qcase("qcow2-header-length-50", OPEN, lambda c, x: c.set("header_length", 50))
    qcase("qcow2-header-length-past-cluster", OPEN,
          lambda c, x: c.set("header_length", 0x7FFFFFF8))

    def unknown_compression(c, x):
        c.set("incompatible_features", 1 << 3)
        c.set("compression_type", 7)
    qcase("qcow2-unknown-compression-type", OPEN, unknown_compression)
    qcase("qcow2-backing-name-past-eof", OPEN, lambda c, x: (
        c.set("backing_file_offset", 1 << 40), c.set("backing_file_size", 10)))
    qcase("qcow2-backing-name-size-huge", OPEN, lambda c, x: (
        c.set("backing_file_offset", 512), c.set("backing_file_size", 0xFFFFFFFF)))

    def compressed_garbage(c, x):
        _, v = c.compressed_entries()[0]
        patch_bytes(x, c.compressed_host_offset(v), b"\xff" * 64)
    qcase("qcow2-zlib-cluster-garbage", DATA, compressed_garbage, base=qz)
    qcase("qcow2-zstd-cluster-garbage", DATA, compressed_garbage, base=qzs)

    def compressed_past_eof(c, x):
        pos, v = c.compressed_entries()[0]
        x_bits = 62 - (c.h["cluster_bits"] - 8)
        patch(x, pos, ">Q", (v & ~((1 << x_bits) - 1)) | (1 << 40))
    qcase("qcow2-compressed-offset-past-eof", DATA, compressed_past_eof, base=qz)

    # Backing chains that cannot be opened.
    im.qemu_img("create", "-q", "-f", "qcow2", "-u", "-b", "loopzzzz.qcow2", "-F", "qcow2",
                p("loopself.qcow2"), "1M")
    c = Qcow2(p("loopself.qcow2"))
    patch_bytes(c.path, c.h["backing_file_offset"], b"loopself.qcow2")
    case("qcow2-backing-is-itself", c.path, OPEN)
    im.qemu_img("create", "-q", "-f", "qcow2", "-u", "-b", "mutual-b.qcow2", "-F", "qcow2",
                p("mutual-a.qcow2"), "1M")
    im.qemu_img("create", "-q", "-f", "qcow2", "-u", "-b", "mutual-a.qcow2", "-F", "qcow2",
                p("mutual-b.qcow2"), "1M")
    case("qcow2-backing-loop-of-two", p("mutual-a.qcow2"), OPEN, names=["mutual-b.qcow2"])
    im.qemu_img("create", "-q", "-f", "qcow2", "-u", "-b", "missing.qcow2", "-F", "qcow2",
                p("orphan.qcow2"), "1M")
    # qemu-img info does not open backing files, ferry's info does: only
    # the commands that read must fail.
    case("qcow2-backing-missing", p("orphan.qcow2"), META, names=["missing.qcow2"])
    # Deeper than DISK_MAX_CHAIN (64): must be refused, not recursed into.
    prev = "deep-00.qcow2"
    m.create("qcow2", prev, 1 * MiB)
    for i in range(1, 70):
        name = "deep-%02d.qcow2" % i
        im.qemu_img("create", "-q", "-f", "qcow2", "-u", "-b", prev, "-F", "qcow2",
                    p(name), "1M")
        prev = name
    case("qcow2-chain-70-deep", p(prev), OPEN)

    empty = m.raw_file("empty.img", 0, [])
    case("qcow2-forced-on-empty-file", empty, OPEN, fmt="qcow2")
    case("qcow2-forced-on-vmdk", m.create("vmdk", "notq.vmdk", 1 * MiB), OPEN, fmt="qcow2")

    # --- vmdk bases ------------------------------------------------------
    # Each damaged VMDK is made fresh under its own name rather than copied:
    # the embedded descriptor names the file, and a copy would point back at
    # the undamaged original.
    def v(name):
        return m.create("vmdk", name, 64 * MiB,
                        ops=[("P", 0x21, 0, 64 * KiB), ("P", 0x22, 8 * MiB, 128 * KiB),
                             ("P", 0x23, 40 * MiB, 64 * KiB)])

    def vs(name):
        return m.convert_from(src, "raw", "vmdk", name, options=["subformat=streamOptimized"])

    def vcase(name, must_fail, fn, base=v, **kw):
        path = base(name + ".vmdk")
        fn(VmdkSparse(path), path)
        case(name, path, must_fail, **kw)

    vcase("vmdk-truncated-in-header", OPEN, lambda c, x: truncate(x, 30))
    vcase("vmdk-truncated-in-descriptor", OPEN,
          lambda c, x: truncate(x, c.h["descriptor_offset"] * 512 + 40))
    vcase("vmdk-truncated-in-grain-directory", OPEN,
          lambda c, x: truncate(x, c.h["gd_offset"] * 512 + 2))

    def truncate_in_gt(c, x):
        gt = c.gt_positions(c.h["gd_offset"] * 512)[0][1]
        truncate(x, gt + 100)
    vcase("vmdk-truncated-in-grain-table", META, truncate_in_gt)
    vcase("vmdk-truncated-in-data", DATA,
          lambda c, x: truncate(x, min(g for _, g in c.grain_entries()) * 512 + 30000))
    # As for qcow2: qemu reads a cut last grain's tail as zeros.
    vcase("vmdk-truncated-in-last-grain", set(),
          lambda c, x: truncate(x, max(g for _, g in c.grain_entries()) * 512 + 30000))

    def gd_past_eof(c, x):
        c.set("gd_offset", 1 << 40)
        c.set("rgd_offset", 1 << 40)
    vcase("vmdk-grain-directory-past-eof", OPEN, gd_past_eof)

    def gt_past_eof(c, x):
        for gd in c.directories():
            pos, _ = c.gt_positions(gd)[0]
            patch(x, pos, "<I", 0xFFFFFFF0)
    vcase("vmdk-grain-table-past-eof", META, gt_past_eof)

    def grain_past_eof(c, x):
        for pos, _ in c.grain_entries():
            patch(x, pos, "<I", 0xFFFFFFF0)
    vcase("vmdk-grain-past-eof", DATA, grain_past_eof)
    vcase("vmdk-grain-size-0", OPEN, lambda c, x: c.set("grain_size", 0))
    vcase("vmdk-grain-size-2^40", OPEN, lambda c, x: c.set("grain_size", 1 << 40))
    vcase("vmdk-capacity-2^62-bytes", OPEN, lambda c, x: c.set("capacity", 1 << 53))
    vcase("vmdk-capacity-2^64-sectors", OPEN, lambda c, x: c.set("capacity", (1 << 64) - 1))
    vcase("vmdk-gtes-per-gt-0", OPEN, lambda c, x: c.set("num_gtes_per_gt", 0))
    vcase("vmdk-gtes-per-gt-2^31", OPEN, lambda c, x: c.set("num_gtes_per_gt", 1 << 31))
    vcase("vmdk-descriptor-size-2^40", OPEN, lambda c, x: c.set("descriptor_size", 1 << 40))
    vcase("vmdk-version-99", OPEN, lambda c, x: c.set("version", 99))

    # qemu ignores the extent lines of an embedded descriptor (the header
    # says where the grains are), so ferry may too: no crash, that is all.
    def extent_line_huge(c, x):
        c.replace_in_descriptor(b"RW 131072 SPARSE", b"RW 9999999999999")
    vcase("vmdk-embedded-extent-line-bad", set(), extent_line_huge)

    def stream_marker_size(c, x):
        _, g = c.grain_entries()[0]
        patch(x, g * 512 + 8, "<I", 0xFFFFFFFF)
    vcase("vmdk-stream-marker-size-huge", DATA, stream_marker_size, base=vs)

    def stream_marker_size_0(c, x):
        _, g = c.grain_entries()[0]
        patch(x, g * 512 + 8, "<I", 0)
    vcase("vmdk-stream-marker-size-0", DATA, stream_marker_size_0, base=vs)

    def stream_garbage(c, x):
        _, g = c.grain_entries()[0]
        patch_bytes(x, g * 512 + 12, b"\xff" * 64)
    vcase("vmdk-stream-deflate-garbage", DATA, stream_garbage, base=vs)
    vcase("vmdk-stream-unknown-compression", OPEN,
          lambda c, x: c.set("compress_algorithm", 7), base=vs)

    # Text descriptors.
    flat = m.raw_file("desc-flat.vmdk", 1 * MiB, [(0, b"\x44" * 4096)])

    def descriptor(name, extents, header='createType="monolithicFlat"\n'):
        text = ("# Disk DescriptorFile\nversion=1\nCID=12345678\nparentCID=ffffffff\n"
                + header + "\n# Extent description\n" + extents
                + '\n# The Disk Data Base\n#DDB\n\nddb.adapterType = "ide"\n')
        path = p(name)
        with open(path, "w") as f:
            f.write(text)
        return path

    case("vmdk-descriptor-extent-file-missing",
         descriptor("d-missing.vmdk", 'RW 2048 FLAT "nowhere-flat.vmdk" 0\n'), OPEN,
         names=["nowhere-flat.vmdk"])
    case("vmdk-descriptor-extent-sectors-not-a-number",
         descriptor("d-nan.vmdk", 'RW abc FLAT "desc-flat.vmdk" 0\n'), OPEN)
    case("vmdk-descriptor-extent-sectors-overflow",
         descriptor("d-ovf.vmdk", 'RW 18446744073709551615 FLAT "desc-flat.vmdk" 0\n'), OPEN)
    case("vmdk-descriptor-extents-sum-overflow",
         descriptor("d-sum.vmdk", 'RW 9223372036854775807 FLAT "desc-flat.vmdk" 0\n'
                    'RW 9223372036854775807 FLAT "desc-flat.vmdk" 0\n'), OPEN)
    case("vmdk-descriptor-flat-offset-overflow",
         descriptor("d-off.vmdk", 'RW 2048 FLAT "desc-flat.vmdk" 18446744073709551615\n'), OPEN)
    case("vmdk-descriptor-no-extents", descriptor("d-none.vmdk", ""), OPEN)
    case("vmdk-descriptor-unknown-extent-type",
         descriptor("d-type.vmdk", 'RW 2048 WIBBLE "desc-flat.vmdk" 0\n'), OPEN)
    case("vmdk-descriptor-garbage-lines",
         descriptor("d-junk.vmdk", "RW\n\x01\x02\x03 \"\"\"\n=\n" + "x" * 5000 + "\n"), OPEN)
    case("vmdk-descriptor-vmfs-missing-flat",
         descriptor("d-vmfs.vmdk", 'RW 2048 VMFS "gone-flat.vmdk"\n',
                    header='createType="vmfs"\n'), OPEN)
    junk = p("junk.vmdk")
    with open(junk, "wb") as f:
        f.write(b"# Disk DescriptorFile\n" + m.random_bytes(3000))
    case("vmdk-forced-on-binary-garbage-descriptor", junk, OPEN, fmt="vmdk")
    # Probed, the same file is not a VMDK for qemu either (it says raw).
    case("vmdk-binary-garbage-descriptor-probed", junk, set())
    case("vmdk-forced-on-random-bytes",
         m.raw_file("random-bytes.bin", 8192, [(0, m.random_bytes(8192))]), OPEN, fmt="vmdk")
    case("vmdk-forced-on-empty-file", empty, OPEN, fmt="vmdk")

    # A split image with one extent file gone.
    m.create("vmdk", "split.vmdk", 2 * GiB + 1 * MiB, options=["subformat=twoGbMaxExtentSparse"])
    os.unlink(p("split-s002.vmdk"))
    case("vmdk-split-extent-missing", p("split.vmdk"), OPEN, names=["split-s002.vmdk"])

    # A snapshot whose parent is itself, and one whose parent is missing.
    m.create("vmdk", "loopbase.vmdk", 4 * MiB)
    m.create("vmdk", "loopself.vmdk", 4 * MiB, backing="loopbase.vmdk", backing_fmt="vmdk")
    VmdkSparse(p("loopself.vmdk")).replace_in_descriptor(b'"loopbase.vmdk"', b'"loopself.vmdk"')
    case("vmdk-parent-is-itself", p("loopself.vmdk"), OPEN)
    m.create("vmdk", "orphbase.vmdk", 4 * MiB)
    m.create("vmdk", "orphan.vmdk", 4 * MiB, backing="orphbase.vmdk", backing_fmt="vmdk")
    VmdkSparse(p("orphan.vmdk")).replace_in_descriptor(b'"orphbase.vmdk"', b'"orphgone.vmdk"')
    case("vmdk-parent-missing", p("orphan.vmdk"), META, names=["orphgone.vmdk"])
    return cases


# ---------------------------------------------------------------------------


def run_case(rep, m, c):
    fmt = ["-f", c.fmt] if c.fmt else []
    out = os.path.join(m.dir, "out.raw")
    runs = {
        "info": im.ferry("info", "--json", *fmt, c.path, timeout=TIMEOUT),
        "map": im.ferry("map", "--json", *fmt, c.path, timeout=TIMEOUT),
        "convert": im.ferry("convert", *fmt, "-O", "raw", c.path, out, timeout=TIMEOUT),
        "compare": im.ferry("compare", *(fmt + (["-F", c.fmt] if c.fmt else [])),
                            c.path, c.path, timeout=TIMEOUT),
    }
    problems = []
    outcome = []
    for cmd in COMMANDS:
        r = runs[cmd]
        what = "ferry " + cmd
        crash = r.crash()
        if crash:
            problems.append("%s crashed: %s (%s)" % (what, crash, r.brief()))
            outcome.append(cmd + "=CRASH")
            continue
        outcome.append("%s=%d" % (cmd, r.rc))
        if cmd in c.must_fail or r.rc != 0:
            got = im.clean_error(r, what)
            if got and r.rc == 0:
                got = ["%s succeeded (must fail: the damage is visible to it); stdout %r"
                       % (what, r.out.strip()[:150])]
            problems += got
    if os.path.exists(out):
        if runs["convert"].rc != 0:
            problems.append("failed convert left its target behind")
        elif "convert" not in c.must_fail:
            # Damage ferry may tolerate: then it must read what qemu reads,
            # and not accept what qemu refuses.
            ref = os.path.join(m.dir, "qemu-out.raw")
            q = im.run(["qemu-img", "convert"] + fmt + ["-O", "raw", c.path, ref])
            if q.rc != 0:
                problems.append("ferry converted an image qemu-img refuses (%s)"
                                % q.err.strip()[:200])
            else:
                diff = im.first_difference(ref, out)
                if diff:
                    problems.append("ferry's conversion differs from qemu-img's: " + diff)
            if os.path.exists(ref):
                os.unlink(ref)
        os.unlink(out)
    rep.check("malformed/" + c.name, problems, " ".join(outcome))

    # Messages name the file at fault.
    unnamed = []
    for cmd in COMMANDS:
        r = runs[cmd]
        if r.rc == 2 and not r.crash() and not any(n in r.err for n in c.names):
            unnamed.append("%s: %r" % (cmd, r.err.strip()[:200]))
    rep.check("names-file/" + c.name,
              ["message names none of %s: %s" % (c.names, "; ".join(unnamed))] if unnamed else [])


def body(rep):
    m = im.Matrix()
    try:
        cases = build_cases(m)
        print("# %d malformed images in %s" % (len(cases), m.dir), flush=True)
        for c in cases:
            run_case(rep, m, c)
    finally:
        m.cleanup()


if __name__ == "__main__":
    im.main("malformed images fail cleanly", body)
