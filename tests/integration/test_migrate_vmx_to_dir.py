#!/usr/bin/env python3
"""`ferry migrate --from vmx:... --to dir:...` migrates a VMware VM folder
cold: the target disks hold exactly the guest-visible content of the chains
the VM runs on (qemu-img compare), the report says verified with equal
digests, the domain XML validates, a second run refuses to overwrite, and a
VM with a critical finding is refused before anything is written.

Cases:
  migrate/snapshot-chain     a two-disk VM running on a snapshot delta
  migrate/raw-format         --format raw
  migrate/report             report fields and digests
  migrate/xml-validates      virt-xml-validate on the domain (when installed)
  migrate/refuses-overwrite  second run: exit 2, nothing changed
  migrate/critical-blocks    physical RDM: exit 2, target directory empty
  migrate/missing-disk       a disk file that is gone: exit 2, nothing left
  migrate/storage-map        --map-storage: each disk in the subdirectory
                             its ESXi datastore maps to, the XML names them
  migrate/storage-unmapped   a datastore the mapping lacks: exit 2, nothing
                             written
  migrate/shared-disk-raw    a multi-writer disk of a qcow2 migration is
                             created raw (NAME-disk1.raw), equal to its
                             source, <shareable/> with driver type raw
  migrate/writer-refusal-blocks
                             a disk both shared and independent-nonpersistent,
                             which the domain writer refuses: exit 2 at
                             validation (disk-shared-transient), the target
                             directory not even created
  migrate/no-name            a .vmx without displayName: exit 2 with a message
                             asking for --name, nothing created; with --name
                             it migrates under that name
"""

import json
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import imagematrix as im  # noqa: E402

VMX = """.encoding = "UTF-8"
config.version = "8"
virtualHW.version = "19"
displayName = "{name}"
guestOS = "debian11-64"
numvcpus = "2"
cpuid.coresPerSocket = "2"
memSize = "1024"
scsi0.present = "TRUE"
scsi0.virtualDev = "pvscsi"
scsi0:0.present = "TRUE"
scsi0:0.fileName = "{disk0}"
scsi0:0.deviceType = "scsi-hardDisk"
sata0.present = "TRUE"
sata0:0.present = "TRUE"
sata0:0.fileName = "{disk1}"
ethernet0.present = "TRUE"
ethernet0.virtualDev = "vmxnet3"
ethernet0.networkName = "VM Network"
ethernet0.addressType = "generated"
ethernet0.generatedAddress = "00:50:56:12:34:56"
"""


def make_vm(d, name, disk1_extra=""):
    """A VM folder: disk 0 a monolithicSparse base with a snapshot delta on
    top (the VM runs on the delta), disk 1 a flat disk."""
    os.makedirs(d)
    base = os.path.join(d, name + ".vmdk")
    delta = os.path.join(d, name + "-000001.vmdk")
    flat = os.path.join(d, name + "_1.vmdk")
    im.qemu_img("create", "-q", "-f", "vmdk", "-o", "subformat=monolithicSparse", base, "256M")
    im.oracle("qemu-io", "-f", "vmdk", "-c", "write -P 0x11 0 4M", "-c",
              "write -P 0x22 100M 3M", base)
    im.qemu_img("create", "-q", "-f", "vmdk", "-b", os.path.basename(base), "-F", "vmdk",
                delta)
    im.oracle("qemu-io", "-f", "vmdk", "-c", "write -P 0x33 1M 1M", "-c",
              "write -P 0x44 255M 1M", delta)
    im.qemu_img("create", "-q", "-f", "vmdk", "-o", "subformat=monolithicFlat", flat, "64M")
    im.oracle("qemu-io", "-f", "vmdk", "-c", "write -P 0x55 8M 8M", flat)
    vmx = os.path.join(d, name + ".vmx")
    with open(vmx, "w") as f:
        f.write(VMX.format(name=name, disk0=os.path.basename(delta),
                           disk1=os.path.basename(flat)) + disk1_extra)
    return vmx, [delta, flat]


