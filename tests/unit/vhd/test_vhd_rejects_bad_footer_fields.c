/* Footer fields out of range, each with a valid checksum: unknown disk
 * type, unsupported version, a size over the 2040 GiB the format allows,
 * and a dynamic header offset past the end of the file. */
#include "vhdtest.h"

static void
patch_both (const char *name, uint64_t field, uint64_t v, int bytes)
{
  uint64_t tail = test_file_size (name) - 512;

  if (bytes == 4) {
    test_patch_be32 (name, field, v);
    test_patch_be32 (name, tail + field, v);
  }
  else {
    test_patch_be64 (name, field, v);
    test_patch_be64 (name, tail + field, v);
  }
  vhdgen_fix_footer_checksums (name);
}

int
main (void)
{
  test_init (true);
  test_run ("qemu-img create -f vpc -o force_size=on d.vhd 8M");
  test_run ("cp d.vhd orig.vhd");

  patch_both ("d.vhd", VHD_FOOTER_DISK_TYPE, 5, 4);
  test_expect_open_fails ("d.vhd", NULL, 0, "disk type 5");

  test_run ("cp orig.vhd d.vhd");
  patch_both ("d.vhd", 12, 0x00020000, 4);
  test_expect_open_fails ("d.vhd", NULL, 0, "unsupported file format");

  test_run ("cp orig.vhd d.vhd");
  patch_both ("d.vhd", VHD_FOOTER_CURRENT_SIZE, UINT64_C (4) << 40, 8);
  test_expect_open_fails ("d.vhd", NULL, 0, "2040 GiB");

  test_run ("cp orig.vhd d.vhd");
  patch_both ("d.vhd", VHD_FOOTER_DATA_OFFSET, UINT64_MAX - 100, 8);
  test_expect_open_fails ("d.vhd", NULL, 0, "past end of file");
  return 0;
}
