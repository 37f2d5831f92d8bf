/* test_qcow2_write_resume_after_reopen: an image written, closed and reopened for writing (a resumed copy) stays consistent. */
#include "helpers.h"

int
main (void)
{
  const char *img;
  const uint64_t size = 32ULL << 20;
  struct disk_create_options o = { .size = size, .cluster_size = 65536 };
  uint8_t *mirror = calloc (1, size);
  struct disk *d;

  test_init ();
  img = tpath ("resume.qcow2");
  CHECK (disk_create ("qcow2", img, &o) == 0);
  d = disk_open (img, "qcow2", DISK_OPEN_WRITE);
  CHECK (d != NULL);
  for (uint64_t off = 0; off < size / 2; off += 1 << 20)
    mirror_write (d, mirror, off, 1 << 20, off + 1);
  disk_close (d);
  CHECK (qemu_img_check (img) == 0);
  d = disk_open (img, "qcow2", DISK_OPEN_WRITE);
  CHECK (d != NULL);
  for (uint64_t off = size / 4; off < size; off += 1 << 20)
    mirror_write (d, mirror, off, 1 << 20, off + 2);
  disk_close (d);
  verify_written (img, mirror, size);
  free (mirror);
  return 0;
}
