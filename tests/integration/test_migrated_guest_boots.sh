#!/bin/sh
# test_migrated_guest_boots.sh: the whole cold path on a real guest.
#
# A tiny Linux guest (tests/guest) is put in a VMware VM folder the way
# ESXi stores it (a .vmx and a VMDK), migrated with `ferry migrate` to a
# directory, and the migrated disk is booted under QEMU (TCG): the guest
# must print its boot marker, find its disk on the bus the domain XML gives
# it (vda with VirtIO, sda with --compat) and read its data intact.
#
# Exit 0 pass, 1 fail, 77 skip (QEMU cannot start a guest at all).
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
ferry=${FERRY:-$root/build/ferry}
guest="$root/tests/guest"
work=$(mktemp -d "${TMPDIR:-/tmp}/ferry-boot-XXXXXX")
# A dir target and plain QEMU: the system libvirtd must be as it was.
"$root/tests/libvirt/system-state.sh" snapshot >"$work/system-libvirtd.before"
# shellcheck disable=SC2317 # called from the EXIT trap
cleanup () {
  "$root/tests/libvirt/system-state.sh" finish "$work"
  _left=$?
  rm -rf "$work"
  [ "$_left" -eq 0 ] || exit 1
}
trap cleanup EXIT
trap 'exit 1' INT TERM
failed=0

check () {
  if [ "$1" -eq 0 ]; then echo "ok $2"; else echo "FAIL $2"; failed=1; fi
}

. "$root/tests/lib/require.sh"
command -v qemu-system-x86_64 >/dev/null ||
  skip qemu-system "qemu-system-x86_64 is not installed (Debian: qemu-system-x86)"

# the guest, as an ESXi VM folder: monolithicSparse disk + .vmx
"$guest/build-guest.sh" "$work/guest.raw" --marker ferry-cold >"$work/build.log" 2>&1 ||
  { cat "$work/build.log"; echo "FAIL build-guest"; exit 1; }
"$guest/make-vm-folder.sh" "$work" tiny01 "$work/guest.raw"

for mode in virtio compat; do
  out="$work/out-$mode"
  extra=""; bus=virtio; disk=vda
  if [ $mode = compat ]; then extra="--compat"; bus=sata; disk=sda; fi
  # shellcheck disable=SC2086
  "$ferry" migrate --from "vmx:$work/tiny01/tiny01.vmx" --to "dir:$out" \
    --map-network "VM Network=default" --tcg $extra >"$work/migrate-$mode.log" 2>&1
  status=$?
  [ $status -eq 0 ] || cat "$work/migrate-$mode.log"
  check $status "migrate/$mode"
  [ $status -eq 0 ] || continue

  grep -q "<target dev=.$disk. bus=.$bus." "$out/tiny01.xml"
  check $? "domain-xml-bus/$mode"

  "$guest/boot-guest.sh" "$out/tiny01-disk0.qcow2" --bus $bus --marker ferry-cold \
    --expect-disk $disk --timeout 180 >"$work/boot-$mode.log" 2>&1
  status=$?
  [ $status -eq 0 ] || cat "$work/boot-$mode.log"
  check $status "boots/$mode"
done
exit $failed
