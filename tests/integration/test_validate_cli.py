#!/usr/bin/env python3
"""`ferry validate`: the pre-flight rules through the command line, on VM
folders written here (a .vmx and a sparse raw disk; no image tool needed).
Expected severities come from docs/validation.md; the exit status is 0
without a CRITICAL finding and 1 with one.

Cases:
  validate/cold              CBT off and an independent-persistent disk are
                             INFO for a cold migration: exit 0
  validate/warm              the same VM with --warm: both WARNING, exit 0
  validate/windows-virtio    a Windows guest without --compat: CRITICAL
                             windows-virtio naming --compat, exit 1
  validate/windows-compat    the same with --compat: no finding about it,
                             exit 0
  validate/human-form        the human report: "NAME: SEVERITY  rule  message"
                             lines, in aligned columns
"""

import json
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import imagematrix as im  # noqa: E402

VMX = """.encoding = "UTF-8"
displayName = "{name}"
guestOS = "{guest}"
numvcpus = "2"
memSize = "1024"
firmware = "efi"
ctkEnabled = "FALSE"
scsi0.present = "TRUE"
scsi0.virtualDev = "pvscsi"
scsi0:0.present = "TRUE"
scsi0:0.fileName = "{name}.img"
scsi0:0.mode = "independent-persistent"
"""


def make_vm(work, name, guest):
    d = os.path.join(work, name)
    os.makedirs(d)
    with open(os.path.join(d, name + ".img"), "wb") as f:
        f.truncate(16 << 20)
    vmx = os.path.join(d, name + ".vmx")
    with open(vmx, "w") as f:
        f.write(VMX.format(name=name, guest=guest))
    return "vmx:" + vmx


def findings(r, what):
    """{rule: severity} of a --json run, or a list of problems."""
    crash = r.crash()
    if crash:
        return None, ["%s crashed: %s" % (what, crash)]
    try:
        report = json.loads(r.out)
        return {f["rule"]: f["severity"] for f in report[0]["findings"]}, []
    except (ValueError, KeyError, IndexError) as e:
        return None, ["%s: no JSON report (%s): %s" % (what, e, r.brief())]


def expect(r, what, rc, want):
    """want: {rule: severity or None (absent)}."""
    got, problems = findings(r, what)
    if r.rc != rc:
        problems.append("%s: exit %r, expected %d" % (what, r.rc, rc))
    for rule, severity in (want.items() if got is not None else []):
        if got.get(rule) != severity:
            problems.append("%s: %s is %r, expected %r" % (what, rule, got.get(rule), severity))
    return problems, got


def main_body(rep):
    work = tempfile.mkdtemp(prefix="ferry-validate-", dir=os.environ.get("TMPDIR"))
    try:
        run_cases(rep, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run_cases(rep, work):
    linux = make_vm(work, "app01", "debian11-64")
    r = im.ferry("validate", "--json", linux)
    problems, _ = expect(r, "validate", 0, {"cbt-disabled": "info",
                                           "disk-independent": "info"})
    rep.check("validate/cold", problems)

    r = im.ferry("validate", "--json", "--warm", linux)
    problems, _ = expect(r, "validate --warm", 0, {"cbt-disabled": "warning",
                                                   "disk-independent": "warning"})
    rep.check("validate/warm", problems)

    windows = make_vm(work, "dc01", "windows2019srv-64")
    r = im.ferry("validate", "--json", windows)
    problems, got = expect(r, "validate (Windows)", 1, {"windows-virtio": "critical"})
    if got is not None:
        message = [f["message"] for f in json.loads(r.out)[0]["findings"]
                   if f["rule"] == "windows-virtio"]
        if not message or "--compat" not in message[0]:
            problems.append("the windows-virtio message does not name --compat: %r" % message)
    rep.check("validate/windows-virtio", problems)

    r = im.ferry("validate", "--json", "--compat", windows)
    problems, _ = expect(r, "validate --compat (Windows)", 0, {"windows-virtio": None})
    rep.check("validate/windows-compat", problems)

    r = im.ferry("validate", "--warm", linux)
    problems = [] if r.rc == 0 else ["exit %r: %s" % (r.rc, r.brief())]
    lines = r.out.splitlines()
    prefixes = ["app01: WARNING   disk-independent       disk 0 (scsi0:0): "
                "independent-persistent: ",
                "app01: WARNING   cbt-disabled           changed block tracking"]
    if len(lines) != 2:
        problems.append("expected 2 lines, got %r" % lines)
    for line, prefix in zip(lines, prefixes):
        if not line.startswith(prefix):
            problems.append("line %r does not start with %r" % (line, prefix))
    rep.check("validate/human-form", problems)


if __name__ == "__main__":
    im.main("ferry validate: the rules through the command line", main_body)
