#!/bin/sh
# test_libvirt_target.sh: `ferry migrate --to libvirt:qemu:///system` on a
# real libvirtd with a real guest.
#
# The tiny Linux guest of tests/guest, as an ESXi VM folder, is migrated
# into the storage pool ferry-test, its domain defined and started
# (--start, TCG); its serial console must show the boot marker and the
# guest's own check that its disk reads back intact.  Then ferry must
# refuse, and change nothing, when the domain exists, when the VM's UUID
# is taken under another name, and when a volume with a disk's name is in
# the pool; a migration that fails after the define (the domain cannot
# start) must leave no domain and no volume behind; an unknown pool is
# refused before anything is copied.  With --map-storage, each disk goes
# to the pool its ESXi datastore maps to.  A plan resumed after a kill
# that left its domain defined adopts that domain (and only that one).
#
# libvirtd is made usable by tests/libvirt/start-libvirtd.sh (started when
# none runs); on every exit the test removes what it made and checks with
# tests/libvirt/system-state.sh that libvirtd holds no domain, pool,
# network or volume it did not hold before.  Exit 0 pass, 1 fail, 77 skip (libvirtd or QEMU cannot run).
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
ferry=${FERRY:-$root/build/ferry}
guest="$root/tests/guest"
lv="$root/tests/libvirt"
uri=qemu:///system
net='ferry-test'
pool='ferry-test'
vm=ferrylv$$                    # unique: never collides with a user's VM
failed=0

check () {
  if [ "$1" -eq 0 ]; then echo "ok $2"; else echo "FAIL $2"; failed=1; fi
}
virsh_q () { virsh -q -c "$uri" "$@" </dev/null 2>/dev/null; }

. "$root/tests/lib/require.sh"
command -v qemu-system-x86_64 >/dev/null ||
  skip qemu-system "qemu-system-x86_64 is not installed (Debian: qemu-system-x86)"
work=$(mktemp -d "${TMPDIR:-/tmp}/ferry-libvirt-XXXXXX")
# shellcheck disable=SC2317 # called from the EXIT trap
cleanup () {
  for d in $(virsh_q list --all --name | grep "^$vm"); do
    virsh_q destroy "$d" >/dev/null
    virsh_q undefine --nvram "$d" >/dev/null
  done
  virsh_q pool-refresh "$pool" >/dev/null
  for v in $(virsh_q vol-list "$pool" | awk '{print $1}' | grep "^$vm"); do
    virsh_q vol-delete --pool "$pool" "$v" >/dev/null
  done
  virsh_q pool-destroy "$vm-ssd" >/dev/null
  virsh_q pool-undefine "$vm-ssd" >/dev/null
  "$lv/system-state.sh" finish "$work"
  _left=$?
  rm -rf "$work"
  [ "$_left" -eq 0 ] || exit 1
}
trap cleanup EXIT
trap 'exit 1' INT TERM
pool_dir=$(FERRY_LIBVIRT_STATE=$work "$lv/start-libvirtd.sh" "$pool")
case $? in
  0) ;;
  77) skip libvirt "libvirtd cannot run here (start-libvirtd.sh says why)" ;;
  *) echo "FAIL start-libvirtd"; exit 1 ;;
esac

# A VM folder as ESXi stores it: NAME.vmx + a monolithicSparse VMDK.
make_vm () { # make_vm NAME [UUID]
  "$root/tests/guest/make-vm-folder.sh" "$work" "$1" "$work/guest.raw" \
    ${2:+"uuid.bios = \"$2\""}
}

# What a refused migration must not change: the domains, the pool's
# volumes, and the bytes and times of the files in the pool.
snapshot () {
  {
    virsh_q list --all --name | grep "^$vm" | while read -r d; do
      echo "domain $d"; virsh_q dumpxml --inactive "$d"
    done
    virsh_q pool-refresh "$pool" >/dev/null
    virsh_q vol-list "$pool" | grep "^ *$vm"
    # shellcheck disable=SC2012
    (cd "$pool_dir" && ls -l --time-style=full-iso "$vm"* 2>/dev/null && sha256sum "$vm"* 2>/dev/null)
  } >"$1"
}

"$guest/build-guest.sh" "$work/guest.raw" --marker ferry-libvirt >"$work/build.log" 2>&1 ||
  { cat "$work/build.log"; echo "FAIL build-guest"; exit 1; }
uuid=564d1234-5678-9abc-def0-$(printf '%012d' $$)
make_vm "$vm" "$uuid"

# 1. migrate, define, start: the guest boots from the pool.
"$lv/console.py" --uri "$uri" --wait-start --timeout 240 --log "$work/console.log" \
  "$vm" "FERRY-GUEST-DONE" 2>"$work/console.err" &
console=$!
"$ferry" migrate --from "vmx:$work/$vm/$vm.vmx" --to "libvirt:$uri" \
  --storage-pool "$pool" --map-network "VM Network=$net" --tcg --start \
  >"$work/migrate.log" 2>&1
