#!/bin/sh
# test_live_migrate_unshared.sh: two hosts whose local pools hold
# same-named, different disks are not shared storage.
#
# Hosts A and B (start-hosts.sh) both have a pool "local" over the path
# $work/disks, but in B's mount namespace that path is another directory
# ($work/disks-b, bind-mounted): each host holds its own clone of the
# guest's disk under the same path, as two hosts whose local pools were
# filled from one template would.  The guest runs on A.
#   1. live check --to B: CRITICAL storage-not-shared, saying that the
#      marker made on A did not appear on B; exit 1;
#   2. live migrate --to B is refused, the guest still runs on A (its tick
#      counter goes on) and is unknown to B;
#   3. no marker is left in either directory;
#   4. with no pool on A holding the disk, nothing proves or disproves
#      sharing: a WARNING storage-not-proven, and the migration is left to
#      libvirt's own check, which refuses it; the guest stays on A.
# (A pool both hosts really share is test_live_migrate.sh's case.)
# Exit 0 pass, 1 fail, 77 skip (libvirt hosts or QEMU cannot run here).
# Must never: touch the system libvirtd; it stops only its own hosts.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
ferry=${FERRY:-$root/build/ferry}
host_a=ferry-lu-a host_b=ferry-lu-b
vm=ferrylu$$
# shellcheck source=tests/libvirt/lib.sh
. "$here/lib.sh"

hosts_start ferry-live-unshared "$host_a" "$host_b"
chmod 755 "$work"
export FERRY_STATE_DIR="$work/state"
uri_a=$(host_uri $host_a) uri_b=$(host_uri $host_b)
pid_b=$(cat "${FERRY_HOSTS_DIR:-/var/tmp/ferry-hosts}/$host_b/libvirtd.pid")

"$ferry" host add A "$uri_a" >/dev/null && "$ferry" host add B "$uri_b" >/dev/null
check $? "host/add"
mkdir "$work/disks" "$work/disks-b" && chmod 755 "$work/disks" "$work/disks-b" &&
  "$here/busy-guest.sh" "$work/guest.raw" ferry-live-unshared >"$work/build.log" 2>&1 &&
  qemu-img convert -f raw -O qcow2 "$work/guest.raw" "$work/disks/$vm.qcow2" &&
  cp "$work/disks/$vm.qcow2" "$work/disks-b/$vm.qcow2" &&
  nsenter -m -t "$pid_b" mount --bind "$work/disks-b" "$work/disks" &&
  on "$uri_a" pool-create-as local dir --target "$work/disks" >/dev/null &&
  on "$uri_b" pool-create-as local dir --target "$work/disks" >/dev/null
status=$?
[ $status -eq 0 ] || cat "$work/build.log"
check $status "setup/same-path-different-directories"
# The premise: both hosts show a volume at the disk's path.
on "$uri_b" vol-info "$work/disks/$vm.qcow2" >/dev/null &&
  on "$uri_a" vol-info "$work/disks/$vm.qcow2" >/dev/null
check $? "setup/both-hosts-hold-the-path"
guest_start "$uri_a" "$work/disks/$vm.qcow2"

# 1. The check says why B is ruled out.
"$ferry" live check "$vm" --to B >"$work/check.log" 2>&1
status=$?
cat "$work/check.log"
[ $status -eq 1 ] &&
  grep "CRITICAL  storage-not-shared" "$work/check.log" | grep -q "did not appear"
check $? "check/same-path-is-not-shared-storage"

# 2. Refused; the guest stays where it was.
"$ferry" live migrate "$vm" --to B >"$work/migrate.log" 2>&1
status=$?
[ $status -ne 0 ] && runs_on "$uri_a" && gone_from "$uri_b"
check $? "migrate/refused-keeps-running-on-source"
t1=$(tick "$uri_a")
[ -n "$t1" ] && [ "$t1" -gt "$t0" ]
check $? "migrate/guest-kept-running (tick $t0 -> ${t1:-none})"

# 3. The markers are gone.
# ($work/disks-b is what B sees as $work/disks.)
[ "$(ls "$work/disks")" = "$vm.qcow2" ] && [ "$(ls "$work/disks-b")" = "$vm.qcow2" ]
check $? "check/no-marker-left"

# 4. No pool on A holds the disk: nothing proves or disproves sharing, so
#    ferry warns and leaves the decision to libvirt's own check (no
#    VIR_MIGRATE_UNSAFE), which refuses a disk on a local file system.
on "$uri_a" pool-destroy local >/dev/null
"$ferry" live check "$vm" --to B >"$work/check-unknown.log" 2>&1
status=$?
[ $status -eq 0 ] &&
  grep "WARNING   storage-not-proven" "$work/check-unknown.log" | grep -q "no storage pool on A holds it"
check $? "check/no-pool-on-source-is-not-proof"
"$ferry" live migrate "$vm" --to B >"$work/migrate-unknown.log" 2>&1
status=$?
cat "$work/migrate-unknown.log"
[ $status -ne 0 ] && grep -qi "unsafe" "$work/migrate-unknown.log" &&
  runs_on "$uri_a" && gone_from "$uri_b"
check $? "migrate/libvirt-refuses-unproven-local-disk"

on "$uri_a" destroy "$vm" >/dev/null 2>&1
nsenter -m -t "$pid_b" umount "$work/disks"
exit $failed
