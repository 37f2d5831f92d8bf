#!/bin/bash
# build-guest.sh: build a tiny bootable Linux test guest as a raw disk image,
# from Debian packages only (linux-image-amd64, busybox-static, syslinux,
# mtools, dosfstools, fdisk, systemd-boot-efi).
#
# The guest is a Debian kernel plus a busybox initramfs whose /init prints
# marker lines on the serial console and powers off; see README.md for the
# lines it prints.  Two layouts:
#   BIOS (default): MBR with syslinux's mbr.bin, one bootable FAT partition
#                   holding syslinux (ldlinux.sys), the kernel and the initrd.
#   --uefi:         GPT with one EFI system partition holding systemd-boot as
#                   \EFI\BOOT\BOOTX64.EFI, a loader entry, kernel and initrd.
# A BIOS image does not boot under UEFI and vice versa, so that a test can
# tell whether the firmware was chosen right.
#
# Between the partition table and the first partition (LBA 1024 on) lies a
# header sector and a 256 KiB data pattern whose SHA-256 is baked into the
# initramfs: the guest reads it back through its disk driver and reports
# whether the bytes survived the migration.
#
# Must never: need loop devices, mounts, chroot or network; write anywhere
# but OUTPUT (built next to it and renamed into place) and a temp directory.
set -euo pipefail
export PATH="$PATH:/usr/sbin:/sbin"
export MTOOLS_SKIP_CHECK=1 LC_ALL=C

prog=build-guest
die() { echo "$prog: $*" >&2; exit 1; }
usage() {
    cat <<'EOF'
Usage: build-guest.sh OUTPUT.raw [--marker TEXT] [--uefi] [--size MIB]
                      [--append ARGS]
Build a tiny bootable Linux guest disk image (raw, sparse).
  --marker TEXT   text printed after FERRY-GUEST-BOOTED (default "ok")
  --uefi          GPT + EFI system partition with systemd-boot (default: BIOS,
                  MBR + syslinux)
  --size MIB      disk size in MiB (default 64, at least 48)
  --append ARGS   extra kernel command line arguments
Environment: FERRY_GUEST_KERNEL=VERSION picks a kernel from /boot and
/lib/modules (default: the newest one that has both).
EOF
}

output="" marker="ok" uefi=0 size_mib=64 append=""
while [ $# -gt 0 ]; do
    case "$1" in
        --marker) [ $# -ge 2 ] || die "--marker needs an argument"; marker="$2"; shift 2 ;;
        --marker=*) marker="${1#*=}"; shift ;;
        --uefi) uefi=1; shift ;;
        --size) [ $# -ge 2 ] || die "--size needs an argument"; size_mib="$2"; shift 2 ;;
        --size=*) size_mib="${1#*=}"; shift ;;
        --append) [ $# -ge 2 ] || die "--append needs an argument"; append="$2"; shift 2 ;;
        --append=*) append="${1#*=}"; shift ;;
        -h|--help) usage; exit 0 ;;
        -*) usage >&2; die "unknown option: $1" ;;
        *) [ -z "$output" ] || die "only one OUTPUT allowed"; output="$1"; shift ;;
    esac
done
[ -n "$output" ] || { usage >&2; exit 2; }
case "$size_mib" in ''|*[!0-9]*) die "--size: not a number: $size_mib" ;; esac
[ "$size_mib" -ge 48 ] || die "--size: at least 48 MiB needed, got $size_mib"
case "$marker" in *[![:print:]]*) die "--marker: only printable characters" ;; esac

for tool in busybox mkfs.fat mcopy mmd sfdisk cpio gzip; do
    command -v "$tool" >/dev/null || die "$tool not found (run scripts/install-deps.sh)"
done
busybox_bin=$(command -v busybox)
if [ "$uefi" -eq 1 ]; then
    sdboot=/usr/lib/systemd/boot/efi/systemd-bootx64.efi
    [ -f "$sdboot" ] || die "$sdboot not found (package systemd-boot-efi)"
else
    command -v syslinux >/dev/null || die "syslinux not found (package syslinux)"
    mbr_bin=""
    for f in /usr/lib/syslinux/mbr/mbr.bin /usr/lib/SYSLINUX/mbr.bin; do
        [ -f "$f" ] && { mbr_bin="$f"; break; }
    done
    [ -n "$mbr_bin" ] || die "syslinux mbr.bin not found (package syslinux-common)"
fi

