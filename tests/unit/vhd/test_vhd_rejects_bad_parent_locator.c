/* Parent locators with data past the end of the file, an absurd length,
 * or a data space smaller than their length are refused. */
#include "vhdtest.h"

static void
make (const char *name)
{
  struct vhdgen *g = vhdtest_child_new (1, 2);

  vhdgen_add_locator (g, "W2ru", ".\\base.vhd");
  vhdgen_save (g, name);
  vhdgen_free (g);
}

int
main (void)
{
  const uint64_t loc = VHD_HEADER_AT + VHD_HEADER_LOCATORS;

  test_init (false);
  vhdtest_make_base ("base.vhd", 1);

  make ("c.vhd");
  test_patch_be64 ("c.vhd", loc + 16, test_file_size ("c.vhd") - 4);
  vhdgen_fix_header_checksum ("c.vhd");
  test_expect_open_fails ("c.vhd", NULL, 0,
                          "parent locator 0 (W2ru) points past end of file");

  make ("c.vhd");
  test_patch_be64 ("c.vhd", loc + 16, UINT64_MAX - 8);
  vhdgen_fix_header_checksum ("c.vhd");
  test_expect_open_fails ("c.vhd", NULL, 0, "points past end of file");

  make ("c.vhd");
  test_patch_be32 ("c.vhd", loc + 4, 0x7fffffff);
  test_patch_be32 ("c.vhd", loc + 8, 0x7fffffff);
  vhdgen_fix_header_checksum ("c.vhd");
  test_expect_open_fails ("c.vhd", NULL, 0, "bytes long");

  make ("c.vhd");
  test_patch_be32 ("c.vhd", loc + 4, 0);
  vhdgen_fix_header_checksum ("c.vhd");
  test_expect_open_fails ("c.vhd", NULL, 0, "data space");

  make ("c.vhd");                             /* untouched: opens */
  vhdtest_expect_chain ("c.vhd", "base.vhd", 1, 2);
  return 0;
}
