#!/usr/bin/env python3
"""`ferry map --json` describes the same allocation as
`qemu-img map --output=json`, for every image of the matrix.

Both maps are normalised into merged runs (see imagematrix.map_runs) and
compared range by range on kind (data / zero / hole) and depth.

Where the two tools legitimately differ, and what is compared instead:
  - qemu splits runs where host offsets are not contiguous and prints an
    "offset" key; ferry merges by (type, depth).  Offsets are dropped and
    adjacent runs merged on both sides before comparing.
  - qemu prints one zero-length entry for an empty image; ferry prints [].
  - qemu reports `"zero": true, "data": true` for allocated ranges it knows
    read as zeros (qcow2 preallocated zero clusters, file holes under a flat
    VMDK extent).  ferry's extent types cannot say both; it may report such a
    range as data or as zero, and either is accepted.  Everywhere else the
    data ranges must be exactly qemu's.
  - depth of ranges allocated nowhere: qemu reports the deepest layer that
    covers the offset (the bottom layer, or past the end of a shorter
    backing file, the overlay that still covers it).  disk_block_status
    stops descending at such a backing file too, so depth is compared
    everywhere.
  - raw files: qemu reports file holes as present zero ranges at the
    file-system block granularity, as SEEK_HOLE does; ferry's raw driver
    uses SEEK_HOLE, so these are compared exactly too.

Cases, per image:
  map/<image>        JSON is well formed, covers the disk, and agrees with qemu
  map-human/<image>  the non-JSON form exits 0 with one line per extent
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import imagematrix as im  # noqa: E402


def body(rep):
    with im.generate() as m:

        def one(img):
            qemu = im.qemu_json("map", "--output=json", "-f", img.fmt, img.path)
            r = im.ferry("map", "--json", img.path)
            problems = im.succeeded(r, "ferry map --json")
            entries = None
            if not problems:
                try:
                    entries = json.loads(r.out)
                except ValueError as e:
                    problems.append("output is not JSON (%s): %r" % (e, r.out[:200]))
            if entries is not None:
                problems += im.check_ferry_map_shape(entries, img.size)
            if not problems:
                diffs = im.compare_runs(im.map_runs(qemu, "qemu"),
                                        im.map_runs(entries, "ferry"))
                if diffs:
                    shown = diffs[:6] + (["... %d more" % (len(diffs) - 6)]
                                         if len(diffs) > 6 else [])
                    problems.append("maps differ: " + ", ".join(shown))
            rep.check("map/" + img.name, problems,
                      "%d extents" % len(entries) if entries is not None else "")

            r = im.ferry("map", "-f", img.fmt, img.path)
            problems = im.succeeded(r, "ferry map -f %s" % img.fmt)
            if not problems and entries is not None:
                lines = [l for l in r.out.splitlines() if l.strip()]
                if len(lines) != len(entries) + 1:
                    problems.append("human map has %d lines, JSON has %d extents (+1 header)"
                                    % (len(lines), len(entries)))
            rep.check("map-human/" + img.name, problems)
        im.per_image(rep, m.images, one)


if __name__ == "__main__":
    im.main("map matches qemu-img", body)