# --- kernel ---------------------------------------------------------------
kver="${FERRY_GUEST_KERNEL:-}"
if [ -z "$kver" ]; then
    for v in $(printf '%s\n' /boot/vmlinuz-* | sed -n 's|^/boot/vmlinuz-||p' | sort -V); do
        [ -f "/lib/modules/$v/modules.dep" ] && kver="$v"
    done
fi
[ -n "$kver" ] || die "no kernel in /boot with modules in /lib/modules (package linux-image-amd64)"
vmlinuz="/boot/vmlinuz-$kver"
moddir="/lib/modules/$kver"
[ -r "$vmlinuz" ] || die "$vmlinuz: not readable"
[ -f "$moddir/modules.dep" ] || die "$moddir/modules.dep: missing"

work=$(mktemp -d "${TMPDIR:-/tmp}/ferry-guest.XXXXXX")
tmp_out=""
cleanup() { rm -rf "$work"; [ -z "$tmp_out" ] || rm -f "$tmp_out"; }
trap cleanup EXIT

# Timestamps in the initramfs and on the FAT files are pinned so that two
# builds of the same inputs differ only where syslinux/mtools stamp "now".
epoch="${SOURCE_DATE_EPOCH:-1577836800}"

# --- data pattern checked by the guest -----------------------------------
# 256 KiB of distinct numbered lines: a sector read from the wrong place or
# a hole where data should be changes the digest.
data_lba=1025 data_sectors=512
# 32-byte lines, 16 per sector.
seq -f 'ferry-guest-data line %09.0f' 1 $((data_sectors * 16)) > "$work/data"
data_sha=$(sha256sum "$work/data" | cut -d' ' -f1)
printf 'FERRY-GUEST-MAGIC v1 data_lba=%d sectors=%d\n' "$data_lba" "$data_sectors" > "$work/header"
truncate -s 512 "$work/header"
magic=$(head -n1 "$work/header")

# --- initramfs ------------------------------------------------------------
root="$work/initramfs"
mkdir -p "$root/bin" "$root/sbin" "$root/proc" "$root/sys" "$root/dev" "$root/lib/modules" "$root/etc"
cp "$busybox_bin" "$root/bin/busybox"
mkdir -p "$root/etc/acpi/PWRF"
printf '#!/bin/busybox sh\necho FERRY-GUEST-ACPI-POWEROFF > /dev/ttyS0\nsync\n/bin/busybox poweroff -f\n' \
    > "$root/etc/acpi/PWRF/00000080"
chmod 755 "$root/etc/acpi/PWRF/00000080"

# Storage drivers for every bus ferry may give the disk.  Each module comes
# after its dependencies (from modules.dep); built-in ones are skipped.
# button and evdev: the ACPI power button reaches busybox acpid, so that a
# graceful shutdown (virsh shutdown) powers the guest off.
wanted="virtio_pci virtio_blk virtio_scsi ahci ata_piix sd_mod nvme
        crc64_rocksoft_generic crct10dif_generic button evdev"
declare -A seen=()
load_order=()
mod_path() {  # module name -> path relative to $moddir, or nothing
    local n="$1" alt
    alt=$(echo "$n" | tr _ -)
    grep -m1 -E "(^|/)($n|$alt)\.ko(\.xz|\.zst|\.gz)?:" "$moddir/modules.dep" | cut -d: -f1 || true
}
mod_add() {  # relative path
    local rel="$1" dep
    [ -z "${seen[$rel]:-}" ] || return 0
    seen[$rel]=1
    # shellcheck disable=SC2013 # modules.dep lists words, not lines
    for dep in $(grep -m1 "^$rel:" "$moddir/modules.dep" | cut -d: -f2); do
        mod_add "$dep"
    done
    load_order+=("$rel")
}
for m in $wanted; do
    rel=$(mod_path "$m")
    if [ -n "$rel" ]; then
        mod_add "$rel"
    elif ! grep -qE "/($m|$(echo "$m" | tr _ -))\.ko$" "$moddir/modules.builtin" 2>/dev/null; then
        case "$m" in crc*) ;; *) die "module $m: neither in $moddir/modules.dep nor built in" ;; esac
    fi
done
: > "$root/lib/modules/load-order"
for rel in ${load_order[@]+"${load_order[@]}"}; do
    base=$(basename "$rel")
    case "$base" in
        *.ko.xz) xz -dc "$moddir/$rel" > "$root/lib/modules/${base%.xz}" ;;
        *.ko.zst) zstd -qdc "$moddir/$rel" > "$root/lib/modules/${base%.zst}" ;;
        *.ko.gz) gzip -dc "$moddir/$rel" > "$root/lib/modules/${base%.gz}" ;;
        *) cp "$moddir/$rel" "$root/lib/modules/$base" ;;
    esac
    echo "${base%.ko*}.ko" >> "$root/lib/modules/load-order"
