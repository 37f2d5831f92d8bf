/* nbd.h: a read-only disk served over NBD (libnbd), such as the export of
 * a running QEMU's backup job in pull mode, and the extents an NBD meta
 * context marks (a dirty bitmap: "qemu:dirty-bitmap:NAME").
 *
 * The disk is a struct disk like any image (no file behind it: fd is -1),
 * with block status from "base:allocation" and reads spread over a few
 * connections so that the mover's workers run in parallel.  Every block
 * status request asks for at most NBD_DISK_STATUS_MAX bytes, and the
 * server's extents are merged as they come, never assumed to line up with
 * the request.
 *
 * Must never: write to the export.
 */
#ifndef FERRY_DISK_NBD_H
#define FERRY_DISK_NBD_H

#include <stdint.h>

#include "disk/disk.h"
#include "util/range.h"

#define NBD_DISK_STATUS_MAX (2ull << 30)

/* Open the export at uri ("nbd+unix:///EXPORT?socket=PATH",
 * "nbd://HOST:PORT/EXPORT"), asking also for meta context `context`
 * (NULL = only base:allocation).  NULL with the error set ("nbd: URI:
 * ..."). */
struct disk *nbd_disk_open (const char *uri, const char *context);

/* Append to out the extents of [0, disk size) whose flags in `context`
 * (given at open) have any bit of `mask` set, sorted and merged. */
int nbd_disk_context_extents (struct disk *disk, const char *context,
                              uint32_t mask, range_vector *out);

/* The parts of `ranges` (sorted, disjoint) that read as zeros
 * (base:allocation's NBD_STATE_ZERO), appended to zero; the rest to data. */
int nbd_disk_split_zero (struct disk *disk, const range_vector *ranges,
                         range_vector *data, range_vector *zero);

#endif
