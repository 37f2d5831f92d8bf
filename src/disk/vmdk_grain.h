/* vmdk_grain.h: the grain-table walk (vmdk_grain.c) as vmdk.c's dispatch
 * calls it, for an extent of any grain-table kind once open.  Nothing
 * outside the VMDK driver includes it.
 */
#ifndef FERRY_DISK_VMDK_GRAIN_H
#define FERRY_DISK_VMDK_GRAIN_H

#include <stddef.h>
#include <stdint.h>

#include "disk/disk.h"
#include "disk/vmdk_extent.h"

/* Block status at rel of the extent ([rel, rel + length) inside it): the
 * type of the grain there and how far it runs (a bounded number of grains
 * are merged).  0, or -1 with the error set. */
int vmdk_grain_block_status (struct vmdk_layer *l, struct vmdk_extent *ext,
                             uint64_t rel, uint64_t length,
                             struct extent *out);
/* Read count bytes at rel of the extent; unallocated and zeroed grains
 * read as zeros.  0, or -1 with the error set. */
int vmdk_grain_pread (struct vmdk_layer *l, struct vmdk_extent *ext,
                      uint8_t *buf, size_t count, uint64_t rel);

#endif
