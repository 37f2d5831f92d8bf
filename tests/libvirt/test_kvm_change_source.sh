#!/bin/sh
# test_kvm_change_source.sh: the KVM warm source (src/source/kvm.c) against
# a running guest on one libvirt host (start-hosts.sh k1), driven by
# kvm_change_driver (one source action per run, its journal checked
# against libvirt before and after every action).
#
# The guest: the tiny busy guest (busy-guest.sh) on a qcow2 v3 disk vda,
# plus a 64 MiB qcow2 v3 data disk vdb holding 0x11 in its first MiB.
# Bytes are written into vdb while the guest runs with QEMU's own qemu-io
# (through the device, so the checkpoints' bitmaps see them); the oracle
# of every view's changes is the list of those writes, at the bitmaps'
# 64 KiB granularity.
#   1. facts: both disks qcow2 v3, the guest running, no checkpoint; the
#      VM model's NIC is the one libvirt lists, the model passes the rules
#      (nothing Critical) and the domain writer;
#   2. view 1, full (mark ferry-T-1): vdb's data is [0, 1 MiB), its bytes
#      0x11;
#   3. three writes, then view 2 (ferry-T-1 -> ferry-T-2): the changes are
#      exactly those writes, the bytes the new ones, the epoch view 1's;
#   4. the driver killed (SIGKILL) during view 3: the job still runs; the
#      same view opened again adopts it (same changes);
#   5. killed again during view 4: recover keeping ferry-T-3 leaves no job
#      and only ferry-T-3; view 4 opened anew lists the write since; killed
#      during view 5 and its job aborted by hand: the leftover mark is
#      deleted and made anew;
#   6. a base that is gone: a full view with a new epoch, listing every
#      allocated extent;
#   7. shutdown (the guest has no ACPI here: forced after 3 s); a
#      view that would make a mark is refused while the guest is off; then
#      the last view (ferry-T-5 -> none) through a paused start: exactly
#      the write made after view 5; the domain is off again afterwards;
#   8. killed during the last view: recover destroys the paused process
#      and deletes the marks not kept (libvirt deletes bitmaps only from a
#      running QEMU: the domain is started paused for it and destroyed
#      again); recover keeping nothing deletes every mark and leaves no
#      ferry bitmap in the images;
#   9. power-on starts the guest;
#  10. the domain redefined (libvirt forgets its checkpoints, the images
#      keep their bitmaps): a view from a base that is gone is full, with
#      a new epoch, and the base's bitmaps are removed (taken over as
#      checkpoints, then deleted); a mark whose name a leftover bitmap
#      holds ("Bitmap already exists") has it removed and is made anew; a
#      checkpoint of ours that no view made (no epoch) is not trusted.
# Each step's journal must be the expected intents and dones, each intent
# before its action and each done after it.
# Exit 0 pass, 1 fail, 77 skip (libvirt hosts or QEMU cannot run here).
# Must never: touch the system libvirtd; it stops only its own host.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
driver=${KVM_CHANGE_DRIVER:-$root/build/tests/integration/kvm_change_driver}
host=k1
vm=ferrykc$$
# shellcheck source=tests/libvirt/lib.sh
. "$here/lib.sh"

[ -x "$driver" ] || { echo "FAIL: $driver is not built"; exit 1; }
hosts_start ferry-kvm-change "$host"
chmod 755 "$work"
uri=$(host_uri $host)
journal=$work/journal.log
K=1024 M=1048576

