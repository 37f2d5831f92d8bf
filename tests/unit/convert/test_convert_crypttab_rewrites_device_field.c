/* crypttab: the second field (the encrypted device) becomes UUID=; the
 * first (the mapped name) is never touched, even when it looks like a
 * device. */
#include "converttest.h"

int
main (void)
{
  char *out;
  unsigned changed;

  CHECK (convert_table_rewrite ("# <target name> <source device> <key file> <options>\n"
                                "sda2_crypt /dev/sda2 none luks,discard\n"
                                "/dev/sdb1 UUID=abc none luks\n",
                                1, test_uuid, NULL, &out, &changed) == 0);
  CHECK_TEXT (out, "# <target name> <source device> <key file> <options>\n"
              "sda2_crypt UUID=7b1e4c3d-2a9f-4e6b-8c5d-1a2b3c4d5e6f none luks,discard\n"
              "/dev/sdb1 UUID=abc none luks\n");
  CHECK (changed == 1);
  free (out);
  return 0;
}
