#!/bin/sh
# test_live_migrate_interrupt.sh: Ctrl-C (SIGINT) during `ferry live
# migrate` cancels the migration and the guest stays on the source.
#
# Hosts A and B (start-hosts.sh) share a pool over one directory holding
# the guest's disk; the guest runs on A.  `ferry live migrate --to B
# --bandwidth 1` (a 128 MiB guest at 1 MiB/s: minutes) gets SIGINT once
# its job has sent memory:
#   1. ferry exits 130 (128 + SIGINT) and says the migration was cancelled;
#   2. the guest runs on A (not paused), is unknown to B, and its tick
#      counter goes on.
# Exit 0 pass, 1 fail, 77 skip (libvirt hosts or QEMU cannot run here).
# Must never: touch the system libvirtd; it stops only its own hosts.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
ferry=${FERRY:-$root/build/ferry}
host_a=ferry-li-a host_b=ferry-li-b
vm=ferryli$$
# shellcheck source=tests/libvirt/lib.sh
. "$here/lib.sh"

hosts_start ferry-live-interrupt "$host_a" "$host_b"
chmod 755 "$work"
export FERRY_STATE_DIR="$work/state"
uri_a=$(host_uri $host_a) uri_b=$(host_uri $host_b)

"$ferry" host add A "$uri_a" >/dev/null && "$ferry" host add B "$uri_b" >/dev/null
check $? "host/add"
mkdir "$work/shared" && chmod 755 "$work/shared" &&
  "$here/busy-guest.sh" "$work/guest.raw" ferry-live-interrupt >"$work/build.log" 2>&1 &&
  qemu-img convert -f raw -O qcow2 "$work/guest.raw" "$work/shared/$vm.qcow2" &&
  on "$uri_a" pool-create-as shared dir --target "$work/shared" >/dev/null &&
  on "$uri_b" pool-create-as shared dir --target "$work/shared" >/dev/null
status=$?
[ $status -eq 0 ] || cat "$work/build.log"
check $status "setup/guest-disk-and-shared-pools"
guest_start "$uri_a" "$work/shared/$vm.qcow2"

# A non-interactive shell starts background commands with SIGINT ignored;
# ferry gets it with its default action, as from a terminal's Ctrl-C.
python3 -c 'import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.execv(sys.argv[1], sys.argv[1:])' "$ferry" live migrate "$vm" --to B \
  --bandwidth 1 >"$work/migrate.log" 2>&1 &
pid=$!
i=0
until on "$uri_a" domjobinfo "$vm" 2>/dev/null |
      awk '/^Memory processed:/ && $3 > 0 { sent = 1 } END { exit !sent }'; do
  i=$((i + 1))
  [ $i -le 300 ] || break
  sleep 0.2
done
kill -INT $pid
wait $pid
status=$?
cat "$work/migrate.log"
[ $status -eq 130 ] && grep -q "interrupted by SIGINT; the migration was cancelled" "$work/migrate.log"
check $? "interrupt/exit-130-cancelled (exit $status)"
runs_on "$uri_a" && gone_from "$uri_b"
check $? "interrupt/runs-on-A-gone-from-B"
t1=$(tick "$uri_a")
[ -n "$t1" ] && [ "$t1" -gt "$t0" ]
check $? "interrupt/guest-kept-running (tick $t0 -> ${t1:-none})"
on "$uri_a" destroy "$vm" >/dev/null 2>&1
exit $failed
