/* vmdk.h: what the VMDK driver tells callers beyond the disk interface.
 *
 * The driver itself is reached through disk_driver_vmdk (see disk.h).  This
 * header exposes the parsed text descriptor, so that other layers (the VMX
 * source, which must recognise raw device mappings before anything tries
 * to read them) and the fuzzer can use the parser on its own.
 *
 * The parser treats its input as hostile: it is bounded in size
 * (VMDK_DESCRIPTOR_MAX), reads line by line and reports errors with the
 * line number.  It never opens files.
 */
#ifndef FERRY_DISK_VMDK_H
#define FERRY_DISK_VMDK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct disk;

/* Largest descriptor text accepted, embedded or in its own file. */
#define VMDK_DESCRIPTOR_MAX (1024 * 1024)
/* parentCID value meaning "no parent". */
#define VMDK_CID_NONE 0xffffffffu

enum vmdk_access {
  VMDK_ACCESS_RW,
  VMDK_ACCESS_RDONLY,
  VMDK_ACCESS_NOACCESS,
};

enum vmdk_extent_type {
  VMDK_EXTENT_SPARSE,      /* hosted sparse file, "KDMV" header */
  VMDK_EXTENT_FLAT,        /* plain bytes at an offset in a file */
  VMDK_EXTENT_ZERO,        /* no file: reads as zeros */
  VMDK_EXTENT_VMFS,        /* ESX flat file ("-flat.vmdk") */
  VMDK_EXTENT_VMFSSPARSE,  /* ESX delta ("COWD", VMFS5 snapshots) */
  VMDK_EXTENT_VMFSRDM,     /* raw device mapping */
  VMDK_EXTENT_VMFSRAW,     /* pass-through raw device mapping */
  VMDK_EXTENT_SESPARSE,    /* ESX space-efficient sparse (VMFS6 snapshots) */
};

struct vmdk_descriptor_extent {
  enum vmdk_access access;
  uint64_t sectors;            /* length in 512-byte sectors */
  enum vmdk_extent_type type;
  char *filename;              /* as written; NULL for ZERO extents */
  uint64_t offset;             /* FLAT/VMFS: start in the file, in sectors */
  unsigned line;               /* line of the descriptor it came from */
};

/* Every "key = value" line, in order, value unquoted. */
struct vmdk_descriptor_entry {
  char *key;
  char *value;
};

struct vmdk_descriptor {
  unsigned version;            /* "version=", 0 when absent */
  bool has_cid;
  uint32_t cid;
  uint32_t parent_cid;         /* VMDK_CID_NONE when absent or none */
  char *create_type;           /* NULL when absent */
  char *parent_filename_hint;  /* NULL when absent */

  /* The disk database ("ddb."), NULL / 0 when absent. */
  char *adapter_type;
  uint32_t cylinders, heads, sectors;
  unsigned virtual_hw_version;
  char *uuid;
  char *long_content_id;

  struct vmdk_descriptor_extent *extents;
  size_t n_extents;
  struct vmdk_descriptor_entry *entries;
  size_t n_entries;
};

/* Parse descriptor text (it stops at the first NUL byte, as embedded
 * descriptors are padded with zeros).  `what` names the source in error
 * messages.  On success *out owns its strings: free it with
 * vmdk_descriptor_free.  On failure returns -1, sets the error and leaves
 * *out empty (safe to free). */
int vmdk_descriptor_parse (const char *text, size_t len, const char *what,
                           struct vmdk_descriptor *out);
/* Whether text (the start of a file) looks like a descriptor: the
 * "# Disk DescriptorFile" header after blank and comment lines, and a
 * createType key.  The text ends at the first NUL. */
bool vmdk_descriptor_probe (const char *text, size_t len);

void vmdk_descriptor_free (struct vmdk_descriptor *desc);

/* The descriptor of an open vmdk layer, or NULL when the layer is not
 * vmdk.  A sparse file without an embedded descriptor, or an ESX delta
 * extent opened on its own, gets a synthetic one (create_type NULL, one
 * SPARSE, VMFSSPARSE or SESPARSE extent, no parent).  Valid until the disk
 * is closed. */
const struct vmdk_descriptor *vmdk_get_descriptor (struct disk *disk);

/* Names as written in descriptors ("SPARSE", "RDONLY"). */
const char *vmdk_extent_type_name (enum vmdk_extent_type type);
const char *vmdk_access_name (enum vmdk_access access);

#endif
