/* A descriptor whose extent file is missing is refused, naming the file. */
#include "vmdktest.h"

int
main (void)
{
  test_init (true);
  test_run ("qemu-img create -f vmdk -o subformat=monolithicFlat d.vmdk 8M");
  test_run ("rm d-flat.vmdk");
  test_expect_open_fails ("d.vmdk", NULL, 0, "d-flat.vmdk");
  test_run ("qemu-img create -f vmdk -o subformat=twoGbMaxExtentSparse s.vmdk "
          "3G");
  test_run ("rm s-s002.vmdk");
  test_expect_open_fails ("s.vmdk", NULL, 0, "s-s002.vmdk");
  return 0;
}
