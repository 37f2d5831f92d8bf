#!/bin/sh
# guest-healthy.sh SERIAL_LOG: exit 0 when the serial log of a busy guest
# (busy-domain.sh), appended to by every host it ran on, shows exactly one
# boot and no oops or panic; else print what it shows and exit 1.
log=$1
[ -f "$log" ] || { echo "guest-healthy: no serial log $log" >&2; exit 1; }
if [ "$(grep -c FERRY-GUEST-BOOTED "$log")" -eq 1 ] &&
   ! grep -qE "Oops|invalid opcode|Call Trace|Kernel panic" "$log"; then
  exit 0
fi
echo "guest-healthy: $log shows a restart or a crash:" >&2
grep -v FERRY-LM-TICK "$log" | tail -n 30 >&2
exit 1
