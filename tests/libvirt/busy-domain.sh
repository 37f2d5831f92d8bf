#!/bin/sh
# busy-domain.sh NAME DISK MIB SERIAL_LOG [NETWORK]: print the libvirt
# domain XML of a busy guest (busy-guest.sh) for the live migration tests
# and benchmark: TCG, MIB MiB of memory, one vCPU, its qcow2 DISK on
# virtio, an interface on NETWORK if given, and a serial console that every
# host appends to SERIAL_LOG (read it with guest-healthy.sh).  A guest that
# powers off, reboots or crashes is destroyed, so that it cannot come back
# unnoticed.  DATA_DISK=PATH adds a second qcow2 disk (vdb) for a guest
# that writes to it (writer-guest.sh).  The guest powers off on the ACPI
# power button (virsh shutdown); ACPI=off leaves ACPI out, so that only a
# hard power-off stops it.
set -eu
[ $# -ge 4 ] || { echo "usage: busy-domain.sh NAME DISK MIB SERIAL_LOG [NETWORK]" >&2; exit 2; }
name=$1 disk=$2 mib=$3 log=$4 net=${5:-}
cat <<XML
<domain type='qemu'>
  <name>$name</name>
  <memory unit='MiB'>$mib</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='q35'>hvm</type><boot dev='hd'/></os>
XML
[ "${ACPI:-on}" = off ] || echo "  <features><acpi/></features>"
cat <<XML
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>destroy</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='$disk'/>
      <target dev='vda' bus='virtio'/>
    </disk>
XML
[ -z "${DATA_DISK:-}" ] || cat <<XML
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='$DATA_DISK'/>
      <target dev='vdb' bus='virtio'/>
    </disk>
XML
[ -z "$net" ] ||
  echo "    <interface type='network'><source network='$net'/><model type='virtio'/></interface>"
cat <<XML
    <serial type='pty'><log file='$log' append='on'/><target port='0'/></serial>
    <console type='pty'><target type='serial' port='0'/></console>
    <memballoon model='none'/>
  </devices>
</domain>
XML
