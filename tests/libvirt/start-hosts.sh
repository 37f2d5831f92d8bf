#!/bin/sh
# start-hosts.sh [NAME...]: start one isolated libvirt "host" per NAME on
# this machine (default: h1 h2), so that tests can migrate between hosts.
#
# Each host is a virtlogd + libvirtd pair started in its own private mount
# namespace (`unshare -m --propagation private`).  Inside it, per-host
# directories under $FERRY_HOSTS_DIR/NAME (default /var/tmp/ferry-hosts/NAME)
# are bind-mounted over libvirt's state:
#     NAME/run   -> /run/libvirt        sockets, status XML, qemu pid files
#     NAME/lib   -> /var/lib/libvirt    domain runtime dirs, monitor sockets
#     NAME/etc   -> /etc/libvirt        this host's configuration + definitions
#     NAME/log   -> /var/log/libvirt    libvirtd.log, virtlogd.log, qemu/DOM.log
#     NAME/cache -> /var/cache/libvirt  QEMU capabilities cache
# The daemons' pid files are NAME/libvirtd.pid and NAME/virtlogd.pid.  The
# socket appears outside the namespace as NAME/run/libvirt-sock (/var/tmp is
# not remounted), so every host, and every other host's libvirtd during a
# peer-to-peer migration, reaches it as
#     qemu+unix:///system?socket=/var/tmp/ferry-hosts/NAME/run/libvirt-sock
#
# Each host gets, in a configuration written here (never copied from
# /etc/libvirt):
# - its own host_uuid (libvirt refuses to migrate between equal UUIDs);
# - a slot number, unique among the hosts under $FERRY_HOSTS_DIR, that picks
#   its migration port range (49400 + 20*slot, 20 ports, also used for the
#   NBD server of --copy-storage-all) and its bridge name;
# - migration_host/migration_address 127.0.0.1, so that a plain
#   `virsh migrate --live --p2p DOM URI` needs no --migrateuri;
# - no cgroups (two hosts may run a domain with the same name and ID, and
#   their cgroup directories would clash) and security driver "none" (no
#   AppArmor profiles in the shared /etc/apparmor.d); DAC (chown to
#   libvirt-qemu) stays on, so images must sit in world-traversable dirs;
# - a `dir` storage pool "ferry" in NAME/pool, and a network "ferry-test":
#   a bridge fh<slot>-NAME (15 characters at most) with no forwarding and no
#   addresses, hence no dnsmasq and no firewall rules.  The network namespace
#   is shared, so bridges are real host bridges: their names must differ.
#
# Idempotent: a host that answers is left running (its pool and network are
# started if needed); a host whose daemons died is restarted on its
# existing directory (same UUID, slot, definitions).
#
# Prints "NAME URI" per host on stdout.  Exit 0 when all hosts answer; 77
# when hosts truly cannot run here (not root, libvirt or QEMU missing,
# unshare fails), the reason on stderr; 1 on any other failure.
# FERRY_HOSTS_DEBUG=1 makes the daemons log at debug level.
# FERRY_HOSTS_TCP=1 also makes libvirtd listen on TCP, at 127.0.0.1 port
# 16600 + slot without authentication (loopback only: for tests of what
# ferry does with a host it reaches over the network, whose URI is then
# qemu+tcp://127.0.0.1:PORT/system; the port is in NAME/tcp-port).
# Applies to daemons started by that call.
# FERRY_HOSTS_QEMU_ROOT=1 runs QEMU as root with its capabilities, for
# postcopy: QEMU 7.2 needs userfaultfd, which the kernel refuses to other
# users while vm.unprivileged_userfaultfd is 0 (the default).  Applies to
# daemons started by that call; use host names of their own.
#
# Must never: touch the system libvirtd (qemu:///system), its pools,
# networks or domains, write to /etc/libvirt or any other libvirt path
# outside the namespaces, or use a bridge name that is not its own.
set -u
prog=start-hosts
base=${FERRY_HOSTS_DIR:-/var/tmp/ferry-hosts}
port_base=49400
ports_per_host=20
max_slots=32
PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH

