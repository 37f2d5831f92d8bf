/* source.h: where a VM comes from.
 *
 * A source spec names a connector and its argument: "vmx:/path/web01.vmx"
 * (a VMware VM folder), "ova:/path/web01.ova", "ovf:/path/web01.ovf".
 * Hyper-V and libvirt sources join here.  source_read() fills the VM
 * model; source_disk_open() then opens each of its disks.  A source disk
 * is never opened any other way: an image inside an OVA is a window of the
 * archive (vm_disk.file_base / file_length), and only this layer knows it.
 */
#ifndef FERRY_SOURCE_SOURCE_H
#define FERRY_SOURCE_SOURCE_H

#include "disk/disk.h"
#include "vm/vm.h"

/* Read the VM a spec names into *vm (VM_INIT).  0, or -1 with the error
 * set; an unknown kind says which kinds exist. */
int source_read (const char *spec, struct vm *vm);

/* Open, read-only, the image chain a disk of a VM read by source_read()
 * runs on.  NULL with the error set. */
struct disk *source_disk_open (const struct vm_disk *d);

#endif
