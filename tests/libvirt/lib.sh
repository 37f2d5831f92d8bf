# shellcheck shell=sh disable=SC2034,SC2154 # variables shared with the test that sources it
# lib.sh: what the live migration tests share; sourced, after setting
# `here` (this directory), by test_*live_migrate*.sh.
#   check STATUS LABEL        print "ok LABEL" or "FAIL LABEL" (sets failed)
#   hosts_start PREFIX NAME...  skip (77) unless qemu-img, QEMU, python3 and
#                             virsh are there; make $work; start the hosts
#                             (start-hosts.sh, its environment passed on),
#                             stopped again with $work removed on exit, when
#                             the system libvirtd must hold what it held
#                             before (system-state.sh: the test fails if not)
#   host_uri NAME             the URI of a started host
#   on URI VIRSH-ARGS...      quiet virsh on a host
#   tick URI                  the next FERRY-LM-TICK of domain $vm (tick.py)
#   runs_on URI, gone_from URI  whether $vm runs on / is unknown to a host
#   guest_start URI DISK [NETWORK]  define and start $vm there (busy-domain.sh,
#                             128 MiB, console to $work/serial.log), check it
#                             started and ticks; sets t0, its first tick
# For the warm migration tests (the plan is p1, its first VM v):
#   warm_guest_start URI KIB DATA_MIB  the writer guest (writer-guest.sh,
#                             KIB KiB a round) as $vm with a DATA_MIB MiB
#                             data disk, both qcow2 v3 in $disks, started
#                             there (ACPI=off: no power button, see
#                             busy-domain.sh); waits for its first tick
#   last_tick                 the guest's last FERRY-WARM-TICK number
#   q EXPR                    a Python expression over `plan show p1
#                             --json` (p) and its first VM (v), printed
#   wait_for SECONDS EXPR     until q EXPR prints True (1 on timeout)
#   wait_run PID              the exit status of a background plan run,
#                             or 1 (killed) when it runs 300 s longer
# Must never: stop hosts other than the ones it started, or touch the
# system libvirtd.
# shellcheck source=tests/lib/require.sh
. "$here/../lib/require.sh"
failed=0

check () {
  if [ "$1" -eq 0 ]; then echo "ok $2"; else echo "FAIL $2"; failed=1; fi
}

on () { _u=$1; shift; virsh -q -c "$_u" "$@" </dev/null; }

tick () { "$here/tick.py" "$1" "$vm"; }
runs_on () { [ "$(on "$1" domstate "$vm" 2>/dev/null)" = running ]; }
gone_from () { ! on "$1" dominfo "$vm" >/dev/null 2>&1; }

guest_start () {
  "$here/busy-domain.sh" "$vm" "$2" 128 "$work/serial.log" ${3:+"$3"} \
    >"$work/domain.xml"
  on "$1" define "$work/domain.xml" >/dev/null && on "$1" start "$vm" >/dev/null
  check $? "setup/guest-started-on-A"
  t0=$(tick "$1")
  [ -n "$t0" ]
  check $? "setup/guest-writes-memory (tick ${t0:-none})"
}

warm_guest_start () {
  disks=$work/disks
  mkdir -p "$disks" && chmod 755 "$disks" &&
    "$here/writer-guest.sh" "$work/boot.raw" ferry-warm "$2" 64 1 >"$work/build.log" 2>&1 &&
    qemu-img convert -f raw -O qcow2 -o compat=1.1 "$work/boot.raw" "$disks/boot.qcow2" &&
    qemu-img create -q -f qcow2 -o compat=1.1 "$disks/data.qcow2" "$3M" &&
    chmod 666 "$disks"/*.qcow2 &&
    ACPI=${ACPI:-on} DATA_DISK=$disks/data.qcow2 "$here/busy-domain.sh" "$vm" "$disks/boot.qcow2" 128 \
      "$work/serial.log" >"$work/domain.xml" &&
    on "$1" define "$work/domain.xml" >/dev/null && on "$1" start "$vm" >/dev/null
  _status=$?
  [ $_status -eq 0 ] || cat "$work/build.log"
  check $_status "setup/writer-guest-started"
  _end=$(( $(date +%s) + 120 ))
  while [ -z "$(last_tick)" ] && [ "$(date +%s)" -lt $_end ]; do sleep 1; done
  [ -n "$(last_tick)" ]
  check $? "setup/guest-writes (tick $(last_tick))"
}

last_tick () {
  grep -ao 'FERRY-WARM-TICK [0-9]*' "$work/serial.log" 2>/dev/null | tail -n1 | cut -d' ' -f2
}

q () {
  "$ferry" plan show p1 --json |
    python3 -c "import json,sys; p=json.load(sys.stdin); v=p['vms'][0]; print($1)"
}

wait_for () {
  _end=$(( $(date +%s) + $1 ))
  while [ "$(date +%s)" -lt $_end ]; do
    [ "$(q "$2" 2>/dev/null)" = True ] && return 0
    sleep 1
  done
  return 1
}

wait_run () {
  _end=$(( $(date +%s) + 300 ))
  while kill -0 "$1" 2>/dev/null && [ "$(date +%s)" -lt $_end ]; do sleep 1; done
  kill -0 "$1" 2>/dev/null && { kill -9 "$1"; wait "$1" 2>/dev/null; return 1; }
  wait "$1"
}

host_uri () { echo "$hosts" | awk -v h="$1" '$1 == h { print $2 }'; }

# shellcheck disable=SC2317 # called from the EXIT trap
hosts_cleanup () {
  # shellcheck disable=SC2086 # a list of host names
  "$here/stop-hosts.sh" $hosts_names || echo "warning: stop-hosts.sh failed" >&2
  "$here/system-state.sh" finish "$work"
  _left=$?
  rm -rf "$work"
  [ "$_left" -eq 0 ] || exit 1
}

hosts_start () {
  _prefix=$1; shift
  for _c in qemu-system:qemu-system-x86_64 qemu-img:qemu-img python3:python3 libvirt:virsh; do
    command -v "${_c#*:}" >/dev/null || skip "${_c%%:*}" "${_c#*:} is not installed"
  done
  work=$(mktemp -d "${TMPDIR:-/tmp}/$_prefix-XXXXXX") || exit 1
  "$here/system-state.sh" snapshot >"$work/system-libvirtd.before"
  hosts_names=$*
  trap hosts_cleanup EXIT
  trap 'exit 1' INT TERM
  hosts=$("$here/start-hosts.sh" "$@" 2>"$work/start.err")
  case $? in
    0) ;;
    77) cat "$work/start.err" >&2; skip libvirt "libvirt hosts cannot run here" ;;
    *) cat "$work/start.err" >&2; echo "FAIL start-hosts"; exit 1 ;;
  esac
  for _h in "$@"; do
    [ -n "$(host_uri "$_h")" ] || { echo "FAIL start-hosts printed: $hosts"; exit 1; }
  done
}
