#!/usr/bin/env python3
"""`ferry convert -O raw` writes the same bytes as `qemu-img convert -O raw`,
for every image of the matrix, and keeps holes as holes.

Cases, per image:
  convert-raw/<image>         probed format, default workers: byte-identical
  convert-raw-sparse/<image>  ferry's output allocates no more than qemu's
                              (plus one MiB of slack for block rounding)
  convert-raw-f-m1/<image>    same with -f FORMAT -m 1 (one worker), for the
                              images where work splitting matters
  convert-raw-relative-path/<image>
                              chains and multi-file VMDKs named by a relative
                              path from another working directory
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import imagematrix as im  # noqa: E402

SLACK = 1 * im.MiB


def allocated(path):
    return os.stat(path).st_blocks * 512


def body(rep):
    with im.generate() as m:
        out_dir = m.path("out")
        os.mkdir(out_dir)

        def one(img):
            ref = os.path.join(out_dir, img.name + ".qemu.raw")
            out = os.path.join(out_dir, img.name + ".ferry.raw")
            im.qemu_img("convert", "-q", "-f", img.fmt, "-O", "raw", img.path, ref)

            r = im.ferry("convert", "-O", "raw", img.path, out)
            problems = im.succeeded(r, "ferry convert")
            if not problems and r.err.strip():
                problems.append("unexpected stderr on success: %r" % r.err.strip()[:200])
            if not problems:
                diff = im.first_difference(ref, out)
                if diff:
                    problems.append("output differs from qemu-img's: " + diff)
            rep.check("convert-raw/" + img.name, problems, "%.2fs" % r.seconds)

            if not problems:
                a_ferry, a_qemu = allocated(out), allocated(ref)
                rep.check("convert-raw-sparse/" + img.name,
                          ["ferry's output allocates %d bytes, qemu-img's %d"
                           % (a_ferry, a_qemu)] if a_ferry > a_qemu + SLACK else [],
                          "%d bytes allocated" % a_ferry)
            if os.path.exists(out):
                os.unlink(out)

            if img.tags & {"big", "random", "compressed", "stream", "chain", "extl2"}:
                r = im.ferry("convert", "-f", img.fmt, "-O", "raw", "-m", "1",
                             img.path, out)
                problems = im.succeeded(r, "ferry convert -f %s -m 1" % img.fmt)
                if not problems:
                    diff = im.first_difference(ref, out)
                    if diff:
                        problems.append("output differs from qemu-img's: " + diff)
                rep.check("convert-raw-f-m1/" + img.name, problems, "%.2fs" % r.seconds)
                if os.path.exists(out):
                    os.unlink(out)
            if "chain" in img.tags or len(img.files) > 1:
                # Backing and extent names are relative to the file that
                # names them, not to the working directory.
                cwd = os.path.dirname(m.dir)
                rel = os.path.relpath(img.path, cwd)
                r = im.ferry("convert", "-O", "raw", rel, out, cwd=cwd)
                problems = im.succeeded(r, "ferry convert %s (from %s)" % (rel, cwd))
                if not problems:
                    diff = im.first_difference(ref, out)
                    if diff:
                        problems.append("output differs from qemu-img's: " + diff)
                rep.check("convert-raw-relative-path/" + img.name, problems)
                if os.path.exists(out):
                    os.unlink(out)
            os.unlink(ref)
        im.per_image(rep, m.images, one)


if __name__ == "__main__":
    im.main("convert -O raw matches qemu-img", body)
