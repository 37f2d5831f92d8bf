#!/bin/sh
# test_hosts_live_migrate.sh: a running TCG guest live-migrates between two
# libvirt hosts of start-hosts.sh, with plain `virsh migrate`.
#
# Hosts ferry-lm-a (A) and ferry-lm-b (B) are started; the tiny guest of
# tests/guest, given a workload that never ends (its /init's poweroff is
# replaced by a loop that prints "FERRY-LM-TICK N" on the serial console
# and rewrites 8 MiB of its RAM from /dev/urandom every second), runs on A
# with 128 MiB and its qcow2 disk in A's pool, and then moves:
#   1. A -> B, shared storage: B opens the same file (--unsafe: libvirt 9.0
#      calls any disk on a local filesystem unsafe to share);
#   2. B -> A, --copy-storage-all into a volume pre-created in A's pool
#      (a new path: on one machine the "same path" would be the same file);
#   3. A -> B, --copy-storage-all into a path in B's pool that does not
#      exist: libvirt creates the volume itself.
# After each: the domain runs on the destination, is gone from the source,
# uses the expected disk, whose guest-visible bytes equal the original
# image; its tick counter went on from where it was (the guest kept its
# memory: it was not restarted).  Each migration's time is printed.
#
# Exit 0 pass, 1 fail, 77 skip (libvirt hosts or QEMU cannot run here).
# Must never: touch the system libvirtd; it stops only its own two hosts.
set -u
here=$(cd "$(dirname "$0")" && pwd)
host_a=ferry-lm-a
host_b=ferry-lm-b
vm=ferrylm$$
# shellcheck source=tests/libvirt/lib.sh
. "$here/lib.sh"

# The work directory holds the guest image that QEMU (user libvirt-qemu)
# never opens; the disks live in the hosts' pools.
hosts_start ferry-lm "$host_a" "$host_b"
uri_a=$(host_uri "$host_a") uri_b=$(host_uri "$host_b")
echo "# A: $uri_a"
echo "# B: $uri_b"
va () { virsh -q -c "$uri_a" "$@" </dev/null; }
vb () { virsh -q -c "$uri_b" "$@" </dev/null; }
pool_path () { # pool_path URI: the target directory of the host's pool
  virsh -q -c "$1" pool-dumpxml ferry </dev/null | sed -n 's:.*<path>\(.*\)</path>.*:\1:p'
}
pool_a=$(pool_path "$uri_a")
pool_b=$(pool_path "$uri_b")
{ [ -d "$pool_a" ] && [ -d "$pool_b" ]; } || { echo "FAIL pools: '$pool_a' '$pool_b'"; exit 1; }

# tick URI [--wait-start]: the number of the next FERRY-LM-TICK line on
# the console (tick.py); what was seen goes to $work/console.log.
tick () { "$here/tick.py" "$1" "$vm" ${2:+"$2"} --log "$work/console.log"; }

