/* Mapping a source twice to the same target is harmless and kept once;
 * to a different target it is refused, naming both; the same for the
 * default. */
#include "validatetest.h"

int
main (void)
{
  struct mapping m = MAPPING_INIT;

  CHECK (mapping_add (&m, "DMZ=dmz") == 0);
  CHECK (mapping_add (&m, "DMZ=dmz") == 0);
  CHECK (m.entries.len == 1);
  error_clear ();
  CHECK (mapping_add (&m, "DMZ=default") == -1);
  CHECK (strstr (error_message (), "\"DMZ\" is already mapped to \"dmz\""));
  CHECK (m.entries.len == 1);
  CHECK (strcmp (mapping_lookup (&m, "DMZ"), "dmz") == 0);

  CHECK (mapping_add (&m, "*=br0") == 0);
  CHECK (mapping_add (&m, "*=br0") == 0);
  error_clear ();
  CHECK (mapping_add (&m, "*=br1") == -1);
  CHECK (strstr (error_message (), "the default is already mapped to "
                 "\"br0\""));
  CHECK (strcmp (mapping_lookup (&m, "other"), "br0") == 0);

  mapping_free (&m);
  return 0;
}