drive () { "$driver" "$uri" "$vm" T "$journal" "$@"; }
# write PATTERN OFFSET LENGTH: through the guest's vdb, by QEMU.
write () {
  _out=$(on "$uri" qemu-monitor-command --hmp "$vm" \
    "qemu-io -d /machine/peripheral/virtio-disk1/virtio-backend \"write -P $1 $2 $3\"")
  [ -z "$(echo "$_out" | tr -d '[:space:]')" ] || echo "qemu-io: $_out" >&2
}
# The data ranges a view listed for vdb, one "OFFSET LENGTH" a line.
vdb_data () { awk '$1 == "disk" && $2 == 1 && $3 == "data" { print $4, $5 }' "$1"; }
# journal_is LABEL: the journal since the last call equals stdin.
journal_is () {
  cat >"$work/journal.want"
  diff "$work/journal.want" "$journal" >"$work/journal.diff"
  _s=$?
  [ $_s -eq 0 ] || { echo "journal of $1:"; cat "$work/journal.diff"; }
  : >"$journal"
  check $_s "journal/$1"
}
hold () {  # hold OUT BASE MARK: a view held open, then the driver killed
  "$driver" "$uri" "$vm" T "$journal" view "$2" "$3" hold >"$1" 2>&1 &
  _pid=$!
  for _i in $(seq 100); do grep -q holding "$1" && break; sleep 0.2; done
  grep -q holding "$1" || cat "$1"
  kill -9 $_pid
  wait $_pid 2>/dev/null
}
job_runs () { on "$uri" domjobinfo "$vm" | grep -q "Operation: *Backup"; }
marks () { on "$uri" checkpoint-list "$vm" --name | sed '/^$/d' | tr '\n' ' '; }
begin_view () {  # begin_view MARK-OR-EMPTY: a view's first four lines
  [ -z "$1" ] || echo "intent checkpoint-create $1 pre=ok"
  echo "intent backup-begin $vm pre=ok"
  echo "done backup-begin $vm ok=1 post=ok"
  [ -z "$1" ] || echo "done checkpoint-create $1 ok=1 post=ok"
}
end_view () {
  echo "intent backup-end $vm pre=ok"
  echo "done backup-end $vm ok=1 post=ok"
}

# ---- setup
mkdir "$work/disks" && chmod 755 "$work/disks" &&
  "$here/busy-guest.sh" "$work/guest.raw" ferry-kvm-change >"$work/build.log" 2>&1 &&
  qemu-img convert -f raw -O qcow2 -o compat=1.1 "$work/guest.raw" "$work/disks/root.qcow2" &&
  qemu-img create -q -f qcow2 -o compat=1.1 "$work/disks/data.qcow2" 64M &&
  qemu-io -f qcow2 -c "write -P 0x11 0 1M" "$work/disks/data.qcow2" >/dev/null &&
  ACPI=off "$here/busy-domain.sh" "$vm" "$work/disks/root.qcow2" 128 "$work/serial.log" ferry-test |
  sed "s|</disk>|</disk><disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='$work/disks/data.qcow2'/><target dev='vdb' bus='virtio'/></disk>|" \
    >"$work/domain.xml" &&
  on "$uri" define "$work/domain.xml" >/dev/null && on "$uri" start "$vm" >/dev/null
status=$?
[ $status -eq 0 ] || cat "$work/build.log"
check $status "setup/guest-with-data-disk-runs"
: >"$journal"

# ---- 1. facts
drive facts >"$work/facts.out" 2>&1
cat "$work/facts.out"
grep -q "^facts running=1 persistent=1 .* job=0 own=0 foreign=0$" "$work/facts.out" &&
  grep -q "^fact-disk 0 vda qcow2 v3=1 known=1 size=67108864$" "$work/facts.out" &&
  grep -q "^fact-disk 1 vdb qcow2 v3=1 known=1 size=67108864$" "$work/facts.out" &&
  grep -q "^vm-disk 1 virtio0:1 $work/disks/data.qcow2 capacity=67108864$" "$work/facts.out"
check $? "facts/two-qcow2-v3-disks-running"
# The model's NIC as libvirt lists it; the rules and the domain writer take
# the model: nothing Critical (no guest OS recorded, no network mapping:
# a Warning and an Info), and a domain written.
mac=$(on "$uri" domiflist "$vm" | awk '{ print $5 }')
grep -q "^vm-nic 0 $mac ferry-test virtio$" "$work/facts.out" &&
  ! grep -q "^finding critical" "$work/facts.out" &&
  grep -q "^finding warning guest-os-unknown$" "$work/facts.out" &&
  grep -q "^vm_xml ok$" "$work/facts.out"
check $? "facts/model-passes-the-rules-and-the-writer"

# ---- 2. full view
drive view - ferry-T-1 check:1:0:$M:11 check:1:$M:$((64*K)):00 >"$work/v1.out" 2>&1
cat "$work/v1.out"
[ "$(vdb_data "$work/v1.out")" = "0 $M" ] &&
  grep -q "^view adopted=0 epoch=.* epoch_changed=0$" "$work/v1.out" &&
  ! grep -q BAD "$work/v1.out" && grep -q "^closed$" "$work/v1.out"
check $? "view1/full-lists-the-allocated-data"
epoch1=$(sed -n 's/^view .* epoch=\([^ ]*\) .*/\1/p' "$work/v1.out")
{ begin_view ferry-T-1; end_view; } | journal_is view1

