#!/bin/sh
# test_warm_migrate.sh: a running guest that writes to its disk all the
# time is migrated warm into a dir: target, with ferry killed once in the
# middle; nothing it wrote is lost.
#
# Host A (start-hosts.sh) runs the guest of writer-guest.sh: a boot disk
# and a data disk (qcow2 v3) it writes random blocks and a counter to,
# printing "FERRY-WARM-TICK N" once counter N is on the disk.
#   1. plan create --mode warm: the plan and VM say "mode": "warm";
#   2. plan run: the seed and at least two syncs are recorded, each with
#      its figures; a predicted downtime is shown;
#   3. SIGKILL of plan run at random points while it syncs
#      (FERRY_WARM_KILLS_SYNC times, default 1), each time run again: it
#      goes on, and never leaves a checkpoint of ours but the base and
#      the unfinished pass's;
#   3b. the domain defined again while ferry is down (its checkpoints
#      forgotten, the guest restarted): the next sync is a compared
#      resync (full, writing less than half of what it read), then syncs
#      go on;
#   4. plan cutover while the run runs: the run carries it out and exits,
#      also when killed at random points of the cutover
#      (FERRY_WARM_KILLS_CUTOVER times, default 1) and run again; the VM
#      is done, the downtime phases are recorded and add up to the total;
#   5. the target's disks equal the source's final disks (ferry hash of
#      both, after the source is off: an oracle independent of the
#      plan's own digest), the counter on the target is at least the last
#      tick the guest printed, the source is defined and off, and it holds
#      no checkpoint and no bitmap of ferry's.
# Exit 0 pass, 1 fail, 77 skip (libvirt hosts or QEMU cannot run here).
# Must never: touch the system libvirtd; it stops only its own hosts.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
ferry=${FERRY:-$root/build/ferry}
host_a=ferry-warm-a
vm=ferrywarm$$
# shellcheck source=tests/libvirt/lib.sh
. "$here/lib.sh"

hosts_start ferry-warm "$host_a"
chmod 755 "$work"
export FERRY_STATE_DIR="$work/state"
uri_a=$(host_uri $host_a)
warm_guest_start "$uri_a" 256 64

# 1. the plan
"$ferry" host add A "$uri_a" >/dev/null &&
  "$ferry" plan create p1 --mode warm --from "kvm:A/$vm" --to "dir:$work/out" \
    --interval 4s --shutdown-timeout 3s >"$work/create.log" 2>&1
status=$?
cat "$work/create.log"
check $status "create/warm-plan"
[ "$(q "p['mode'] == 'warm' and v['mode'] == 'warm'")" = True ]
check $? "create/mode-is-warm"

# 2. seed and syncs
"$ferry" plan run p1 >"$work/run1.log" 2>&1 &
run=$!
wait_for 240 "len([s for s in v['syncs'] if s['seconds'] > 0 and s['index'] >= 2]) >= 1"
check $? "run/seed-and-two-syncs"
[ "$(q "all(k in s for s in v['syncs'] for k in ('index','started','seconds','bytes-changed','bytes-copied'))")" = True ]
check $? "run/syncs-have-their-figures"
[ "$(q "v['syncs'][0]['bytes-copied'] > 0 and v['syncs'][1]['bytes-changed'] > 0")" = True ]
check $? "run/syncs-copy-what-changed"
[ "$(q "v['state'] == 'syncing' and v['predicted-downtime-seconds'] is not None")" = True ]
check $? "run/syncing-with-a-prediction"

# 3. killed at random points while it syncs, then run again each time
kills_sync=${FERRY_WARM_KILLS_SYNC:-1} kills_cutover=${FERRY_WARM_KILLS_CUTOVER:-1}
k=0
while [ $k -lt "$kills_sync" ]; do
  sleep "$(shuf -i 1-8 -n 1)"
  kill -9 $run
  wait $run 2>/dev/null
  marks=$(on "$uri_a" checkpoint-list "$vm" --name | grep -c ferry-)
  [ "$marks" -le 2 ] || { echo "kill $k: $marks checkpoints"; on "$uri_a" checkpoint-list "$vm"; }
  [ "$marks" -le 2 ]
  check $? "kill/sync-$k/at-most-base-and-pass-mark ($marks)"
  "$ferry" plan run p1 >>"$work/run2.log" 2>&1 &
  run=$!
  k=$((k + 1))
done
n=$(q "len([s for s in v['syncs'] if s['seconds'] > 0])")
wait_for 180 "len([s for s in v['syncs'] if s['seconds'] > 0]) > $n + 1"
check $? "kill/resumed-and-syncs-on"

# 3b. the domain defined again while ferry is down (libvirt forgets its
#     checkpoints, the images keep their bitmaps; the guest restarts):
#     the next sync cannot trust the changes, compares the whole disks
#     with the target and writes only what differs
kill -9 $run
wait $run 2>/dev/null
on "$uri_a" dumpxml --inactive "$vm" >"$work/inactive.xml" &&
  on "$uri_a" destroy "$vm" >/dev/null &&
  mv "$work/serial.log" "$work/serial-first-boot.log" &&
  on "$uri_a" undefine "$vm" --checkpoints-metadata >/dev/null &&
  on "$uri_a" define "$work/inactive.xml" >/dev/null &&
  on "$uri_a" start "$vm" >/dev/null &&
  [ -z "$(on "$uri_a" checkpoint-list "$vm" --name)" ]
