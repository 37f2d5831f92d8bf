#!/bin/sh
# demo.sh FERRY: migrate a real (tiny) VMware VM onto KVM and watch it boot.
#
# Builds a VMware VM folder the way ESXi stores it (web01.vmx plus a
# monolithicSparse VMDK) holding the Linux test guest of tests/guest, on a
# 2 GiB disk with some data far from the guest so that the copy has holes
# to skip.  Then: ferry validate (the pre-flight findings), ferry migrate
# with progress, the report's verification digests, and the guest's own
# words from its serial console.
#
# Where a libvirtd can run (tests/libvirt/start-libvirtd.sh: the one that
# runs, or one it starts as root), the VM goes into libvirt: disks in the
# storage pool "ferry-demo", domain "web01" defined and started on the
# isolated network "ferry-demo".  Otherwise it goes to a directory and the
# migrated disk is booted directly under QEMU (tests/guest/boot-guest.sh).
# Guests run under TCG: the demo must not depend on KVM, which may be
# present and broken.
#
# Idempotent: each run first removes the previous run's domain, volumes
# and work directory ($DEMO_DIR, default $TMPDIR/ferry-demo).
# DEMO_TARGET=dir skips libvirt.
set -eu
ferry=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
root=$(cd "$(dirname "$0")/.." && pwd)
work=${DEMO_DIR:-${TMPDIR:-/tmp}/ferry-demo}
uri=qemu:///system
pool='ferry-demo'
vm=web01

bold() { printf '\033[1m%s\033[0m\n' "$*"; }
step() { printf '\n'; bold "== $*"; }
say() { printf '   %s\n' "$*"; }
run() {
  printf '\033[36m$'
  for a in "$@"; do
    case $a in *[!A-Za-z0-9_./:=,+-]*) printf " '%s'" "$a" ;; *) printf ' %s' "$a" ;; esac
  done
  printf '\033[0m\n'
  "$@"
}
virsh_q() { virsh -q -c "$uri" "$@" </dev/null 2>/dev/null; }

rm -rf "$work"
mkdir -p "$work"

step "A VMware VM folder: $work/$vm"
"$root/tests/guest/build-guest.sh" "$work/guest.raw" --marker "hello from $vm" \
  >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
truncate -s 2G "$work/guest.raw"
# "application data" at 1 GiB, far from the guest's 64 MiB: the rest is holes
head -c 192M /dev/urandom | dd of="$work/guest.raw" bs=1M seek=1024 conv=notrunc status=none
"$root/tests/guest/make-vm-folder.sh" "$work" "$vm" "$work/guest.raw" \
  'vcpu.hotadd = "TRUE"' 'usb.present = "TRUE"'
rm -f "$work/guest.raw"
say "a Debian kernel + busybox guest that prints its boot marker on the serial port"
ls -lsh "$work/$vm"
run "$ferry" info "$work/$vm/$vm.vmdk"

# Where to: libvirt if a libvirtd can run here, else a directory.
target=dir
if [ "${DEMO_TARGET:-}" = dir ]; then
  say "(DEMO_TARGET=dir: migrating to a directory and booting with QEMU)"
elif pool_dir=$("$root/tests/libvirt/start-libvirtd.sh" "$pool" 2>"$work/libvirtd.log"); then
  target=libvirt
else
  sed 's/^/   /' "$work/libvirtd.log"
  say "(no usable libvirtd: migrating to a directory and booting with QEMU instead)"
fi

step "Pre-flight validation"
run "$ferry" validate "vmx:$work/$vm/$vm.vmx" || true
say "with the VMware port group mapped to a KVM network:"
run "$ferry" validate --map-network "VM Network=$pool" "vmx:$work/$vm/$vm.vmx" || true

if [ $target = libvirt ]; then
  step "Cleaning up the previous demo run in libvirt"
  if virsh_q dominfo "$vm" >/dev/null; then
    virsh_q destroy "$vm" >/dev/null || true
    run virsh -q -c "$uri" undefine --nvram "$vm"
  fi
  virsh_q pool-refresh "$pool" >/dev/null || true
  for v in $(virsh_q vol-list "$pool" | awk '{print $1}' | grep "^${vm}[-.]" || true); do
    run virsh -q -c "$uri" vol-delete --pool "$pool" "$v"
  done
  say "pool $pool ($pool_dir) and network $pool are ready"

  step "ferry migrate: VMware -> libvirt ($uri), pool $pool, started"
  # QEMU drops serial output nobody reads: attach to the console first.
  "$root/tests/libvirt/console.py" --uri "$uri" --wait-start --timeout 240 \
    --log "$work/console.log" "$vm" FERRY-GUEST-DONE 2>"$work/console.err" &
  console=$!
  run "$ferry" migrate -p --from "vmx:$work/$vm/$vm.vmx" --to "libvirt:$uri" \
    --storage-pool "$pool" --map-network "VM Network=$pool" --tcg --start ||
    { kill "$console" 2>/dev/null; exit 1; }
  report="$pool_dir/$vm.report.json"

  step "In libvirt"
  run virsh -c "$uri" list --all
  run virsh -c "$uri" vol-list "$pool"
  run virsh -c "$uri" domblklist "$vm"
else
  step "ferry migrate: VMware -> dir:$work/kvm"
  run "$ferry" migrate -p --from "vmx:$work/$vm/$vm.vmx" --to "dir:$work/kvm" \
    --map-network "VM Network=default" --tcg
  report="$work/kvm/$vm.report.json"
fi

step "Verification (from the report, $report)"
python3 - "$report" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
for i, d in enumerate(r["disks"]):
    print("   disk %d  %s" % (i, d["target"]))
    print("     read %.0f MiB of %.0f MiB (holes skipped), wrote %.0f MiB in %.1f s"
          % (d["bytes-read"] / 2**20, d["virtual-size"] / 2**20,
             d["bytes-written"] / 2**20, d["copy-seconds"]))
    print("     source %s" % d["source-digest"])
    print("     target %s  %s" % (d["target-digest"],
                                  "VERIFIED" if d["verified"] else "MISMATCH"))
print("   result: %s in %.1f s" % (r["result"], r["seconds"]))
PY

if [ $target = libvirt ]; then
  step "The guest's serial console (virsh console $vm)"
  if wait "$console"; then status=0; else status=1; fi
  tr -d '\r' <"$work/console.log" | grep -a '^FERRY-GUEST' | sed 's/^/   /'
  [ $status -eq 0 ] || { cat "$work/console.err"; exit 1; }
  sleep 1
  say "state now: $(virsh_q domstate --reason "$vm") (the test guest powers itself off)"
  printf '\n%s is defined in libvirt (%s); start it again with: virsh start --console %s\n' \
    "$vm" "$uri" "$vm"
else
  step "Booting the migrated disk under QEMU (TCG)"
  "$root/tests/guest/boot-guest.sh" "$work/kvm/$vm-disk0.qcow2" --bus virtio \
    --marker "hello from $vm" --expect-disk vda --timeout 180 --log "$work/serial.log" \
    >"$work/boot.log" 2>&1 || { cat "$work/boot.log"; exit 1; }
  tr -d '\r' <"$work/serial.log" | grep -a '^FERRY-GUEST' | sed 's/^/   /'
  printf '\nThe migrated VM is in %s/kvm\n' "$work"
fi
