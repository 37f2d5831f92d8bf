#!/bin/sh
# system-state.sh: what the tests leave in the system libvirtd
# (qemu:///system).
#
#   system-state.sh snapshot    prints its domains, storage pools, networks
#                               and the volumes of its active pools, one
#                               "KIND NAME" line each, sorted; nothing when
#                               no libvirtd answers
#   system-state.sh finish DIR  compares a snapshot now with
#                               DIR/system-libvirtd.before and prints
#                               "ok system-libvirtd/nothing-left-behind", or
#                               FAIL and every line that is new (exit 1);
#                               then removes the pool and network that
#                               start-libvirtd.sh made, as listed in
#                               DIR/system-libvirtd.created ("pool NAME",
#                               "network NAME", "pool-dir PATH": removed
#                               only when empty).  Nothing to do without
#                               DIR/system-libvirtd.before.
#
# start-libvirtd.sh writes both files when FERRY_LIBVIRT_STATE=DIR is set;
# a test calls finish from its EXIT trap, after its own cleanup.
#
# Must never: remove anything but what DIR/system-libvirtd.created
# names.
set -u
export LC_ALL=C                 # one order for sort and comm
uri=qemu:///system
virsh_q () { virsh -q -c "$uri" "$@" </dev/null 2>/dev/null; }

# names KIND: "KIND NAME" for each name virsh listed (it pads them).
names () { sed -n 's/[[:space:]]*$//; s/^\(..*\)$/'"$1"' \1/p'; }

snapshot () {
  virsh_q list --all --name >/dev/null || return 0
  {
    virsh_q list --all --name | names domain
    virsh_q net-list --all --name | names network
    virsh_q pool-list --all --name | names pool
    for p in $(virsh_q pool-list --name); do
      virsh_q pool-refresh "$p" >/dev/null
      virsh_q vol-list "$p" | awk -v p="$p" 'NF { print "volume " p " " $1 }'
    done
  } | sort
}

case ${1:-} in
  snapshot) snapshot ;;
  finish)
    dir=${2:?finish DIR}
    [ -f "$dir/system-libvirtd.before" ] || exit 0
    touch "$dir/system-libvirtd.created"
    # New lines, apart from the pool and network start-libvirtd made.
    new=$(snapshot | comm -13 "$dir/system-libvirtd.before" - |
            grep -vxF -f "$dir/system-libvirtd.created")
    status=0
    if [ -z "$new" ]; then
      echo "ok system-libvirtd/nothing-left-behind"
    else
      echo "FAIL system-libvirtd/nothing-left-behind: left in $uri:"
      echo "$new" | sed 's/^/    /'
      status=1
    fi
    while read -r kind name; do
      case $kind in
        pool) virsh_q pool-destroy "$name" >/dev/null; virsh_q pool-undefine "$name" >/dev/null ;;
        network) virsh_q net-destroy "$name" >/dev/null; virsh_q net-undefine "$name" >/dev/null ;;
      esac
    done <"$dir/system-libvirtd.created"
    sed -n 's/^pool-dir //p' "$dir/system-libvirtd.created" | while read -r d; do rmdir "$d" 2>/dev/null; done
    exit $status ;;
  *) echo "usage: system-state.sh snapshot | finish DIR" >&2; exit 2 ;;
esac