status=$?
[ $status -eq 0 ] || cat "$work/migrate.log"
check $status "migrate/defined-and-started"
if [ $status -ne 0 ]; then kill "$console" 2>/dev/null; fi
wait "$console"
status=$?
[ $status -eq 0 ] || cat "$work/console.err"
check $status "guest-boots/console-shows-done"
tr -d '\r' <"$work/console.log" | grep -qx "FERRY-GUEST-BOOTED ferry-libvirt"
check $? "guest-boots/marker"
tr -d '\r' <"$work/console.log" | grep -qx "FERRY-GUEST-DATA vda ok.*"
check $? "guest-boots/disk-data-intact"

virsh_q dominfo "$vm" | grep -q "^Persistent: *yes"
check $? "domain/persistent"
virsh_q dumpxml --inactive "$vm" | grep -q "<source file='$pool_dir/$vm-disk0.qcow2'"
check $? "domain/disk-in-pool"
virsh_q vol-list "$pool" | grep -q "^ *$vm-disk0.qcow2 "
check $? "pool/volume-listed"
python3 - "$pool_dir/$vm.report.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
d = r["disks"][0]
assert r["result"] == "verified", r
assert d["verified"] and d["source-digest"] == d["target-digest"], d
PY
check $? "report/in-pool-and-verified"

# 2. the same VM again: the domain exists; nothing may change.
virsh_q destroy "$vm" >/dev/null   # running or not, the refusal is the same
snapshot "$work/before"
"$ferry" migrate --from "vmx:$work/$vm/$vm.vmx" --to "libvirt:$uri" \
  --storage-pool "$pool" --map-network "VM Network=$net" --tcg \
  >"$work/again.log" 2>&1
status=$?
snapshot "$work/after"
[ $status -ne 0 ] && grep -q "a domain named \"$vm\" already exists" "$work/again.log"
check $? "refuses/domain-exists"
cmp -s "$work/before" "$work/after"
check $? "refuses/domain-exists-changes-nothing"

# 3. the same VM under another name: its UUID is taken.
"$ferry" migrate --from "vmx:$work/$vm/$vm.vmx" --to "libvirt:$uri" \
  --storage-pool "$pool" --map-network "VM Network=$net" --tcg --name "${vm}x" \
  >"$work/uuid.log" 2>&1
status=$?
snapshot "$work/after-uuid"
[ $status -ne 0 ] && grep -q "already has the UUID $uuid" "$work/uuid.log" &&
  cmp -s "$work/before" "$work/after-uuid"
check $? "refuses/uuid-taken"

# 4. a volume with a disk's name already in the pool.
make_vm "${vm}b"
virsh_q vol-create-as "$pool" "${vm}b-disk0.qcow2" 1M --format qcow2 >/dev/null
check $? "setup/volume-in-the-way"
snapshot "$work/before-vol"
"$ferry" migrate --from "vmx:$work/${vm}b/${vm}b.vmx" --to "libvirt:$uri" \
  --storage-pool "$pool" --map-network "VM Network=$net" --tcg \
  >"$work/vol.log" 2>&1
status=$?
snapshot "$work/after-vol"
[ $status -ne 0 ] && grep -q "a volume \"${vm}b-disk0.qcow2\" already exists" "$work/vol.log"
check $? "refuses/volume-exists"
cmp -s "$work/before-vol" "$work/after-vol" && ! virsh_q dominfo "${vm}b" >/dev/null
check $? "refuses/volume-exists-changes-nothing"

# 5. fails after the define (its network does not exist, so it cannot
#    start): no domain, no volume, no file may stay.
make_vm "${vm}c"
"$ferry" migrate --from "vmx:$work/${vm}c/${vm}c.vmx" --to "libvirt:$uri" \
  --storage-pool "$pool" --map-network "VM Network=no-such-network-$$" --tcg --start \
  >"$work/fail.log" 2>&1
status=$?
[ $status -ne 0 ] && grep -q "libvirt: starting ${vm}c on $uri: " "$work/fail.log"
check $? "start-fails/reports-libvirt-error"
! virsh_q dominfo "${vm}c" >/dev/null &&
  ! virsh_q vol-list "$pool" | grep -q "^ *${vm}c" &&
  ! ls "$pool_dir/${vm}c"* >/dev/null 2>&1
check $? "start-fails/leaves-nothing"

# 6. an unknown pool: refused before anything is copied.
"$ferry" migrate --from "vmx:$work/${vm}c/${vm}c.vmx" --to "libvirt:$uri" \
  --storage-pool "no-such-pool-$$" --map-network "VM Network=$net" --tcg \
  >"$work/pool.log" 2>&1
status=$?
[ $status -ne 0 ] && grep -q "storage pool \"no-such-pool-$$\" does not exist" "$work/pool.log" &&
  ! grep -q "^\[copy\]" "$work/pool.log"
check $? "refuses/unknown-pool"

# 7. --map-storage: disk 1 is on datastore ssd2, everything else goes to
#    the default entry; each lands in its own pool (the XML and the
#    report stay in --storage-pool).
mkdir "$work/ssd-pool"
virsh_q pool-define-as "$vm-ssd" dir --target "$work/ssd-pool" >/dev/null &&
  virsh_q pool-start "$vm-ssd" >/dev/null
