#!/bin/sh
# test_adapt_debian.sh: `ferry adapt` on a real Debian 12 guest as VMware
# leaves it (tests/guest/debian/build-debian-guest.sh --two-nics: root on
# /dev/sda1, GRUB told not to use UUIDs, an initramfs without virtio, a
# static address on ens192 (ifupdown) and on ens224 (systemd-networkd),
# open-vm-tools), checked afterwards by guestfish and the host's
# lsinitramfs, readers independent of ferry:
#
#   - --dry-run writes nothing (the image's digest is unchanged);
#   - every kernel's initramfs holds virtio_pci, virtio_blk, virtio_scsi,
#     virtio_net and ext4 (or the kernel has it built in, as the cloud
#     kernel has ext4), and the original, kept as .ferry-orig, does not;
#   - fstab and grub.cfg name the root by the UUID blkid reads, grub.cfg
#     has console=ttyS0 and no root=/dev/sdX;
#   - .link files pin ens192 and ens224 to the MACs given;
#   - open-vm-tools is gone (dpkg -s fails);
#   - the report lists every file changed, each new digest being the
#     file's SHA-256 now, and the removed package;
#   - a request it cannot carry out (one MAC for two NICs) is refused
#     before any change.
#
# The guest is a copy of the cached image (never the cache itself).
# Booting the adapted guest is test_debian_guest.sh's business.
# Exit 0 pass, 1 fail, 77 skip (a component missing: libguestfs, or
# debootstrap when no guest is cached; tests/README.md).
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
ferry=${FERRY:-$root/build/ferry}
builder="$root/tests/guest/debian/build-debian-guest.sh"
export LIBGUESTFS_BACKEND=direct LIBGUESTFS_BACKEND_SETTINGS=force_tcg
work=$(mktemp -d "${TMPDIR:-/var/tmp}/ferry-adapt-XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 1' INT TERM
failed=0

check () {
  if [ "$1" -eq 0 ]; then echo "ok $2"; else echo "FAIL $2"; failed=1; fi
}

. "$root/tests/lib/require.sh"
command -v guestfish >/dev/null ||
  skip libguestfs "guestfish is not installed (Debian: libguestfs-tools)"
command -v lsinitramfs >/dev/null ||
  skip libguestfs "lsinitramfs is not installed (Debian: initramfs-tools-core)"

# Bad arguments: one line, exit 2, nothing started.
"$ferry" adapt >"$work/out" 2>&1
[ $? -eq 2 ] && grep -q "adapt: expected at least one DISK" "$work/out"
check $? cli/no-disk
"$ferry" adapt --nic 00:50:56:zz:00:01 x.qcow2 >"$work/out" 2>&1
[ $? -eq 2 ] && grep -q "expected a MAC address (00:50:56:aa:bb:cc), got '00:50:56:zz:00:01'" "$work/out"
check $? cli/bad-mac
"$ferry" adapt --nic 00:50:56:aa:00:01@0 x.qcow2 >"$work/out" 2>&1
[ $? -eq 2 ] && grep -q "expected a PCI slot number from 1 to 65535 after '@', got '0'" "$work/out"
check $? cli/bad-slot
"$ferry" adapt "$work/missing.qcow2" >"$work/out" 2>&1
[ $? -eq 2 ] && [ "$(wc -l <"$work/out")" -eq 1 ] && grep -q "missing.qcow2" "$work/out"
check $? cli/missing-disk

[ -x "$builder" ] || { echo "FAIL $builder is missing"; exit 1; }
guest="$work/guest.qcow2"
if ! "$builder" "$guest" --two-nics >"$work/build.log" 2>&1; then
  command -v debootstrap >/dev/null ||
    skip debootstrap "debootstrap not installed (package debootstrap) and no cached guest"
  [ "$(id -u)" -eq 0 ] || skip debootstrap "debootstrap needs root and no guest is cached"
  cat "$work/build.log"
  echo "FAIL build-debian-guest"
  exit 1
fi

mac1=00:50:56:aa:00:01 mac2=00:50:56:aa:00:02

# --dry-run: inspects, writes nothing.
before=$(sha256sum <"$guest")
"$ferry" adapt --dry-run --json "$guest" >"$work/dry.json" 2>"$work/dry.err"
status=$?
[ $status -eq 0 ] || cat "$work/dry.err"
[ $status -eq 0 ] && [ "$(sha256sum <"$guest")" = "$before" ] &&
  python3 - "$work/dry.json" <<'PY'
import json, sys
os_ = json.load(open(sys.argv[1]))["os"]
assert os_["distro"] == "debian" and os_["major-version"] == 12, os_
assert os_["bootloader"]["type"] == "grub2", os_["bootloader"]
assert os_["initramfs-tool"] == "initramfs-tools"
assert os_["firmware"] == "bios" and os_["init"] == "systemd"
assert len(os_["kernels"]) == 2, os_["kernels"]
names = sorted(i["name"] for i in os_["network"]["interfaces"])
assert names == ["ens192", "ens224"], names
assert sorted(os_["network"]["styles"]) == ["ifupdown", "networkd"]
assert os_["vmware-tools"]["packages"] == ["open-vm-tools"]
PY
check $? dry-run

start=$(date +%s)
"$ferry" adapt --json --nic "$mac1@192" --nic "$mac2@224" "$guest" \
  >"$work/report.json" 2>"$work/adapt.err"
status=$?
echo "adapt took $(( $(date +%s) - start )) s"
[ $status -eq 0 ] || { cat "$work/adapt.err"; cat "$work/report.json"; }
check $status adapt
[ $status -eq 0 ] || exit 1

# Everything the guest holds now, read by guestfish in one appliance: the
# digest of every file the report names, the files checked below, the
# initramfs images (listed by the host's lsinitramfs).
mkdir "$work/boot"
python3 - "$work/report.json" "$work/boot" >"$work/fish.in" <<'PY'
import json, sys
rep = json.load(open(sys.argv[1]))
for c in rep["changes"]:
    if "path" in c:
        print("echo ==exists %s" % c["path"])
        print("exists %s" % c["path"])
        if c["new-sha256"]:
            print("echo ==sha256 %s" % c["path"])
            print("checksum sha256 %s" % c["path"])
for k in rep["os"]["kernels"]:
    print("echo ==builtin %s" % k["version"])
    print("cat /lib/modules/%s/modules.builtin" % k["version"])
    for suffix in ("", ".ferry-orig"):
        print("download %s%s %s/%s%s" % (k["initrd"], suffix, sys.argv[2],
                                         k["initrd"].split("/")[-1], suffix))
for line in ("==uuid", "vfs-uuid /dev/sda1", "==fstab", "cat /etc/fstab",
             "==grub", "cat /boot/grub/grub.cfg",
             "==link-ens192", "cat /etc/systemd/network/10-ferry-ens192.link",
             "==link-ens224", "cat /etc/systemd/network/10-ferry-ens224.link",
             "==dpkg", "sh \"dpkg -s open-vm-tools >/dev/null 2>&1 && echo installed || echo absent\"",
             "==kernels", "glob-expand /boot/vmlinuz-*"):
    print(("echo " + line) if line.startswith("==") else line)
PY
guestfish --ro -a "$guest" -i <"$work/fish.in" >"$work/fish.out" 2>"$work/fish.err"
check $? guestfish-read
[ -s "$work/fish.err" ] && cat "$work/fish.err"
for f in "$work"/boot/*; do
  lsinitramfs "$f" >"$f.list" 2>/dev/null || echo "lsinitramfs $f failed"
done

python3 - "$work/report.json" "$work/fish.out" "$work/boot" "$mac1" "$mac2" <<'PY'
import json, os, re, sys
rep = json.load(open(sys.argv[1]))
boot = sys.argv[3]
mac = {"ens192": sys.argv[4], "ens224": sys.argv[5]}
out, key = {}, None
for line in open(sys.argv[2]):
    if line.startswith("=="):
        key = line[2:].strip()
        out[key] = ""
    elif key:
        out[key] += line
failed = False
def check(ok, name, why=""):
    global failed
    print(("ok " if ok else "FAIL ") + name + ("" if ok else ": " + why))
    failed |= not ok

uuid = out["uuid"].strip()
# initramfs: the new holds the drivers, the original did not
mods = ["virtio_pci", "virtio_blk", "virtio_scsi", "virtio_net", "ext4"]
kernels = [k.strip()[len("/boot/vmlinuz-"):] for k in out["kernels"].split()]
check(len(kernels) == 2, "kernels", out["kernels"])
for v in kernels:
    new = open(os.path.join(boot, "initrd.img-%s.list" % v)).read()
    old = open(os.path.join(boot, "initrd.img-%s.ferry-orig.list" % v)).read()
    builtin = out.get("builtin " + v, "")
    for m in mods:
        check(re.search(r"/%s\.ko(\.[a-z]+)?$" % m, new, re.M) is not None
              or re.search(r"/%s\.ko$" % m, builtin, re.M) is not None,
              "initramfs/%s/%s" % (v, m),
              "neither in the new initramfs nor built into the kernel")
    check("virtio_blk" not in old, "initramfs-orig/%s" % v,
          "the original already had virtio_blk")
# fstab and grub.cfg by UUID, serial console
check(re.search(r"^UUID=%s\s+/\s" % re.escape(uuid), out["fstab"], re.M)
      is not None and "/dev/sda" not in out["fstab"], "fstab", out["fstab"])
grub = out["grub"]
check("root=UUID=%s" % uuid in grub and "root=/dev/sd" not in grub,
      "grub.cfg/uuid")
check(re.search(r"^\s*linux\s.*console=ttyS0", grub, re.M) is not None,
      "grub.cfg/console")
# names pinned
for name in ("ens192", "ens224"):
    link = out["link-" + name]
    check(re.search(r"^MACAddress=%s$" % mac[name], link, re.M) is not None
          and re.search(r"^Name=%s$" % name, link, re.M) is not None,
          "link/" + name, link)
check(out["dpkg"].strip() == "absent", "open-vm-tools-removed", out["dpkg"])
# the report: every file with its digests, as the guest holds it now
paths = {c["path"]: c for c in rep["changes"] if "path" in c}
for c in paths.values():
    exists = out["exists " + c["path"]].strip() == "true"
    if c["new-sha256"]:
        check(exists and out["sha256 " + c["path"]].strip() == c["new-sha256"],
              "report-digest" + c["path"])
    else:
        check(not exists, "report-removed" + c["path"])
    check(c["old-sha256"] != c["new-sha256"], "report-changed" + c["path"])
expected = ["/etc/fstab", "/etc/default/grub.d/ferry.cfg", "/boot/grub/grub.cfg",
            "/etc/initramfs-tools/modules",
            "/etc/systemd/network/10-ferry-ens192.link",
            "/etc/systemd/network/10-ferry-ens224.link"]
for v in kernels:
    expected += ["/boot/initrd.img-" + v, "/boot/initrd.img-%s.ferry-orig" % v]
for p in expected:
    check(p in paths, "report-lists" + p)
for v in kernels:
    orig = paths.get("/boot/initrd.img-%s.ferry-orig" % v, {})
    new = paths.get("/boot/initrd.img-" + v, {})
    check(orig.get("old-sha256") is None and orig.get("new-sha256")
          and orig.get("new-sha256") == new.get("old-sha256"),
          "report-orig-is-the-old/" + v)
check({"package": "open-vm-tools", "action": "purged"} in rep["changes"],
      "report-package")
check([s["step"] for s in rep["steps"]] ==
      ["check", "vmware-tools", "network", "devices", "console", "bootloader",
       "initramfs"] and all(s["result"] == "ok" for s in rep["steps"]),
      "report-steps", json.dumps(rep["steps"]))
sys.exit(1 if failed else 0)
PY
check $? adapted-guest

# A guest ferry cannot adapt as asked (one MAC for two NICs) is refused by
# the check step: one line, exit 2, a report without a single change.
"$ferry" adapt --json --nic "$mac1@192" --nic "$(echo $mac1 | tr a-f A-F)@224" \
  "$guest" >"$work/refused.json" 2>"$work/refused.err"
status=$?
[ $status -eq 2 ] && [ "$(wc -l <"$work/refused.err")" -eq 1 ] &&
  grep -q "^ferry: convert: check: network: MAC $mac1 given twice$" "$work/refused.err" &&
  python3 - "$work/refused.json" <<'PY'
import json, sys
rep = json.load(open(sys.argv[1]))
assert [(s["step"], s["result"]) for s in rep["steps"]] == [("check", "failed")], rep["steps"]
assert rep["changes"] == [], rep["changes"]
PY
check $? refused-before-any-change

exit $failed
