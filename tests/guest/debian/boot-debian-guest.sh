#!/bin/sh
# boot-debian-guest.sh: boot a throw-away overlay of the Debian test guest
# (build-debian-guest.sh) on the hardware it was built for or on KVM's, and
# say whether it came up:
#
#   boot-debian-guest.sh IMAGE.qcow2 vmware|virtio LOG [MAC...]
#
# vmware: pvscsi disk, vmxnet3 NICs behind PCIe root ports in slots 192 and
#         224 (so Linux names them ens192, ens224), VMware SMBIOS strings.
# virtio: virtio-blk disk and virtio-net NICs, each behind its own PCIe root
#         port as libvirt places them.
# One NIC per MAC (default: one NIC, 00:50:56:00:01:92).  The serial console
# goes to LOG.  Waits ${FERRY_BOOT_TIMEOUT:-300} s for FERRY-GUEST-UP or a
# failure ("ALERT!", "Kernel panic", "Gave up waiting for root"); exit 0 and
# prints the FERRY-GUEST-UP line when up, exit 1 otherwise.  KVM when
# /dev/kvm really runs a guest, else TCG (FERRY_BOOT_ACCEL=tcg forces it).
#
# Must never: write to IMAGE; touch the host's network (user networking
# with restrict=on only); leave QEMU running.
set -eu
prog=boot-debian-guest
die() { echo "$prog: $*" >&2; exit 1; }
[ $# -ge 3 ] || die "usage: boot-debian-guest.sh IMAGE.qcow2 vmware|virtio LOG [MAC...]"
image=$1 hw=$2 log=$3
shift 3
[ -r "$image" ] || die "$image: not readable"
case "$hw" in vmware|virtio) ;; *) die "$hw: unknown hardware (vmware or virtio)" ;; esac
[ $# -gt 0 ] || set -- 00:50:56:00:01:92
timeout=${FERRY_BOOT_TIMEOUT:-300}
: > "$log" || die "$log: cannot write"

work=$(mktemp -d "${TMPDIR:-/tmp}/ferry-debian-boot.XXXXXX")
pid=""
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
    [ -z "$pid" ] || { kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; }
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# run_qemu OUT ARGS...: start QEMU in the background, its stderr in OUT.
run_qemu() {
    err=$1
    shift
    qemu-system-x86_64 -machine q35 -nodefaults -display none -monitor none \
        -no-reboot "$@" 2>"$err" &
    pid=$!
}
stop_qemu() { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; pid=""; }

# KVM only when a vCPU like the guest's (-cpu host) runs SeaBIOS far enough
# to print on its debug port.
accel=tcg cpu=qemu64
if [ "${FERRY_BOOT_ACCEL:-}" != tcg ] && [ -w /dev/kvm ]; then
    run_qemu "$work/kvm.err" -accel kvm -cpu host -m 64 \
        -chardev "file,id=dbg,path=$work/kvm.log" -device isa-debugcon,iobase=0x402,chardev=dbg
    i=0
    while [ $i -lt 50 ] && ! grep -q SeaBIOS "$work/kvm.log" 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
    grep -q SeaBIOS "$work/kvm.log" 2>/dev/null && accel=kvm cpu=host
    stop_qemu
fi

qemu-img create -q -f qcow2 -F qcow2 -b "$(realpath "$image")" "$work/overlay.qcow2"
macs=$*
set --
n=0
for mac in $macs; do
    case "$hw" in
        vmware) port=",slot=$((192 + 32 * n))" model=vmxnet3 ;;
        virtio) port="" model=virtio-net-pci ;;
    esac
    set -- "$@" -device "pcie-root-port,id=rp$n,bus=pcie.0,chassis=$((n + 1))$port" \
        -netdev "user,id=net$n,restrict=on" -device "$model,netdev=net$n,bus=rp$n,mac=$mac"
    n=$((n + 1))
done
set -- "$@" -drive "if=none,id=disk0,file=$work/overlay.qcow2,format=qcow2"
case "$hw" in
    # Native PCIe hotplug (not ACPI's) registers the root ports' slot
    # numbers, which udev names the NICs after.  No hypervisor CPUID bit:
    # systemd-detect-virt goes by the DMI vendor, so VMware tools start.
    vmware) cpu="$cpu,-hypervisor"
            set -- "$@" -global ICH9-LPC.acpi-pci-hotplug-with-bridge-support=off \
                -smbios "type=1,manufacturer=VMware,, Inc.,product=VMware Virtual Platform" \
                -device pvscsi,id=scsi0 -device scsi-hd,drive=disk0,bus=scsi0.0,bootindex=1 ;;
    virtio) set -- "$@" -device pcie-root-port,id=rpdisk,bus=pcie.0,chassis=$((n + 1)) \
                -device virtio-blk-pci,drive=disk0,bus=rpdisk,bootindex=1 ;;
esac

start=$(date +%s)
run_qemu "$work/qemu.err" -accel "$accel" -cpu "$cpu" -m 1024 -smp 1 -serial "file:$log" "$@"
result=""
while [ $(($(date +%s) - start)) -lt "$timeout" ]; do
    if grep -q FERRY-GUEST-UP "$log"; then result=up; break; fi
    if grep -q -e 'ALERT!' -e 'Kernel panic' -e 'Gave up waiting for root' "$log"; then
        sleep 2   # let the initramfs finish its message
        result=failed
        break
    fi
    kill -0 "$pid" 2>/dev/null || { result="QEMU exited"; break; }
    sleep 1
done
stop_qemu
took=$(($(date +%s) - start))

if [ "$result" = up ]; then
    tr -d '\r' < "$log" | grep -m1 -o 'FERRY-GUEST-UP.*'
    echo "$prog: $image up on $hw hardware ($accel) after ${took}s" >&2
    exit 0
fi
echo "$prog: $image did not come up on $hw hardware ($accel): ${result:-no FERRY-GUEST-UP within ${timeout}s} after ${took}s; serial log:" >&2
tr -d '\r' < "$log" | tail -n 40 >&2
[ ! -s "$work/qemu.err" ] || { echo "---- qemu stderr" >&2; cat "$work/qemu.err" >&2; }
exit 1