check $? "setup/second-pool"
cp "$work/$vm/$vm.vmdk" "$work/${vm}-d1.vmdk"
"$guest/make-vm-folder.sh" "$work" "${vm}d" "$work/guest.raw" 'scsi0:1.present = "TRUE"' \
  "scsi0:1.fileName = \"/vmfs/volumes/ssd2/${vm}d/${vm}d_1.vmdk\""
mv "$work/${vm}-d1.vmdk" "$work/${vm}d/${vm}d_1.vmdk"
"$ferry" migrate --from "vmx:$work/${vm}d/${vm}d.vmx" --to "libvirt:$uri" \
  --storage-pool "$pool" --map-storage "ssd2=$vm-ssd" --map-storage "*=$pool" \
  --map-network "VM Network=$net" --tcg >"$work/map.log" 2>&1
status=$?
[ $status -eq 0 ] || cat "$work/map.log"
check $status "storage-map/migrates"
virsh_q dumpxml --inactive "${vm}d" >"$work/map.xml"
grep -q "<source file='$pool_dir/${vm}d-disk0.qcow2'" "$work/map.xml" &&
  grep -q "<source file='$work/ssd-pool/${vm}d-disk1.qcow2'" "$work/map.xml"
check $? "storage-map/disks-in-mapped-pools"
virsh_q vol-list "$vm-ssd" | grep -q "^ *${vm}d-disk1.qcow2 " &&
  ! virsh_q vol-list "$pool" | grep -q "^ *${vm}d-disk1"
check $? "storage-map/volume-listed-in-its-pool"
"$ferry" migrate --from "vmx:$work/${vm}d/${vm}d.vmx" --to "libvirt:$uri" \
  --name "${vm}dx" --storage-pool "$pool" --map-storage "ssd2=no-such-pool-$$" \
  --map-storage "*=$pool" --map-network "VM Network=$net" --tcg >"$work/map-bad.log" 2>&1
status=$?
[ $status -ne 0 ] && grep -q "storage pool \"no-such-pool-$$\" does not exist.*storage mapping" "$work/map-bad.log" &&
  ! ls "$pool_dir/${vm}dx"* >/dev/null 2>&1
status=$?
[ $status -eq 0 ] || cat "$work/map-bad.log"
check $status "storage-map/unknown-pool-refused"

# 8. a plan killed mid-copy whose domain an interrupted run had defined:
#    the resumed run adopts its own domain (same name, exactly its disk
#    files, not running) and defines it afresh; a domain of that name
#    with other disks is refused and left alone.
plan_until_copying () { # plan_until_copying PLAN VM: run, SIGKILL once copying
  "$ferry" plan run "$1" --bandwidth 1 --db "$work/plan.db" >"$work/run-$1.log" 2>&1 &
  pid=$!
  i=0
  until "$ferry" plan show "$1" --json --db "$work/plan.db" 2>/dev/null |
        grep -q '"state": "copying"'; do
    i=$((i + 1))
    [ $i -le 200 ] || break
    sleep 0.1
  done
  kill -9 "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
}
leftover_domain () { # leftover_domain NAME DISK: define what a killed run left
  cat >"$work/left.xml" <<XML
<domain type='qemu'><name>$1</name><memory unit='MiB'>64</memory>
<os><type arch='x86_64'>hvm</type></os><devices>
<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>
<source file='$2'/><target dev='vda' bus='virtio'/></disk></devices></domain>
XML
  virsh_q define "$work/left.xml" >/dev/null
}
for case in adopt foreign; do
  p=${vm}$case
  make_vm "$p"
  "$ferry" plan create "$p" --from "vmx:$work/$p/$p.vmx" \
    --to "libvirt,storage-pool=$pool:$uri" --map-network "VM Network=$net" \
    --tcg --db "$work/plan.db" >/dev/null 2>&1
  check $? "plan-resume-$case/created"
  plan_until_copying "$p"
  disk=$pool_dir/$p-disk0.qcow2
  [ $case = adopt ] || disk=$work/other-disk.qcow2
  leftover_domain "$p" "$disk"
  check $? "plan-resume-$case/leftover-defined"
  "$ferry" plan run "$p" --db "$work/plan.db" >"$work/resume-$p.log" 2>&1
  status=$?
  if [ $case = adopt ]; then
    [ $status -eq 0 ] || cat "$work/resume-$p.log"
    virsh_q dumpxml --inactive "$p" | grep -q "<memory unit='KiB'>262144</memory>"
    check $? "plan-resume-adopt/done-and-redefined"
  else
    [ $status -ne 0 ] && grep -q "a domain named \"$p\" already exists" "$work/resume-$p.log" &&
      virsh_q dumpxml --inactive "$p" | grep -q "<source file='$disk'/>"
    check $? "plan-resume-foreign/refused-and-left-alone"
  fi
done

exit $failed
