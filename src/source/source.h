/* source.h: where a VM comes from.
 *
 * A source spec names a connector and its argument: "vmx:/path/web01.vmx"
 * (a VMware VM folder).  OVF/OVA, Hyper-V and libvirt sources join here.
 * source_read() fills the VM model; each vm->disks[i].path is then an
 * image that disk_open() can read (the chain the VM runs on).
 */
#ifndef FERRY_SOURCE_SOURCE_H
#define FERRY_SOURCE_SOURCE_H

#include "vm/vm.h"

/* Read the VM a spec names into *vm (VM_INIT).  0, or -1 with the error
 * set; an unknown kind says which kinds exist. */
int source_read (const char *spec, struct vm *vm);

#endif
