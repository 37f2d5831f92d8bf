#!/bin/bash
# test_guest_boots.sh: the test guest built by build-guest.sh boots under
# QEMU/TCG on every path ferry's migrated VMs use, and sees its own disk
# with its data intact:
#   guest/bios-raw-virtio     BIOS image, raw, virtio-blk      -> vda
#   guest/bios-qcow2-sata     same image as qcow2, AHCI/SATA   -> sda
#   guest/uefi-raw-virtio     UEFI image (GPT+ESP), OVMF       -> vda
#   guest/uefi-image-no-bios  the UEFI image must NOT boot under SeaBIOS
#                             (proves the checker can fail and that the two
#                             layouts tell the firmware apart)
# Exit 0 pass, 1 fail, 77 skip (only when qemu-system-x86_64 cannot run).
# FERRY_GUEST_CACHE=DIR keeps built images between runs (keyed on the build
# script, the kernel and busybox), default: a temp dir removed at exit.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
build="$here/build-guest.sh"
boot="$here/boot-guest.sh"

# shellcheck source=tests/lib/require.sh
. "$here/../lib/require.sh"
if ! command -v qemu-system-x86_64 >/dev/null; then
    skip qemu-system "qemu-system-x86_64 not installed (package qemu-system-x86)"
fi
if ! echo quit | timeout 30 qemu-system-x86_64 -accel tcg -machine none -nodefaults \
        -display none -monitor stdio -S >/dev/null 2>&1; then
    skip qemu-system "qemu-system-x86_64 cannot start a TCG machine"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ferry-guest-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cache="${FERRY_GUEST_CACHE:-$tmp}"
mkdir -p "$cache" || { echo "FAIL: cannot create cache dir $cache"; exit 1; }

marker="test-$$"
failures=0
pass() { echo "PASS: $1${2:+ ($2)}"; }
fail() { echo "FAIL: $1${2:+ ($2)}"; failures=$((failures + 1)); }
now() { date +%s.%N; }
since() { awk -v s="$1" -v e="$(now)" 'BEGIN { printf "%.1fs", e - s }'; }

# The marker is part of the image, so a cached image carries a fixed one.
[ "$cache" = "$tmp" ] || marker="cached"
key=$( { cat "$build"; ls -l --time-style=+%s /boot/vmlinuz-* 2>/dev/null
         busybox 2>/dev/null | head -n1; echo "$marker"; } | sha256sum | cut -c1-16)

# build_image NAME ARGS...: build (or reuse) $cache/NAME-$key.raw
build_image() {
    local name="$1" out="$cache/$1-$key.raw" t
    shift
    if [ -f "$out" ]; then
        echo "guest/$name: using cached $out" >&2
    else
        t=$(now)
        if ! "$build" "$out" --marker "$marker" "$@" >&2; then
            fail "guest/build-$name" "build-guest.sh failed"
            return 1
        fi
        echo "guest/$name: built in $(since "$t")" >&2
    fi
    echo "$out"
}

# boot_case NAME IMAGE BOOT-ARGS...
boot_case() {
    local name="$1" image="$2" out
    shift 2
    if out=$("$boot" "$image" --marker "$marker" --timeout 120 "$@" 2>&1); then
        pass "guest/$name" "$(echo "$out" | sed -n 's/.*: \(marker after .*\)/\1/p')"
    else
        echo "$out"
        fail "guest/$name"
    fi
}

if bios=$(build_image bios); then
    boot_case bios-raw-virtio "$bios" --format raw --bus virtio --expect-disk vda
    qcow2="$tmp/bios.qcow2"
    if qemu-img convert -O qcow2 "$bios" "$qcow2"; then
        boot_case bios-qcow2-sata "$qcow2" --format qcow2 --bus sata --expect-disk sda
    else
        fail guest/bios-qcow2-sata "qemu-img convert failed"
    fi
fi

if uefi=$(build_image uefi --uefi); then
    boot_case uefi-raw-virtio "$uefi" --format raw --bus virtio --uefi --expect-disk vda
    # SeaBIOS finds only the protective MBR (no boot code): no marker.
    if out=$("$boot" "$uefi" --format raw --marker "$marker" --timeout 8 2>&1); then
        echo "$out"
        fail guest/uefi-image-no-bios "the UEFI image booted under SeaBIOS"
    elif echo "$out" | grep -q "no 'FERRY-GUEST-BOOTED"; then
        pass guest/uefi-image-no-bios
    else
        echo "$out"
        fail guest/uefi-image-no-bios "boot-guest.sh failed for another reason"
    fi
fi

[ "$failures" -eq 0 ] || { echo "$failures case(s) failed"; exit 1; }
exit 0
