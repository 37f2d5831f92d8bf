#!/bin/sh
# install-deps.sh: install every Debian package ferry needs to build, test,
# fuzz and benchmark.  Idempotent: does nothing when all are present.
set -eu

PACKAGES="
  build-essential pkg-config meson ninja-build clang libclang-rt-14-dev
  zlib1g-dev libdeflate-dev libzstd-dev libjansson-dev libssl-dev libsqlite3-dev
  qemu-utils libnbd-bin libnbd-dev nbdkit
  libvhdi-utils libvmdk-utils python3-libvhdi python3-libvmdk
  python3 fdisk time
  libxml2-dev libxml2-utils libvirt-clients ovmf
  libvirt-dev libvirt-daemon-system libvirt-daemon-driver-qemu
  qemu-system-x86 linux-image-amd64 busybox-static cpio iproute2 util-linux
  syslinux syslinux-common mtools dosfstools systemd-boot-efi
  debootstrap libguestfs-tools guestfs-tools
"

missing=""
for p in $PACKAGES; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
    missing="$missing $p"
  fi
done
[ -z "$missing" ] && exit 0

echo "ferry: installing Debian packages:$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
