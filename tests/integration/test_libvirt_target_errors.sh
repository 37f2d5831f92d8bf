#!/bin/sh
# test_libvirt_target_errors.sh: target specs and libvirt conditions that
# ferry must refuse before it copies anything, each with a message that
# names the cause: an unknown target kind or option, libvirt-only options
# on a dir target, a URI naming another host (the disks are written on this
# machine), no libvirtd behind the URI, a pool that is inactive or does not
# keep files.  Every case: exit 2, no [copy] step, nothing
# written.
#
# The cases that need a pool use tests/libvirt/start-libvirtd.sh; on every
# exit the test checks that libvirtd holds nothing it did not hold before
# (tests/libvirt/system-state.sh).  Exit 0
# pass, 1 fail, 77 skip (no qemu-img).
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
ferry=${FERRY:-$root/build/ferry}
lv="$root/tests/libvirt"
uri=qemu:///system
failed=0
work=$(mktemp -d "${TMPDIR:-/tmp}/ferry-libvirt-err-XXXXXX")
inactive=ferry-test-inactive-$$
logical=ferry-test-logical-$$
virsh_q () { virsh -q -c "$uri" "$@" </dev/null 2>/dev/null; }
# shellcheck disable=SC2317 # called from the EXIT trap
cleanup () {
  for p in "$inactive" "$logical"; do virsh_q pool-undefine "$p" >/dev/null; done
  "$lv/system-state.sh" finish "$work"
  _left=$?
  rm -rf "$work"
  [ "$_left" -eq 0 ] || exit 1
}
trap cleanup EXIT
trap 'exit 1' INT TERM

. "$root/tests/lib/require.sh"
command -v qemu-img >/dev/null || skip qemu-img "qemu-img is not installed (Debian: qemu-utils)"

# refused TO MESSAGE CASE: ferry migrate must fail with MESSAGE, copying
# nothing.
refused () {
  "$ferry" migrate --from "vmx:$work/err01/err01.vmx" --map-network "*=ferry-test" \
    --tcg --to "$1" >"$work/out" 2>&1
  status=$?
  if [ $status -eq 2 ] && grep -qF -- "$2" "$work/out" && ! grep -q '^\[copy\]' "$work/out" &&
     [ ! -e "$work/dir/err01-disk0.qcow2" ]; then
    echo "ok $3"
  else
    echo "FAIL $3 (exit $status; expected \"$2\")"; cat "$work/out"; failed=1
  fi
}

mkdir "$work/err01"
qemu-img create -q -f vmdk "$work/err01/err01.vmdk" 16M
cat >"$work/err01/err01.vmx" <<'VMX'
displayName = "err01"
guestOS = "debian11-64"
numvcpus = "1"
memSize = "128"
scsi0.present = "TRUE"
scsi0.virtualDev = "lsilogic"
scsi0:0.present = "TRUE"
scsi0:0.fileName = "err01.vmdk"
VMX

refused "nosuch:/x" 'unknown kind "nosuch" (expected dir or libvirt)' spec/unknown-kind
refused "$work/dir" 'expected KIND:LOCATION' spec/no-kind
refused "dir,start:$work/dir" 'target dir: no option "start"' spec/dir-takes-no-options
refused "libvirt,bogus:$uri" 'target libvirt: unknown option "bogus"' spec/libvirt-unknown-option
refused "libvirt,storage-pool:$uri" 'option storage-pool needs a pool name' spec/storage-pool-needs-name
refused "libvirt,start=yes:$uri" 'option start takes no value' spec/start-takes-no-value
refused "libvirt:qemu+ssh://kvm03.invalid/system" \
  "libvirt: qemu+ssh://kvm03.invalid/system names the host kvm03.invalid: ferry writes the disks on this machine" \
  libvirt/remote-host-refused
refused "libvirt:qemu+unix:///system?socket=$work/no-such-socket" \
  "libvirt: connecting to qemu+unix:///system?socket=$work/no-such-socket: " libvirt/no-daemon

# --start and --storage-pool on the command line land in the spec.
"$ferry" migrate --from "vmx:$work/err01/err01.vmx" --to "dir:$work/dir" --start \
  >"$work/out" 2>&1
status=$?
if [ $status -eq 2 ] && grep -qF 'target dir: no option "start"' "$work/out"; then
  echo "ok cli/start-needs-libvirt"
else
  echo "FAIL cli/start-needs-libvirt"; cat "$work/out"; failed=1
fi

pool_dir=$(FERRY_LIBVIRT_STATE=$work "$lv/start-libvirtd.sh" ferry-test)
case $? in
  0) ;;
  77) skip_part libvirt "libvirtd cannot run here (start-libvirtd.sh says why): the pool cases"
      exit $failed ;;
  *) echo "FAIL start-libvirtd"; exit 1 ;;
esac
virsh_q pool-define-as "$inactive" dir --target "$work/inactive" >/dev/null
refused "libvirt,storage-pool=$inactive:$uri" \
  "libvirt: storage pool \"$inactive\" on $uri is not active" libvirt/pool-inactive
virsh_q pool-define-as "$logical" logical --source-name "vg$$" --target "/dev/vg$$" >/dev/null
refused "libvirt,storage-pool=$logical:$uri" \
  "libvirt: storage pool \"$logical\" on $uri is of type \"logical\"" libvirt/pool-not-files
if ls "$pool_dir"/err01* >/dev/null 2>&1; then
  echo "FAIL libvirt/pool-untouched"; failed=1
else
  echo "ok libvirt/pool-untouched"
fi
exit $failed
