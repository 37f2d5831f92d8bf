#!/bin/sh
# build-debian-guest.sh: build ferry's Debian 12 test guest, a guest as
# installed on VMware: root on /dev/sda1, an initramfs with VMware's storage
# and network drivers only (no virtio), a static address on ens192, VMware
# tools.  It boots on VMware hardware and, until ferry adapts it, not on
# KVM's virtio.  Two kernels (linux-image-amd64, linux-image-cloud-amd64).
#
#   build-debian-guest.sh OUT.qcow2 [--two-nics]
#
# --two-nics: the same guest plus a second NIC, ens224, set up by
# systemd-networkd (IPv4 and IPv6), derived from the one-NIC image.
# The image (qcow2 v3) is kept in ${FERRY_TEST_CACHE:-/var/tmp/ferry-test-cache}
# as debian12-<variant>-<hash>.qcow2, hash = SHA-256 of this script and
# files/ (the recipe); the script prints that path and copies it to OUT.
# See tests/guest/README.md.
#
# Must never: touch the host's network, packages or boot files; fetch from
# anywhere but the Debian mirror the host's apt uses; write outside OUT,
# the cache and a temp dir; leave a mount behind.
set -eu
export LC_ALL=C PATH="$PATH:/usr/sbin:/sbin"
: "${LIBGUESTFS_BACKEND:=direct}" "${LIBGUESTFS_BACKEND_SETTINGS:=force_tcg}"
export LIBGUESTFS_BACKEND LIBGUESTFS_BACKEND_SETTINGS

prog=build-debian-guest
die() { echo "$prog: $*" >&2; exit 1; }
self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
files=$(dirname "$self")/files

out="" variant=one-nic
for arg; do
    case "$arg" in
        --two-nics) variant=two-nics ;;
        -*) die "unknown option: $arg (usage: build-debian-guest.sh OUT.qcow2 [--two-nics])" ;;
        *) [ -z "$out" ] || die "only one OUT allowed"; out=$arg ;;
    esac
done
[ -n "$out" ] || die "usage: build-debian-guest.sh OUT.qcow2 [--two-nics]"

cache=${FERRY_TEST_CACHE:-/var/tmp/ferry-test-cache}
mkdir -p "$cache" || die "$cache: cannot create the cache directory"
hash=$(for f in "$self" "$files"/*; do echo "== ${f##*/}"; cat "$f"; done |
       sha256sum | cut -d' ' -f1)

work="" tree=""
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
    [ -z "$tree" ] || awk -v t="$tree" '$2 == t || index($2, t "/") == 1 { print $2 }' \
        /proc/mounts | sort -r | while read -r m; do umount -l "$m"; done
    [ -z "$work" ] || rm -rf --one-file-system "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
work=$(mktemp -d "${TMPDIR:-/tmp}/ferry-debian.XXXXXX")
tree="$work/tree"

# mirror: the Debian mirror of bookworm in the host's apt sources.
mirror() {
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] && awk 'BEGIN { RS = ""; FS = "\n" }
            /(^|\n)Suites:[^\n]*[ \t]bookworm([ \t]|\n|$)/ {
                for (i = 1; i <= NF; i++)
                    if ($i ~ /^URIs:/) { split($i, w, /[ \t]+/); print w[2]; exit } }' "$f"
    done
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$f" ] && awk '$1 == "deb" { sub(/\[[^]]*\] */, "");
                                          if ($3 == "bookworm") { print $2; exit } }' "$f"
    done
}

# publish FILE VARIANT: move FILE into the cache as that variant's image
# (renamed into place, so that a half-copied image is never taken) and drop
# the variant's older images.
publish() {
    mv "$1" "$cache/.debian12-$2-$hash.tmp$$"
    mv "$cache/.debian12-$2-$hash.tmp$$" "$cache/debian12-$2-$hash.qcow2"
    for old in "$cache/debian12-$2-"*.qcow2; do
        [ "$old" = "$cache/debian12-$2-$hash.qcow2" ] || rm -f "$old"
    done
}

