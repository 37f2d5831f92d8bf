/* Splitting the dirty ranges by base:allocation puts the range written
 * with zeros (qemu-io write -z) in zero and every range written with data
 * in data, merged; ranges past the end of the disk are refused. */
#include "nbdtest.h"

int
main (void)
{
  range_vector dirty = empty_vector, data = empty_vector,
               zero = empty_vector;
  const char *uri;
  struct disk *d;

  nt_init ();
  nt_make_image ();
  uri = nt_serve_qemu ("nbd.sock", "test.qcow2", "b0");
  d = nt_open (uri, "qemu:dirty-bitmap:b0");
  CHECK (nbd_disk_context_extents (d, "qemu:dirty-bitmap:b0", 1, &dirty)
         == 0);
  CHECK (nbd_disk_split_zero (d, &dirty, &data, &zero) == 0);
  nt_expect_ranges ("data", &data, nt_data, NT_NR (nt_data));
  nt_expect_ranges ("zero", &zero, &nt_zeroed, 1);

  /* the whole disk, cut into two adjacent ranges inside the 40 MiB of
   * data: the two halves come back as one */
  dirty.len = 0;
  data.len = 0;
  zero.len = 0;
  CHECK (range_vector_append (&dirty, (struct range) { 0, 20ull << 20 })
         == 0);
  CHECK (range_vector_append (&dirty, (struct range) {
           20ull << 20, NT_SIZE - (20ull << 20) }) == 0);
  CHECK (nbd_disk_split_zero (d, &dirty, &data, &zero) == 0);
  nt_expect_ranges ("data of the whole disk", &data, nt_data,
                    NT_NR (nt_data));
  CHECK (zero.len == NT_NR (nt_data));   /* the zeroed MiB joins a gap */
  CHECK (range_bytes (zero.ptr, zero.len)
         == NT_SIZE - range_bytes (nt_data, NT_NR (nt_data)));

  dirty.len = 0;
  CHECK (range_vector_append (&dirty, (struct range) {
           NT_SIZE - 4096, 8192 }) == 0);
  error_clear ();
  CHECK (nbd_disk_split_zero (d, &dirty, &data, &zero) == -1);
  CHECK (strstr (error_message (), "past the end of the disk") != NULL);

  range_vector_reset (&dirty);
  range_vector_reset (&data);
  range_vector_reset (&zero);
  disk_close (d);
  return 0;
}
