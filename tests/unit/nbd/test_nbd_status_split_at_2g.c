/* On a 6 GiB disk, no block status request asks for more than
 * NBD_DISK_STATUS_MAX (2 GiB): an answer stops where its request ended
 * even when the server's extent goes on; and the walks over the whole
 * disk merge what consecutive requests return, so a range written across
 * the 2 GiB boundary comes back as one. */
#include "nbdtest.h"

#define G (1ull << 30)
#define K (1ull << 10)

int
main (void)
{
  const struct range written[] = {
    { 0, 64 * K },
    { 2 * G - 64 * K, 128 * K },
    { 5 * G, 64 * K },
  };
  range_vector got = empty_vector, whole = empty_vector,
               data = empty_vector, zero = empty_vector;
  const char *uri;
  struct disk *d;

  nt_init ();
  test_run ("qemu-img create -q -f qcow2 big.qcow2 6G");
  test_run ("qemu-img bitmap --add big.qcow2 b0");
  test_run ("qemu-io -f qcow2 -c 'write -P 0x11 0 64K' "
            "-c 'write -P 0x22 %" PRIu64 " 128K' -c 'write -P 0x33 5G 64K' "
            "big.qcow2 >/dev/null", (uint64_t) (2 * G - 64 * K));
  uri = nt_serve_qemu ("nbd.sock", "big.qcow2", "b0");
  d = nt_open (uri, "qemu:dirty-bitmap:b0");
  CHECK (d->size == 6 * G);

  CHECK (nbd_disk_context_extents (d, "qemu:dirty-bitmap:b0", 1, &got) == 0);
  nt_expect_ranges ("dirty bitmap", &got, written, NT_NR (written));

  CHECK (range_vector_append (&whole, (struct range) { 0, 6 * G }) == 0);
  CHECK (nbd_disk_split_zero (d, &whole, &data, &zero) == 0);
  nt_expect_ranges ("data", &data, written, NT_NR (written));
  CHECK (zero.len == 3);
  CHECK (range_bytes (zero.ptr, zero.len) == 6 * G - 256 * K);

  /* Asked from 64K to the end, qemu-nbd would say zero up to 2G-64K; from
   * 2G+64K, zero up to 5G — but the request ends after 2 GiB. */
  test_expect_status (d, 64 * K, 6 * G - 64 * K, EXTENT_ZERO,
                      2 * G - 128 * K);
  test_expect_status (d, 2 * G - 64 * K, 4 * G, EXTENT_DATA, 128 * K);
  test_expect_status (d, 2 * G + 64 * K, 4 * G - 64 * K, EXTENT_ZERO, 2 * G);
  test_expect_status (d, 4 * G + 64 * K, 2 * G - 64 * K, EXTENT_ZERO,
                      G - 64 * K);
  test_expect_status (d, 6 * G - 4096, 4096, EXTENT_ZERO, 4096);
  test_expect_bytes (d, 0, 64 * K, 0x11);
  test_expect_bytes (d, 2 * G - 64 * K, 128 * K, 0x22);
  test_expect_bytes (d, 5 * G, 64 * K, 0x33);
  test_expect_bytes (d, 5 * G + 64 * K, 64 * K, 0);

  range_vector_reset (&got);
  range_vector_reset (&whole);
  range_vector_reset (&data);
  range_vector_reset (&zero);
  disk_close (d);
  return 0;
}
