#!/bin/sh
# test_live_migrate_options.sh: `ferry live migrate --parallel N` and
# `--postcopy` on two real libvirt hosts (start-hosts.sh) with a running
# TCG guest that rewrites 32 MiB of its memory without rest.
#
# The hosts run QEMU as root (FERRY_HOSTS_QEMU_ROOT=1): post-copy needs
# userfaultfd, which QEMU 7.2 gets only that way while the kernel's
# vm.unprivileged_userfaultfd is 0.  The guest's disk is in a directory both
# hosts hold as pool "shared".
#   1. --parallel 3 A -> B: the guest runs on B, is gone from A, its tick
#      counter went on, and the migration used 4 connections to B (the
#      main stream and 3 channels);
#   2. --postcopy --bandwidth 4 B -> A: the first pass over memory takes
#      seconds at 4 MiB/s while the guest keeps dirtying, so ferry switches
#      to post-copy after it; the result says so, the guest runs on A and
#      its counter went on.
# Exit 0 pass, 1 fail, 77 skip (libvirt hosts or QEMU cannot run here).
# Must never: touch the system libvirtd; it stops only its own hosts.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
ferry=${FERRY:-$root/build/ferry}
host_a=ferry-lo-a host_b=ferry-lo-b
vm=ferrylo$$
# shellcheck source=tests/libvirt/lib.sh
. "$here/lib.sh"

export FERRY_HOSTS_QEMU_ROOT=1   # QEMU as root: post-copy needs userfaultfd
hosts_start ferry-live-opt "$host_a" "$host_b"
chmod 755 "$work"
export FERRY_STATE_DIR="$work/state"
uri_a=$(host_uri $host_a) uri_b=$(host_uri $host_b)
# json_get FILE KEY: one field of ferry's --json result.
json_get () { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }

"$ferry" host add A "$uri_a" >/dev/null && "$ferry" host add B "$uri_b" >/dev/null
check $? "host/add"
mkdir "$work/shared" && chmod 755 "$work/shared" &&
  "$here/busy-guest.sh" "$work/guest.raw" ferry-live-opt 32 0 >"$work/build.log" 2>&1 &&
  qemu-img convert -f raw -O qcow2 "$work/guest.raw" "$work/shared/$vm.qcow2" &&
  on "$uri_a" pool-create-as shared dir --target "$work/shared" >/dev/null &&
  on "$uri_b" pool-create-as shared dir --target "$work/shared" >/dev/null
status=$?
[ $status -eq 0 ] || cat "$work/build.log"
check $status "setup/guest-disk-and-shared-pools"
guest_start "$uri_a" "$work/shared/$vm.qcow2"

# 1. --parallel 3, while the connections to B's migration ports (49400 +
# 20 * slot, 20 of them) are counted: the main stream plus 3 channels.
# (Not slowed with --bandwidth: a long pre-copy that auto-converge throttles
# corrupts a TCG guest's memory under QEMU 7.2, with plain virsh too.)
slot_b=$(cat "${FERRY_HOSTS_DIR:-/var/tmp/ferry-hosts}/$host_b/slot")
pmin=$((49400 + 20 * slot_b))
"$ferry" live migrate "$vm" --to B --parallel 3 --json \
  >"$work/par.json" 2>"$work/par.err" &
pid=$!
most=0
while kill -0 $pid 2>/dev/null; do
  n=$(ss -Htn state established "( dport >= :$pmin and dport <= :$((pmin + 19)) )" | wc -l)
  [ "$n" -gt "$most" ] && most=$n
  sleep 0.1
done
wait $pid
status=$?
[ $status -eq 0 ] || cat "$work/par.err" "$work/par.json"
check $status "parallel/migrated"
runs_on "$uri_b" && gone_from "$uri_a"
check $? "parallel/runs-on-B-gone-from-A"
[ "$most" -eq 4 ]
check $? "parallel/main-stream-and-3-channels (at most $most connections)"
t1=$(tick "$uri_b")
[ -n "$t1" ] && [ "$t1" -gt "$t0" ]
check $? "parallel/guest-kept-running (tick $t0 -> ${t1:-none})"

# 2. --postcopy, slowed so that the first pass ends with memory left.
"$ferry" live migrate "$vm" --to A --postcopy --bandwidth 4 --json \
  >"$work/post.json" 2>"$work/post.err"
status=$?
[ $status -eq 0 ] || cat "$work/post.err" "$work/post.json"
check $status "postcopy/migrated"
[ "$(json_get "$work/post.json" postcopy)" = True ]
check $? "postcopy/switched-to-post-copy"
runs_on "$uri_a" && gone_from "$uri_b"
check $? "postcopy/runs-on-A-gone-from-B"
t2=$(tick "$uri_a")
[ -n "$t2" ] && [ "$t2" -gt "${t1:-0}" ]
check $? "postcopy/guest-kept-running (tick ${t1:-none} -> ${t2:-none})"
python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print("# post-copy B->A: %.1f s, downtime %d ms" % (j["seconds"], j["downtime-ms"]))' "$work/post.json"
"$here/guest-healthy.sh" "$work/serial.log"
check $? "guest/booted-once-never-crashed"
exit $failed