done

cat > "$root/etc/ferry-guest.conf" <<EOF
marker='$(printf '%s' "$marker" | sed "s/'/'\\\\''/g")'
magic='$magic'
data_lba=$data_lba
data_sectors=$data_sectors
data_sha=$data_sha
EOF

cat > "$root/init" <<'EOF'
#!/bin/busybox sh
# /init of the ferry test guest: print what the guest sees, then power off.
# Lines start with FERRY-GUEST- so that a test can grep the serial log.
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
. /etc/ferry-guest.conf
echo 1 > /proc/sys/kernel/printk 2>/dev/null   # keep kernel chatter off the log

# The serial port and the console (tty0 when console=tty0 comes last).
say() {
    echo "$*" > /dev/ttyS0 2>/dev/null
    echo "$*"
}

say "FERRY-GUEST-BOOTED $marker"
if [ -d /sys/firmware/efi ]; then say "FERRY-GUEST-FIRMWARE uefi"; else say "FERRY-GUEST-FIRMWARE bios"; fi
say "FERRY-GUEST-KERNEL $(uname -r)"
say "FERRY-GUEST-CMDLINE $(cat /proc/cmdline)"

while read -r m; do
    insmod "/lib/modules/$m" 2>/dev/null || say "FERRY-GUEST-MODULE-FAILED $m"
done < /lib/modules/load-order
# The power button: sync and power off (acpid runs /etc/acpi/PWRF/*).
acpid -c /etc/acpi -l /dev/null 2>/dev/null

# Disks show up asynchronously (AHCI and SCSI scan after insmod returns).
# Ours is the one whose sector 1024 holds the magic header.
found=""
i=0
while [ $i -lt 100 ]; do
    for s in /sys/block/vd* /sys/block/sd* /sys/block/hd* /sys/block/nvme*; do
        [ -e "$s" ] || continue
        d=${s##*/}
        case " $found " in *" $d "*) continue ;; esac
        [ -b "/dev/$d" ] || continue
        if [ "$(dd if=/dev/$d bs=512 skip=1024 count=1 2>/dev/null | head -n1)" = "$magic" ]; then
            found="$found $d"
        fi
    done
    [ -n "$found" ] && break
    sleep 0.1
    i=$((i + 1))
done

while read -r line; do
    say "FERRY-GUEST-PARTITIONS $line"
done < /proc/partitions

if [ -z "$found" ]; then
    say "FERRY-GUEST-DISK none"
else
    for d in $found; do
        say "FERRY-GUEST-DISK $d"
        sum=$(dd if=/dev/$d bs=512 skip=$data_lba count=$data_sectors 2>/dev/null | sha256sum)
        if [ "${sum%% *}" = "$data_sha" ]; then
            say "FERRY-GUEST-DATA $d ok"
        else
            say "FERRY-GUEST-DATA $d bad ${sum%% *}"
        fi
    done
fi
say "FERRY-GUEST-DONE"
sync
poweroff -f
# poweroff failed: panic=-1 and -no-reboot stop the VM when init exits.
exit 1
EOF
chmod 755 "$root/init"

find "$root" -exec touch -h -d "@$epoch" {} +
(cd "$root" && find . -print0 | sort -z |
    cpio --null --create --format=newc --owner=0:0 --reproducible --quiet) |
    gzip -n -9 > "$work/initrd.gz"

cmdline="console=ttyS0 console=tty0 panic=-1 quiet loglevel=1${append:+ $append}"
cp "$vmlinuz" "$work/vmlinuz"
touch -d "@$epoch" "$work/vmlinuz" "$work/initrd.gz"

# --- disk -----------------------------------------------------------------
part_start=2048                                   # 1 MiB, sectors
total_sectors=$((size_mib * 2048))
out_dir=$(dirname "$output")
[ -d "$out_dir" ] || die "$out_dir: no such directory"
tmp_out=$(mktemp "$out_dir/.$(basename "$output").XXXXXX")
chmod 644 "$tmp_out"
truncate -s "$((size_mib))M" "$tmp_out"

if [ "$uefi" -eq 1 ]; then
    # GPT keeps 33 sectors at the end for its backup header and table.
    part_sectors=$((total_sectors - part_start - 33))
    sfdisk --quiet --no-reread --no-tell-kernel "$tmp_out" <<EOF
