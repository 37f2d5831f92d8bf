#!/bin/sh
# test_libvirt_target_other_daemon.sh: `ferry migrate --to libvirt:URI`
# where URI is not the system libvirtd but a second libvirtd on this
# machine (tests/libvirt/start-hosts.sh), reached through its socket.
#
# ferry writes the disks here, so the daemon must see this machine's files:
#   1. in its pool "ferry" (a directory it sees as this machine does) the
#      VM is migrated: the domain is defined on that daemon, not on the
#      system one, and its disk is a volume of that pool;
#   2. in a pool over $work/hidden, a directory that the daemon's mount
#      namespace replaces with another one (as another machine's directory
#      of the same name would be), ferry refuses before copying: exit 2, a
#      message that says the daemon sees other files, nothing written on
#      either side, no domain defined.
# (A URI with a host part is refused in test_libvirt_target_errors.sh.)
# Exit 0 pass, 1 fail, 77 skip (libvirt hosts or QEMU cannot run here).
# Must never: touch the system libvirtd; it stops only its own host.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
here=$root/tests/libvirt
ferry=${FERRY:-$root/build/ferry}
host_a="ferry-to-a"
vm=ferryto$$
# shellcheck source=tests/libvirt/lib.sh
. "$here/lib.sh"

hosts_start ferry-target-other "$host_a"
chmod 755 "$work"
export FERRY_STATE_DIR="$work/state"
uri_a=$(host_uri $host_a)
pid_a=$(cat "${FERRY_HOSTS_DIR:-/var/tmp/ferry-hosts}/$host_a/libvirtd.pid")
pool_a=$(on "$uri_a" pool-dumpxml ferry | sed -n 's:.*<path>\(.*\)</path>.*:\1:p')

mkdir "$work/$vm" &&
  qemu-img create -q -f vmdk "$work/$vm/$vm.vmdk" 16M &&
  cat >"$work/$vm/$vm.vmx" <<'VMX'
displayName = "ferryto"
guestOS = "debian11-64"
numvcpus = "1"
memSize = "128"
scsi0.present = "TRUE"
scsi0.virtualDev = "lsilogic"
scsi0:0.present = "TRUE"
VMX
printf 'scsi0:0.fileName = "%s.vmdk"\n' "$vm" >>"$work/$vm/$vm.vmx"
check $? "setup/vm-folder"

# 1. The daemon sees this machine's files: migrated, defined there.
"$ferry" migrate --from "vmx:$work/$vm/$vm.vmx" --name "$vm" \
  --map-network "*=ferry-test" --tcg --to "libvirt,storage-pool=ferry:$uri_a" \
  >"$work/ok.log" 2>&1
status=$?
[ $status -eq 0 ] || cat "$work/ok.log"
check $status "same-files/migrated"
on "$uri_a" dumpxml --inactive "$vm" 2>/dev/null |
  grep -q "<source file='$pool_a/$vm-disk0.qcow2'" &&
  on "$uri_a" vol-info "$pool_a/$vm-disk0.qcow2" >/dev/null &&
  ! virsh -q -c qemu:///system dominfo "$vm" >/dev/null 2>&1
check $? "same-files/defined-on-that-daemon-disk-in-its-pool"
set -- "$pool_a"/ferry-marker-*
[ ! -e "$1" ]
check $? "same-files/no-marker-left"
on "$uri_a" undefine "$vm" >/dev/null
on "$uri_a" vol-delete "$pool_a/$vm-disk0.qcow2" >/dev/null

# 2. The daemon sees another directory under the same path: refused.
mkdir "$work/hidden" "$work/hidden-ns" && chmod 755 "$work/hidden" "$work/hidden-ns" &&
  nsenter -m -t "$pid_a" mount --bind "$work/hidden-ns" "$work/hidden" &&
  on "$uri_a" pool-create-as hidden dir --target "$work/hidden" >/dev/null
check $? "setup/pool-over-a-directory-the-daemon-sees-differently"
"$ferry" migrate --from "vmx:$work/$vm/$vm.vmx" --name "${vm}b" \
  --map-network "*=ferry-test" --tcg --to "libvirt,storage-pool=hidden:$uri_a" \
  >"$work/hidden.log" 2>&1
status=$?
cat "$work/hidden.log"
[ $status -eq 2 ] &&
  grep -qF "storage pool \"hidden\" on $uri_a does not show a file ferry made" "$work/hidden.log" &&
  ! grep -q '^\[copy\]' "$work/hidden.log"
check $? "other-files/refused-before-copying"
[ -z "$(ls -A "$work/hidden")" ] && [ -z "$(ls -A "$work/hidden-ns")" ] &&
  ! on "$uri_a" dominfo "${vm}b" >/dev/null 2>&1
check $? "other-files/nothing-written-nothing-defined"
nsenter -m -t "$pid_a" umount "$work/hidden"
exit $failed
