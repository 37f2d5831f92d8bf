/* storage.h: proof that two libvirt hosts (or this machine and a libvirt
 * daemon) open the same files.
 *
 * A volume with the same path on both sides proves nothing: two hosts
 * whose local pools each hold a clone of web.qcow2 show the same path and
 * different disks.  Storage counts as shared only when
 *   - both hosts hold the file in network pools (netfs, iscsi,
 *     iscsi-direct, rbd, gluster, sheepdog) with the same source (type,
 *     hosts, export directory, device, name), or
 *   - a marker volume with a random name, made in the source's pool
 *     through libvirt, appears at the same path on the other host after a
 *     refresh of its pool (and is removed again).
 *
 * Must never: leave a marker behind, or touch any volume but its own
 * marker.  Library code: errors through util/error.h.
 */
#ifndef FERRY_HOST_STORAGE_H
#define FERRY_HOST_STORAGE_H

#include <stddef.h>

#include <libvirt/libvirt.h>

/* A file name no one else uses: "ferry-marker-" and 32 random hex digits
 * (buf of at least HOST_MARKER_NAME_LEN bytes).  0, or -1 with the error
 * set. */
#define HOST_MARKER_NAME_LEN 48
int host_marker_name (char *buf);

/* The source of a storage pool, from its XML (name labels errors): for a
 * network pool "TYPE HOSTS DIR DEVICE NAME FORMAT" in *source (malloc'd;
 * two pools with the same one hold the same volumes), NULL for a pool of
 * local storage.  0, or -1 with the error set. */
int host_pool_source (const char *xml, const char *name, char **source);

/* Whether host src (named src_name) and host dst (dst_name) open the same
 * file at path: HOST_STORAGE_SHARED (proven), HOST_STORAGE_NOT_SHARED
 * (proven not: the marker did not appear), HOST_STORAGE_UNKNOWN (no proof
 * either way: no pool holds the file on one side, or no marker can be
 * made), each with *why (malloc'd) saying how or why; -1 with the error
 * set.  Pools of both hosts should have been refreshed
 * (host_refresh_pools). */
enum host_storage_verdict {
  HOST_STORAGE_NOT_SHARED = 0,
  HOST_STORAGE_SHARED = 1,
  HOST_STORAGE_UNKNOWN = 2,
};
int host_storage_shared (virConnectPtr src, const char *src_name,
                         virConnectPtr dst, const char *dst_name,
                         const char *path, char **why);

#endif