label: gpt
label-id: 46455252-5947-5545-5354-000000000001
first-lba: 34
start=$part_start, size=$part_sectors, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, uuid=46455252-5947-5545-5354-000000000002, name="EFI system partition"
EOF
    fat_bits=32
else
    part_sectors=$((total_sectors - part_start))
    sfdisk --quiet --no-reread --no-tell-kernel "$tmp_out" <<EOF
label: dos
label-id: 0x46455252
start=$part_start, size=$part_sectors, type=e, bootable
EOF
    fat_bits=16
fi

# mkfs.fat warns that the file is larger than the partition (GPT's backup
# table follows it); show its output only when it fails.
if ! mkfs_out=$(mkfs.fat --invariant -F "$fat_bits" -S 512 -h "$part_start" --offset "$part_start" \
        -i 46455252 -n FERRYBOOT "$tmp_out" $((part_sectors / 2)) 2>&1); then
    die "mkfs.fat failed: $mkfs_out"
fi
fat="$tmp_out@@$((part_start * 512))"

if [ "$uefi" -eq 1 ]; then
    mkdir -p "$work/esp/EFI/BOOT" "$work/esp/loader/entries"
    cp "$sdboot" "$work/esp/EFI/BOOT/BOOTX64.EFI"
    printf 'default ferry.conf\ntimeout 0\neditor no\n' > "$work/esp/loader/loader.conf"
    printf 'title ferry test guest\nlinux /vmlinuz\ninitrd /initrd.gz\noptions %s\n' \
        "$cmdline" > "$work/esp/loader/entries/ferry.conf"
    cp "$work/vmlinuz" "$work/initrd.gz" "$work/esp/"
    find "$work/esp" -exec touch -h -d "@$epoch" {} +
    mcopy -s -m -Q -i "$fat" "$work/esp/EFI" "$work/esp/loader" "$work/esp/vmlinuz" "$work/esp/initrd.gz" ::/
else
    cat > "$work/syslinux.cfg" <<EOF
DEFAULT ferry
PROMPT 0
TIMEOUT 0
LABEL ferry
  LINUX /vmlinuz
  INITRD /initrd.gz
  APPEND $cmdline
EOF
    touch -d "@$epoch" "$work/syslinux.cfg"
    mcopy -m -Q -i "$fat" "$work/vmlinuz" "$work/initrd.gz" "$work/syslinux.cfg" ::/
    syslinux --install --offset $((part_start * 512)) "$tmp_out"
    dd if="$mbr_bin" of="$tmp_out" bs=440 count=1 conv=notrunc status=none

    # syslinux stamps ldlinux.sys/.c32 with "now": give them the pinned
    # times of vmlinuz (bytes 13-25 of a FAT16 root directory entry) so that
    # the same inputs give the same image, byte for byte.
    fat_off=$((part_start * 512))
    bpb() { od -An -tu"$2" -j $((fat_off + $1)) -N "$2" "$tmp_out" | tr -d ' '; }
    root_off=$((fat_off + ($(bpb 14 2) + $(bpb 16 1) * $(bpb 22 2)) * $(bpb 11 2)))
    dd if="$tmp_out" of="$work/rootdir" bs=512 skip=$((root_off / 512)) \
        count=$(($(bpb 17 2) * 32 / 512)) status=none
    entry() { grep -boa -- "$1" "$work/rootdir" | awk -F: '$1 % 32 == 0 { print $1; exit }'; }
    ref=$(entry "VMLINUZ    ")
    [ -n "$ref" ] || die "vmlinuz not found in the FAT root directory"
    for name in "LDLINUX SYS" "LDLINUX C32"; do
        e=$(entry "$name")
        [ -n "$e" ] || continue
        dd if="$work/rootdir" bs=1 skip=$((ref + 13)) count=13 status=none |
            dd of="$tmp_out" bs=1 seek=$((root_off + e + 13)) conv=notrunc status=none
    done
fi

# Header and data pattern in the gap before the partition (unused by both
# layouts: GPT ends at LBA 33, syslinux's MBR code uses LBA 0 only).
dd if="$work/header" of="$tmp_out" bs=512 seek=1024 conv=notrunc status=none
dd if="$work/data" of="$tmp_out" bs=512 seek="$data_lba" conv=notrunc status=none

mv -f "$tmp_out" "$output"
tmp_out=""
echo "$prog: $output: $([ "$uefi" -eq 1 ] && echo UEFI/GPT || echo BIOS/MBR), ${size_mib} MiB, kernel $kver, marker '$marker'"
