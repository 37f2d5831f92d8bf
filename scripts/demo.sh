#!/bin/sh
# demo.sh FERRY: show ferry at work on a sample VMware disk.
#
# Makes a 2 GiB VMware disk (monolithicSparse, as Workstation and
# `vmkfstools -d sparse` write it) holding a partition table and some
# data, then: ferry info, ferry map, ferry convert to qcow2 with progress,
# ferry compare, and qemu-img check on the result.
set -eu
ferry=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
work=${DEMO_DIR:-$(mktemp -d /tmp/ferry-demo.XXXXXX)}
mkdir -p "$work"
cd "$work"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "Making a sample VMware disk in $work"
rm -f sample.raw
truncate -s 2G sample.raw
# an MBR with one Linux partition from 1 MiB to the end
printf 'label: dos\nstart=2048, type=83\n' | sfdisk -q sample.raw 2>/dev/null || true
# some "files": random data, a repeated pattern, and an all-zero region
head -c 96M /dev/urandom | dd of=sample.raw bs=1M seek=1 conv=notrunc status=none
yes "ferry moves virtual machines onto KVM" | head -c 64M |
  dd of=sample.raw bs=1M seek=512 conv=notrunc status=none
head -c 32M /dev/zero | dd of=sample.raw bs=1M seek=1024 conv=notrunc status=none
qemu-img convert -f raw -O vmdk -o subformat=monolithicSparse,adapter_type=lsilogic \
  sample.raw web01.vmdk
rm -f sample.raw
ls -lsh web01.vmdk

step "ferry info web01.vmdk"
"$ferry" info web01.vmdk

step "ferry map web01.vmdk"
"$ferry" map web01.vmdk

step "ferry convert -p -O qcow2 web01.vmdk web01.qcow2"
rm -f web01.qcow2
"$ferry" convert -p -O qcow2 web01.vmdk web01.qcow2

step "ferry info web01.qcow2"
"$ferry" info web01.qcow2

step "ferry compare web01.vmdk web01.qcow2"
"$ferry" compare web01.vmdk web01.qcow2

step "qemu-img check web01.qcow2 (an independent opinion)"
qemu-img check web01.qcow2

printf '\nThe converted disk is %s/web01.qcow2\n' "$work"
