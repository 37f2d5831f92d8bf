#!/bin/sh
# test_warm_max_downtime.sh: with --max-downtime, a cutover that is asked
# for waits, syncing again, while the predicted downtime exceeds it; a
# cancel then ends the plan with the source untouched.
#
# Host A runs the writer guest (writer-guest.sh) with no ACPI.
#   1. plan create --mode warm --max-downtime 1s: below what any cutover
#      here can take (the prediction counts at least the 3 s shutdown
#      timeout before a cutover has been measured);
#   2. plan run seeds and syncs; plan cutover is asked for: the VM stays
#      syncing, says why in its events (the prediction and the bound),
#      keeps syncing, and the source keeps running;
#   3. plan cancel: the run exits, the VM is cancelled, the source still
#      runs and keeps the base checkpoint (a later run syncs on from it)
#      and no checkpoint the store does not know; plan delete removes
#      them.
# Exit 0 pass, 1 fail, 77 skip (libvirt hosts or QEMU cannot run here).
# Must never: touch the system libvirtd; it stops only its own host.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
ferry=${FERRY:-$root/build/ferry}
host_a=ferry-wmd-a
vm=ferrywmd$$
# shellcheck source=tests/libvirt/lib.sh
. "$here/lib.sh"

hosts_start ferry-warm-max-downtime "$host_a"
chmod 755 "$work"
export FERRY_STATE_DIR="$work/state"
uri_a=$(host_uri $host_a)
ACPI=off warm_guest_start "$uri_a" 128 32

# 1. the plan
"$ferry" host add A "$uri_a" >/dev/null &&
  "$ferry" plan create p1 --mode warm --from "kvm:A/$vm" --to "dir:$work/out" \
    --interval 4s --shutdown-timeout 3s --max-downtime 1s >"$work/create.log" 2>&1
status=$?
cat "$work/create.log"
check $status "create/warm-plan-with-max-downtime"

# 2. the cutover waits
"$ferry" plan run p1 >"$work/run.log" 2>&1 &
run=$!
wait_for 240 "len([s for s in v['syncs'] if s['finished'] and s['index'] >= 1]) >= 1"
check $? "run/seed-and-a-sync"
"$ferry" plan cutover p1 >"$work/cutover.log" 2>&1
check $? "cutover/requested"
wait_for 120 "any('exceeds --max-downtime 1.0 s' in e['message'] for e in v['events'])"
check $? "wait/the-reason-is-an-event ($(q "[e['message'] for e in v['events'] if 'max-downtime' in e['message']]"))"
n=$(q "len([s for s in v['syncs'] if s['finished']])")
wait_for 120 "len([s for s in v['syncs'] if s['finished']]) >= $n + 2"
check $? "wait/syncing-on"
[ "$(q "v['state']")" = syncing ] && [ "$(q "v['predicted-downtime-seconds'] > 1")" = True ] &&
  [ "$(q "v['downtime'] is None")" = True ]
check $? "wait/not-cut-over ($(q "v['state'], v['predicted-downtime-seconds']"))"
runs_on "$uri_a"
check $? "wait/source-runs"

# 3. cancel
"$ferry" plan cancel p1 >"$work/cancel.log" 2>&1
wait_run $run
status=$?
tail -n 3 "$work/run.log"
[ "$(q "v['state']")" = cancelled ]
check $? "cancel/vm-cancelled (run exit $status)"
runs_on "$uri_a"
check $? "cancel/source-still-runs"
# the base, and the mark of a pass the cancel cut short (the store knows
# both; a later run deletes the second)
base=$(q "[s['mark'] for s in v['syncs'] if s['finished']][-1]")
known=$(q "' '.join(s['mark'] for s in v['syncs'][-2:])")
left=$(on "$uri_a" checkpoint-list "$vm" --name | sed '/^$/d' | tr '\n' ' ')
case " $left" in *" $base "*) ok=0 ;; *) ok=1 ;; esac
for c in $left; do case " $known " in *" $c "*) ;; *) ok=1 ;; esac; done
check $ok "cancel/the-base-kept-to-sync-on-from (base $base, left $left)"
"$ferry" plan delete p1 >"$work/delete.log" 2>&1 &&
  [ -z "$(on "$uri_a" checkpoint-list "$vm" --name)" ]
check $? "delete/no-checkpoint-left"
on "$uri_a" destroy "$vm" >/dev/null 2>&1
on "$uri_a" undefine "$vm" --checkpoints-metadata >/dev/null 2>&1
exit $failed
