/* disk.h: the image layer's one driver interface and its generic chain code.
 *
 * A `struct disk` is one open layer (one image file, with whatever extent
 * files it references).  Layers are linked through `backing` into a chain;
 * the top layer is what callers hold.  Drivers only ever answer for their
 * own layer; everything that crosses layers (reading through holes, deciding
 * which layer holds a range) is done once, here, in disk.c.
 *
 * Driver contract (every driver, every callback):
 *  - every on-disk field is hostile: check ranges before using or allocating;
 *    errors go through error_set() with "<driver>: <file>: what and why";
 *  - never write to a layer opened read-only, never write to a backing file;
 *  - pread and block_status may be called from several threads at once;
 *    drivers lock their own caches.  pwrite/zero may also be called from
 *    several threads, for ranges that do not share a `write_align` block.
 *
 * Block status (per layer):
 *    EXTENT_DATA         this layer holds data for the range (read it)
 *    EXTENT_ZERO         this layer says the range reads as zeros
 *    EXTENT_UNALLOCATED  this layer has nothing: look in the backing layer
 *                        (reads as zeros when there is none)
 *
 * pread is called only for ranges that block_status reported as
 * EXTENT_DATA in that layer (possibly several adjacent extents at once).
 */
#ifndef FERRY_DISK_DISK_H
#define FERRY_DISK_DISK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* Bytes handed to probe callbacks (fewer when the file is smaller). */
#define DISK_PROBE_SIZE 4096
/* Bytes from the end of the file handed to probe_tail callbacks. */
#define DISK_PROBE_TAIL_SIZE 512
/* Longest backing chain ferry follows; deeper is treated as a loop. */
#define DISK_MAX_CHAIN 64

enum extent_type {
  EXTENT_DATA,
  EXTENT_ZERO,
  EXTENT_UNALLOCATED,
};

struct extent {
  uint64_t offset;
  uint64_t length;
  enum extent_type type;
  /* Chain-level answers only: which layer decided (0 = top).  For ranges
   * unallocated in every layer, the depth of the bottom layer. */
  unsigned depth;
};

struct disk_create_options {
  uint64_t size;               /* virtual size in bytes */
  uint32_t cluster_size;       /* 0 = the driver's default */
  const char *backing_file;    /* recorded as given; NULL = none */
  const char *backing_format;  /* NULL = not recorded */
};

struct disk;

struct disk_driver {
  const char *name;

  /* Score the first bytes of a file: 0 = not this format, 100 = certain.
   * Content only, never the file name. */
  int (*probe) (const uint8_t *buf, size_t len, uint64_t file_size);
  /* Optional: score the last bytes of the file, for formats whose only
   * signature is a footer (fixed VHD).  The higher of the two scores
   * counts. */
  int (*probe_tail) (const uint8_t *tail, size_t len, uint64_t file_size);

  /* Parse the layer.  disk->fd, ->path, ->writable and the file window
   * are set; set ->size, ->priv, and ->backing_path/->backing_format when
   * the layer has one.  On failure free the driver's own state and return
   * -1; the generic code frees backing_path and backing_format. */
  int (*open) (struct disk *disk);
  void (*close) (struct disk *disk);

  int (*pread) (struct disk *disk, void *buf, size_t count, uint64_t offset);
  /* Describe the range starting at offset: fill *out with offset, a length
   * in (0, length] and a type.  Merge as far as is cheap. */
  int (*block_status) (struct disk *disk, uint64_t offset, uint64_t length,
                       struct extent *out);

  /* Optional (NULL = read-only format). */
  int (*pwrite) (struct disk *disk, const void *buf, size_t count,
                 uint64_t offset);
  int (*zero) (struct disk *disk, uint64_t offset, uint64_t length);
  int (*flush) (struct disk *disk);
  int (*create) (const char *path, const struct disk_create_options *opts);

  /* Optional: add format-specific fields to obj (for `ferry info`). */
  int (*info) (struct disk *disk, json_t *obj);
  /* Optional: host bytes used by the layer and its extent files;
   * NULL = blocks of disk->fd. */
  int64_t (*allocated_bytes) (struct disk *disk);
  /* Optional: check that `backing` is the layer this one was made on
   * (VMDK parentCID).  Called after the backing layer is opened. */
  int (*check_backing) (struct disk *disk, struct disk *backing);
};

