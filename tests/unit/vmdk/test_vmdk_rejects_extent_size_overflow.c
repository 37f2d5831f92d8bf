/* Extent sizes whose byte count or sum overflows are refused. */
#include "vmdktest.h"

int
main (void)
{
  test_init (false);
  vt_expect_descriptor_refused ("one.vmdk",
                                "# Disk DescriptorFile\n"
                                "createType=\"custom\"\n"
                                "RW 18446744073709551615 ZERO\n",
                                "extent sizes add up");
  vt_expect_descriptor_refused ("sum.vmdk",
                                "# Disk DescriptorFile\n"
                                "createType=\"custom\"\n"
                                "RW 4611686018427387904 ZERO\n"
                                "RW 4611686018427387904 ZERO\n",
                                "extent sizes add up");
  vt_expect_descriptor_refused ("many.vmdk",
                                "# Disk DescriptorFile\n"
                                "createType=\"custom\"\n"
                                "RW 4503599627370496 ZERO\n"
                                "RW 4503599627370496 ZERO\n"
                                "RW 4503599627370496 ZERO\n",
                                "line 5");
  /* Too many digits to be a 64-bit number at all. */
  vt_expect_descriptor_refused ("digits.vmdk",
                                "# Disk DescriptorFile\n"
                                "createType=\"custom\"\n"
                                "RW 99999999999999999999999 ZERO\n",
                                "line 3");
  /* An offset into the flat file that overflows. */
  test_write_text ("data.bin", "x");
  vt_expect_descriptor_refused ("offset.vmdk",
                                "# Disk DescriptorFile\n"
                                "createType=\"custom\"\n"
                                "RW 8 FLAT \"data.bin\" 18446744073709551615\n",
                                "offset");
  return 0;
}
