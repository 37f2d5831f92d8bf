#!/bin/sh
# test_live_migrate.sh: `ferry host`, `ferry live` and `ferry host
# evacuate` on three real libvirt hosts (start-hosts.sh) with a running
# TCG guest whose memory is being written.
#
# The guest (tests/guest, 128 MiB, rewriting 8 MiB of its RAM every second
# and printing FERRY-LM-TICK N on its console) runs on A, its disk in A's
# pool; B and C also define a pool "shared" over that directory (as an NFS
# export mounted on every host would be).  Hosts are registered with
# memory limits: B 64 MiB (too small for the guest), C 1 GiB.
#   1. live check --to B: CRITICAL memory, exit 1; live migrate --to B is
#      refused before anything starts and the guest still runs on A;
#   2. live check --to auto chooses C and says why, and what the migration
#      would do with --bandwidth, --max-downtime, --parallel, --postcopy;
#   3. live migrate --to auto: the guest runs on C, is gone from A, and
#      its tick counter went on (it kept its memory);
#   4. live migrate C -> A --copy-storage --storage-pool ferry: the disk is
#      copied into A's own pool, its bytes equal the original;
#   5. host evacuate A: the guest moves to the only host with room, C.
# Exit 0 pass, 1 fail, 77 skip (libvirt hosts or QEMU cannot run here).
# Must never: touch the system libvirtd; it stops only its own hosts.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
ferry=${FERRY:-$root/build/ferry}
host_a=ferry-lv-a host_b=ferry-lv-b host_c=ferry-lv-c
vm=ferrylv$$
# shellcheck source=tests/libvirt/lib.sh
. "$here/lib.sh"

hosts_start ferry-live "$host_a" "$host_b" "$host_c"
export FERRY_STATE_DIR="$work/state"
uri_a=$(host_uri $host_a) uri_b=$(host_uri $host_b) uri_c=$(host_uri $host_c)
pool_a=$(on "$uri_a" pool-dumpxml ferry | sed -n 's:.*<path>\(.*\)</path>.*:\1:p')
[ -d "$pool_a" ] || { echo "FAIL pool of A: '$pool_a'"; exit 1; }

"$ferry" host add A "$uri_a" >/dev/null &&
  "$ferry" host add B "$uri_b" --memory-limit 64M >/dev/null &&
  "$ferry" host add C "$uri_c" --memory-limit 1G >/dev/null
check $? "host/add"
"$ferry" host list --json >"$work/hosts.json"
python3 - "$work/hosts.json" <<'PY'
import json, sys
h = {x["name"]: x for x in json.load(open(sys.argv[1]))}
assert sorted(h) == ["A", "B", "C"], h.keys()
for x in h.values():
    assert x["reachable"] and x["cpu"]["model"] and x["memory-total"] > 0, x
    assert x["libvirt-version"] and x["qemu-version"], x
assert h["B"]["memory-limit"] == 64 << 20, h["B"]
PY
check $? "host/list-json"
# Options of another subcommand are refused, not ignored.
"$ferry" host list --memory-limit 1G >"$work/opt.log" 2>&1
[ $? -eq 2 ] && grep -q "host list: --memory-limit goes with 'host add'" "$work/opt.log"
check $? "host/list-refuses-memory-limit"
"$ferry" host evacuate A --to C >"$work/opt.log" 2>&1
[ $? -eq 2 ] && grep -q "host evacuate: --to is not an option here" "$work/opt.log"
check $? "host/evacuate-refuses-to"

# The guest, its disk in A's pool, seen by B and C through a "shared" pool.
"$here/busy-guest.sh" "$work/guest.raw" ferry-live >"$work/build.log" 2>&1 ||
  { cat "$work/build.log"; echo "FAIL build-guest"; exit 1; }
disk=$pool_a/$vm.qcow2
qemu-img convert -f raw -O qcow2 "$work/guest.raw" "$disk" && on "$uri_a" pool-refresh ferry >/dev/null
for u in "$uri_b" "$uri_c"; do
  on "$u" pool-define-as shared dir --target "$pool_a" >/dev/null &&
    on "$u" pool-start shared >/dev/null
done
check $? "setup/disk-and-shared-pools"
guest_start "$uri_a" "$disk" ferry-test

