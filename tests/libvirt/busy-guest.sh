#!/bin/sh
# busy-guest.sh OUT.raw MARKER: the tiny guest of tests/guest with a workload
# for live migration tests.  Its own /init still checks its disk; its final
# poweroff is replaced by a loop that prints "FERRY-LM-TICK N" on the serial
# console (read with tick.py) and rewrites 8 MiB of its RAM from
# /dev/urandom every second, so a migration has dirty memory to chase and a
# guest that was restarted instead of moved shows a counter back at 1.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck disable=SC2016 # expanded by the guest's shell
workload='poweroff() { i=0; while :; do i=$((i+1)); say FERRY-LM-TICK $i; dd if=/dev/urandom of=/dirty bs=1M count=8 2>/dev/null; sleep 1; done; }; . /init'
exec "$root/tests/guest/build-guest.sh" "$1" --marker "$2" \
  --append "rdinit=/bin/busybox -- sh -c \"$workload\""
