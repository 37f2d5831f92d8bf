#!/bin/sh
# make-vm-folder.sh DIR NAME GUEST.raw [EXTRA-VMX-LINE...]: put a guest disk
# in a VMware VM folder the way ESXi stores one: DIR/NAME/NAME.vmx and a
# monolithicSparse NAME.vmdk on an LSI Logic controller, one vmxnet3 NIC on
# "VM Network".  Extra lines (e.g. 'uuid.bios = "..."') are appended to the
# .vmx.  Used by the integration tests and the demo.
set -eu
dir=$1 name=$2 raw=$3
shift 3
mkdir "$dir/$name"
qemu-img convert -f raw -O vmdk -o subformat=monolithicSparse,adapter_type=lsilogic \
  "$raw" "$dir/$name/$name.vmdk"
{
  cat <<VMX
.encoding = "UTF-8"
config.version = "8"
virtualHW.version = "19"
displayName = "$name"
guestOS = "debian11-64"
numvcpus = "1"
memSize = "256"
firmware = "bios"
scsi0.present = "TRUE"
scsi0.virtualDev = "lsilogic"
scsi0:0.present = "TRUE"
scsi0:0.fileName = "$name.vmdk"
scsi0:0.deviceType = "scsi-hardDisk"
ethernet0.present = "TRUE"
ethernet0.virtualDev = "vmxnet3"
ethernet0.networkName = "VM Network"
ethernet0.addressType = "generated"
ethernet0.generatedAddress = "00:50:56:01:02:03"
VMX
  for line in "$@"; do echo "$line"; done
} >"$dir/$name/$name.vmx"