# 1. B has no room: refused before anything starts.
"$ferry" live check "$vm" --to B >"$work/check-b.log" 2>&1
status=$?
[ $status -eq 1 ] && grep -q "CRITICAL  memory" "$work/check-b.log"
check $? "check/memory-refused"
grep -qx "migration: bandwidth no limit, max downtime 300 ms, one stream, pre-copy only, disks shared" "$work/check-b.log"
check $? "check/says-default-settings"
"$ferry" live migrate "$vm" --to B >"$work/mig-b.log" 2>&1
status=$?
[ $status -ne 0 ] && runs_on "$uri_a" && gone_from "$uri_b"
check $? "migrate/refused-keeps-running-on-source"

# 2. auto: C, with the reason; the options are said back as the migration
#    would use them.
"$ferry" live check "$vm" --to auto --json --bandwidth 50 --max-downtime 500 \
  --parallel 3 --postcopy >"$work/auto.json" 2>"$work/auto.err"
python3 - "$work/auto.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
assert j["migration"] == {"bandwidth-mib-s": 50, "max-downtime-ms": 500,
                          "parallel-channels": 3, "postcopy": True,
                          "copy-storage": False, "storage-pool": None}, j["migration"]
assert j["chosen"] == "C", j
assert "most memory available" in j["why"], j["why"]
c = {x["host"]: x for x in j["candidates"]}
assert not c["B"]["passes"] and c["C"]["passes"], c
assert any(f["rule"] == "memory" for f in c["B"]["findings"]), c["B"]
# A warning on the chosen host is said, not read as a clean pass.
warn = sum(f["severity"] == "warning" for f in c["C"]["findings"])
verdict = "passes with %d warning(s)" % warn if warn else "passes every check"
assert verdict in j["why"], (verdict, j["why"])
PY
check $? "check/auto-picks-C"

# 3. live, shared storage, --to auto.
"$ferry" live migrate "$vm" --to auto --json >"$work/mig-c.json" 2>"$work/mig-c.err"
status=$?
[ $status -eq 0 ] || cat "$work/mig-c.err" "$work/mig-c.json"
check $status "migrate/auto-to-C"
python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print("# A->C: %.1f s, downtime %d ms" % (j["seconds"], j["downtime-ms"]))' "$work/mig-c.json"
runs_on "$uri_c" && gone_from "$uri_a"
check $? "migrate/runs-on-C-gone-from-A"
t1=$(tick "$uri_c")
[ -n "$t1" ] && [ "$t1" -gt "$t0" ]
check $? "migrate/guest-kept-running (tick $t0 -> ${t1:-none})"

"$ferry" live check "$vm" --to C --bandwidth 50 --max-downtime 500 --parallel 3 \
  --postcopy >"$work/check-c.log" 2>&1
grep -qx "migration: bandwidth 50 MiB/s, max downtime 500 ms, main stream + 3 parallel channels, post-copy after the first pass, disks shared" "$work/check-c.log"
check $? "check/says-given-settings"

# 4. back to A, copying the disk into A's pool "ferry" under a new name.
on "$uri_a" pool-define-as back dir --target "$work/back" >/dev/null 2>&1
mkdir -p "$work/back" && chmod 755 "$work" "$work/back" &&
  on "$uri_a" pool-start back >/dev/null
"$ferry" live migrate "$vm" --to A --copy-storage --storage-pool back \
  >"$work/mig-a.log" 2>&1
status=$?
[ $status -eq 0 ] || cat "$work/mig-a.log"
check $status "migrate/copy-storage-C-to-A"
runs_on "$uri_a" && gone_from "$uri_c" &&
  on "$uri_a" domblklist "$vm" | grep -q "$work/back/$vm.qcow2"
check $? "migrate/copy-storage-disk-in-new-pool"
t2=$(tick "$uri_a")
[ -n "$t2" ] && [ "$t2" -gt "${t1:-0}" ]
check $? "migrate/copy-storage-guest-kept-running (tick ${t1:-none} -> ${t2:-none})"

# 5. evacuate A: C is the only host with room (B's limit is 64 MiB).
on "$uri_c" pool-define-as back dir --target "$work/back" >/dev/null &&
  on "$uri_c" pool-start back >/dev/null
"$ferry" host evacuate A >"$work/evac.log" 2>&1
status=$?
[ $status -eq 0 ] || cat "$work/evac.log"
grep -q "moved $vm to C" "$work/evac.log" && runs_on "$uri_c" && gone_from "$uri_a"
check $? "evacuate/A-emptied-to-C"
on "$uri_c" destroy "$vm" >/dev/null 2>&1
qemu-img compare -U -f raw -F qcow2 "$work/guest.raw" "$work/back/$vm.qcow2" >/dev/null
check $? "copy-storage/disk-equal-to-original"
"$here/guest-healthy.sh" "$work/serial.log"
check $? "guest/booted-once-never-crashed"
exit $failed
