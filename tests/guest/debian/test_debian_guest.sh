#!/bin/sh
# test_debian_guest.sh: ferry's Debian 12 test guest is a real VMware-era
# guest.  On VMware hardware it comes up from its default kernel (the first
# entry of its grub.cfg) with root /dev/sda1, its static addresses and
# VMware tools running; on KVM's virtio hardware, before ferry adapts it, it
# does NOT come up and its initramfs reports the root device missing:
#   debian/one-nic-vmware    ens192=192.168.122.50/24
#   debian/two-nics-vmware   the same, ens224=192.168.124.50/24 and
#                            ens224=fd00:224::50/64 (systemd-networkd)
#   debian/one-nic-virtio, debian/two-nics-virtio   "ALERT!  /dev/sda1 does not exist"
# The images are built, or taken from the cache (build-debian-guest.sh).
# Exit 0 pass, 1 fail, 77 skip (a component missing: tests/README.md).
# Must never: write to a built image (the boots use throw-away overlays).
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/require.sh
. "$here/../../lib/require.sh"
export LIBGUESTFS_BACKEND="${LIBGUESTFS_BACKEND:-direct}" \
       LIBGUESTFS_BACKEND_SETTINGS="${LIBGUESTFS_BACKEND_SETTINGS:-force_tcg}"

if ! command -v qemu-system-x86_64 >/dev/null; then
    skip qemu-system "qemu-system-x86_64 not installed (package qemu-system-x86)"
fi
if ! echo quit | timeout 30 qemu-system-x86_64 -accel tcg -machine none -nodefaults \
        -display none -monitor stdio -S >/dev/null 2>&1; then
    skip qemu-system "qemu-system-x86_64 cannot start a TCG machine"
fi
for tool in guestfish virt-cat; do
    command -v $tool >/dev/null ||
        skip libguestfs "$tool not installed (packages libguestfs-tools, guestfs-tools)"
done
if ! command -v debootstrap >/dev/null && ! command -v /usr/sbin/debootstrap >/dev/null; then
    skip debootstrap "debootstrap not installed (package debootstrap)"
fi
[ "$(id -u)" -eq 0 ] || skip debootstrap "debootstrap needs root"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ferry-debian-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
failures=0
pass() { echo "PASS: $1${2:+ ($2)}"; }
fail() { echo "FAIL: $1${2:+ ($2)}"; failures=$((failures + 1)); }
# field NAME LINE: the value of NAME=... in a FERRY-GUEST-UP line
field() { echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
sorted() { echo "$1" | tr , '\n' | sort | tr '\n' ' '; }

# check VARIANT BUILD-ARGS EXPECTED-IFACES MACS...
check() {
    variant=$1 args=$2 want_ifaces=$3
    shift 3
    t=$(date +%s)
    # shellcheck disable=SC2086 # args: no option or one
    if ! "$here/build-debian-guest.sh" "$tmp/$variant.qcow2" $args > "$tmp/build.out"; then
        fail "debian/$variant-build" "build-debian-guest.sh failed"
        return
    fi
    echo "debian/$variant: $(cat "$tmp/build.out"), $(($(date +%s) - t))s" >&2
    image="$tmp/$variant.qcow2"

    # The default kernel, from the image's grub.cfg rather than the guest.
    kernel=$(virt-cat -a "$image" /boot/grub/grub.cfg | awk '
        /^set default=/ && $0 != "set default=\"0\"" { exit 1 }
        $1 == "linux" { sub(/^\/boot\/vmlinuz-/, "", $2); print $2; exit }')
    if [ -z "$kernel" ]; then
        fail "debian/$variant-vmware" "no default kernel in grub.cfg"
    elif up=$("$here/boot-debian-guest.sh" "$image" vmware "$tmp/$variant-vmware.log" "$@"); then
        bad=""
        [ "$(field kernel "$up")" = "$kernel" ] || bad="$bad kernel (want $kernel)"
        [ "$(field root "$up")" = /dev/sda1 ] || bad="$bad root (want /dev/sda1)"
        [ "$(sorted "$(field ifaces "$up")")" = "$(sorted "$want_ifaces")" ] ||
            bad="$bad ifaces (want $want_ifaces)"
        case "$(field vmtools "$up")" in
            running|started) ;;
            *) bad="$bad vmtools (want running or started)" ;;
        esac
        if [ -z "$bad" ]; then pass "debian/$variant-vmware" "$up"; else fail "debian/$variant-vmware" "wrong:$bad in: $up"; fi
    else
        fail "debian/$variant-vmware" "did not come up"
    fi

    # Negative control: KVM's virtio hardware, the guest not adapted.
    log="$tmp/$variant-virtio.log"
    if up=$("$here/boot-debian-guest.sh" "$image" virtio "$log" 52:54:00:00:01:92 52:54:00:00:02:24 2>&1); then
        fail "debian/$variant-virtio" "came up on virtio before adaptation: $up"
    elif grep -q 'ALERT!  */dev/sda1 does not exist' "$log"; then
        pass "debian/$variant-virtio" "root not found, as expected"
    else
        echo "$up"
        fail "debian/$variant-virtio" "failed, but not for want of its root device"
    fi
}

check one-nic "" "ens192=192.168.122.50/24" 00:50:56:00:01:92
check two-nics --two-nics "ens192=192.168.122.50/24,ens224=192.168.124.50/24,ens224=fd00:224::50/64" \
    00:50:56:00:01:92 00:50:56:00:02:24

[ "$failures" -eq 0 ] || { echo "$failures case(s) failed"; exit 1; }
exit 0
