/* Grain sizes of 0, not a power of two, or absurdly large are refused. */
#include "vmdktest.h"

int
main (void)
{
  static const uint64_t sizes[] = { 0, 3, 100, 8192, UINT64_C (1) << 40,
                                    UINT64_MAX };

  test_init (true);
  test_run ("qemu-img create -f vmdk d.vmdk 8M");
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
    test_run ("cp d.vmdk bad.vmdk");
    test_patch_le64 ("bad.vmdk", VT_HDR_GRAIN_SIZE, sizes[i]);
    test_expect_open_fails ("bad.vmdk", NULL, 0, "grain size");
  }
  return 0;
}
