#!/bin/sh
# busy-guest.sh OUT.raw MARKER [MIB [PAUSE]]: the tiny guest of tests/guest
# with a workload for live migration tests and benchmarks.  Its own /init
# still checks its disk; its final poweroff is replaced by a loop that
# prints "FERRY-LM-TICK N" on the serial console (read with tick.py),
# rewrites MIB MiB of its RAM (default 8, rounded up to 8 MiB steps) and
# sleeps PAUSE seconds (default 1; 0 = rewrite without rest).  So a
# migration has dirty memory to chase, and a guest that was restarted
# instead of moved shows a counter back at 1.  The bytes written are
# random (8 MiB made once at start and written over and over), so that a
# migration cannot send them as zero pages.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
mib=${3:-8} pause=${4:-1}
case $mib$pause in *[!0-9]*|'') echo "busy-guest: MIB and PAUSE must be numbers" >&2; exit 2 ;; esac
# shellcheck disable=SC2016 # expanded by the guest's shell
workload='poweroff() { dd if=/dev/urandom of=/random bs=1M count=8 2>/dev/null; i=0; while :; do i=$((i+1)); say FERRY-LM-TICK $i; j=0; while [ $j -lt '$mib' ]; do dd if=/random of=/dirty bs=1M seek=$j conv=notrunc 2>/dev/null; j=$((j+8)); done; sleep '$pause'; done; }; . /init'
exec "$root/tests/guest/build-guest.sh" "$1" --marker "$2" \
  --append "rdinit=/bin/busybox -- sh -c \"$workload\""
