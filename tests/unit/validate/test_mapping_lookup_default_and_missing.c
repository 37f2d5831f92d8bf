/* Lookup: an entry wins over the default, names are case-sensitive, a
 * name without an entry gets the default or NULL without one, and a NULL
 * source (no network recorded) gets the default. */
#include "validatetest.h"

int
main (void)
{
  struct mapping m = MAPPING_INIT;

  CHECK (mapping_is_empty (&m));
  CHECK (mapping_lookup (&m, "VM Network") == NULL);
  CHECK (mapping_lookup (&m, NULL) == NULL);

  CHECK (mapping_add (&m, "VM Network=default") == 0);
  CHECK (!mapping_is_empty (&m));
  CHECK (strcmp (mapping_lookup (&m, "VM Network"), "default") == 0);
  CHECK (mapping_lookup (&m, "vm network") == NULL);
  CHECK (mapping_lookup (&m, "VM Network ") == NULL);
  CHECK (mapping_lookup (&m, "DMZ") == NULL);
  CHECK (mapping_lookup (&m, NULL) == NULL);

  CHECK (mapping_add (&m, "*=isolated") == 0);
  CHECK (strcmp (mapping_lookup (&m, "VM Network"), "default") == 0);
  CHECK (strcmp (mapping_lookup (&m, "DMZ"), "isolated") == 0);
  CHECK (strcmp (mapping_lookup (&m, NULL), "isolated") == 0);
  CHECK (strcmp (mapping_lookup (&m, "*"), "isolated") == 0);

  mapping_free (&m);
  return 0;
}
