/* A tar header whose checksum does not match (a flipped byte in the
 * second member's name) is refused with the header's offset. */
#include "ovatest.h"

int
main (void)
{
  uint64_t at;

  test_init (true);
  ot_make_standard_ova ();
  /* web01.mf's header follows the .ovf's header and data */
  at = 512 + round_up (test_file_size ("web01.ovf"), 512);
  test_patch ("web01.ova", at, "X", 1);
  ot_read_fails (test_printf ("ova:%s/web01.ova", test_dir ()),
                 "bad checksum", test_printf ("offset %" PRIu64, at), NULL);
  return 0;
}
