#!/bin/bash
# boot-guest.sh: boot a disk image under QEMU/TCG and wait for the test
# guest's marker on the serial console (see build-guest.sh).
#
# Exit 0 when "FERRY-GUEST-BOOTED" (followed by --marker, if given) appeared
# within the timeout and every --expect-disk / data check held; 1 otherwise,
# with the serial log printed; 2 on a usage error.  Always TCG: /dev/kvm may
# exist and still be broken on the test machines.
#
# Must never: write to IMAGE (the disk is opened with snapshot=on unless
# --writable), leave QEMU running, or depend on KVM.
# shellcheck disable=SC2054 # commas inside QEMU -device arguments are meant
set -uo pipefail

prog=boot-guest
die() { echo "$prog: $*" >&2; exit 2; }
usage() {
    cat <<'EOF'
Usage: boot-guest.sh IMAGE [--format qcow2|raw|...] [--bus virtio|sata|scsi|nvme]
                     [--uefi] [--timeout S] [--marker TEXT] [--expect-disk NAME]
                     [--log FILE] [--memory MIB] [--machine TYPE] [--writable]
Boot IMAGE with qemu-system-x86_64 under TCG and wait for the guest marker.
  --format F         image format (default: as qemu-img info reports it)
  --bus B            virtio (virtio-blk-pci, default), sata (AHCI + ide-hd),
                     scsi (virtio-scsi + scsi-hd), nvme
  --uefi             boot with OVMF instead of SeaBIOS
  --timeout S        seconds to wait for the marker (default 120)
  --marker TEXT      require "FERRY-GUEST-BOOTED TEXT", not just the prefix
  --expect-disk NAME require "FERRY-GUEST-DISK NAME" and its data check "ok"
  --log FILE         keep the serial log in FILE (default: a temp file)
  --memory MIB       guest memory (default 256)
  --machine TYPE     QEMU machine type (default q35)
  --writable         let the guest write to IMAGE (default: snapshot=on)
EOF
}

image="" format="" bus=virtio uefi=0 timeout=120 marker="" expect_disk=""
log="" memory=256 machine=q35 writable=0
need() { [ "$1" -ge 2 ] || die "$2 needs an argument"; }
while [ $# -gt 0 ]; do
    case "$1" in
        --format) need $# "$1"; format="$2"; shift 2 ;;
        --bus) need $# "$1"; bus="$2"; shift 2 ;;
        --uefi) uefi=1; shift ;;
        --timeout) need $# "$1"; timeout="$2"; shift 2 ;;
        --marker) need $# "$1"; marker="$2"; shift 2 ;;
        --expect-disk) need $# "$1"; expect_disk="$2"; shift 2 ;;
        --log) need $# "$1"; log="$2"; shift 2 ;;
        --memory) need $# "$1"; memory="$2"; shift 2 ;;
        --machine) need $# "$1"; machine="$2"; shift 2 ;;
        --writable) writable=1; shift ;;
        -h|--help) usage; exit 0 ;;
        -*) usage >&2; die "unknown option: $1" ;;
        *) [ -z "$image" ] || die "only one IMAGE allowed"; image="$1"; shift ;;
    esac
done
[ -n "$image" ] || { usage >&2; exit 2; }
[ -r "$image" ] || die "$image: not readable"
case "$timeout" in ''|*[!0-9]*) die "--timeout: not a whole number of seconds: $timeout" ;; esac
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 not found (package qemu-system-x86)"

if [ -z "$format" ]; then
    format=$(qemu-img info --output=json "$image" 2>/dev/null |
             sed -n 's/^ *"format": "\([a-z0-9]*\)".*/\1/p' | head -n1)
    [ -n "$format" ] || format=raw
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/ferry-boot.XXXXXX")
qemu_pid=""
# shellcheck disable=SC2317 # called from the EXIT trap
cleanup() {
    if [ -n "$qemu_pid" ] && kill -0 "$qemu_pid" 2>/dev/null; then
        kill "$qemu_pid" 2>/dev/null
        wait "$qemu_pid" 2>/dev/null
    fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
[ -n "$log" ] || log="$work/serial.log"
: > "$log" || die "$log: cannot write"

# Commas in a -drive file= value must be doubled.
drive_file=${image//,/,,}
snapshot=on
[ "$writable" -eq 1 ] && snapshot=off
args=(-accel tcg -machine "$machine" -m "$memory" -smp 1
      -nodefaults -display none -monitor none -no-reboot
      -serial "file:$log"
      -drive "if=none,id=disk0,file=$drive_file,format=$format,snapshot=$snapshot")
case "$bus" in
    virtio) args+=(-device virtio-blk-pci,drive=disk0,bootindex=1) ;;
    sata)   args+=(-device ahci,id=ahci0 -device ide-hd,drive=disk0,bus=ahci0.0,bootindex=1) ;;
    scsi)   args+=(-device virtio-scsi-pci,id=scsi0 -device scsi-hd,drive=disk0,bus=scsi0.0,bootindex=1) ;;
    nvme)   args+=(-device nvme,drive=disk0,serial=ferry0,bootindex=1) ;;
    *) die "--bus: unknown bus: $bus (virtio, sata, scsi, nvme)" ;;
