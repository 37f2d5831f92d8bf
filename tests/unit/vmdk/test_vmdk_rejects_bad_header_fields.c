/* Each damaged sparse header field is refused with a message naming it. */
#include "vmdktest.h"

struct damage {
  uint64_t offset;
  unsigned width;               /* 4 or 8, or 1 for one byte */
  uint64_t value;
  const char *want;
};

int
main (void)
{
  static const struct damage damages[] = {
    { 4, 4, 4, "version" },                       /* version 4 */
    { 4, 4, 0, "version" },
    { VT_HDR_GTES_PER_GT, 4, 0, "entries per grain table" },
    { VT_HDR_GTES_PER_GT, 4, 0x7fffffff, "entries per grain table" },
    { VT_HDR_CAPACITY, 8, UINT64_C (1) << 60, "capacity" },
    { VT_HDR_CAPACITY, 8, UINT64_MAX, "capacity" },
    { VT_HDR_DESC_SIZE, 8, 1 << 20, "embedded descriptor" },
    { VT_HDR_DESC_OFFSET, 8, UINT64_C (1) << 56, "embedded descriptor" },
    { VT_HDR_GD_OFFSET, 8, 0, "grain directory" },
    { 75, 1, '\n', "text-mode" },                 /* newline test chars */
    { 77, 4, 7, "compression" },                  /* compressAlgorithm 7 */
  };

  test_init (true);
  test_run ("qemu-img create -f vmdk d.vmdk 8M");
  for (size_t i = 0; i < sizeof damages / sizeof damages[0]; i++) {
    const struct damage *dm = &damages[i];
    uint8_t byte = dm->value;

    test_run ("cp d.vmdk bad.vmdk");
    if (dm->width == 8)
      test_patch_le64 ("bad.vmdk", dm->offset, dm->value);
    else if (dm->width == 4)
      test_patch_le32 ("bad.vmdk", dm->offset, dm->value);
    else
      test_patch ("bad.vmdk", dm->offset, &byte, 1);
    test_expect_open_fails ("bad.vmdk", "vmdk", 0, dm->want);
  }
  /* Not a sparse file and far too large for a descriptor. */
  test_run ("truncate -s 4M big.vmdk");
  test_expect_open_fails ("big.vmdk", "vmdk", 0, "too large");
  return 0;
}
