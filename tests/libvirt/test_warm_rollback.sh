#!/bin/sh
# test_warm_rollback.sh: a warm cutover to a libvirt host that fails after
# the source was stopped is rolled back; the next one boots the target.
#
# Host A runs the writer guest (writer-guest.sh); host B is the target
# (its pool "ferry").  The guest has no ACPI: each cutover powers it off
# hard after --shutdown-timeout.
#   1. plan create --mode warm --to libvirt,storage-pool=ferry:B --tcg;
#      plan run seeds and syncs;
#   2. a domain with the VM's name appears on B while it syncs: the
#      cutover stops the source, copies and verifies, then cannot define
#      the target: the VM is rolled-back with the reason, the source runs
#      again on A, nothing of ferry's is defined on B (its disks stay,
#      for inspection), the measured phases are recorded;
#   3. the intruder removed, plan run again: the VM syncs on from where it
#      was (no new seed) and a second cutover defines and starts the
#      target on B, which keeps running; the source stays defined and off
#      on A, with no checkpoint of ferry's.
# Exit 0 pass, 1 fail, 77 skip (libvirt hosts or QEMU cannot run here).
# Must never: touch the system libvirtd; it stops only its own hosts.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
ferry=${FERRY:-$root/build/ferry}
host_a=ferry-wrb-a host_b=ferry-wrb-b
vm=ferrywrb$$
# shellcheck source=tests/libvirt/lib.sh
. "$here/lib.sh"

hosts_start ferry-warm-rollback "$host_a" "$host_b"
chmod 755 "$work"
export FERRY_STATE_DIR="$work/state"
uri_a=$(host_uri $host_a) uri_b=$(host_uri $host_b)
# No power button: the shutdown is the hard power-off after the timeout.
ACPI=off warm_guest_start "$uri_a" 128 32

# 1. seed and syncs
"$ferry" host add A "$uri_a" >/dev/null &&
  "$ferry" plan create p1 --mode warm --from "kvm:A/$vm" \
    --to "libvirt,storage-pool=ferry:$uri_b" --tcg \
    --interval 4s --shutdown-timeout 3s >"$work/create.log" 2>&1
status=$?
cat "$work/create.log"
check $status "create/warm-plan-to-libvirt"
"$ferry" plan run p1 >"$work/run1.log" 2>&1 &
run=$!
wait_for 240 "len([s for s in v['syncs'] if s['seconds'] > 0 and s['bytes-changed'] > 0]) >= 2"
check $? "run/seed-and-a-sync-with-changes"

# 2. an intruder takes the name on B: the cutover is rolled back
cat >"$work/intruder.xml" <<XML
<domain type='qemu'><name>$vm</name><memory unit='MiB'>16</memory>
<os><type arch='x86_64'>hvm</type></os></domain>
XML
on "$uri_b" define "$work/intruder.xml" >/dev/null
check $? "rollback/intruder-defined-on-B"
"$ferry" plan cutover p1 >"$work/cutover1.log" 2>&1
wait_run $run
status=$?
tail -n 5 "$work/run1.log"
[ "$(q "v['state']")" = rolled-back ]
check $? "rollback/vm-rolled-back (run exit $status)"
q "v['error']" | grep -q "$vm"
check $? "rollback/the-reason-is-recorded ($(q "v['error']"))"
t=$(last_tick)
runs_on "$uri_a"
check $? "rollback/source-runs-again-on-A"
_end=$(( $(date +%s) + 120 ))
while [ "$(grep -ac 'FERRY-WARM-TICK 1\b' "$work/serial.log")" -lt 2 ] && [ "$(date +%s)" -lt $_end ]; do sleep 1; done
[ "$(grep -ac 'FERRY-WARM-TICK 1\b' "$work/serial.log")" -ge 2 ]
check $? "rollback/the-source-boots-and-writes-again (had reached tick $t)"
[ "$(q "v['downtime'] is not None and v['downtime']['verify-seconds'] > 0")" = True ]
check $? "rollback/phases-measured-up-to-the-failure"
seed_syncs=$(q "len([s for s in v['syncs'] if s['full']])")
on "$uri_b" undefine "$vm" >/dev/null
check $? "rollback/only-the-intruder-was-defined-on-B"
[ "$(on "$uri_b" vol-list ferry | grep -c "$vm")" -eq 2 ]
check $? "rollback/target-disks-kept-on-B"

# 3. the next run syncs on and the second cutover boots the target
"$ferry" plan run p1 >"$work/run2.log" 2>&1 &
run=$!
n=$(q "len(v['syncs'])")
wait_for 120 "v['state'] == 'syncing' and len([s for s in v['syncs'][$n:] if s['seconds'] > 0 and s['bytes-changed'] > 0]) >= 1"
check $? "retry/syncing-again-from-the-base"
"$ferry" plan cutover p1 >"$work/cutover2.log" 2>&1
wait_run $run
status=$?
tail -n 5 "$work/run2.log"
check $status "retry/run-exits-0"
[ "$(q "v['state']")" = done ]
check $? "retry/vm-done"
[ "$(q "len([s for s in v['syncs'] if s['full']])")" = "$seed_syncs" ]
check $? "retry/no-second-seed"
runs_on "$uri_b"
check $? "retry/target-runs-on-B"
[ "$(on "$uri_a" domstate "$vm")" = "shut off" ]
check $? "retry/source-defined-and-off-on-A"
[ -z "$(on "$uri_a" checkpoint-list "$vm" --name)" ]
check $? "cleanup/no-checkpoint-left"
on "$uri_b" destroy "$vm" >/dev/null 2>&1
on "$uri_b" undefine "$vm" >/dev/null 2>&1
on "$uri_a" undefine "$vm" >/dev/null 2>&1
exit $failed
