/* test_qcow2_create_passes_qemu_img_check: a freshly created image (several sizes and cluster sizes) passes qemu-img check and has the right virtual size. */
#include "qcow2test.h"

int
main (void)
{
  static const uint32_t cs[] = { 0, 512, 4096, 65536, 2097152 };
  static const uint64_t sizes[] = { 0, 1 << 20, 3000832, 10ULL << 30 };

  test_init (true);
  for (size_t i = 0; i < sizeof cs / sizeof cs[0]; i++)
    for (size_t j = 0; j < sizeof sizes / sizeof sizes[0]; j++) {
      struct disk_create_options o = { .size = sizes[j], .cluster_size = cs[i] };
      struct disk *d;
      int r;

      CHECK (qt_create_with ("new.qcow2", &o) == 0);
      r = qt_check ("new.qcow2");
      if (r != 0)
        FAIL ("cluster size %u size %" PRIu64 ": qemu-img check gave %d", cs[i], sizes[j], r);
      test_run ("qemu-img info new.qcow2 | grep -q 'virtual size:.*(%" PRIu64 " bytes)'", sizes[j]);
      d = test_open ("new.qcow2");
      CHECK (d->size == sizes[j]);
      disk_close (d);
    }
  return 0;
}
