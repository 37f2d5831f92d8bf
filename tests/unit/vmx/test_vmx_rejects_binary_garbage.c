/* Binary data given as a .vmx (random bytes, a sparse VMDK, NUL bytes)
 * is refused with a clear message naming the line, never read as keys. */
#include "vmxtest.h"

int
main (void)
{
  uint8_t buf[8192];
  static const char nul[] = "displayName = \"a\"\nmemSize = \"1\0\"\n";

  test_init (true);
  test_fill_pattern (buf, sizeof buf, 7);
  test_write_file ("garbage.vmx", buf, sizeof buf);
  vt_expect_fails ("garbage.vmx", "vmx: garbage.vmx: line ", NULL);

  test_run ("qemu-img create -q -f vmdk disk.vmdk 1M && cp disk.vmdk "
            "disk.vmx");
  vt_expect_fails ("disk.vmx", "vmx: disk.vmx: line 1: control byte", NULL);

  vt_parse_fails (nul, sizeof nul - 1, "line 2: control byte 0x00");
  vt_parse_fails ("just some words\n", 16, "line 1: expected key = "
                  "\"value\"");
  vt_parse_fails ("= \"x\"\n", 6, "line 1: '=' without a key");
  vt_parse_fails ("a b = \"x\"\n", 10, "line 1: byte 0x20 is not allowed "
                  "in a key");
  vt_parse_fails ("k\xc3\xa9y = \"x\"\n", 12, "line 1: byte 0xc3");
  return 0;
}
