/* test_qcow2_create_passes_qemu_img_check: a freshly created image (several sizes and cluster sizes) passes qemu-img check and has the right virtual size. */
#include "helpers.h"

int
main (void)
{
  static const uint32_t cs[] = { 0, 512, 4096, 65536, 2097152 };
  static const uint64_t sizes[] = { 0, 1 << 20, 3000832, 10ULL << 30 };

  test_init ();
  for (size_t i = 0; i < sizeof cs / sizeof cs[0]; i++)
    for (size_t j = 0; j < sizeof sizes / sizeof sizes[0]; j++) {
      const char *img = tpath ("new.qcow2");
      struct disk_create_options o = { .size = sizes[j], .cluster_size = cs[i] };
      struct disk *d;
      int r;

      CHECK (disk_create ("qcow2", img, &o) == 0);
      r = qemu_img_check (img);
      if (r != 0)
        FAIL ("cluster size %u size %" PRIu64 ": qemu-img check gave %d", cs[i], sizes[j], r);
      RUN ("qemu-img info '%s' | grep -q 'virtual size:.*(%" PRIu64 " bytes)'", img, sizes[j]);
      d = disk_open (img, NULL, 0);
      CHECK (d != NULL && d->size == sizes[j]);
      disk_close (d);
    }
  return 0;
}
