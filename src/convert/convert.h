/* convert.h: guest adaptation, the convert/ layer.
 *
 * A guest that ran on VMware is made to boot on KVM: VirtIO drivers in
 * the boot path of every kernel, disks named by UUID instead of /dev/sdX,
 * the old network interface names pinned to their MAC addresses, VMware
 * tools removed, a serial console (docs/guest-adaptation.md says what
 * each step does and why, in which order).  Everything is done through
 * libguestfs: the guest's own tools run inside its own filesystem.
 *
 * convert_inspect() only reads.  convert_adapt() writes the disks it is
 * given, in place: the caller hands it overlays or copies, commits them
 * and test-boots the guest.  It checks that it can adapt the guest (one
 * Linux OS, a GRUB bootloader) before it changes anything, and stops at
 * the first step that fails.
 *
 * The report (a JSON object):
 *   "os":      the inspection (type, distro, version, root, mountpoints,
 *              package-format, package-manager, kernels, bootloader,
 *              init, firmware, network: {styles, interfaces})
 *   "steps":   [{"step", "result": "ok"|"skipped"|"warning"|"failed",
 *              "details": [strings]}], in the order they ran
 *   "changes": [{"path", "old-sha256", "new-sha256"}] for every file
 *              written, created (old null) or removed (new null), the
 *              digests read through libguestfs; [{"package", "action"}]
 *              for every package removed.
 */
#ifndef FERRY_CONVERT_CONVERT_H
#define FERRY_CONVERT_CONVERT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

/* A guest disk, in the guest's order (the system disk first). */
struct convert_disk {
  const char *path;
  const char *format;           /* "raw", "qcow2", ...; NULL: probed by
                                   libguestfs (never for untrusted images) */
};

/* A NIC the VM had on the source, from the VM model. */
struct convert_nic {
  const char *mac;              /* "00:50:56:aa:bb:cc" */
  unsigned pci_slot;            /* VMware's ethernetN.pciSlotNumber, 0 =
                                   unknown */
};

struct convert_options {
  bool keep_vmware_tools;       /* leave open-vm-tools installed */
  bool no_serial_console;       /* do not add console=ttyS0 */
};

/* Inspect the guest on disks[0..n): *info gets the "os" object described
 * above.  0, or -1 with the error set. */
int convert_inspect (const struct convert_disk *disks, size_t n,
                     json_t **info);

/* Adapt the guest on disks[0..n) to KVM.  options may be NULL (defaults).
 * *report is set whether it succeeds or fails (NULL only when even the
 * report could not be made): on failure it says which steps ran and which
 * one failed.  0, or -1 with the error set ("convert: STEP: FILE: why"). */
int convert_adapt (const struct convert_disk *disks, size_t n,
                   const struct convert_nic *nics, size_t nr_nics,
                   const struct convert_options *options, json_t **report);

#endif
