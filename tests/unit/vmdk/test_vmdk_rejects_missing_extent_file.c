/* A descriptor whose extent file is missing is refused, naming the file. */
#include "helpers.h"

int
main (void)
{
  th_init (true);
  th_run ("qemu-img create -f vmdk -o subformat=monolithicFlat d.vmdk 8M");
  th_run ("rm d-flat.vmdk");
  th_expect_open_fails ("d.vmdk", NULL, "d-flat.vmdk");
  th_run ("qemu-img create -f vmdk -o subformat=twoGbMaxExtentSparse s.vmdk "
          "3G");
  th_run ("rm s-s002.vmdk");
  th_expect_open_fails ("s.vmdk", NULL, "s-s002.vmdk");
  return 0;
}
