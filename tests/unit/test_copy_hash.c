/* The mover's digest of what it copied equals hash_disk's digest of the
 * source (and of the target), over images whose data, holes and ends fall
 * on and off the 1 MiB block and 64 MiB range bounds: a raw file of odd
 * size, a qcow2 over a backing file, a streamOptimized VMDK, an empty
 * disk.  A copy of only some ranges gives no digest. */
#include <string.h>

#include "copy/copy.h"
#include "copy/hash.h"
#include "imagetest.h"

/* Copy name into a fresh raw file with `opts`; return the copy's stats
 * after checking its digest against hash_disk of the source and, when
 * the copy was whole, the target against the source. */
static struct copy_stats
copy_and_check (const char *name, struct copy_options *opts)
{
  struct disk *src = test_open (name), *dst;
  struct disk_create_options create = { .size = src->size };
  char *dst_path = test_path (test_printf ("%s.copy", name));
  uint8_t src_digest[HASH_DIGEST_SIZE], dst_digest[HASH_DIGEST_SIZE];
  struct copy_stats stats = { 0 };

  test_run ("rm -f '%s'", dst_path);
  CHECK (disk_create ("raw", dst_path, &create) == 0);
  dst = disk_open (dst_path, "raw", DISK_OPEN_WRITE);
  CHECK (dst != NULL);
  CHECK (copy_disk (src, dst, opts, &stats) == 0);
  CHECK (hash_disk (src, 2, NULL, NULL, src_digest) == 0);
  CHECK (hash_disk (dst, 2, NULL, NULL, dst_digest) == 0);
  CHECK (opts->ranges != NULL && opts->ranges[0].length < src->size
         ? memcmp (src_digest, dst_digest, HASH_DIGEST_SIZE) != 0
         : memcmp (src_digest, dst_digest, HASH_DIGEST_SIZE) == 0);
  if (stats.hashed && memcmp (stats.digest, src_digest, HASH_DIGEST_SIZE)) {
    char got[HASH_HEX_SIZE], want[HASH_HEX_SIZE];
    hash_to_hex (stats.digest, got);
    hash_to_hex (src_digest, want);
    FAIL ("%s: digest while copying %s, hash_disk %s", name, got, want);
  }
  disk_close (dst);
  disk_close (src);
  free (dst_path);
  return stats;
}

/* Whole-disk copies with several workers and request sizes: hashed. */
static void
expect_hashed (const char *name)
{
  static const size_t requests[] = { 0, 64 * 1024, 3 * 1024 * 1024 };

  for (size_t i = 0; i < sizeof requests / sizeof requests[0]; i++) {
    struct copy_options opts = {
      .target_is_zero = true, .workers = 3, .request_size = requests[i],
      .hash = true,
    };
    CHECK (copy_and_check (name, &opts).hashed);
  }
  fprintf (stderr, "ok: %s\n", name);
}

int
main (void)
{
  static uint8_t buf[3 << 20];
  uint64_t odd = (130ull << 20) + 4608;
  struct range some = { 0, 64ull << 20 };
  struct range all = { 0, odd };
  struct copy_options opts = { .target_is_zero = true, .hash = true };

  test_init (true);
  test_fill_pattern (buf, sizeof buf, 7);

  /* raw, 130 MiB + 4.5 KiB: data across the first range bound, a partial
   * block at 100 MiB + 512, an all-zero written MiB, the last bytes. */
  test_write_file ("odd.raw", "", 0);
  test_truncate ("odd.raw", odd);
  test_patch ("odd.raw", (64ull << 20) - 4096, buf, sizeof buf);
  test_patch ("odd.raw", (100ull << 20) + 512, buf, 1000);
  test_patch ("odd.raw", odd - 100, buf, 100);
  memset (buf + (1 << 20), 0, 1 << 20);
  test_patch ("odd.raw", 90ull << 20, buf + (1 << 20), 1 << 20);
  expect_hashed ("odd.raw");

  /* qcow2 over a qcow2 backing file: data at two depths, 64 KiB
   * clusters inside 1 MiB blocks. */
  test_run ("qemu-img create -q -f qcow2 base.qcow2 70M");
  test_run ("qemu-io -f qcow2 -c 'write -P 0x11 1M 3M' "
            "-c 'write -P 0x22 63M 2M' base.qcow2 >/dev/null");
  test_run ("qemu-img create -q -f qcow2 -b base.qcow2 -F qcow2 top.qcow2");
  test_run ("qemu-io -f qcow2 -c 'write -P 0x33 2M 64k' "
            "-c 'write -z 64M 64k' -c 'write -P 0x44 69M 4k' top.qcow2 "
            ">/dev/null");
  expect_hashed ("top.qcow2");

  /* streamOptimized VMDK: compressed grains, a size that is not a
   * multiple of the grain. */
  test_run ("qemu-img convert -O vmdk -o subformat=streamOptimized "
            "top.qcow2 stream.vmdk");
  expect_hashed ("stream.vmdk");

  test_write_file ("empty.raw", "", 0);
  expect_hashed ("empty.raw");

  /* Some ranges: no digest; the one range [0, size): a digest. */
  opts.ranges = &some;
  opts.nr_ranges = 1;
  CHECK (!copy_and_check ("odd.raw", &opts).hashed);
  opts.ranges = &all;
  CHECK (copy_and_check ("odd.raw", &opts).hashed);
  /* Not asked: no digest. */
  opts.ranges = NULL;
  opts.hash = false;
  CHECK (!copy_and_check ("odd.raw", &opts).hashed);
  return 0;
}