# ---- 3. incremental view
write 0x33 $M $((64*K))
write 0x44 $((5*M)) $((128*K))
write 0x55 0 $((4*K))
drive view ferry-T-1 ferry-T-2 check:1:$M:$((64*K)):33 \
  check:1:$((5*M)):$((128*K)):44 check:1:0:$((4*K)):55 \
  check:1:$((4*K)):$((60*K)):11 >"$work/v2.out" 2>&1
cat "$work/v2.out"
[ "$(vdb_data "$work/v2.out")" = "0 $((64*K))
$M $((64*K))
$((5*M)) $((128*K))" ]
check $? "view2/changes-are-exactly-the-writes"
! grep -q BAD "$work/v2.out" && grep -q "^check:" "$work/v2.out"
check $? "view2/bytes-are-the-new-ones"
grep -q "^view adopted=0 epoch=$epoch1 epoch_changed=0$" "$work/v2.out"
check $? "view2/same-epoch-as-view1"
{ begin_view ferry-T-2; end_view; } | journal_is view2

# ---- 4. killed during view 3; adopted
write 0x66 $((8*M)) $((64*K))
hold "$work/v3-held.out" ferry-T-2 ferry-T-3
job_runs && [ "$(marks)" = "ferry-T-1 ferry-T-2 ferry-T-3 " ]
check $? "kill/job-and-mark-left-behind"
begin_view ferry-T-3 | journal_is view3-killed
drive view ferry-T-2 ferry-T-3 check:1:$((8*M)):$((64*K)):66 >"$work/v3.out" 2>&1
cat "$work/v3.out"
grep -q "^view adopted=1 epoch=$epoch1 epoch_changed=0$" "$work/v3.out" &&
  [ "$(vdb_data "$work/v3.out")" = "$((8*M)) $((64*K))" ] &&
  ! grep -q BAD "$work/v3.out" && ! job_runs
check $? "adopt/running-job-taken-over"
end_view | journal_is view3-adopted

# ---- 5. killed during view 4; recovered
write 0x77 $((12*M)) $((64*K))
hold "$work/v4-held.out" ferry-T-3 ferry-T-4
: >"$journal"
drive facts >"$work/facts-left.out" 2>&1
grep -q "^facts running=1 .* job=0 own=4 foreign=0$" "$work/facts-left.out"
check $? "facts/own-leftovers-counted-own-job-not-another"
drive recover ferry-T-3 >"$work/recover.out" 2>&1
status=$?
cat "$work/recover.out"
[ $status -eq 0 ] && ! job_runs && [ "$(marks)" = "ferry-T-3 " ] &&
  [ -z "$(ls -d /var/tmp/ferry-nbd/ferry-T-* 2>/dev/null)" ]
check $? "recover/no-job-no-unknown-mark-no-socket-dir"
{ end_view
  for m in 4 2 1; do
    echo "intent checkpoint-delete ferry-T-$m pre=ok"
    echo "done checkpoint-delete ferry-T-$m ok=1 post=ok"
  done; } | journal_is recover
drive view ferry-T-3 ferry-T-4 check:1:$((12*M)):$((64*K)):77 >"$work/v4.out" 2>&1
cat "$work/v4.out"
grep -q "^view adopted=0 epoch=$epoch1 epoch_changed=0$" "$work/v4.out" &&
  [ "$(vdb_data "$work/v4.out")" = "$((12*M)) $((64*K))" ] && ! grep -q BAD "$work/v4.out"
check $? "recover/view-begins-anew"
{ begin_view ferry-T-4; end_view; } | journal_is view4

# ---- 5b. killed during view 5, its job ended by hand: the mark it left
#      is deleted and made anew
write 0x99 $((24*M)) $((64*K))
hold "$work/v5-held.out" ferry-T-4 ferry-T-5
begin_view ferry-T-5 | journal_is view5-killed
on "$uri" domjobabort "$vm" >/dev/null
for _i in $(seq 50); do job_runs || break; sleep 0.2; done
drive view ferry-T-4 ferry-T-5 check:1:$((24*M)):$((64*K)):99 >"$work/v5.out" 2>&1
cat "$work/v5.out"
grep -q "^view adopted=0 epoch=$epoch1 epoch_changed=0$" "$work/v5.out" &&
  [ "$(vdb_data "$work/v5.out")" = "$((24*M)) $((64*K))" ] && ! grep -q BAD "$work/v5.out"
check $? "leftover-mark/deleted-and-made-anew"
{ echo "intent checkpoint-delete ferry-T-5 pre=ok"
  echo "done checkpoint-delete ferry-T-5 ok=1 post=ok"
  begin_view ferry-T-5; end_view; } | journal_is view5

# ---- 6. a base that is gone: full view, new epoch
write 0x88 $((20*M)) $((64*K))
drive view ferry-T-gone ferry-T-6 >"$work/v6.out" 2>&1
cat "$work/v6.out"
grep -q "^view adopted=0 epoch=.*/ferry-T-6 epoch_changed=1$" "$work/v6.out" &&
  ! grep -q "epoch=$epoch1 " "$work/v6.out" &&
  [ "$(vdb_data "$work/v6.out")" = "0 $((M+64*K))
$((5*M)) $((128*K))
$((8*M)) $((64*K))
$((12*M)) $((64*K))
$((20*M)) $((64*K))
$((24*M)) $((64*K))" ]
check $? "epoch/missing-base-gives-full-view-new-epoch"
# Looking for a bitmap the base left (step 10): none on either disk.
{ for _d in vda vdb; do
    echo "intent checkpoint-adopt ferry-T-gone pre=ok"
    echo "done checkpoint-adopt ferry-T-gone ok=0 post=ok"
  done
  begin_view ferry-T-6; end_view; } | journal_is view6-full

# ---- 7. shutdown and the last view
drive shutdown 3 >"$work/shutdown.out" 2>&1
cat "$work/shutdown.out"
grep -q "^forced=1$" "$work/shutdown.out" && [ "$(on "$uri" domstate "$vm")" = "shut off" ]
check $? "shutdown/forced-after-timeout"
journal_is shutdown <<EOF
intent shutdown $vm pre=ok
done shutdown $vm ok=1 post=ok
intent destroy $vm pre=ok
done destroy $vm ok=1 post=ok
EOF
# A view that would make a mark needs the guest running: refused, with
# nothing done to the domain.
drive view ferry-T-5 ferry-T-7 >"$work/v-off.out" 2>&1
status=$?
cat "$work/v-off.out"
[ $status -eq 1 ] && grep -q "the domain is not running" "$work/v-off.out" &&
  [ "$(on "$uri" domstate "$vm")" = "shut off" ]
check $? "final/new-mark-of-a-guest-that-is-off-refused"
journal_is mark-while-off </dev/null
drive view ferry-T-5 - check:1:$((20*M)):$((64*K)):88 >"$work/v7.out" 2>&1
cat "$work/v7.out"
grep -q "^view adopted=0 epoch=$epoch1 epoch_changed=0$" "$work/v7.out" &&
  [ "$(vdb_data "$work/v7.out")" = "$((20*M)) $((64*K))" ] &&
  ! grep -q BAD "$work/v7.out" && [ "$(on "$uri" domstate "$vm")" = "shut off" ] &&
  [ "$(marks)" = "ferry-T-3 ferry-T-4 ferry-T-5 ferry-T-6 " ]
check $? "final/paused-start-lists-the-last-write"
{ echo "intent start-paused $vm pre=ok"
  echo "done start-paused $vm ok=1 post=ok"
  begin_view ""; end_view
  echo "intent destroy $vm pre=ok"
  echo "done destroy $vm ok=1 post=ok"; } | journal_is final

# ---- 8. killed during the last view; recovered; every mark deleted
hold "$work/v7-held.out" ferry-T-5 -
: >"$journal"
[ "$(on "$uri" domstate "$vm")" = "paused" ]
check $? "final-kill/paused-process-left"
drive recover ferry-T-5 ferry-T-6 >"$work/recover2.out" 2>&1 &&
  [ "$(on "$uri" domstate "$vm")" = "shut off" ] &&
  [ "$(marks)" = "ferry-T-5 ferry-T-6 " ]
check $? "final-kill/recover-destroys-the-paused-process"
{ end_view
  echo "intent destroy $vm pre=ok"
  echo "done destroy $vm ok=1 post=ok"
  # ferry-T-4 and -3 are not kept: deleted, from a paused process made
  # for it.
  echo "intent start-paused $vm pre=ok"
  echo "done start-paused $vm ok=1 post=ok"
  for m in 4 3; do
    echo "intent checkpoint-delete ferry-T-$m pre=ok"
    echo "done checkpoint-delete ferry-T-$m ok=1 post=ok"
  done
  echo "intent destroy $vm pre=ok"
  echo "done destroy $vm ok=1 post=ok"; } | journal_is recover-final
drive recover >"$work/recover3.out" 2>&1 && [ -z "$(marks)" ] &&
  [ "$(on "$uri" domstate "$vm")" = "shut off" ] &&
  ! qemu-img info -U "$work/disks/data.qcow2" | grep -q "name: ferry-" &&
  ! qemu-img info -U "$work/disks/root.qcow2" | grep -q "name: ferry-"
check $? "cleanup/every-mark-and-bitmap-gone"
{ echo "intent start-paused $vm pre=ok"
  echo "done start-paused $vm ok=1 post=ok"
  for m in 6 5; do
    echo "intent checkpoint-delete ferry-T-$m pre=ok"
    echo "done checkpoint-delete ferry-T-$m ok=1 post=ok"
  done
  echo "intent destroy $vm pre=ok"
  echo "done destroy $vm ok=1 post=ok"; } | journal_is cleanup

# ---- 9. power on
drive power-on && runs_on "$uri"
check $? "power-on/guest-runs"
journal_is power-on <<EOF
intent start $vm pre=ok
done start $vm ok=1 post=ok
EOF

# ---- 10. a redefined domain: the bitmaps it kept are removed, never
#      trusted; a checkpoint no view made is not trusted either
# forget: the domain stopped and defined again: libvirt forgets its
# checkpoints; the images keep their bitmaps.
forget () {
  on "$uri" dumpxml --inactive "$vm" >"$work/inactive.xml" &&
    on "$uri" destroy "$vm" >/dev/null &&
    on "$uri" undefine "$vm" --checkpoints-metadata >/dev/null &&
    on "$uri" define "$work/inactive.xml" >/dev/null &&
    on "$uri" start "$vm" >/dev/null
}
adopt_delete () {  # adopt_delete MARK: both disks' leftover bitmap removed
  for _d in vda vdb; do
    echo "intent checkpoint-adopt $1 pre=ok"
    echo "done checkpoint-adopt $1 ok=1 post=ok"
    echo "intent checkpoint-delete $1 pre=ok"
    echo "done checkpoint-delete $1 ok=1 post=ok"
  done
}
# ferry bitmaps in the running domain's images, as QEMU lists them
bitmaps () {
  on "$uri" qemu-monitor-command "$vm" \
    '{"execute":"query-named-block-nodes","arguments":{"flat":true}}' |
    python3 -c 'import json, sys
names = {b["name"] for n in json.load(sys.stdin)["return"]
         for b in n.get("dirty-bitmaps", []) if b["name"].startswith("ferry-")}
print(" ".join(sorted(names)))'
}
drive view - ferry-T-8 >"$work/v8.out" 2>&1 && forget
check $? "redefined/setup"
: >"$journal"
drive view ferry-T-8 ferry-T-9 >"$work/v9.out" 2>&1
cat "$work/v9.out"
grep -q "^view adopted=0 epoch=.*/ferry-T-9 epoch_changed=1$" "$work/v9.out" &&
  [ "$(marks)" = "ferry-T-9 " ] && [ "$(bitmaps)" = "ferry-T-9" ]
check $? "redefined/base-gone-full-view-its-bitmaps-removed"
{ adopt_delete ferry-T-8; begin_view ferry-T-9; end_view; } |
  journal_is redefined-base
forget
drive view - ferry-T-9 >"$work/v9b.out" 2>&1
status=$?
cat "$work/v9b.out"
[ $status -eq 0 ] && [ "$(marks)" = "ferry-T-9 " ] && [ "$(bitmaps)" = "ferry-T-9" ]
check $? "redefined/bitmap-already-exists-removed-and-made-anew"
{ echo "intent checkpoint-create ferry-T-9 pre=ok"
  echo "intent backup-begin $vm pre=ok"
  echo "done backup-begin $vm ok=0 post=ok"
  echo "done checkpoint-create ferry-T-9 ok=0 post=ok"
  adopt_delete ferry-T-9; begin_view ferry-T-9; end_view; } |
  journal_is redefined-collision
on "$uri" checkpoint-create-as "$vm" ferry-T-10 >/dev/null
: >"$journal"
drive view ferry-T-10 ferry-T-11 >"$work/v11.out" 2>&1
cat "$work/v11.out"
grep -q "^view adopted=0 epoch=.*/ferry-T-11 epoch_changed=1$" "$work/v11.out"
check $? "untrusted-base/full-view-new-epoch"
{ begin_view ferry-T-11; end_view; } | journal_is untrusted-base
drive recover >/dev/null 2>&1 && [ -z "$(marks)" ] && [ -z "$(bitmaps)" ]
check $? "redefined/recover-leaves-no-mark-and-no-bitmap"
: >"$journal"

on "$uri" destroy "$vm" >/dev/null 2>&1
on "$uri" undefine "$vm" --checkpoints-metadata >/dev/null 2>&1
exit $failed
