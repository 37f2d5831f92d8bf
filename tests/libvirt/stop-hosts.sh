#!/bin/sh
# stop-hosts.sh [--all | NAME...]: stop libvirt hosts started by
# start-hosts.sh (default: h1 h2; --all: every host under $FERRY_HOSTS_DIR,
# default /var/tmp/ferry-hosts) and remove their directories.
#
# For each host: its domains are destroyed and undefined and its networks
# stopped (while its libvirtd still answers); then libvirtd, any QEMU it
# left running (NAME/run/qemu/*.pid), any other process left in the host's
# mount namespace, and virtlogd are stopped, by pid file and only after
# checking that the pid still runs the expected program; the host's bridge
# (NAME/bridge) is deleted if it is still there; NAME's directory, pool
# images included, is removed.
#
# Safe to run when nothing runs, or twice.  Exit 0 when every named host is
# gone, 1 when some process could not be stopped.
#
# Must never: touch the system libvirtd (qemu:///system) or anything it
# owns, signal a process that it cannot tie to the host, or delete a path
# outside $FERRY_HOSTS_DIR/NAME.
set -u
prog=stop-hosts
base=${FERRY_HOSTS_DIR:-/var/tmp/ferry-hosts}
PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH

warn () { echo "$prog: $*" >&2; }

if [ "${1:-}" = --all ]; then
  set --
  for d in "$base"/*/; do
    [ -d "$d" ] || continue
    d=${d%/}
    set -- "$@" "${d##*/}"
  done
  [ $# -gt 0 ] || exit 0
elif [ $# -eq 0 ]; then
  set -- h1 h2
fi
[ -d "$base" ] || exit 0

exec 9>"$base/.lock" || { warn "cannot open $base/.lock"; exit 1; }
flock -w 300 9 || { warn "timed out waiting for $base/.lock"; exit 1; }

# running PID: PID exists and is not a zombie (killed, not yet reaped).
running () {
  [ -d "/proc/$1" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null
}

# pid_of FILE COMM: print the pid in FILE if it runs the program COMM.
pid_of () {
  [ -s "$1" ] || return 1
  _pid=$(cat "$1" 2>/dev/null)
  case $_pid in ''|*[!0-9]*) return 1 ;; esac
  running "$_pid" || return 1
  # shellcheck disable=SC2254
  case $(cat "/proc/$_pid/comm" 2>/dev/null) in
    $2) echo "$_pid" ;;   # a glob on purpose: qemu-system-*
    *) return 1 ;;
  esac
}

# stop_pid PID: TERM, then KILL after 10 s.  0 when it is gone.
stop_pid () {
  kill "$1" 2>/dev/null || return 0
  _i=0
  while running "$1"; do
    _i=$((_i + 1))
    if [ $_i -eq 100 ]; then
      kill -9 "$1" 2>/dev/null
    elif [ $_i -gt 150 ]; then
      return 1
    fi
    sleep 0.1
  done
}

stop_host () { # stop_host NAME
  n=$1 d=$base/$1 ok=0
  case $n in
    ''|.|..|*/*) warn "invalid host name '$n'"; return 1 ;;
  esac
  [ -d "$d" ] || return 0
  uri="qemu+unix:///system?socket=$d/run/libvirt-sock"
  v () { virsh -q -c "$uri" "$@" </dev/null 2>/dev/null; }

  if pid_of "$d/libvirtd.pid" libvirtd >/dev/null && v version >/dev/null; then
    for dom in $(v list --all --name); do
      v destroy "$dom" >/dev/null
      v undefine --nvram --managed-save --snapshots-metadata "$dom" >/dev/null ||
        v undefine "$dom" >/dev/null
    done
    for net in $(v net-list --name); do
      v net-destroy "$net" >/dev/null
    done
  fi

  if pid=$(pid_of "$d/libvirtd.pid" libvirtd); then
    stop_pid "$pid" || { warn "$n: libvirtd (pid $pid) does not stop"; ok=1; }
  fi
  for f in "$d"/run/qemu/*.pid; do
    [ -e "$f" ] || continue
    if pid=$(pid_of "$f" 'qemu-system-*'); then
      stop_pid "$pid" || { warn "$n: QEMU (pid $pid) does not stop"; ok=1; }
    fi
  done
  # Whatever else still lives in the host's namespace (never ours).
  ns=$(cat "$d/mntns" 2>/dev/null)
  if [ -n "$ns" ] && [ "$ns" != "$(readlink /proc/self/ns/mnt)" ]; then
    for p in /proc/[0-9]*; do
      [ "$(readlink "$p/ns/mnt" 2>/dev/null)" = "$ns" ] || continue
      pid=${p#/proc/}
      running "$pid" || continue
      [ "$(cat "$p/comm" 2>/dev/null)" = virtlogd ] && continue   # below
      stop_pid "$pid" || { warn "$n: process $pid ($(cat "$p/comm" 2>/dev/null)) does not stop"; ok=1; }
    done
  fi
  if pid=$(pid_of "$d/virtlogd.pid" virtlogd); then
    stop_pid "$pid" || { warn "$n: virtlogd (pid $pid) does not stop"; ok=1; }
  fi

  bridge=$(cat "$d/bridge" 2>/dev/null)
  if [ -n "$bridge" ] && ip link show dev "$bridge" >/dev/null 2>&1; then
    ip link set dev "$bridge" down 2>/dev/null
    ip link del dev "$bridge" 2>/dev/null || { warn "$n: cannot delete bridge $bridge"; ok=1; }
  fi

  if [ $ok -eq 0 ]; then
    rm -rf "$d" || { warn "$n: cannot remove $d"; ok=1; }
  else
    warn "$n: kept $d (something still runs)"
  fi
  return $ok
}

status=0
for name in "$@"; do
  stop_host "$name" || status=1
done
exit $status
