/* overlaytest.h: what the overlay tests share (convert/overlay.h).
 *
 * A 4 MiB base (raw or qcow2, made by qemu-img/qemu-io) full of pattern
 * data, an overlay on it, and a set of changes written into the overlay
 * through ferry's qcow2 driver: data inside one cluster, data across
 * clusters, whole clusters zeroed where the base holds data (zero clusters
 * in the overlay), a partial zero and a write at the very end.  What the
 * guest must see after a commit is the overlay's view, as qemu-img
 * converts it (the oracle), saved as view.raw before the commit.
 */
#ifndef FERRY_TESTS_OVERLAYTEST_H
#define FERRY_TESTS_OVERLAYTEST_H

#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#include "convert/overlay.h"
#include "copy/hash.h"
#include "imagetest.h"

#define OT_SIZE (4u << 20)
#define OT_CLUSTER 65536u
/* Whole clusters zeroed in the overlay over base data. */
#define OT_ZERO_OFFSET (2u << 20)
#define OT_ZERO_LENGTH (3 * OT_CLUSTER)

/* base.<format>: OT_SIZE of data, 0x77 then 0x5a. */
static inline const char *
ot_make_base (const char *format)
{
  const char *name = test_printf ("base.%s", format);

  test_run ("qemu-img create -q -f %s %s %u", format, name, OT_SIZE);
  test_run ("qemu-io -f %s -c 'write -P 0x77 0 2M' -c 'write -P 0x5a 2M 2M' "
            "%s >/dev/null", format, name);
  return name;
}

static inline void
ot_write (struct disk *d, uint64_t off, size_t len, uint64_t seed)
{
  uint8_t *buf = malloc (len);

  CHECK (buf != NULL);
  test_fill_pattern (buf, len, seed);
  if (disk_pwrite (d, buf, len, off) == -1)
    FAIL ("disk_pwrite at %" PRIu64 ": %s", off, error_message ());
  free (buf);
}

/* The changes, written into overlay.qcow2 through ferry's qcow2 driver
 * (with its backing chain open, for the copy-on-write of partial
 * clusters). */
static inline void
ot_change_overlay (void)
{
  char *path = test_path ("overlay.qcow2");
  struct disk *d = disk_open (path, "qcow2", DISK_OPEN_WRITE);

  if (d == NULL)
    FAIL ("open overlay: %s", error_message ());
  ot_write (d, 1000, 3000, 1);                          /* inside a cluster */
  ot_write (d, OT_CLUSTER - 100, 2 * OT_CLUSTER, 2);    /* across clusters */
  CHECK (disk_zero (d, OT_ZERO_OFFSET, OT_ZERO_LENGTH) == 0);
  CHECK (disk_zero (d, OT_ZERO_OFFSET + 4 * OT_CLUSTER + 10, 500) == 0);
  ot_write (d, OT_SIZE - 512, 512, 3);                  /* the last sector */
  CHECK (disk_flush (d) == 0);
  disk_close (d);
  free (path);
}

/* The same changes written by QEMU (as guest adaptation's tools write
 * them: libguestfs runs QEMU on the overlay); the zeroed clusters must
 * then be zero clusters of the overlay too. */
static inline void
ot_change_overlay_with_qemu (void)
{
  char *path = test_path ("overlay.qcow2");
  struct disk *d;
  struct extent e;

  test_run ("qemu-io -f qcow2 -c 'write -P 0x31 1000 3000' "
            "-c 'write -P 0x32 %u %u' -c 'write -z %u %u' "
            "-c 'write -z %u 500' -c 'write -P 0x33 %u 512' overlay.qcow2 "
            ">/dev/null", OT_CLUSTER - 100, 2 * OT_CLUSTER, OT_ZERO_OFFSET,
            OT_ZERO_LENGTH, OT_ZERO_OFFSET + 4 * OT_CLUSTER + 10,
            OT_SIZE - 512);
  d = disk_open (path, "qcow2", DISK_OPEN_NO_BACKING);
  CHECK (d != NULL);
  e = test_status_at (d, OT_ZERO_OFFSET, OT_ZERO_LENGTH);
  CHECK (e.type == EXTENT_ZERO && e.length == OT_ZERO_LENGTH);
  disk_close (d);
  free (path);
}

/* The changes, by ferry's driver or (writer "qemu") by QEMU. */
static inline void
ot_change_overlay_by (const char *writer)
{
  if (strcmp (writer, "qemu") == 0)
    ot_change_overlay_with_qemu ();
  else
    ot_change_overlay ();
}

/* The base, opened read-only. */
static inline struct disk *
ot_open_base (const char *base, const char *format)
{
  char *path = test_path (base);
  struct disk *d = disk_open (path, format, 0);

  if (d == NULL)
    FAIL ("open %s: %s", base, error_message ());
  free (path);
  return d;
}

static inline void
ot_digest (const char *name, const char *format,
           uint8_t digest[HASH_DIGEST_SIZE])
{
  struct disk *d = ot_open_base (name, format);

  CHECK (hash_disk (d, 1, NULL, NULL, digest) == 0);
  disk_close (d);
}

/* After a commit: the base reads as the overlay's view did (qemu-img
 * compare, the oracle; and ferry's digest), a qcow2 base passes qemu-img
 * check, the overlay is gone. */
static inline void
ot_expect_committed (const char *base, const char *format)
{
  uint8_t want[HASH_DIGEST_SIZE], got[HASH_DIGEST_SIZE];

  CHECK (access (test_printf ("%s/overlay.qcow2", test_dir ()), F_OK) == -1);
  test_run ("qemu-img compare -q -f %s -F raw %s view.raw", format, base);
  if (strcmp (format, "qcow2") == 0)
    test_run ("qemu-img check -q %s", base);
  ot_digest ("view.raw", "raw", want);
  ot_digest (base, format, got);
  CHECK (memcmp (want, got, HASH_DIGEST_SIZE) == 0);
}

#endif
