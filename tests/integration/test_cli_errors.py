#!/usr/bin/env python3
"""The command line: help, version, and every way of calling ferry wrongly.

Rules checked:
  - `--help` / `-h` (global and per command) exits 0, prints "Usage: ..." on
    stdout and nothing on stderr;
  - an error exits 2 and its *first* stderr line starts with "ferry: "; only
    that line may start so.  Usage errors (bad option, missing argument) may
    add a "Try 'ferry CMD --help'" hint or the usage text after it; errors
    about images and files must be exactly one line;
  - a failed convert leaves no target behind, and never damages its source
    (converting an image onto itself or onto its own backing file must be
    refused, as qemu-img refuses it through its image locks).

Cases: cli/<what>
"""

import hashlib
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import imagematrix as im  # noqa: E402

COMMANDS = ("info", "map", "convert", "compare")


def usage_error(r, what):
    """An error from argument parsing: exit 2, first line "ferry: ...",
    hint lines allowed after it."""
    crash = r.crash()
    if crash:
        return ["%s crashed: %s (%s)" % (what, crash, r.brief())]
    problems = []
    if r.rc != 2:
        problems.append("%s: exit %d, expected 2" % (what, r.rc))
    lines = r.err_lines()
    if not lines or not lines[0].startswith("ferry: "):
        problems.append("%s: first stderr line does not start with 'ferry: ': %r"
                        % (what, r.err.strip()[:200]))
    elif sum(1 for l in lines if l.startswith("ferry: ")) != 1:
        problems.append("%s: several 'ferry: ' lines: %r" % (what, r.err.strip()[:300]))
    return problems


