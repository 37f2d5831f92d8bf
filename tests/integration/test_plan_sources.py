#!/usr/bin/env python3
"""`ferry plan create` + `ferry plan run` to a dir: target from every kind of
source: a VMware VM folder (vmx:), an OVA archive (ova:) and an unpacked OVF
package (ovf:).  The oracle for each disk is qemu-img's view of the source
image: `qemu-img convert -O raw` of it, hashed by `ferry hash`, must equal
the target digest the plan recorded, and `qemu-img compare` of the source
image with the target must say identical.

Cases:
  plan-source/vmx   a VM folder running on a snapshot delta, two disks
  plan-source/ova   an OVA with a streamOptimized disk (read in place:
                    the disk is a window of the archive)
  plan-source/ovf   the same package unpacked, read through its .ovf
"""

import json
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import imagematrix as im  # noqa: E402
from test_migrate_vmx_to_dir import make_vm  # noqa: E402

MiB = 1 << 20

OVF = """<?xml version="1.0" encoding="UTF-8"?>
<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1"
 xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1"
 xmlns:rasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData"
 xmlns:vssd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData"
 xmlns:vmw="http://www.vmware.com/schema/ovf">
  <References>
    <File ovf:href="{disk}" ovf:id="file1" ovf:size="{disk_size}"/>
  </References>
  <DiskSection>
    <Info>Virtual disk information</Info>
    <Disk ovf:capacity="{capacity_mib}" ovf:capacityAllocationUnits="byte * 2^20"
     ovf:diskId="vmdisk1" ovf:fileRef="file1"
     ovf:format="http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized"/>
  </DiskSection>
  <NetworkSection>
    <Info>The list of logical networks</Info>
    <Network ovf:name="VM Network"><Description>VM Network</Description></Network>
  </NetworkSection>
  <VirtualSystem ovf:id="{name}">
    <Info>A virtual machine</Info>
    <Name>{name}</Name>
    <OperatingSystemSection ovf:id="96" vmw:osType="debian11_64Guest">
      <Info>The kind of installed guest operating system</Info>
    </OperatingSystemSection>
    <VirtualHardwareSection>
      <Info>Virtual hardware requirements</Info>
      <System>
        <vssd:ElementName>Virtual Hardware Family</vssd:ElementName>
        <vssd:InstanceID>0</vssd:InstanceID>
        <vssd:VirtualSystemIdentifier>{name}</vssd:VirtualSystemIdentifier>
        <vssd:VirtualSystemType>vmx-19</vssd:VirtualSystemType>
      </System>
      <Item>
        <rasd:AllocationUnits>hertz * 10^6</rasd:AllocationUnits>
        <rasd:ElementName>2 virtual CPU(s)</rasd:ElementName>
        <rasd:InstanceID>1</rasd:InstanceID>
        <rasd:ResourceType>3</rasd:ResourceType>
        <rasd:VirtualQuantity>2</rasd:VirtualQuantity>
      </Item>
      <Item>
        <rasd:AllocationUnits>byte * 2^20</rasd:AllocationUnits>
        <rasd:ElementName>1024MB of memory</rasd:ElementName>
        <rasd:InstanceID>2</rasd:InstanceID>
        <rasd:ResourceType>4</rasd:ResourceType>
        <rasd:VirtualQuantity>1024</rasd:VirtualQuantity>
      </Item>
      <Item>
        <rasd:Address>0</rasd:Address>
        <rasd:ElementName>SCSI controller 0</rasd:ElementName>
        <rasd:InstanceID>3</rasd:InstanceID>
        <rasd:ResourceSubType>VirtualSCSI</rasd:ResourceSubType>
        <rasd:ResourceType>6</rasd:ResourceType>
      </Item>
      <Item>
        <rasd:AddressOnParent>0</rasd:AddressOnParent>
        <rasd:ElementName>Hard disk 1</rasd:ElementName>
        <rasd:HostResource>ovf:/disk/vmdisk1</rasd:HostResource>
        <rasd:InstanceID>4</rasd:InstanceID>
        <rasd:Parent>3</rasd:Parent>
        <rasd:ResourceType>17</rasd:ResourceType>
      </Item>
      <Item>
        <rasd:AddressOnParent>7</rasd:AddressOnParent>
        <rasd:AutomaticAllocation>true</rasd:AutomaticAllocation>
        <rasd:Connection>VM Network</rasd:Connection>
        <rasd:ElementName>Network adapter 1</rasd:ElementName>
        <rasd:InstanceID>5</rasd:InstanceID>
        <rasd:ResourceSubType>VmxNet3</rasd:ResourceSubType>
        <rasd:ResourceType>10</rasd:ResourceType>
      </Item>
    </VirtualHardwareSection>
  </VirtualSystem>
</Envelope>
"""