def main_body(rep):
    work = tempfile.mkdtemp(prefix="ferry-migrate-", dir=os.environ.get("TMPDIR"))
    try:
        run_cases(rep, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run_cases(rep, work):
    vmx, disks = make_vm(os.path.join(work, "web01"), "web01")
    out = os.path.join(work, "out")
    r = im.ferry("migrate", "--from", "vmx:" + vmx, "--to", "dir:" + out,
                 "--map-network", "VM Network=default", "--json", timeout=600)
    problems = im.succeeded(r, "ferry migrate")
    report = {}
    if not problems:
        report = json.loads(r.out)
        for i, src in enumerate(disks):
            dst = os.path.join(out, "web01-disk%d.qcow2" % i)
            c = im.run(["qemu-img", "compare", "-f", "vmdk", "-F", "qcow2", src, dst])
            if c.rc != 0:
                problems.append("disk %d differs from its source: %s" % (i, c.out.strip()))
            ck = im.run(["qemu-img", "check", dst])
            if ck.rc != 0:
                problems.append("qemu-img check %s: %s" % (dst, ck.out.strip()[:200]))
    rep.check("migrate/snapshot-chain", problems)

    problems = []
    if report.get("result") != "verified":
        problems.append("result %r" % report.get("result"))
    for d in report.get("disks", []):
        if not d.get("verified") or d.get("source-digest") != d.get("target-digest"):
            problems.append("disk %s not verified: %r" % (d.get("target"), d))
        if d.get("source-digest-from") != "copy":
            problems.append("source digest of a whole copy from %r" % d.get("source-digest-from"))
        h = im.ferry("hash", d.get("source", ""))
        if h.rc != 0 or h.out.split()[0] != d.get("source-digest"):
            problems.append("ferry hash of the source disagrees with the report")
    if len(report.get("disks", [])) != 2:
        problems.append("expected 2 disks in the report")
    on_disk = os.path.join(out, "web01.report.json")
    if not os.path.exists(on_disk) or json.load(open(on_disk)) != report:
        problems.append("the report file differs from the printed report")
    rep.check("migrate/report", problems)

    xml = os.path.join(out, "web01.xml")
    if shutil.which("virt-xml-validate"):
        v = im.run(["virt-xml-validate", xml, "domain"])
        rep.check("migrate/xml-validates", [] if v.rc == 0 else [v.brief()])
    else:
        im.skip_part("libvirt", "virt-xml-validate is not installed (Debian: "
                     "libvirt-clients): migrate/xml-validates")

    before = {f: os.path.getmtime(os.path.join(out, f)) for f in os.listdir(out)}
    r = im.ferry("migrate", "--from", "vmx:" + vmx, "--to", "dir:" + out)
    problems = [] if r.rc == 2 else ["exit %d, expected 2" % r.rc]
    if "already exists" not in r.err:
        problems.append("no 'already exists' message: " + r.brief())
    after = {f: os.path.getmtime(os.path.join(out, f)) for f in os.listdir(out)}
    if before != after:
        problems.append("the existing target changed")
    rep.check("migrate/refuses-overwrite", problems)

    out_raw = os.path.join(work, "out-raw")
    r = im.ferry("migrate", "--from", "vmx:" + vmx, "--to", "dir:" + out_raw,
                 "--format", "raw", "--name", "web01-raw", timeout=600)
    problems = im.succeeded(r, "ferry migrate --format raw")
    if not problems:
        c = im.run(["qemu-img", "compare", "-f", "vmdk", "-F", "raw", disks[0],
                    os.path.join(out_raw, "web01-raw-disk0.raw")])
        if c.rc != 0:
            problems.append("raw disk 0 differs: " + c.out.strip())
    rep.check("migrate/raw-format", problems)

    # physical RDM: critical, nothing written
    rdm_vm = os.path.join(work, "db01")
    vmx2, _ = make_vm(rdm_vm, "db01", 'scsi0:1.present = "TRUE"\n'
                                      'scsi0:1.fileName = "db01-rdm.vmdk"\n')
    with open(os.path.join(rdm_vm, "db01-rdm.vmdk"), "w") as f:
        f.write('# Disk DescriptorFile\nversion=1\nCID=fffffffe\nparentCID=ffffffff\n'
                'createType="vmfsPassthroughRawDeviceMap"\n'
                'RW 2097152 VMFSRAW "db01-rdmp.vmdk"\n')
    out2 = os.path.join(work, "out2")
    r = im.ferry("migrate", "--from", "vmx:" + vmx2, "--to", "dir:" + out2)
    problems = [] if r.rc == 2 else ["exit %d, expected 2" % r.rc]
    if "critical" not in r.err:
        problems.append("no mention of the critical finding: " + r.brief())
    if os.path.exists(out2) and os.listdir(out2):
        problems.append("files were written: %s" % os.listdir(out2))
    rep.check("migrate/critical-blocks", problems)

    # a disk that disappears: the chain is broken, nothing left behind
    gone_vm = os.path.join(work, "gone")
    vmx3, disks3 = make_vm(gone_vm, "gone")
    os.unlink(disks3[1])
    out3 = os.path.join(work, "out3")
    r = im.ferry("migrate", "--from", "vmx:" + vmx3, "--to", "dir:" + out3)
    problems = [] if r.rc == 2 else ["exit %d, expected 2" % r.rc]
    if os.path.exists(out3) and os.listdir(out3):
        problems.append("files were left: %s" % os.listdir(out3))
    rep.check("migrate/missing-disk", problems)

    # disks on two ESXi datastores, as the .vmx names them
    ds_vm = os.path.join(work, "web02")
    vmx4, disks4 = make_vm(ds_vm, "web02")
    with open(vmx4) as f:
        text = f.read()
    text = text.replace('"web02-000001.vmdk"', '"/vmfs/volumes/fast-ds/web02/web02-000001.vmdk"')
    text = text.replace('"web02_1.vmdk"', '"/vmfs/volumes/slow-ds/web02/web02_1.vmdk"')
    with open(vmx4, "w") as f:
        f.write(text)
    out4 = os.path.join(work, "out4")
    r = im.ferry("migrate", "--from", "vmx:" + vmx4, "--to", "dir:" + out4,
                 "--map-storage", "fast-ds=fast", "--map-storage", "slow-ds=slow",
                 timeout=600)
    problems = im.succeeded(r, "ferry migrate --map-storage")
    if not problems:
        for i, sub in enumerate(["fast", "slow"]):
            dst = os.path.join(out4, sub, "web02-disk%d.qcow2" % i)
            c = im.run(["qemu-img", "compare", "-f", "vmdk", "-F", "qcow2", disks4[i], dst])
            if c.rc != 0:
                problems.append("disk %d in %s: %s" % (i, sub, c.out.strip()))
            if "<source file=\"%s\"/>" % dst not in open(os.path.join(out4, "web02.xml")).read():
                problems.append("the domain XML does not name " + dst)
        if sorted(os.listdir(out4)) != ["fast", "slow", "web02.report.json", "web02.xml"]:
            problems.append("unexpected files: %s" % sorted(os.listdir(out4)))
    rep.check("migrate/storage-map", problems)

    out5 = os.path.join(work, "out5")
    r = im.ferry("migrate", "--from", "vmx:" + vmx4, "--to", "dir:" + out5,
                 "--map-storage", "fast-ds=fast")
    problems = [] if r.rc == 2 else ["exit %d, expected 2" % r.rc]
    if "slow-ds" not in r.err:
        problems.append("the unmapped datastore is not named: " + r.brief())
    if os.path.exists(out5):
        problems.append("files were written: %s" % os.listdir(out5))
    rep.check("migrate/storage-unmapped", problems)

    # a multi-writer disk: raw whatever the target format
    shared_vm = os.path.join(work, "quorum")
    vmx6, disks6 = make_vm(shared_vm, "quorum", 'sata0:0.sharing = "multi-writer"\n')
    out6 = os.path.join(work, "out6")
    r = im.ferry("migrate", "--from", "vmx:" + vmx6, "--to", "dir:" + out6,
                 "--map-network", "VM Network=default", "--json", timeout=600)
    problems = im.succeeded(r, "ferry migrate (shared disk)")
    if not problems:
        expected = ["quorum-disk0.qcow2", "quorum-disk1.raw", "quorum.report.json",
                    "quorum.xml"]
        if sorted(os.listdir(out6)) != expected:
            problems.append("files %s, expected %s" % (sorted(os.listdir(out6)), expected))
        for i, fmt in enumerate(["qcow2", "raw"]):
            dst = os.path.join(out6, "quorum-disk%d.%s" % (i, fmt))
            info = im.run(["qemu-img", "info", "--output=json", dst])
            got = json.loads(info.out).get("format") if info.rc == 0 else info.brief()
            if got != fmt:
                problems.append("disk %d is %r, expected %s" % (i, got, fmt))
            c = im.run(["qemu-img", "compare", "-f", "vmdk", "-F", fmt, disks6[i], dst])
            if c.rc != 0:
                problems.append("disk %d differs from its source: %s" % (i, c.out.strip()))
        xml = open(os.path.join(out6, "quorum.xml")).read()
        if xml.count("<shareable/>") != 1 or "type=\"raw\"" not in xml:
            problems.append("the domain XML lacks the raw shareable disk")
        formats = [d.get("format") for d in json.loads(r.out).get("disks", [])]
        if formats != ["qcow2", "raw"]:
            problems.append("report disk formats %r" % formats)
    rep.check("migrate/shared-disk-raw", problems)

    # refused by the domain writer: caught before anything is created
    bad_vm = os.path.join(work, "quorum2")
    vmx7, _ = make_vm(bad_vm, "quorum2", 'sata0:0.sharing = "multi-writer"\n'
                                         'sata0:0.mode = "independent-nonpersistent"\n')
    out7 = os.path.join(work, "out7")
    r = im.ferry("migrate", "--from", "vmx:" + vmx7, "--to", "dir:" + out7,
                 "--map-network", "VM Network=default", timeout=600)
    problems = [] if r.rc == 2 else ["exit %d, expected 2" % r.rc]
    if "disk-shared-transient" not in r.err or "nothing was copied" not in r.err:
        problems.append("not refused at validation: " + r.brief())
    if os.path.exists(out7):
        problems.append("the target was created: %s" % os.listdir(out7))
    rep.check("migrate/writer-refusal-blocks", problems)

    # no displayName: refused cleanly, and --name is the way out
    anon_vm = os.path.join(work, "anon")
    vmx8, _ = make_vm(anon_vm, "anon")
    with open(vmx8) as f:
        text = f.read()
    with open(vmx8, "w") as f:
        f.write(text.replace('displayName = "anon"\n', ""))
    out8 = os.path.join(work, "out8")
    r = im.ferry("migrate", "--from", "vmx:" + vmx8, "--to", "dir:" + out8)
    problems = [] if r.rc == 2 else ["exit %r, expected 2: %s" % (r.rc, r.brief())]
    if "--name" not in r.err:
        problems.append("the message does not suggest --name: " + r.brief())
    if os.path.exists(out8):
        problems.append("the target was created: %s" % os.listdir(out8))
    r = im.ferry("migrate", "--from", "vmx:" + vmx8, "--to", "dir:" + out8,
                 "--name", "named", timeout=600)
    problems += im.succeeded(r, "ferry migrate --name")
    if not problems and "<name>named</name>" not in open(os.path.join(out8, "named.xml")).read():
        problems.append("the domain is not called 'named'")
    rep.check("migrate/no-name", problems)


if __name__ == "__main__":
    im.main("ferry migrate: VMX folder to a directory", main_body)