skip () { echo "$prog: SKIP: $*" >&2; exit 77; }
die () { echo "$prog: $*" >&2; exit 1; }
warn () { echo "$prog: $*" >&2; }

[ $# -gt 0 ] || set -- h1 h2

[ "$(id -u)" -eq 0 ] || skip "only root can start libvirt hosts"
for c in virsh libvirtd virtlogd unshare mount flock ip; do
  command -v "$c" >/dev/null || skip "$c is not installed"
done
command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 is not installed"
unshare -m --propagation private true </dev/null >/dev/null 2>&1 ||
  skip "unshare -m fails here (no mount namespaces)"

for name in "$@"; do
  case $name in
    ''|-*|*[!A-Za-z0-9_.-]*) die "invalid host name '$name' (letters, digits, _ . - only)" ;;
  esac
  [ ${#name} -le 40 ] || die "host name '$name' is longer than 40 characters"
done
case $base in
  /*) ;;
  *) die "FERRY_HOSTS_DIR must be an absolute path: $base" ;;
esac
# A unix socket path holds at most 107 bytes.
[ ${#base} -le 50 ] || die "FERRY_HOSTS_DIR is too long for unix socket paths: $base"

{ mkdir -p "$base" && chmod 0755 "$base"; } || die "cannot create $base"
# One start/stop at a time: slots are allocated and daemons started under it
# (the daemons must not inherit fd 9, or they would hold the lock forever).
exec 9>"$base/.lock" || die "cannot open $base/.lock"
flock -w 300 9 || die "timed out waiting for $base/.lock"

uri_of () { echo "qemu+unix:///system?socket=$base/$1/run/libvirt-sock"; }
virsh_h () { # virsh_h NAME ARGS...: virsh on host NAME, quiet
  _n=$1; shift
  virsh -q -c "$(uri_of "$_n")" "$@" </dev/null 2>/dev/null
}

# pid_alive FILE COMM: the pid in FILE runs the program COMM (a zombie,
# killed but not yet reaped, does not count).
pid_alive () {
  [ -s "$1" ] || return 1
  _pid=$(cat "$1" 2>/dev/null)
  case $_pid in ''|*[!0-9]*) return 1 ;; esac
  [ "$(cat "/proc/$_pid/comm" 2>/dev/null)" = "$2" ] &&
    ! grep -q '^State:[[:space:]]*Z' "/proc/$_pid/status" 2>/dev/null
}

# Smallest slot not taken by another host directory.
slot_alloc () {
  _s=0
  while [ $_s -lt $max_slots ]; do
    if ! cat "$base"/*/slot 2>/dev/null | grep -qx "$_s"; then
      echo $_s
      return 0
    fi
    _s=$((_s + 1))
  done
  return 1
}

write_config () { # write_config DIR NAME SLOT UUID
  _d=$1 _n=$2 _slot=$3 _uuid=$4
  _pmin=$((port_base + _slot * ports_per_host))
  _pmax=$((_pmin + ports_per_host - 1))
  if [ "${FERRY_HOSTS_DEBUG:-0}" = 1 ]; then
    _lvl=1
    _filters='log_filters = "3:object 3:json 3:event 3:util 3:rpc 1:qemu 1:libvirt"'
  else
    _lvl=3
    _filters=''
  fi
  cat >"$_d/etc/libvirtd.conf" <<EOF
# libvirtd.conf of ferry test host $_n (written by start-hosts.sh)
host_uuid = "$_uuid"
unix_sock_rw_perms = "0700"
auth_unix_rw = "none"
auth_unix_ro = "none"
log_outputs = "$_lvl:file:/var/log/libvirt/libvirtd.log"
$_filters
EOF
  rm -f "$_d/tcp-port"
  if [ "${FERRY_HOSTS_TCP:-0}" = 1 ]; then
    printf 'listen_tls = 0\nlisten_tcp = 1\nlisten_addr = "127.0.0.1"\ntcp_port = "%s"\nauth_tcp = "none"\n' \
      $((16600 + _slot)) >>"$_d/etc/libvirtd.conf"
    echo $((16600 + _slot)) >"$_d/tcp-port"
  fi
  cat >"$_d/etc/virtlogd.conf" <<EOF
# virtlogd.conf of ferry test host $_n (written by start-hosts.sh)
log_outputs = "$_lvl:file:/var/log/libvirt/virtlogd.log"
EOF
  cat >"$_d/etc/qemu.conf" <<EOF
# qemu.conf of ferry test host $_n (written by start-hosts.sh)
migration_port_min = $_pmin
migration_port_max = $_pmax
cgroup_controllers = [ ]
security_driver = "none"
stdio_handler = "logd"
EOF
  if [ "${FERRY_HOSTS_QEMU_ROOT:-0}" = 1 ]; then
    printf 'user = "root"\ngroup = "root"\nclear_emulator_capabilities = 0\n' \
      >>"$_d/etc/qemu.conf"
  fi
  chmod 0600 "$_d/etc/qemu.conf"
}

# start_daemons DIR: virtlogd then libvirtd in a new private mount namespace.
start_daemons () {
  _d=$1
  # The script runs inside the namespace; its mounts vanish with it.
  # shellcheck disable=SC2016
  env -i PATH="$PATH" LC_ALL=C HOME=/root \
    unshare -m --propagation private sh -ec '
      d=$1
      for m in run:/run/libvirt lib:/var/lib/libvirt etc:/etc/libvirt \
               log:/var/log/libvirt cache:/var/cache/libvirt; do
        src=$d/${m%%:*} dst=${m#*:}
        [ -d "$dst" ] || mkdir -p "$dst"
        mount --bind "$src" "$dst"
      done
      virtlogd -d -p "$d/virtlogd.pid"
      i=0
      until [ -S /run/libvirt/virtlogd-sock ]; do
        i=$((i + 1)); [ $i -le 100 ] || { echo "virtlogd did not create its socket" >&2; exit 1; }
        sleep 0.1
      done
      listen=
      [ ! -s "$d/tcp-port" ] || listen=--listen
      libvirtd -d $listen -p "$d/libvirtd.pid"
    ' start-hosts-ns "$_d" </dev/null >>"$_d/log/start.log" 2>&1 9>&-
}

ensure_pool () { # ensure_pool NAME DIR
  if ! virsh_h "$1" pool-info ferry >/dev/null; then
    virsh_h "$1" pool-define-as ferry dir --target "$2/pool" >/dev/null || return 1
    virsh_h "$1" pool-autostart ferry >/dev/null
  fi
  if [ "$(virsh_h "$1" pool-info ferry | sed -n 's/^State: *//p')" != running ]; then
    virsh_h "$1" pool-build ferry >/dev/null
    virsh_h "$1" pool-start ferry >/dev/null || return 1
  fi
}

ensure_network () { # ensure_network NAME BRIDGE
  if ! virsh_h "$1" net-info ferry-test >/dev/null; then
    _x=$(mktemp "${TMPDIR:-/tmp}/ferry-net.XXXXXX") || return 1
    printf "<network><name>ferry-test</name><bridge name='%s' stp='off'/></network>\n" \
      "$2" >"$_x"
    virsh_h "$1" net-define "$_x" >/dev/null
    _st=$?
    rm -f "$_x"
    [ $_st -eq 0 ] || return 1
  fi
  if [ "$(virsh_h "$1" net-info ferry-test | sed -n 's/^Active: *//p')" != yes ]; then
    # Only a host's own bridge, left over when its daemons were killed, is
    # removed: the slot in its name belongs to this host.
    if ip link show dev "$2" >/dev/null 2>&1; then
      ip link set dev "$2" down 2>/dev/null
      ip link del dev "$2" 2>/dev/null
    fi
    virsh -q -c "$(uri_of "$1")" net-start ferry-test </dev/null >/dev/null || return 1
  fi
}

start_host () { # start_host NAME
  n=$1 d=$base/$1
  mkdir -p "$d" "$d/run" "$d/lib" "$d/etc" "$d/log" "$d/cache" "$d/pool" ||
    { warn "$n: cannot create $d"; return 1; }
  chmod 0755 "$d" "$d/run" "$d/lib" "$d/etc" "$d/log" "$d/pool"
  chmod 0700 "$d/cache"
  if [ ! -s "$d/slot" ]; then
    s=$(slot_alloc) || { warn "$n: all $max_slots host slots are taken under $base"; return 1; }
    echo "$s" >"$d/slot"
  fi
  slot=$(cat "$d/slot")
  [ -s "$d/host-uuid" ] || cat /proc/sys/kernel/random/uuid >"$d/host-uuid"
  uuid=$(cat "$d/host-uuid")
  bridge=$(printf 'fh%s-%s' "$slot" "$n" | cut -c1-15)
  echo "$bridge" >"$d/bridge"

  if pid_alive "$d/libvirtd.pid" libvirtd && virsh_h "$n" version >/dev/null; then
    : # running: keep it
  else
    if pid_alive "$d/libvirtd.pid" libvirtd; then
      warn "$n: libvirtd (pid $(cat "$d/libvirtd.pid")) runs but does not answer; run stop-hosts.sh $n"
      return 1
    fi
    # virtlogd alone (libvirtd died): it keeps running in the old namespace
    # and would hold the pid file; stop it before starting a fresh pair.
    if pid_alive "$d/virtlogd.pid" virtlogd; then
      kill "$(cat "$d/virtlogd.pid")" 2>/dev/null
      sleep 0.5
    fi
    rm -f "$d/libvirtd.pid" "$d/virtlogd.pid"
    write_config "$d" "$n" "$slot" "$uuid"
    echo "--- $(date '+%F %T') starting host $n" >>"$d/log/start.log"
    if ! start_daemons "$d"; then
      warn "$n: starting the daemons failed; $d/log/start.log says:"
      tail -n 20 "$d/log/start.log" >&2
      return 1
    fi
    i=0
    until virsh_h "$n" version >/dev/null; do
      i=$((i + 1))
      if ! pid_alive "$d/libvirtd.pid" libvirtd; then
        warn "$n: libvirtd exited during start-up; $d/log/libvirtd.log says:"
        grep ': error : ' "$d/log/libvirtd.log" | tail -n 5 >&2
        return 1
      fi
      if [ $i -gt 120 ]; then
        warn "$n: libvirtd does not answer on $(uri_of "$n") after 60 s; see $d/log/libvirtd.log"
        tail -n 20 "$d/log/libvirtd.log" >&2 2>/dev/null
        return 1
      fi
      sleep 0.5
    done
    readlink "/proc/$(cat "$d/libvirtd.pid")/ns/mnt" >"$d/mntns" 2>/dev/null
  fi

  virsh_h "$n" domcapabilities --virttype qemu --arch x86_64 >/dev/null || {
    warn "$n: libvirtd cannot run x86_64 QEMU guests (see $d/log/libvirtd.log)"
    return 77
  }
  ensure_pool "$n" "$d" || { warn "$n: cannot define or start storage pool ferry in $d/pool"; return 1; }
  ensure_network "$n" "$bridge" ||
    { warn "$n: cannot define or start network ferry-test (bridge $bridge)"; return 1; }
  echo "$n $(uri_of "$n")"
}

status=0
for name in "$@"; do
  start_host "$name"
  st=$?
  if [ $st -eq 77 ]; then
    exit 77
  elif [ $st -ne 0 ]; then
    status=1
  fi
done
exit $status
