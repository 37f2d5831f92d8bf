#!/usr/bin/env python3
"""`ferry convert -O qcow2` writes qcow2 images that qemu accepts: no
corruption or leak under `qemu-img check`, the source's content under
`qemu-img compare`, the requested cluster size, no backing file; and
`ferry compare` agrees that the copy is identical.

Cases, per image (and per cluster size for a subset):
  qcow2-out/<image>[/<cluster size>]
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import imagematrix as im  # noqa: E402

# Images also converted with non-default cluster sizes: unaligned sizes,
# data past 4 GiB, chains, compressed and VMDK sources.
EXTRA_CLUSTER_SIZES = {
    "qcow2-cluster-512": ("4k", "2M"),
    "raw-odd-size": ("4k", "2M"),
    "vmdk-monolithicSparse": ("4k",),
    "vmdk-streamOptimized": ("2M",),
    "qcow2-6G-data-past-4G": ("4k", "2M"),
    "chain-vmdk-qcow2-qcow2": ("4k", "2M"),
    "qcow2-extended-l2-backing": ("4k",),
    "qcow2-empty": ("2M",),
}
SIZES = {"4k": 4096, "2M": 2 * im.MiB, None: 65536}


def check_output(img, out, cluster):
    problems = []
    r = im.run(["qemu-img", "check", "--output=json", "-f", "qcow2", out])
    try:
        report = json.loads(r.out)
    except ValueError:
        report = None
    if report is None:
        problems.append("qemu-img check: %s; stdout %r" % (r.brief(), r.out[:200]))
    else:
        for key in ("corruptions", "leaks", "check-errors", "corruptions-fixed",
                    "leaks-fixed"):
            if report.get(key, 0):
                problems.append("qemu-img check: %s=%d" % (key, report[key]))
        if r.rc != 0 and not problems:
            problems.append("qemu-img check: " + r.brief())

    r = im.run(["qemu-img", "info", "--output=json", "-f", "qcow2", out])
    if r.rc != 0:
        problems.append("qemu-img info: " + r.brief())
    else:
        info = json.loads(r.out)
        if info.get("virtual-size") != img.size:
            problems.append("virtual size %s, source has %d" % (info.get("virtual-size"),
                                                                img.size))
        if info.get("cluster-size") != SIZES[cluster]:
            problems.append("cluster size %s, expected %d" % (info.get("cluster-size"),
                                                              SIZES[cluster]))
        if "backing-filename" in info:
            problems.append("output has a backing file: %s" % info["backing-filename"])
    if problems:
        return problems

    r = im.run(["qemu-img", "compare", "-q", "-f", img.fmt, "-F", "qcow2", img.path, out])
    if r.rc != 0:
        problems.append("qemu-img compare with the source: exit %d %s"
                        % (r.rc, (r.out + r.err).strip()[:200]))
    r = im.ferry("compare", img.path, out)
    problems += im.succeeded(r, "ferry compare with the source")
    return problems


def body(rep):
    with im.generate() as m:
        out_dir = m.path("out")
        os.mkdir(out_dir)

        def one(img):
            for cluster in (None,) + EXTRA_CLUSTER_SIZES.get(img.name, ()):
                name = "qcow2-out/" + img.name + ("/" + cluster if cluster else "")
                out = os.path.join(out_dir, "out.qcow2")
                args = ["convert", "-O", "qcow2"]
                if cluster:
                    args += ["-o", "cluster_size=" + cluster]
                r = im.ferry(*(args + [img.path, out]))
                problems = im.succeeded(r, "ferry " + " ".join(args))
                if not problems:
                    problems = check_output(img, out, cluster)
                rep.check(name, problems, "%.2fs" % r.seconds)
                if os.path.exists(out):
                    os.unlink(out)
        im.per_image(rep, m.images, one)


if __name__ == "__main__":
    im.main("convert -O qcow2 passes qemu-img check", body)