now () { date +%s.%N; }
elapsed () { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

# migrate LABEL SRC_URI DST_URI VIRSH-ARGS...: run and time one migration.
migrate () {
  _label=$1 _src=$2 _dst=$3
  shift 3
  _t0=$(now)
  virsh -c "$_src" migrate --live --p2p --persistent --undefinesource \
    --migrateuri tcp://127.0.0.1 "$@" "$vm" "$_dst" </dev/null >"$work/migrate.log" 2>&1
  _st=$?
  _t1=$(now)
  [ $_st -eq 0 ] || cat "$work/migrate.log"
  check $_st "$_label/migrate"
  echo "# $_label: live migration took $(elapsed "$_t0" "$_t1") s"
  return $_st
}

# landed LABEL SRC_URI DST_URI DISK: the checks after a migration; the
# guest's tick must have gone on from $last_tick, which it updates.
landed () {
  _label=$1 _src=$2 _dst=$3 _disk=$4 _prev=$last_tick
  [ "$(virsh -q -c "$_dst" domstate "$vm" </dev/null 2>/dev/null)" = running ]
  check $? "$_label/running-on-destination"
  ! virsh -q -c "$_src" dominfo "$vm" </dev/null >/dev/null 2>&1
  check $? "$_label/gone-from-source"
  virsh -q -c "$_dst" dominfo "$vm" </dev/null | grep -q '^Persistent: *yes'
  check $? "$_label/persistent-on-destination"
  virsh -q -c "$_dst" domblklist "$vm" </dev/null | awk '$1 == "vda" { print $2 }' |
    grep -qx "$_disk"
  check $? "$_label/disk-is-$(basename "$_disk")"
  virsh -q -c "$_dst" dumpxml --inactive "$vm" </dev/null | grep -q "<source file='$_disk'"
  check $? "$_label/persistent-definition-has-new-disk"
  # -U: the running guest holds the image's lock; it never writes to it.
  qemu-img compare -U -q -f raw "$work/guest.raw" "$_disk"
  check $? "$_label/disk-data-identical"
  _t=$(tick "$_dst" 2>>"$work/tick.err")
  [ -n "$_t" ] && [ "$_t" -gt "$_prev" ]
  check $? "$_label/guest-kept-running (tick ${_prev} -> ${_t:-none})"
  [ -z "$_t" ] || last_tick=$_t
}

# The guest: its own /init checks its disk, then keeps writing memory.
"$here/busy-guest.sh" "$work/guest.raw" ferry-lm >"$work/build.log" 2>&1 ||
  { cat "$work/build.log"; echo "FAIL build-guest"; exit 1; }
disk_a=$pool_a/$vm.qcow2
qemu-img convert -f raw -O qcow2 "$work/guest.raw" "$disk_a" && va pool-refresh ferry >/dev/null
check $? "setup/disk-in-pool-A"

"$here/busy-domain.sh" "$vm" "$disk_a" 128 "$work/serial.log" ferry-test \
  >"$work/domain.xml"
va define "$work/domain.xml" >/dev/null
check $? "setup/define-on-A"
tick "$uri_a" --wait-start >"$work/tick0" 2>>"$work/tick.err" &
reader=$!
va start "$vm" >/dev/null
check $? "setup/start-on-A"
wait "$reader"
last_tick=$(cat "$work/tick0")
[ -n "$last_tick" ]
check $? "setup/guest-runs-workload (tick ${last_tick:-none})"
tr -d '\r' <"$work/console.log" | grep -qx "FERRY-GUEST-DATA vda ok"
check $? "setup/guest-read-its-disk"
# bail: show what explains a failure, then fail (the trap cleans up).
bail () {
  echo "--- tick errors"; cat "$work/tick.err" 2>/dev/null
  echo "--- console"; tr -d '\r' <"$work/console.log" 2>/dev/null | tail -n 20
  for _h in "$pool_a" "$pool_b"; do
    echo "--- ${_h%/pool}/log/libvirtd.log (removed on exit)"
    grep ': error : ' "${_h%/pool}/log/libvirtd.log" 2>/dev/null | tail -n 5
  done
  exit 1
}
[ $failed -eq 0 ] || bail

# 1. Shared storage: B opens A's file.
migrate shared-A-to-B "$uri_a" "$uri_b" --unsafe || bail
landed shared-A-to-B "$uri_a" "$uri_b" "$disk_a"

# 2. Not shared, pre-created: a volume of the same size and format in A's pool.
disk_a2=$pool_a/$vm-2.qcow2
va vol-create-as ferry "$vm-2.qcow2" 64M --format qcow2 >/dev/null
check $? "copy-B-to-A/pre-create-volume"
vb dumpxml --migratable "$vm" | sed "s|<source file='$disk_a'/>|<source file='$disk_a2'/>|" \
  >"$work/to-a.xml"
grep -q "$disk_a2" "$work/to-a.xml"
check $? "copy-B-to-A/migration-xml"
migrate copy-B-to-A "$uri_b" "$uri_a" --copy-storage-all \
  --xml "$work/to-a.xml" --persistent-xml "$work/to-a.xml" || bail
landed copy-B-to-A "$uri_b" "$uri_a" "$disk_a2"

# 3. Not shared, not pre-created: libvirt creates it in B's pool.
disk_b=$pool_b/$vm-3.qcow2
[ ! -e "$disk_b" ]
check $? "copy-A-to-B/disk-absent-before"
va dumpxml --migratable "$vm" | sed "s|<source file='$disk_a2'/>|<source file='$disk_b'/>|" \
  >"$work/to-b.xml"
migrate copy-A-to-B "$uri_a" "$uri_b" --copy-storage-all \
  --xml "$work/to-b.xml" --persistent-xml "$work/to-b.xml" || bail
landed copy-A-to-B "$uri_a" "$uri_b" "$disk_b"
vb pool-refresh ferry >/dev/null
vb vol-list ferry | grep -q "^ *$vm-3.qcow2 "
check $? "copy-A-to-B/volume-listed-in-B-pool"
"$here/guest-healthy.sh" "$work/serial.log"
check $? "guest/booted-once-never-crashed"

[ $failed -eq 0 ] || bail
exit 0
