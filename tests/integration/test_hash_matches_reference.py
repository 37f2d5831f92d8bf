#!/usr/bin/env python3
"""`ferry hash` gives the ferry-sha256-tree-v1 digest of what the guest
reads, computed here independently with hashlib from `qemu-img convert -O
raw` output, for every image of the matrix; images with the same content
in different formats hash alike, and one changed byte changes the digest.

Cases, per image:
  hash/<image>             ferry's digest equals the reference digest
Plus:
  hash-differs/one-byte    a one-byte change gives another digest
"""

import hashlib
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import imagematrix as im  # noqa: E402

BLOCK = 1 << 20
RANGE = 64 << 20


def reference_digest(path):
    """The tree digest as src/copy/hash.h defines it, over a raw file."""
    size = os.path.getsize(path)
    ranges = []
    with open(path, "rb") as f:
        for start in range(0, size, RANGE):
            blocks = b""
            for off in range(start, min(start + RANGE, size), BLOCK):
                f.seek(off)
                blocks += hashlib.sha256(f.read(min(BLOCK, size - off))).digest()
            ranges.append(hashlib.sha256(blocks).digest())
    return hashlib.sha256(b"".join(ranges)).hexdigest()


def ferry_digest(rep, name, path, *args):
    r = im.ferry("hash", *args, path)
    problems = im.succeeded(r, "ferry hash")
    return (r.out.split()[0] if not problems else None), problems


def body(rep):
    with im.generate() as m:
        out_dir = m.path("out")
        os.mkdir(out_dir)

        def one(img):
            ref = os.path.join(out_dir, img.name + ".raw")
            im.qemu_img("convert", "-q", "-f", img.fmt, "-O", "raw", img.path, ref)
            # the reference reads every byte: skip images too big for that
            if os.path.getsize(ref) > (8 << 30):
                os.unlink(ref)
                return
            want = reference_digest(ref)
            os.unlink(ref)
            got, problems = ferry_digest(rep, img.name, img.path)
            if not problems and got != want:
                problems.append("digest %s, reference %s" % (got, want))
            rep.check("hash/" + img.name, problems)

        im.per_image(rep, m.images, one)

        a = os.path.join(out_dir, "a.raw")
        with open(a, "wb") as f:
            f.truncate(3 * BLOCK + 512)
            f.seek(BLOCK + 17)
            f.write(b"ferry")
        before, problems = ferry_digest(rep, "a", a)
        with open(a, "r+b") as f:
            f.seek(2 * BLOCK + 3)
            f.write(b"\x01")
        after, more = ferry_digest(rep, "a", a)
        problems += more
        if not problems and before == after:
            problems.append("a one-byte change kept the digest %s" % before)
        rep.check("hash-differs/one-byte", problems)


if __name__ == "__main__":
    im.main("ferry hash matches the reference digest", body)
