#!/bin/sh
# writer-guest.sh OUT.raw MARKER [KIB [UNIT [PAUSE]]]: the tiny guest of
# tests/guest with a workload for warm migration tests and benchmarks: it
# writes to its second disk (/dev/vdb) over and over.  Each round writes
# KIB KiB (default 256) of random bytes in UNIT-KiB blocks (default 64) at
# random block-aligned offsets past the first 64 KiB, then the line
# "FERRY-WARM-COUNTER N" into the disk's first sector, syncs, prints
# "FERRY-WARM-TICK N" on the serial console and rests PAUSE seconds
# (default 1; 0 = none).  So a tick N on the console means that counter N
# and every block before it reached the disk: a target that shows a
# smaller counter lost writes.  The random bytes come from 8 MiB made once
# at start (an offset into it per block), so they do not compress to
# zeros.  Its own /init still checks its boot disk first.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
kib=${3:-256} unit=${4:-64} pause=${5:-1}
case $kib$unit$pause in *[!0-9]*|'') echo "writer-guest: KIB, UNIT and PAUSE must be numbers" >&2; exit 2 ;; esac
[ "$unit" -ge 1 ] && [ "$unit" -le 8192 ] || { echo "writer-guest: UNIT must be 1..8192 KiB" >&2; exit 2; }
per=$(( (kib + unit - 1) / unit ))
# shellcheck disable=SC2016 # expanded by the guest's shell
workload='poweroff() { dd if=/dev/urandom of=/random bs=1M count=8 2>/dev/null; n=$(( $(cat /sys/block/vdb/size) * 512 / ('$unit' * 1024) )); r=$(( 8192 / '$unit' )); i=0; while :; do i=$((i+1)); j=0; while [ $j -lt '$per' ]; do b=$(( (RANDOM * 32768 + RANDOM) % (n - 1) + 1 )); s=$(( RANDOM % r )); dd if=/random of=/dev/vdb bs='$unit'k skip=$s seek=$b count=1 conv=notrunc 2>/dev/null; j=$((j+1)); done; echo FERRY-WARM-COUNTER $i | dd of=/dev/vdb bs=512 count=1 conv=notrunc,sync 2>/dev/null; sync; say FERRY-WARM-TICK $i; sleep '$pause'; done; }; . /init'
exec "$root/tests/guest/build-guest.sh" "$1" --marker "$2" \
  --append "rdinit=/bin/busybox -- sh -c \"$workload\""