struct disk {
  const struct disk_driver *driver;
  char *path;              /* as given to disk_open, or resolved backing path */
  int fd;                  /* the main file (-1: none, an NBD export);
                              drivers read it only with
                              disk_file_pread/_size/_extent (the window) */
  uint64_t file_base;      /* the window of fd holding the image: its */
  uint64_t file_length;    /* first byte, and its length (0 = whole file) */
  bool writable;
  uint64_t size;           /* guest-visible size in bytes */
  uint32_t write_align;    /* concurrent writers must not share such a block */
  char *backing_path;      /* reference as stored in the layer, or NULL */
  char *backing_format;    /* as stored, or NULL (probed) */
  struct disk *backing;    /* next layer down, or NULL */
  unsigned depth;          /* 0 = top */
  void *priv;              /* the driver's state */
};

/* Flags for disk_open. */
#define DISK_OPEN_WRITE      1u  /* open the top layer read-write */
#define DISK_OPEN_NO_BACKING 2u  /* do not follow the backing chain */

/* Registered drivers, in probe order; NULL-terminated. */
extern const struct disk_driver *const disk_drivers[];
const struct disk_driver *disk_driver_find (const char *name);

/* Open an image and its backing chain.  format NULL = probe by content. */
struct disk *disk_open (const char *path, const char *format, unsigned flags);
/* Open one read-only layer whose file is the byte range [base, base +
 * length) of the file at path (an image stored inside an archive, such as a
 * disk in an OVA): the driver sees that range as the whole file.  No
 * backing file is followed, and a layer that would open other files
 * (a VMDK descriptor naming extents) is refused.  length 0 means the whole
 * file (base must then be 0).  format NULL = probe by content. */
struct disk *disk_open_window (const char *path, uint64_t base,
                               uint64_t length, const char *format,
                               unsigned flags);
/* Close the whole chain. */
void disk_close (struct disk *top);

/* Create an image with the named format's create callback. */
int disk_create (const char *format, const char *path,
                 const struct disk_create_options *opts);

/* Chain-aware block status and read.  *out->depth says which layer. */
int disk_block_status (struct disk *top, uint64_t offset, uint64_t length,
                       struct extent *out);
int disk_pread (struct disk *top, void *buf, size_t count, uint64_t offset);
/* Read a range that disk_block_status reported as EXTENT_DATA at `depth`. */
int disk_pread_layer (struct disk *top, unsigned depth, void *buf,
                      size_t count, uint64_t offset);

/* Write side: top layer only. */
int disk_pwrite (struct disk *top, const void *buf, size_t count,
                 uint64_t offset);
int disk_zero (struct disk *top, uint64_t offset, uint64_t length);
int disk_flush (struct disk *top);

/* The layer at `depth` (0 = top), or NULL. */
struct disk *disk_layer (struct disk *top, unsigned depth);
int64_t disk_allocated_bytes (struct disk *layer);

/* Helpers for drivers. */

/* A read-only layer with no file behind it (fd -1), named path, driven by
 * driver: how disk_open starts a layer, and how a driver that reads no
 * file (nbd.c) makes its disk.  The caller sets ->size and ->priv;
 * disk_close frees it (calling driver->close once priv is set).  NULL with
 * the error set. */
struct disk *disk_new (const struct disk_driver *driver, const char *path);

/* A driver's only way to its layer's main file (disk->fd).  Offsets are
 * relative to the window (disk->file_base); a read that would run past the
 * window's end fails with "unexpected end of file", as a read past the end
 * of a whole file does.  Nothing in a driver may bypass it.  Extent and
 * parent files that a driver opens itself are whole files and are read with
 * io_pread_full.  Writes go through io.h's wrappers, where the fault layer
 * (util/fault.h) injects write and sync failures; reads are not faulted
 * yet. */
int disk_file_pread (struct disk *disk, void *buf, size_t count,
                     uint64_t offset);
/* Size of the layer's main file: the window's length, or the file's size
 * (a block device's size).  -1 with the error set on failure. */
int64_t disk_file_size (struct disk *disk);
/* Which bytes of the main file at [offset, offset + length) hold data
 * (SEEK_DATA/SEEK_HOLE inside the window): fills out->offset = offset,
 * out->length in (0, length] and EXTENT_DATA or EXTENT_ZERO (a hole, or
 * past the end of the file).  File systems without SEEK_DATA say DATA. */
int disk_file_extent (struct disk *disk, uint64_t offset, uint64_t length,
                      struct extent *out);
/* Whether the layer's file is a window of a larger file. */
static inline bool
disk_is_window (const struct disk *disk)
{
  return disk->file_length != 0;
}
/* Open a file named inside a layer (extent, parent): relative names are
 * resolved against the directory of disk->path.  Returns a malloc'd path. */
char *disk_resolve_path (const struct disk *disk, const char *name);
/* Whether [offset, offset+count) fits in the disk; sets the error if not. */
int disk_check_range (const struct disk *disk, uint64_t offset,
                      uint64_t count);

#endif
