#!/bin/sh
# start-libvirtd.sh [NAME]: make sure a libvirtd that the tests (and
# `make demo`) can use answers on qemu:///system, with a `dir` storage pool
# and an isolated network both called NAME (default ferry-test).
#
# - If `virsh -c qemu:///system list` works (a libvirtd runs, or systemd
#   socket-activates one), that libvirtd is used as it is.
# - Otherwise, as root, it starts `virtlogd -d` and `libvirtd -d` with the
#   stock configuration (Debian's packages: libvirt-daemon-system,
#   libvirt-daemon-driver-qemu).  On the project's Debian 12 containers that
#   configuration runs TCG guests as they are: no security driver or
#   cgroup changes are needed.  The daemons keep running afterwards, as a
#   system's libvirtd would; nothing else on the machine is changed.
# - The pool NAME (a directory, $FERRY_POOL_DIR or /var/tmp/NAME-pool,
#   mode 0755 so that QEMU's unprivileged user can reach the images) and
#   the network NAME (no forwarding, no addresses: no dnsmasq, no
#   firewall rules) are defined if missing and started if inactive.
#
# With FERRY_LIBVIRT_STATE=DIR, the state of the system libvirtd before
# the pool and network are set up goes to DIR/system-libvirtd.before
# (once), and what this script defines to DIR/system-libvirtd.created, so
# that `system-state.sh finish DIR` checks that a test left nothing behind
# and removes them again.
#
# Prints the pool's directory on stdout.  Exit 0 when all is ready; 77 when
# libvirtd truly cannot run here (the reason on stderr); 1 when it runs but
# the pool or network cannot be set up.
#
# Must never: touch other pools, networks or domains, or change libvirt's
# configuration files.
set -u
name=${1:-ferry-test}
uri=qemu:///system
pool_dir=${FERRY_POOL_DIR:-/var/tmp/$name-pool}
prog=start-libvirtd

skip () { echo "$prog: SKIP: $*" >&2; exit 77; }
fail () { echo "$prog: $*" >&2; exit 1; }
virsh_q () { virsh -q -c "$uri" "$@" </dev/null 2>/dev/null; }

command -v virsh >/dev/null || skip "virsh not installed (package libvirt-clients)"

if ! virsh_q list >/dev/null; then
  command -v libvirtd >/dev/null ||
    skip "no libvirtd answers on $uri and libvirtd is not installed (package libvirt-daemon-system)"
  [ "$(id -u)" -eq 0 ] ||
    skip "no libvirtd answers on $uri and only root may start one"
  # The daemons detach themselves; their standard streams must not hold
  # a test runner's pipes open.
  if command -v virtlogd >/dev/null && ! pgrep -x virtlogd >/dev/null; then
    virtlogd -d </dev/null >/dev/null 2>&1 || skip "virtlogd -d failed"
  fi
  if ! pgrep -x libvirtd >/dev/null; then
    libvirtd -d </dev/null >/dev/null 2>&1 || skip "libvirtd -d failed"
  fi
  # A first start probes QEMU's capabilities: seconds on a quiet machine,
  # far longer on a loaded one.
  i=0
  until virsh_q list >/dev/null; do
    i=$((i + 1))
    [ $i -le 240 ] || skip "libvirtd started but $uri does not answer after 120 s"
    sleep 0.5
  done
  echo "$prog: started libvirtd (no libvirtd was running)" >&2
fi

virsh_q domcapabilities --virttype qemu --arch x86_64 >/dev/null ||
  skip "libvirtd on $uri cannot run x86_64 QEMU guests (package libvirt-daemon-driver-qemu, qemu-system-x86)"

state=${FERRY_LIBVIRT_STATE:-}
created () { [ -z "$state" ] || echo "$*" >>"$state/system-libvirtd.created"; }
if [ -n "$state" ] && [ ! -f "$state/system-libvirtd.before" ]; then
  "$(dirname "$0")/system-state.sh" snapshot >"$state/system-libvirtd.before" ||
    fail "cannot record the state of $uri"
fi

# The pool.
if ! virsh_q pool-info "$name" >/dev/null; then
  [ -d "$pool_dir" ] || created "pool-dir $pool_dir"
  { mkdir -p "$pool_dir" && chmod 0755 "$pool_dir"; } || fail "cannot create $pool_dir"
  virsh_q pool-define-as "$name" dir --target "$pool_dir" >/dev/null ||
    fail "cannot define storage pool $name"
  created "pool $name"
fi
if [ "$(virsh_q pool-info "$name" | sed -n 's/^State: *//p')" != running ]; then
  virsh_q pool-build "$name" >/dev/null   # creates a missing directory
  virsh_q pool-start "$name" >/dev/null || fail "cannot start storage pool $name"
fi
path=$(virsh_q pool-dumpxml "$name" | sed -n 's:.*<path>\(.*\)</path>.*:\1:p' | head -n1)
[ -n "$path" ] || fail "storage pool $name has no target path"

# The network: a bridge with nothing behind it.
if ! virsh_q net-info "$name" >/dev/null; then
  xml=$(mktemp "${TMPDIR:-/tmp}/ferry-net.XXXXXX")
  printf "<network><name>%s</name><bridge stp='off'/></network>\n" "$name" >"$xml"
  virsh_q net-define "$xml" >/dev/null
  status=$?
  rm -f "$xml"
  [ $status -eq 0 ] || fail "cannot define network $name"
  created "network $name"
fi
if [ "$(virsh_q net-info "$name" | sed -n 's/^Active: *//p')" != yes ]; then
  virsh_q net-start "$name" >/dev/null || fail "cannot start network $name (no CAP_NET_ADMIN?)"
fi

echo "$path"