esac
if [ "$uefi" -eq 1 ]; then
    code="" vars=""
    for d in /usr/share/OVMF /usr/share/ovmf; do
        if [ -f "$d/OVMF_CODE_4M.fd" ] && [ -f "$d/OVMF_VARS_4M.fd" ]; then
            code="$d/OVMF_CODE_4M.fd" vars="$d/OVMF_VARS_4M.fd"; break
        elif [ -f "$d/OVMF_CODE.fd" ] && [ -f "$d/OVMF_VARS.fd" ]; then
            code="$d/OVMF_CODE.fd" vars="$d/OVMF_VARS.fd"; break
        fi
    done
    [ -n "$code" ] || die "OVMF firmware not found (package ovmf)"
    cp "$vars" "$work/vars.fd"
    args+=(-drive "if=pflash,format=raw,unit=0,readonly=on,file=$code"
           -drive "if=pflash,format=raw,unit=1,file=$work/vars.fd")
fi

want="FERRY-GUEST-BOOTED${marker:+ $marker}"
# log_has TEXT: a serial line ends with TEXT (firmware escape sequences may
# precede it on the same line).  Without --marker any marker text is fine.
log_has() {
    awk -v t="$1" -v any="$2" '
        { sub(/\r$/, "") }
        any && index($0, t " ") { found = 1; exit }
        { n = length($0) - length(t) }
        n >= 0 && substr($0, n + 1) == t { found = 1; exit }
        END { exit !found }' "$log"
}
saw_marker() { log_has "$want" "$([ -z "$marker" ] && echo 1 || echo 0)"; }
now() { date +%s.%N; }
start=$(now)
qemu-system-x86_64 "${args[@]}" 2>"$work/qemu.err" &
qemu_pid=$!

# Wait for the marker; then give the guest a little longer to report its
# disk and power off by itself.
booted="" done_at="" timed_out="" deadline=$((SECONDS + timeout))
while [ $SECONDS -lt $deadline ]; do
    if [ -z "$booted" ] && saw_marker; then
        booted=$(now)
        deadline=$((SECONDS + 30))   # disk scan and data check
    fi
    if log_has FERRY-GUEST-DONE 0; then
        done_at=$(now)
        break
    fi
    kill -0 "$qemu_pid" 2>/dev/null || break
    sleep 0.2
done
[ $SECONDS -lt $deadline ] || timed_out=1
# A guest that printed DONE powers off at once; do not wait forever.
if kill -0 "$qemu_pid" 2>/dev/null; then
    [ -n "$done_at" ] && for _ in $(seq 50); do kill -0 "$qemu_pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$qemu_pid" 2>/dev/null; then
        kill "$qemu_pid" 2>/dev/null
        [ -n "$done_at" ] && echo "$prog: note: guest printed FERRY-GUEST-DONE but did not power off"
    fi
fi
wait "$qemu_pid" 2>/dev/null
qemu_pid=""
end=$(now)
# Re-check: the marker may have been written just before QEMU exited.
if [ -z "$booted" ] && saw_marker; then booted=$end; fi

fail() {
    echo "$prog: FAIL: $image ($format, $bus, $([ "$uefi" -eq 1 ] && echo uefi || echo bios)): $*" >&2
    echo "---- serial log ($log) ----" >&2
    tr -d '\r' < "$log" | tail -n 200 >&2
    if [ -s "$work/qemu.err" ]; then
        echo "---- qemu stderr ----" >&2
        cat "$work/qemu.err" >&2
    fi
    echo "---- end ----" >&2
    exit 1
}

if [ -z "$booted" ]; then
    if [ -n "$timed_out" ]; then
        fail "no '$want' line within ${timeout}s"
    else
        fail "QEMU exited without a '$want' line"
    fi
fi
if [ -n "$expect_disk" ]; then
    log_has "FERRY-GUEST-DISK $expect_disk" 0 ||
        fail "guest did not report its disk as $expect_disk"
    log_has "FERRY-GUEST-DATA $expect_disk ok" 0 ||
        fail "data pattern on $expect_disk did not read back intact"
fi
if [ "$uefi" -eq 1 ]; then fw=uefi; else fw=bios; fi
log_has "FERRY-GUEST-FIRMWARE $fw" 0 ||
    fail "guest did not report firmware $fw"

awk -v p="$prog" -v i="$image" -v f="$format" -v b="$bus" -v fw="$fw" \
    -v s="$start" -v m="$booted" -v e="$end" \
    'BEGIN { printf "%s: ok: %s (%s, %s, %s): marker after %.1fs, total %.1fs\n", p, i, f, b, fw, m - s, e - s }'
exit 0
