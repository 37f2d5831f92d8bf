/* Descriptor files that are not valid text descriptors are refused with a
 * line number; binary junk forced through the vmdk driver is refused. */
#include "vmdktest.h"

int
main (void)
{
  static uint8_t junk[8192];

  test_init (false);
  vt_expect_descriptor_refused ("a.vmdk",
                                "# Disk DescriptorFile\n"
                                "createType=\"monolithicFlat\"\n"
                                "this line means nothing\n",
                                "line 3");
  vt_expect_descriptor_refused ("b.vmdk",
                                "# Disk DescriptorFile\n"
                                "createType=\"monolithicFlat\n",
                                "unterminated quote");
  vt_expect_descriptor_refused ("c.vmdk",
                                "# Disk DescriptorFile\n"
                                "createType=\"monolithicFlat\"\n"
                                "RW 100 BOGUS \"x\"\n",
                                "unknown extent type");
  vt_expect_descriptor_refused ("d.vmdk",
                                "# Disk DescriptorFile\n"
                                "createType=\"monolithicFlat\"\n",
                                "no extents");
  for (size_t i = 0; i < sizeof junk; i++)
    junk[i] = (uint8_t) (i * 131 + 7);
  test_write_file ("e.vmdk", junk, sizeof junk);
  test_expect_open_fails ("e.vmdk", "vmdk", 0, "e.vmdk");
  test_write_file ("f.vmdk", "", 0);
  test_expect_open_fails ("f.vmdk", "vmdk", 0, "f.vmdk");
  return 0;
}
