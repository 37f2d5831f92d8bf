/* A device the appliance does not have (the guest's third disk was not
 * given) is an error naming it, and no text comes back: never a file
 * half rewritten. */
#include "converttest.h"

int
main (void)
{
  char *out = (char *) "untouched";
  unsigned changed;

  CHECK (convert_table_rewrite ("/dev/sda1 / ext4 defaults 0 1\n"
                                "/dev/sdc1 /data ext4 defaults 0 2\n",
                                0, test_uuid, NULL, &out, &changed) == -1);
  CHECK (out == NULL);
  if (strcmp (error_message (), "/dev/sdc1: No such file or directory") != 0)
    FAIL ("error is '%s'", error_message ());
  return 0;
}
