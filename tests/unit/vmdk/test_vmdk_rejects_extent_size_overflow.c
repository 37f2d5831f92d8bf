/* Extent sizes whose byte count or sum overflows are refused. */
#include "helpers.h"

int
main (void)
{
  th_init (false);
  th_write_text ("one.vmdk",
                 "# Disk DescriptorFile\n"
                 "createType=\"custom\"\n"
                 "RW 18446744073709551615 ZERO\n");
  th_expect_open_fails ("one.vmdk", NULL, "extent sizes add up");
  th_write_text ("sum.vmdk",
                 "# Disk DescriptorFile\n"
                 "createType=\"custom\"\n"
                 "RW 4611686018427387904 ZERO\n"
                 "RW 4611686018427387904 ZERO\n");
  th_expect_open_fails ("sum.vmdk", NULL, "extent sizes add up");
  th_write_text ("many.vmdk",
                 "# Disk DescriptorFile\n"
                 "createType=\"custom\"\n"
                 "RW 4503599627370496 ZERO\n"
                 "RW 4503599627370496 ZERO\n"
                 "RW 4503599627370496 ZERO\n");
  th_expect_open_fails ("many.vmdk", NULL, "line 5");
  /* Too many digits to be a 64-bit number at all. */
  th_write_text ("digits.vmdk",
                 "# Disk DescriptorFile\n"
                 "createType=\"custom\"\n"
                 "RW 99999999999999999999999 ZERO\n");
  th_expect_open_fails ("digits.vmdk", NULL, "line 3");
  /* An offset into the flat file that overflows. */
  th_write_text ("data.bin", "x");
  th_write_text ("offset.vmdk",
                 "# Disk DescriptorFile\n"
                 "createType=\"custom\"\n"
                 "RW 8 FLAT \"data.bin\" 18446744073709551615\n");
  th_expect_open_fails ("offset.vmdk", NULL, "offset");
  return 0;
}
