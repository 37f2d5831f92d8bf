/* Descriptor files that are not valid text descriptors are refused with a
 * line number; binary junk forced through the vmdk driver is refused. */
#include "helpers.h"

int
main (void)
{
  static uint8_t junk[8192];

  th_init (false);
  th_write_text ("a.vmdk",
                 "# Disk DescriptorFile\n"
                 "createType=\"monolithicFlat\"\n"
                 "this line means nothing\n");
  th_expect_open_fails ("a.vmdk", NULL, "line 3");
  th_write_text ("b.vmdk",
                 "# Disk DescriptorFile\n"
                 "createType=\"monolithicFlat\n");
  th_expect_open_fails ("b.vmdk", NULL, "unterminated quote");
  th_write_text ("c.vmdk",
                 "# Disk DescriptorFile\n"
                 "createType=\"monolithicFlat\"\n"
                 "RW 100 BOGUS \"x\"\n");
  th_expect_open_fails ("c.vmdk", NULL, "unknown extent type");
  th_write_text ("d.vmdk",
                 "# Disk DescriptorFile\n"
                 "createType=\"monolithicFlat\"\n");
  th_expect_open_fails ("d.vmdk", NULL, "no extents");
  for (size_t i = 0; i < sizeof junk; i++)
    junk[i] = (uint8_t) (i * 131 + 7);
  th_write_file ("e.vmdk", junk, sizeof junk);
  th_expect_open_fails ("e.vmdk", "vmdk", "e.vmdk");
  th_write_file ("f.vmdk", "", 0);
  th_expect_open_fails ("f.vmdk", "vmdk", "f.vmdk");
  return 0;
}
