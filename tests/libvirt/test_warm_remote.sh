#!/bin/sh
# test_warm_remote.sh: a warm migration from a host ferry reaches over the
# network: the views are NBD exports on TCP, not unix sockets.
#
# Host A (start-hosts.sh with FERRY_HOSTS_TCP=1) also listens on TCP at
# 127.0.0.1; ferry knows it only as qemu+tcp://127.0.0.1:PORT/system, so
# it takes it for a remote host.  It runs the writer guest (no ACPI).
#   1. plan create --mode warm --from kvm:A/DOMAIN --to dir:; plan run:
#      while it syncs, the backup job's NBD server is on TCP (the host's
#      name, port 10809), and the seed and a sync finish;
#   2. plan cutover: the VM is done; the target's disks equal the
#      source's (ferry hash of both, the source off); no checkpoint is
#      left on the source.
# Exit 0 pass, 1 fail, 77 skip (libvirt hosts or QEMU cannot run here).
# Must never: touch the system libvirtd; it stops only its own host.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
ferry=${FERRY:-$root/build/ferry}
host_a=ferry-wrm-a
vm=ferrywrm$$
# shellcheck source=tests/libvirt/lib.sh
. "$here/lib.sh"

FERRY_HOSTS_TCP=1 hosts_start ferry-warm-remote "$host_a"
chmod 755 "$work"
export FERRY_STATE_DIR="$work/state"
uri_a=$(host_uri $host_a)
port=$(cat "${FERRY_HOSTS_DIR:-/var/tmp/ferry-hosts}/$host_a/tcp-port")
uri_tcp="qemu+tcp://127.0.0.1:$port/system"
ACPI=off warm_guest_start "$uri_a" 128 32

# 1. syncs over TCP
"$ferry" host add A "$uri_tcp" >/dev/null &&
  "$ferry" plan create p1 --mode warm --from "kvm:A/$vm" --to "dir:$work/out" \
    --interval 4s --shutdown-timeout 3s >"$work/create.log" 2>&1
status=$?
cat "$work/create.log"
check $status "create/warm-plan-from-a-tcp-uri"
# ferry cannot read a remote host's images: what it cannot know is no
# Warning (the bitmaps' qcow2 v3 is checked by the warm rules).
! grep -q "cbt-disabled" "$work/create.log"
check $? "create/no-cbt-warning-for-images-it-cannot-read"
"$ferry" plan run p1 >"$work/run.log" 2>&1 &
run=$!
transport=
_end=$(( $(date +%s) + 120 ))
while [ -z "$transport" ] && [ "$(date +%s)" -lt $_end ]; do
  transport=$(on "$uri_a" backup-dumpxml "$vm" 2>/dev/null |
    sed -n "s/.*<server transport='\([a-z]*\)'.*/\1/p")
  [ -n "$transport" ] || sleep 0.1
done
[ "$transport" = tcp ]
check $? "sync/nbd-server-on-tcp (${transport:-no job seen})"
wait_for 240 "len([s for s in v['syncs'] if s['finished'] and s['index'] >= 1]) >= 1"
check $? "sync/seed-and-a-sync"

# 2. cutover
"$ferry" plan cutover p1 >"$work/cutover.log" 2>&1
wait_run $run
status=$?
tail -n 3 "$work/run.log"
[ "$(q "v['state']")" = done ]
check $? "cutover/vm-done (run exit $status)"
for i in 0 1; do
  src=$disks/boot.qcow2; [ $i -eq 1 ] && src=$disks/data.qcow2
  s=$("$ferry" hash "$src" | cut -d' ' -f1)
  t=$("$ferry" hash "$(ls "$work/out/"*-disk$i.qcow2)" | cut -d' ' -f1)
  [ -n "$s" ] && [ "$s" = "$t" ]
  check $? "verify/disk$i-equals-the-source"
done
[ -z "$(on "$uri_a" checkpoint-list "$vm" --name)" ]
check $? "cleanup/no-checkpoint-left"
on "$uri_a" undefine "$vm" --checkpoints-metadata >/dev/null 2>&1
exit $failed
