/* test_qcow2_write_resume_after_reopen: an image written, closed and reopened for writing (a resumed copy) stays consistent. */
#include "qcow2test.h"

int
main (void)
{
  const uint64_t size = 32ULL << 20;
  uint8_t *mirror = calloc (1, size);
  struct disk *d;

  test_init (true);
  qt_create ("resume.qcow2", size, 65536);
  d = qt_open_write ("resume.qcow2");
  for (uint64_t off = 0; off < size / 2; off += 1 << 20)
    qt_mirror_write (d, mirror, off, 1 << 20, off + 1);
  disk_close (d);
  CHECK (qt_check ("resume.qcow2") == 0);
  d = qt_open_write ("resume.qcow2");
  for (uint64_t off = size / 4; off < size; off += 1 << 20)
    qt_mirror_write (d, mirror, off, 1 << 20, off + 2);
  disk_close (d);
  qt_verify_written ("resume.qcow2", mirror, size);
  free (mirror);
  return 0;
}