check $? "resync/domain-redefined-checkpoints-forgotten"
# The guest counts from 1 again: the ticks that matter from here on are
# the new boot's, in a new console log; wait for its first.
_end=$(( $(date +%s) + 180 ))
while [ -z "$(last_tick)" ] && [ "$(date +%s)" -lt $_end ]; do sleep 1; done
[ -n "$(last_tick)" ]
check $? "resync/guest-writes-again (tick $(last_tick))"
"$ferry" plan run p1 >>"$work/run2.log" 2>&1 &
run=$!
wait_for 240 "any(s['compared'] and s['finished'] for s in v['syncs'])"
check $? "resync/a-compared-sync"
[ "$(q "[(s['full'], s['bytes-written'] < s['bytes-copied'] / 2) for s in v['syncs'] if s['compared']][0]")" = "(True, True)" ]
check $? "resync/full-and-writes-only-what-differs ($(q "[(s['bytes-copied'], s['bytes-written']) for s in v['syncs'] if s['compared']]"))"
n=$(q "len([s for s in v['syncs'] if s['seconds'] > 0])")
wait_for 180 "len([s for s in v['syncs'] if s['seconds'] > 0]) > $n"
check $? "resync/incremental-syncs-go-on"

# 4. the cutover, carried out by the running plan run, killed at random
#    points too (each time run again: it resumes the cutover)
"$ferry" plan cutover p1 >"$work/cutover.log" 2>&1
check $? "cutover/requested"
# The cutover (catch-up, a 2 s shutdown, final sync, verify, define) takes
# a few seconds: each kill comes 0.3 to 2 s after the cutover was asked
# for or resumed, so that it lands inside it.
k=0 hits=0
while [ $k -lt "$kills_cutover" ] && kill -0 $run 2>/dev/null; do
  sleep "$(awk -v t="$(shuf -i 3-20 -n 1)" 'BEGIN { print t / 10 }')"
  kill -9 $run 2>/dev/null
  wait $run 2>/dev/null
  state=$(q "v['state']")
  echo "killed during: $state"
  [ "$state" = cutting-over ] && hits=$((hits + 1))
  [ "$state" = done ] && break
  "$ferry" plan run p1 >>"$work/run2.log" 2>&1 &
  run=$!
  k=$((k + 1))
done
[ "$hits" -ge 1 ] || [ "$kills_cutover" -eq 0 ]
check $? "cutover/killed-inside-the-cutover ($hits of $kills_cutover kills)"
wait_run $run
status=$?
tail -n 20 "$work/run2.log"
check $status "cutover/run-exits-0"
[ "$(q "v['state']")" = done ]
check $? "cutover/vm-done"
[ "$(q "all(k in v['downtime'] for k in ('shutdown-seconds','final-sync-seconds','verify-seconds','adapt-seconds','define-seconds','boot-seconds','total-seconds'))")" = True ]
check $? "cutover/downtime-phases-recorded"
[ "$(q "abs(sum(x for k, x in v['downtime'].items() if k.endswith('-seconds') and k != 'total-seconds') - v['downtime']['total-seconds']) < 0.5")" = True ]
check $? "cutover/phases-add-up ($(q "v['downtime']"))"
[ "$(q "any(s.get('final') for s in v['syncs'])")" = True ]
check $? "cutover/final-sync-recorded"

# 5. nothing lost, nothing left behind
[ "$(on "$uri_a" domstate "$vm")" = "shut off" ]
check $? "source/defined-and-off"
tick=$(last_tick)
target_data=$(ls "$work/out/"*-disk1.qcow2)
qemu-img convert -f qcow2 -O raw "$target_data" "$work/target-data.raw"
counter=$(head -c 40 "$work/target-data.raw" | tr -d '\0' |
  sed -n 's/^FERRY-WARM-COUNTER \([0-9]*\).*/\1/p')
[ -n "$counter" ] && [ "$counter" -ge "$tick" ]
check $? "verify/no-write-lost (target counter ${counter:-none}, last tick $tick)"
for i in 0 1; do
  src=$disks/boot.qcow2; [ $i -eq 1 ] && src=$disks/data.qcow2
  s=$("$ferry" hash "$src" | cut -d' ' -f1)
  t=$("$ferry" hash "$(ls "$work/out/"*-disk$i.qcow2)" | cut -d' ' -f1)
  [ -n "$s" ] && [ "$s" = "$t" ]
  check $? "verify/disk$i-equals-the-source ($s)"
done
[ -z "$(on "$uri_a" checkpoint-list "$vm" --name)" ]
check $? "cleanup/no-checkpoint-left"
! qemu-img info -U "$disks/data.qcow2" | grep -q "bitmaps:"
check $? "cleanup/no-bitmap-left"
on "$uri_a" undefine "$vm" >/dev/null
exit $failed
