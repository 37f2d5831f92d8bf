#!/usr/bin/env python3
"""`ferry compare` gives the same answer as `qemu-img compare` (without -s:
a longer image whose extra area reads as zeros is identical).

Pairs:
  same/<image>                 the image vs qemu-img's raw conversion of it
  same-across-formats/<a>~<b>  images made from one source in other formats
  byte/<image>@<where>         one byte flipped (in data, in a hole, the last
                               byte, past 4 GiB), as raw and as qcow2
  size/...                     sizes differ: zeros past the shorter one
                               (identical) or a non-zero byte there
                               (different), in both argument orders

Both tools must agree on the exit status (0 identical, 1 different).  For a
difference, qemu-img prints the start of the first differing 512-byte
sector; ferry may print that or the exact first differing byte, and must
name the same place.
"""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import imagematrix as im  # noqa: E402

MISMATCH = re.compile(r"Content mismatch at offset (\d+)")


def agree(a, fa, b, fb, expect, changed_byte=None):
    """Problems: run both tools on (a, b) and check they answer `expect`."""
    problems = []
    q = im.run(["qemu-img", "compare", "-f", fa, "-F", fb, a, b])
    if q.rc != expect:
        # The oracle disagreeing with the test's expectation is a test bug.
        raise im.SetupError("qemu-img compare %s %s: exit %d, expected %d: %s"
                            % (a, b, q.rc, expect, (q.out + q.err).strip()))
    for args in ([a, b], ["-f", fa, "-F", fb, a, b]):
        r = im.ferry("compare", *args)
        what = "ferry compare " + " ".join(os.path.basename(x) for x in args)
        crash = r.crash()
        if crash:
            problems.append("%s crashed: %s (%s)" % (what, crash, r.brief()))
            continue
        if r.rc != expect:
            problems.append("%s: exit %d, qemu-img says %d (%s; stdout %r)"
                            % (what, r.rc, expect, r.brief(), r.out.strip()[:120]))
            continue
        if expect == 1:
            qm, fm = MISMATCH.search(q.out), MISMATCH.search(r.out)
            if fm is None:
                problems.append("%s: no 'Content mismatch at offset N' in %r"
                                % (what, r.out.strip()[:200]))
            else:
                qoff, foff = int(qm.group(1)), int(fm.group(1))
                ok = foff == qoff or foff // 512 * 512 == qoff
                if changed_byte is not None:
                    ok = ok and foff in (changed_byte, changed_byte // 512 * 512)
                if not ok:
                    problems.append("%s: mismatch at %d, qemu-img says %d%s"
                                    % (what, foff, qoff,
                                       "" if changed_byte is None
                                       else " (the byte changed is %d)" % changed_byte))
    return problems


def flip(path, offset):
    with open(path, "r+b") as f:
        f.seek(offset)
        b = f.read(1)
        f.seek(offset)
        f.write(bytes([b[0] ^ 0x5a]))


def extend(path, new_size, byte_at=None):
    with open(path, "r+b") as f:
        f.truncate(new_size)
        if byte_at is not None:
            f.seek(byte_at)
            f.write(b"\x01")


def interesting_offsets(img):
    """(label, offset) pairs for one-byte flips, from qemu's own map."""
    runs = im.map_runs(im.qemu_json("map", "--output=json", "-f", img.fmt, img.path),
                       "qemu")
    data = [r for r in runs if r[2] == "data"]
    holes = [r for r in runs if r[2] in ("hole", "zero")]
    out = []
    if data:
        out.append(("data", data[0][0] + (data[0][1] - data[0][0]) // 2))
    if holes:
        big = max(holes, key=lambda r: r[1] - r[0])
        out.append(("hole", big[0] + (big[1] - big[0]) // 3 + 7))
    out.append(("last-byte", img.size - 1))
    if img.size > 4 * im.GiB + 4096:
        out.append(("past-4G", 4 * im.GiB + 4095))
    return out


def body(rep):
    with im.generate() as m:
        work = m.path("work")
        os.mkdir(work)

        def case(name, a, fa, b, fb, expect, changed_byte=None):
            rep.check(name, agree(a, fa, b, fb, expect, changed_byte))

        refs = {}

        def one(img):
            ref = os.path.join(work, img.name + ".raw")
            im.qemu_img("convert", "-q", "-f", img.fmt, "-O", "raw", img.path, ref)
            refs[img.name] = ref
            case("same/" + img.name, img.path, img.fmt, ref, "raw", 0)
        im.per_image(rep, m.images, one)

        # One source, several formats.
        family = [n for n in ("qcow2-zlib", "qcow2-zstd", "qcow2-random",
                              "vmdk-streamOptimized", "vmdk-sparse-random")
                  if any(i.name == n for i in m.images)]
        for a, b in zip(family, family[1:] + family[:1]):
            if a != b:
                ia, ib = m.by_name(a), m.by_name(b)
                case("same-across-formats/%s~%s" % (a, b), ia.path, ia.fmt, ib.path, ib.fmt, 0)

        # One byte different.
        flips = ["raw-holes", "qcow2-cluster-512", "qcow2-cluster-2M", "qcow2-v2",
                 "qcow2-zstd", "qcow2-extended-l2", "qcow2-6G-data-past-4G",
                 "vmdk-monolithicSparse", "vmdk-twoGbMaxExtentSparse",
                 "vmdk-streamOptimized", "vmdk-vmfs", "chain-vmdk-qcow2-qcow2",
                 "chain-raw-qcow2-qcow2-no-F", "chain-vmdk-vmdk", "chain-qcow2-qcow2-6G"]
        for name in flips:
            if name not in refs:
                continue
            img = m.by_name(name)
            for label, off in interesting_offsets(img):
                changed = os.path.join(work, "changed.raw")
                im.sparse_copy(refs[name], changed)
                flip(changed, off)
                case("byte/%s@%s-raw" % (name, label), img.path, img.fmt, changed, "raw",
                     1, off)
                changed_q = os.path.join(work, "changed.qcow2")
                im.qemu_img("convert", "-q", "-f", "raw", "-O", "qcow2", changed, changed_q)
                case("byte/%s@%s-qcow2" % (name, label), changed_q, "qcow2", img.path,
                     img.fmt, 1, off)
                os.unlink(changed)
                os.unlink(changed_q)

        # Sizes differ.
        for name in ("qcow2-cluster-64k", "vmdk-monolithicSparse", "chain-vmdk-qcow2-qcow2",
                     "raw-odd-size"):
            if name not in refs:
                continue
            img = m.by_name(name)
            longer = os.path.join(work, "longer.raw")
            im.sparse_copy(refs[name], longer)
            extend(longer, img.size + 1 * im.MiB + 512)
            case("size/%s-vs-longer-zeros" % name, img.path, img.fmt, longer, "raw", 0)
            case("size/longer-zeros-vs-%s" % name, longer, "raw", img.path, img.fmt, 0)
            longer_q = os.path.join(work, "longer.qcow2")
            im.qemu_img("convert", "-q", "-f", "raw", "-O", "qcow2", longer, longer_q)
            case("size/%s-vs-longer-zeros-qcow2" % name, img.path, img.fmt, longer_q,
                 "qcow2", 0)
            extra = img.size + 1 * im.MiB - 3
            extend(longer, img.size + 1 * im.MiB + 512, byte_at=extra)
            case("size/%s-vs-longer-nonzero" % name, img.path, img.fmt, longer, "raw",
                 1, extra)
            case("size/longer-nonzero-vs-%s" % name, longer, "raw", img.path, img.fmt,
                 1, extra)
            os.unlink(longer)
            os.unlink(longer_q)

        # An empty image against a non-empty one made of zeros, and not.
        if any(i.name == "qcow2-empty" for i in m.images):
            e = m.by_name("qcow2-empty")
            u = m.by_name("qcow2-unallocated")
            case("size/empty-vs-unallocated", e.path, "qcow2", u.path, "qcow2", 0)
            case("size/empty-vs-data", e.path, "qcow2", m.by_name("raw-holes").path,
                 "raw", 1)


if __name__ == "__main__":
    im.main("compare agrees with qemu-img", body)