def make_ova(d, name, capacity_mib=96):
    """d/NAME.ovf, d/NAME-disk1.vmdk (streamOptimized, data written by
    qemu-io) and d/NAME.ova (ustar: descriptor first).  Returns (ova, ovf,
    vmdk)."""
    os.makedirs(d)
    raw = os.path.join(d, "disk.raw")
    vmdk = os.path.join(d, name + "-disk1.vmdk")
    im.qemu_img("create", "-q", "-f", "raw", raw, "%dM" % capacity_mib)
    im.oracle("qemu-io", "-f", "raw", "-c", "write -P 0xab 1M 2M", "-c",
              "write -P 0xcd 40M 64k", "-c",
              "write -P 0xef %d 4k" % (capacity_mib * MiB - 4096), raw)
    im.qemu_img("convert", "-q", "-f", "raw", "-O", "vmdk", "-o",
                "subformat=streamOptimized", raw, vmdk)
    os.unlink(raw)
    ovf = os.path.join(d, name + ".ovf")
    with open(ovf, "w") as f:
        f.write(OVF.format(name=name, disk=os.path.basename(vmdk),
                           disk_size=os.path.getsize(vmdk), capacity_mib=capacity_mib))
    ova = os.path.join(d, name + ".ova")
    im.oracle("tar", "--format=ustar", "-cf", ova, os.path.basename(ovf),
              os.path.basename(vmdk), cwd=d)
    return ova, ovf, vmdk


def qemu_digest(work, image):
    """`ferry hash` of qemu-img's raw conversion of image: the digest of the
    guest-visible bytes as qemu-img reads them."""
    raw = os.path.join(work, "oracle.raw")
    im.qemu_img("convert", "-q", "-O", "raw", image, raw)
    r = im.ferry("hash", raw)
    os.unlink(raw)
    if r.rc != 0:
        raise im.SetupError("ferry hash %s: %s" % (raw, r.brief()))
    return r.out.split()[0]


def check_plan(rep, work, case, source, images, name):
    db = os.path.join(work, "state", "ferry.db")
    out = os.path.join(work, "out-" + case)
    r = im.ferry("plan", "create", case, "--from", source, "--to", "dir:" + out,
                 "--map-network", "VM Network=default", "--db", db)
    problems = im.succeeded(r, "plan create")
    if not problems:
        r = im.ferry("plan", "run", case, "--db", db, timeout=300)
        problems = im.succeeded(r, "plan run")
    s = im.ferry("plan", "show", case, "--json", "--db", db)
    vms = json.loads(s.out)["vms"] if s.rc == 0 else []
    if len(vms) != 1 or vms[0]["state"] != "done":
        problems.append("VM: %r" % [(v["state"], v["error"]) for v in vms])
        rep.check("plan-source/" + case, problems)
        return
    disks = vms[0]["disks"]
    if len(disks) != len(images):
        problems.append("%d disk(s), expected %d" % (len(disks), len(images)))
    for i, (d, image) in enumerate(zip(disks, images)):
        want = qemu_digest(work, image)
        if d["target-digest"] != want or d["source-digest"] != want:
            problems.append("disk %d: digests source %s target %s, qemu-img's view %s"
                            % (i, d["source-digest"], d["target-digest"], want))
        dst = os.path.join(out, "%s-disk%d.qcow2" % (name, i))
        if d["target"] != dst:
            problems.append("disk %d: target %r" % (i, d["target"]))
        c = im.run(["qemu-img", "compare", "-F", "qcow2", image, dst])
        if c.rc != 0:
            problems.append("disk %d: qemu-img compare: %s" % (i, c.out.strip()))
    rep.check("plan-source/" + case, problems)


def main_body(rep):
    work = tempfile.mkdtemp(prefix="ferry-plan-src-", dir=os.environ.get("TMPDIR"))
    try:
        vmx, disks = make_vm(os.path.join(work, "web01"), "web01")
        check_plan(rep, work, "vmx", "vmx:" + vmx, disks, "web01")
        ova, ovf, vmdk = make_ova(os.path.join(work, "app"), "app")
        check_plan(rep, work, "ova", "ova:" + ova, [vmdk], "app")
        check_plan(rep, work, "ovf", "ovf:" + ovf, [vmdk], "app")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    im.main("plan runs from every source kind", main_body)