def digest(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def body(rep):
    m = im.Matrix()
    try:
        run_cases(rep, m)
    finally:
        m.cleanup()


def run_cases(rep, m):
    raw = m.raw_file("disk.raw", 1 * im.MiB, [(4096, b"\x42" * 8192)])
    qcow = m.create("qcow2", "disk.qcow2", 1 * im.MiB, ops=[("P", 0x42, 4096, 8192)])
    missing = m.path("no-such-image.qcow2")
    out = m.path("out.img")

    def gone(path):
        return [] if not os.path.exists(path) else ["%s was left behind" % path]

    # Global.
    for args in ([], ["--frobnicate"], ["frobnicate"], ["-v"]):
        r = im.ferry(*args)
        rep.check("cli/ferry %s" % " ".join(args) if args else "cli/ferry-without-arguments",
                  usage_error(r, "ferry " + " ".join(args)))
    for flag in ("--help", "-h"):
        r = im.ferry(flag)
        p = im.succeeded(r, "ferry " + flag)
        if not p and ("Usage: ferry" not in r.out or r.err.strip()):
            p.append("expected Usage on stdout and empty stderr: %r / %r"
                     % (r.out[:100], r.err[:100]))
        rep.check("cli/ferry %s" % flag, p)
    r = im.ferry("--version")
    p = im.succeeded(r, "ferry --version")
    if not p and not r.out.startswith("ferry "):
        p.append("version output %r" % r.out[:100])
    rep.check("cli/ferry --version", p)
    r = im.ferry("-v", "info", raw)
    rep.check("cli/ferry -v info", im.succeeded(r, "ferry -v info"))

    # Per command.
    for cmd in COMMANDS:
        for flag in ("--help", "-h"):
            r = im.ferry(cmd, flag)
            p = im.succeeded(r, "ferry %s %s" % (cmd, flag))
            if not p and ("Usage: ferry " + cmd not in r.out or r.err.strip()):
                p.append("expected 'Usage: ferry %s' on stdout and empty stderr: %r / %r"
                         % (cmd, r.out[:100], r.err[:100]))
            rep.check("cli/%s %s" % (cmd, flag), p)

        extra = ["-O", "raw"] if cmd == "convert" else []
        r = im.ferry(cmd, *extra)
        rep.check("cli/%s without arguments" % cmd, usage_error(r, "ferry " + cmd))
        r = im.ferry(cmd, "--bogus-option", *extra, raw, raw)
        rep.check("cli/%s unknown option" % cmd, usage_error(r, "ferry %s --bogus-option" % cmd))
        r = im.ferry(cmd, "-Z", *extra, raw, raw)
        rep.check("cli/%s unknown short option" % cmd, usage_error(r, "ferry %s -Z" % cmd))
        too_many = {"info": [raw, raw], "map": [raw, raw], "convert": [raw, out, out],
                    "compare": [raw, raw, raw]}[cmd]
        r = im.ferry(cmd, *extra, *too_many)
        rep.check("cli/%s too many arguments" % cmd,
                  usage_error(r, "ferry %s (too many)" % cmd) + gone(out))
        r = im.ferry(cmd, "-f")
        rep.check("cli/%s -f without value" % cmd, usage_error(r, "ferry %s -f" % cmd))

        # Image errors: exactly one line, naming the file.
        args = {"info": [missing], "map": [missing], "convert": [missing, out],
                "compare": [missing, raw]}[cmd]
        r = im.ferry(cmd, *extra, *args)
        p = im.clean_error(r, "ferry %s on a missing file" % cmd)
        if not p and os.path.basename(missing) not in r.err:
            p.append("message does not name the file: %r" % r.err.strip())
        rep.check("cli/%s nonexistent image" % cmd, p + gone(out))

        args = {"info": [raw], "map": [raw], "convert": [raw, out], "compare": [raw, raw]}[cmd]
        r = im.ferry(cmd, "-f", "vhdx", *extra, *args)
        p = im.clean_error(r, "ferry %s -f vhdx" % cmd)
        rep.check("cli/%s unknown -f format" % cmd, p + gone(out))

        r = im.ferry(cmd, *extra, *[m.dir if a == raw else a for a in args])
        rep.check("cli/%s on a directory" % cmd,
                  im.clean_error(r, "ferry %s DIRECTORY" % cmd) + gone(out))

    r = im.ferry("compare", raw, missing)
    rep.check("cli/compare second image missing",
              im.clean_error(r, "ferry compare IMG MISSING"))
    r = im.ferry("compare", "-F", "vhdx", raw, raw)
    rep.check("cli/compare unknown -F format", im.clean_error(r, "ferry compare -F vhdx"))
    r = im.ferry("compare", "-f", "raw", "-F", "qcow2", raw, raw)
    rep.check("cli/compare -F names the wrong format",
              im.clean_error(r, "ferry compare -F qcow2 RAW"))

    # convert's own options.
    convert_cases = [
        ("without -O", [raw, out]),
        ("-O vhdx", ["-O", "vhdx", raw, out]),
        ("-O vmdk", ["-O", "vmdk", raw, out]),
        ("-o unknown option", ["-O", "qcow2", "-o", "bogus=1", raw, out]),
        ("-o option without value", ["-O", "qcow2", "-o", "cluster_size", raw, out]),
        ("-o cluster_size not a size", ["-O", "qcow2", "-o", "cluster_size=big", raw, out]),
        ("-o cluster_size 3000", ["-O", "qcow2", "-o", "cluster_size=3000", raw, out]),
        ("-o cluster_size 256", ["-O", "qcow2", "-o", "cluster_size=256", raw, out]),
        ("-o cluster_size 4M", ["-O", "qcow2", "-o", "cluster_size=4M", raw, out]),
        ("-o cluster_size 2^64", ["-O", "qcow2", "-o", "cluster_size=18446744073709551616",
                                  raw, out]),
        ("-m 0", ["-O", "raw", "-m", "0", raw, out]),
        ("-m 1000", ["-O", "raw", "-m", "1000", raw, out]),
        ("-m abc", ["-O", "raw", "-m", "abc", raw, out]),
    ]
    for label, args in convert_cases:
        r = im.ferry("convert", *args)
        rep.check("cli/convert %s" % label,
                  usage_error(r, "ferry convert " + label) + gone(out))
    r = im.ferry("convert", "-O", "raw", raw, m.path("no-such-dir/out.raw"))
    rep.check("cli/convert target in a missing directory",
              im.clean_error(r, "ferry convert to a missing directory"))

    # convert that works, with progress: exit 0, target complete.
    r = im.ferry("convert", "-p", "-m", "3", "-O", "qcow2", "-o", "cluster_size=4k", qcow, out)
    p = im.succeeded(r, "ferry convert -p -m 3")
    if not p:
        q = im.run(["qemu-img", "compare", "-q", qcow, out])
        if q.rc != 0:
            p.append("target differs from source (qemu-img compare exit %d)" % q.rc)
    rep.check("cli/convert -p -m 3 -o cluster_size=4k", p)
    if os.path.exists(out):
        os.unlink(out)

    # Never destroy the source.
    base = m.raw_file("base.raw", 1 * im.MiB, [(0, b"\x55" * 65536)])
    top = m.create("qcow2", "top.qcow2", 1 * im.MiB, backing="base.raw", backing_fmt="raw",
                   ops=[("P", 0x66, 65536, 4096)])
    for label, fmt, src, dst in (("raw onto itself", "raw", raw, raw),
                                 ("qcow2 onto itself", "qcow2", qcow, qcow),
                                 ("qcow2 onto its backing file", "raw", top, base)):
        before = {f: digest(f) for f in (raw, qcow, base, top)}
        r = im.ferry("convert", "-O", fmt, src, dst)
        p = im.clean_error(r, "ferry convert -O %s %s %s" % (fmt, os.path.basename(src),
                                                              os.path.basename(dst)))
        for f, h in before.items():
            if not os.path.exists(f):
                p.append("%s was deleted" % os.path.basename(f))
            elif digest(f) != h:
                p.append("%s was modified" % os.path.basename(f))
        rep.check("cli/convert %s is refused" % label, p)
        if p:   # rebuild what was destroyed, for the next case
            raw = m.raw_file("disk.raw", 1 * im.MiB, [(4096, b"\x42" * 8192)])
            qcow = m.create("qcow2", "disk.qcow2", 1 * im.MiB, ops=[("P", 0x42, 4096, 8192)])


if __name__ == "__main__":
    im.main("command-line errors", body)