# build_one_nic: debootstrap the tree, make its initramfs, put it on a disk.
build_one_nic() {
    [ "$(id -u)" -eq 0 ] || die "debootstrap needs root"
    url=$(mirror | head -n1)
    [ -n "$url" ] || die "no bookworm mirror in /etc/apt/sources.list{,.d}"
    mkdir -p "$tree" "$cache/debs"
    echo "$prog: debootstrap bookworm from $url" >&2
    # INITRD=No: the kernels' hooks skip the initramfs, made below once the
    # module list is in place.
    INITRD=No debootstrap --variant=minbase --cache-dir="$cache/debs" \
        --include=linux-image-amd64,linux-image-cloud-amd64,grub-pc,initramfs-tools,ifupdown,open-vm-tools,systemd-sysv,udev,iproute2,kmod \
        bookworm "$tree" "$url" > "$work/debootstrap.log" 2>&1 ||
        { tail -n 30 "$work/debootstrap.log" >&2; die "debootstrap failed"; }

    echo ferry-debian12 > "$tree/etc/hostname"
    printf '127.0.0.1 localhost\n127.0.1.1 ferry-debian12\n' > "$tree/etc/hosts"
    echo '/dev/sda1 / ext4 errors=remount-ro 0 1' > "$tree/etc/fstab"
    # GRUB_DEVICE: root= names /dev/sda1 however the build sees the disk.
    cat > "$tree/etc/default/grub.d/ferry.cfg" <<'EOF'
GRUB_DEVICE=/dev/sda1
GRUB_TIMEOUT=0
GRUB_CMDLINE_LINUX_DEFAULT=""
GRUB_CMDLINE_LINUX="console=ttyS0,115200"
GRUB_TERMINAL="serial console"
GRUB_SERIAL_COMMAND="serial --unit=0 --speed=115200"
GRUB_DISABLE_LINUX_UUID=true
GRUB_DISABLE_RECOVERY=true
GRUB_DISABLE_OS_PROBER=true
EOF
    cp "$files/interfaces" "$tree/etc/network/interfaces"
    cp "$files/initramfs-modules" "$tree/etc/initramfs-tools/modules"
    echo MODULES=list > "$tree/etc/initramfs-tools/conf.d/ferry"
    install -m 755 "$files/ferry-guest-up" "$tree/usr/local/sbin/ferry-guest-up"
    cp "$files/ferry-guest-up.service" "$tree/etc/systemd/system/"
    chroot "$tree" systemctl enable -q ferry-guest-up.service serial-getty@ttyS0.service
    chroot "$tree" passwd -q -l root
    : > "$tree/etc/machine-id"
    rm -f "$tree"/var/cache/apt/archives/*.deb "$tree"/var/lib/apt/lists/*_Packages

    # debootstrap leaves /dev empty when it ran in a container.
    [ -e "$tree/dev/null" ] || mknod -m 666 "$tree/dev/null" c 1 3
    rm -f "$tree"/boot/initrd.img-*
    for dir in "$tree"/lib/modules/*; do
        kver=${dir##*/}
        chroot "$tree" update-initramfs -c -k "$kver" > "$work/initramfs.log" 2>&1 ||
            { cat "$work/initramfs.log" >&2; die "update-initramfs failed for $kver"; }
        chroot "$tree" lsinitramfs "/boot/initrd.img-$kver" > "$work/initrd.list" ||
            die "lsinitramfs failed on initrd.img-$kver"
        grep -q '/vmw_pvscsi\.ko' "$work/initrd.list" ||
            die "initrd.img-$kver: no vmw_pvscsi module"
        ! grep virtio "$work/initrd.list" >&2 ||
            die "initrd.img-$kver holds virtio modules (listed above)"
    done

    tar -C "$tree" --numeric-owner -cf "$work/tree.tar" .
    # Inside the appliance our disk may come after the appliance's own, so
    # grub-install is told the disk that holds /boot rather than /dev/sda.
    guestfish --rw > "$work/guestfish.log" 2>&1 <<EOF || { cat "$work/guestfish.log" >&2; die "guestfish failed"; }
disk-create "$work/disk.qcow2" qcow2 4G compat:1.1
add "$work/disk.qcow2" format:qcow2
run
part-disk /dev/sda mbr
part-set-bootable /dev/sda 1 true
mkfs ext4 /dev/sda1
mount /dev/sda1 /
tar-in "$work/tree.tar" /
command "sh -c 'grub-install --target=i386-pc \$(grub-probe --target=disk /boot)'"
command "update-grub"
EOF
    publish "$work/disk.qcow2" one-nic
}

image="$cache/debian12-$variant-$hash.qcow2"
if [ ! -f "$image" ]; then
    command -v guestfish >/dev/null || die "guestfish not found (package libguestfs-tools)"
    base="$cache/debian12-one-nic-$hash.qcow2"
    if [ ! -f "$base" ]; then
        command -v debootstrap >/dev/null || die "debootstrap not found (package debootstrap)"
        build_one_nic
    fi
    if [ "$variant" = two-nics ]; then
        cp "$base" "$work/disk.qcow2"
        guestfish --rw -a "$work/disk.qcow2" -i > "$work/guestfish.log" 2>&1 <<EOF || { cat "$work/guestfish.log" >&2; die "guestfish failed"; }
upload "$files/ens224.network" /etc/systemd/network/ens224.network
command "systemctl enable -q systemd-networkd.service"
EOF
        publish "$work/disk.qcow2" two-nics
    fi
fi
cp "$image" "$out"
echo "$image"
