#!/bin/sh
# test_live_fallback_warm.sh: where a live migration is refused, ferry
# says that a warm one is possible and `live migrate --fallback warm` does
# it.
#
# Hosts A and B (start-hosts.sh); B is registered with a memory limit
# below the guest's memory, so the live check rules it out (CRITICAL).
# The writer guest (writer-guest.sh) runs on A.
#   1. live check --to B: exit 1, and a line saying a warm migration is
#      possible, with its estimated downtime and the exact command;
#   2. live migrate --to B without --fallback: refused as before, the same
#      suggestion, the guest still runs on A;
#   3. live migrate --to B --fallback warm --storage-pool ferry: a warm
#      plan seeds, syncs and cuts over at once: exit 0, the guest runs on
#      B, it is defined and off on A, the plan's VM is done with its
#      downtime recorded.
# Exit 0 pass, 1 fail, 77 skip (libvirt hosts or QEMU cannot run here).
# Must never: touch the system libvirtd; it stops only its own hosts.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
ferry=${FERRY:-$root/build/ferry}
host_a=ferry-lfw-a host_b=ferry-lfw-b
vm=ferrylfw$$
# shellcheck source=tests/libvirt/lib.sh
. "$here/lib.sh"

hosts_start ferry-live-fallback "$host_a" "$host_b"
chmod 755 "$work"
export FERRY_STATE_DIR="$work/state"
uri_a=$(host_uri $host_a) uri_b=$(host_uri $host_b)
"$ferry" host add A "$uri_a" >/dev/null &&
  "$ferry" host add B "$uri_b" --memory-limit 64M >/dev/null
check $? "setup/hosts-added"
warm_guest_start "$uri_a" 128 32

# 1. the check says what is possible instead
"$ferry" live check "$vm" --to B >"$work/check.log" 2>&1
status=$?
cat "$work/check.log"
[ $status -eq 1 ] && grep -q "CRITICAL" "$work/check.log" &&
  grep -q "^warm: no live migration is possible" "$work/check.log" &&
  grep -q "ferry live migrate $vm@A --to B --fallback warm$" "$work/check.log"
check $? "check/suggests-warm-with-the-command"

# 2. without the fallback: refused, the same suggestion
"$ferry" live migrate "$vm" --to B >"$work/refused.log" 2>&1
status=$?
[ $status -ne 0 ] && grep -q -- "--fallback warm" "$work/refused.log" && runs_on "$uri_a"
check $? "migrate/refused-and-suggests-warm"

# 3. with it: moved warm
"$ferry" live migrate "$vm" --to B --fallback warm --storage-pool ferry \
  >"$work/fallback.log" 2>&1
status=$?
tail -n 8 "$work/fallback.log"
check $status "fallback/exit-0"
runs_on "$uri_b"
check $? "fallback/runs-on-B"
[ "$(on "$uri_a" domstate "$vm")" = "shut off" ]
check $? "fallback/source-defined-and-off-on-A"
plan=$(sed -n "s/^warm: $vm -> B as plan \(.*\)$/\1/p" "$work/fallback.log")
"$ferry" plan show "$plan" --json | python3 -c "
import json, sys
v = json.load(sys.stdin)['vms'][0]
sys.exit(not (v['state'] == 'done' and v['downtime']['total-seconds'] > 0))"
check $? "fallback/plan-$plan-done-with-its-downtime"
on "$uri_b" destroy "$vm" >/dev/null 2>&1
on "$uri_b" undefine "$vm" >/dev/null 2>&1
on "$uri_a" undefine "$vm" >/dev/null 2>&1
exit $failed
