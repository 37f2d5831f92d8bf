#!/usr/bin/env python3
"""`ferry info --json` reports what `qemu-img info --backing-chain` reports:
the format, virtual size and allocated size of every layer, the chain's
length and order, and each layer's backing reference as stored.

Field by field (ferry key <- qemu key):
  format, virtual-size, actual-size        equal, for every layer
  filename                                 same file (paths are compared
                                           after resolving: ferry joins the
                                           backing name to the overlay's
                                           directory, qemu makes it absolute)
  backing-filename                         equal, present in both or neither
  backing-format <- backing-filename-format
      qcow2 layers: equal, present in both or neither (an image made
      without -F has none, and ferry must not invent one);
      vmdk layers: qemu always says "vmdk" (a VMDK parent can only be
      VMDK); ferry may omit it, or must say "vmdk".
  depth                                    the layer's index in the chain
  format-specific                          an object (contents are the
                                           drivers' own)

Cases, per image:
  info-json/<image>    the JSON form, as above
  info-human/<image>   the text form: exit 0, "file format: F",
                       "virtual size: ... (N bytes)"
  info-forced/<image>  `-f FORMAT` gives the same format and size
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import imagematrix as im  # noqa: E402


def same_file(a, b):
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def compare_layer(i, q, f):
    p = []
    where = "layer %d" % i
    for key in ("format", "virtual-size", "actual-size"):
        if f.get(key) != q.get(key):
            p.append("%s %s: ferry %r, qemu %r" % (where, key, f.get(key), q.get(key)))
    if not isinstance(f.get("filename"), str) or not same_file(f["filename"], q["filename"]):
        p.append("%s filename: ferry %r, qemu %r" % (where, f.get("filename"), q["filename"]))
    if f.get("backing-filename") != q.get("backing-filename"):
        p.append("%s backing-filename: ferry %r, qemu %r"
                 % (where, f.get("backing-filename"), q.get("backing-filename")))
    fb, qb = f.get("backing-format"), q.get("backing-filename-format")
    if q.get("format") == "vmdk":
        if fb not in (None, "vmdk"):
            p.append("%s backing-format: ferry %r for a vmdk layer" % (where, fb))
    elif fb != qb:
        p.append("%s backing-format: ferry %r, qemu %r" % (where, fb, qb))
    if f.get("depth") != i:
        p.append("%s depth: ferry %r" % (where, f.get("depth")))
    if not isinstance(f.get("format-specific"), dict):
        p.append("%s format-specific is not an object" % where)
    return p


def body(rep):
    with im.generate() as m:

        def one(img):
            qemu = im.qemu_json("info", "--backing-chain", "--output=json", "-f", img.fmt,
                                img.path)
            if isinstance(qemu, dict):
                qemu = [qemu]
            if [l["format"] for l in qemu] != img.chain:
                raise im.SetupError("%s: qemu sees chain %s, the matrix meant %s"
                                    % (img.name, [l["format"] for l in qemu], img.chain))

            r = im.ferry("info", "--json", img.path)
            problems = im.succeeded(r, "ferry info --json")
            info = None
            if not problems:
                try:
                    info = json.loads(r.out)
                except ValueError as e:
                    problems.append("output is not JSON (%s): %r" % (e, r.out[:200]))
            if info is not None:
                chain = info.get("backing-chain")
                if not isinstance(chain, list):
                    problems.append("no backing-chain array")
                else:
                    if len(chain) != len(qemu):
                        problems.append("chain has %d layers (%s), qemu %d (%s)"
                                        % (len(chain), [l.get("format") for l in chain],
                                           len(qemu), img.chain))
                    for i, (q, f) in enumerate(zip(qemu, chain)):
                        problems += compare_layer(i, q, f)
                    top = dict(info)
                    del top["backing-chain"]
                    if chain and top != chain[0]:
                        problems.append("top-level fields differ from backing-chain[0]")
            rep.check("info-json/" + img.name, problems,
                      "%s, %d layers" % (info.get("format"), len(info.get("backing-chain", [])))
                      if info and not problems else "")

            r = im.ferry("info", img.path)
            problems = im.succeeded(r, "ferry info")
            if not problems:
                for want in ("file format: %s" % img.fmt, "(%d bytes)" % img.size):
                    if want not in r.out:
                        problems.append("%r not in output %r" % (want, r.out[:200]))
            rep.check("info-human/" + img.name, problems)

            r = im.ferry("info", "--json", "-f", img.fmt, img.path)
            problems = im.succeeded(r, "ferry info --json -f " + img.fmt)
            if not problems:
                try:
                    forced = json.loads(r.out)
                except ValueError as e:
                    forced = {"format": "(not JSON: %s)" % e}
                if (forced.get("format"), forced.get("virtual-size")) != (img.fmt, img.size):
                    problems.append("reports %r %r" % (forced.get("format"),
                                                       forced.get("virtual-size")))
            rep.check("info-forced/" + img.name, problems)
        im.per_image(rep, m.images, one)


if __name__ == "__main__":
    im.main("info reports the chain", body)
